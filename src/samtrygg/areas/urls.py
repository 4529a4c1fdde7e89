from django.urls import path

from samtrygg.core.placeholder import todo

app_name = "areas"
urlpatterns = [
    path("", todo, name="list"),
]
