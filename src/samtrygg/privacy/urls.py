from django.urls import path

from . import views

app_name = "privacy"

urlpatterns = [
    path("register/", views.register_page, name="register"),
    path("export/", views.export_user, name="export_user"),
]
