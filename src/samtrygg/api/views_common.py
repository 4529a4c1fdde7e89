"""What the API views share: renderers, the ``format`` parameter, GeoJSON responses in the schema."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework.renderers import JSONRenderer

from .geo import FEATURE_COLLECTION_SCHEMA

JSON_RENDERERS = [JSONRenderer]

FORMAT_PARAMETER = OpenApiParameter(
    "format", str, enum=["json", "geojson"],
    description="`geojson` for GeoJSON (RFC 7946, WGS84); the same as `Accept: application/geo+json`.")

FEATURE_SCHEMA = {
    "type": "object", "required": ["type", "geometry", "properties"],
    "properties": {"type": {"type": "string", "enum": ["Feature"]},
                   "id": {"oneOf": [{"type": "string"}, {"type": "integer"}]},
                   "geometry": {"type": "object", "nullable": True},
                   "properties": {"type": "object", "additionalProperties": True}},
}


def geojson_responses(serializer, *, paged: str | None = None, single_feature: bool | None = None) -> dict:
    """A 200 in JSON (the serializer, paged by the view's paginator) or GeoJSON."""
    many = getattr(serializer, "many", False)
    geo = FEATURE_COLLECTION_SCHEMA if many else FEATURE_SCHEMA
    return {(200, "application/json"): serializer,
            (200, "application/geo+json"): OpenApiResponse(geo, description="GeoJSON")}
