from django.urls import path

from samtrygg.core.placeholder import todo

app_name = "imports"
urlpatterns = [
    path("", todo, name="upload"),
]
