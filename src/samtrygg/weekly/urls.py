from django.urls import path

from . import views, views_documents, views_meeting

app_name = "weekly"
urlpatterns = [
    path("", views.current, name="current"),
    path("help/", views.help_page, name="help"),
    path("subscription/", views_meeting.subscription, name="subscription"),
    path("<str:week>/", views.week, name="week"),
    path("<str:week>/assessment/", views_meeting.assessment, name="assessment"),
    path("<str:week>/publish/", views_meeting.publish, name="publish"),
    path("<str:week>/document.<str:fmt>", views_documents.document, name="document"),
]
