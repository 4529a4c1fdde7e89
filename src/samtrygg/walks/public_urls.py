"""Public pages (no login): answering a questionnaire and reading the published feedback."""

from django.urls import path

from . import views_feedback, views_public

app_name = "public"
urlpatterns = [
    # Answering (engineer "questionnaires")
    path("svara/<slug:slug>/", views_public.answer, name="answer"),
    path("svara/<slug:slug>/tack/", views_public.answer_thanks, name="answer_thanks"),
    # Feedback to residents (engineer "results")
    path("aterkoppling/<slug:slug>/", views_feedback.public_feedback, name="feedback"),
    path("aterkoppling/<slug:slug>/feedback.pdf", views_feedback.public_feedback_pdf, name="feedback_pdf"),
]
