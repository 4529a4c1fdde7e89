from django.urls import path

from . import views

app_name = "areas"
urlpatterns = [
    path("", views.area_list, name="list"),
    path("geojson/", views.areas_geojson, name="geojson"),
    path("places/<slug:code>/", views.place_detail, name="place_detail"),
    path("<slug:code>/", views.area_detail, name="detail"),
]
