"""Open311 GeoReport v2 (wiki.open311.org/GeoReport_v2) at a stable prefix, ``/open311/v2/``. Every path ends
in the format, ``.xml`` or ``.json``; another suffix gets the specification's error document (404)."""

from django.urls import re_path

from . import views

FMT = r"\.(?P<fmt>[A-Za-z0-9]{1,10})$"

app_name = "open311"
urlpatterns = [
    re_path(r"^open311/v2/discovery" + FMT, views.discovery, name="discovery"),
    re_path(r"^open311/v2/services" + FMT, views.services, name="services"),
    re_path(r"^open311/v2/services/(?P<code>[^/]{1,100}?)" + FMT, views.service_definition, name="service"),
    re_path(r"^open311/v2/requests" + FMT, views.requests, name="requests"),
    re_path(r"^open311/v2/requests/(?P<pk>[^/]{1,40}?)" + FMT, views.request_detail, name="request"),
]
