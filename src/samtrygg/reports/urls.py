from django.urls import path

from samtrygg.core.placeholder import todo

app_name = "reports"
urlpatterns = [
    path("", todo, name="list"),
    path("map/", todo, name="map"),
    path("new/", todo, name="create"),
    path("<int:pk>/", todo, name="detail"),
]
