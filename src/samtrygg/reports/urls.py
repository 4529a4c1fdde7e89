from django.urls import path

from . import views_browse, views_report

app_name = "reports"
urlpatterns = [
    # Finding reports (list, map, export, detail with history, delete/restore): views_browse
    path("", views_browse.report_list, name="list"),
    path("map/", views_browse.report_map, name="map"),
    path("map/data/", views_browse.map_data, name="map_data"),
    path("export/<str:fmt>/", views_browse.export, name="export"),
    path("<int:pk>/", views_browse.detail, name="detail"),
    path("<int:pk>/delete/", views_browse.delete, name="delete"),
    path("<int:pk>/restore/", views_browse.restore, name="restore"),
    # Reporting an incident (create, edit, personal-data check, photos, nearby after save): views_report
    path("new/", views_report.create, name="create"),
    path("<int:pk>/edit/", views_report.edit, name="edit"),
    path("<int:pk>/saved/", views_report.saved, name="saved"),
    path("check-text/", views_report.check_text, name="check_text"),
    path("<int:pk>/photos/<int:photo_id>/", views_report.photo, name="photo"),
]
