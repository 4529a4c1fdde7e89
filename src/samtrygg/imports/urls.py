from django.urls import path

from . import views

app_name = "imports"
urlpatterns = [
    path("", views.upload, name="upload"),
    path("template.csv", views.template_csv, name="template"),
    path("<int:pk>/", views.batch_detail, name="detail"),
    path("<int:pk>/decide/", views.decide, name="decide"),
    path("<int:pk>/errors.csv", views.errors_csv, name="errors_csv"),
]
