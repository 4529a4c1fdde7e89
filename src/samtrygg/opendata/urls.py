"""Open data for the public (no login): the landing page and the files it describes."""

from django.urls import path

from . import views

app_name = "opendata"
urlpatterns = [
    path("oppna-data/", views.index, name="index"),
    path("oppna-data/handelser-per-omrade-och-manad.csv", views.csv_file, name="csv"),
    path("oppna-data/handelser-per-omrade.geojson", views.geojson_file, name="geojson"),
]
