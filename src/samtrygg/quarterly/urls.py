from django.urls import path

from . import views, views_documents, views_hotspots, views_patterns

app_name = "quarterly"
urlpatterns = [
    # Ranking and saved analyses (engineer "ranking")
    path("", views.index, name="index"),
    path("new/", views.new, name="new"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/areas/<slug:code>/", views.area, name="area"),
    path("<int:pk>/document.<str:fmt>", views_documents.document, name="document"),
    # Hotspots (engineer "hotspots")
    path("hotspots/", views_hotspots.hotspots_page, name="hotspots"),
    path("hotspots/data.geojson", views_hotspots.hotspots_data, name="hotspots_data"),
    # Time patterns and near-repeat (engineer "patterns")
    path("patterns/", views_patterns.patterns_page, name="patterns"),
    path("near-repeat/", views_patterns.near_repeat_page, name="near_repeat"),
]
