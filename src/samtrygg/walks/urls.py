from django.urls import path

from . import views_feedback, views_public, views_results, views_walks
from . import views_questionnaires as vq

app_name = "walks"
urlpatterns = [
    # Questionnaires: builder, versions, paper entry, QR poster (engineer "questionnaires")
    path("questionnaires/", vq.questionnaire_list, name="questionnaires"),
    path("questionnaires/new/", vq.questionnaire_create, name="questionnaire_create"),
    path("questionnaires/<int:pk>/", vq.questionnaire_detail, name="questionnaire_detail"),
    path("questionnaires/<int:pk>/edit/", vq.questionnaire_edit, name="questionnaire_edit"),
    path("questionnaires/<int:pk>/paper/", views_public.paper_entry, name="paper_entry"),
    path("questionnaires/<int:pk>/poster.pdf", vq.poster, name="poster"),
    # Safety walks and observations (engineer "walks")
    path("", views_walks.walk_list, name="list"),
    path("new/", views_walks.walk_create, name="create"),
    path("<int:pk>/", views_walks.walk_detail, name="detail"),
    path("<int:pk>/edit/", views_walks.walk_edit, name="edit"),
    path("<int:pk>/observations/<int:obs>/convert/", views_walks.convert_observation, name="convert_observation"),
    path("<int:pk>/observations/<int:obs>/photo/", views_walks.observation_photo, name="observation_photo"),
    # Results and feedback (engineer "results")
    path("questionnaires/<int:pk>/results/", views_results.results, name="results"),
    path("questionnaires/<int:pk>/feedback/", views_feedback.feedback_edit, name="feedback_edit"),
]
