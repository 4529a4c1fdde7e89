from django.urls import path

from . import views

app_name = "audit"

urlpatterns = [
    path("", views.entries, name="log"),
    path("export.<str:fmt>", views.export, name="export"),
    path("verify/", views.verify, name="verify"),
]
