from django.urls import path

from samtrygg.core.placeholder import todo

from . import views

app_name = "areas"
urlpatterns = [
    path("", todo, name="list"),
    path("geojson/", views.areas_geojson, name="geojson"),
]
