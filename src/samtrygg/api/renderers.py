"""GeoJSON (RFC 7946) as a second representation of everything with a location: ``?format=geojson`` or
``Accept: application/geo+json``. The views build the FeatureCollection; this only names the media type."""

from rest_framework.renderers import JSONRenderer


class GeoJSONRenderer(JSONRenderer):
    media_type = "application/geo+json"
    format = "geojson"


def wants_geojson(request) -> bool:
    renderer = getattr(request, "accepted_renderer", None)
    return getattr(renderer, "format", None) == "geojson"
