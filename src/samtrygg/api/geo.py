"""GeoJSON features for the API's objects (RFC 7946: WGS84 longitude, latitude)."""

from __future__ import annotations

from samtrygg.analysis import geo

FEATURE_COLLECTION_SCHEMA = {
    "type": "object",
    "required": ["type", "features"],
    "properties": {
        "type": {"type": "string", "enum": ["FeatureCollection"]},
        "features": {"type": "array", "items": {
            "type": "object", "required": ["type", "geometry", "properties"],
            "properties": {
                "type": {"type": "string", "enum": ["Feature"]},
                "id": {"oneOf": [{"type": "string"}, {"type": "integer"}]},
                "geometry": {"type": "object", "nullable": True, "description": "A GeoJSON geometry (WGS84)."},
                "properties": {"type": "object", "additionalProperties": True},
            }}},
        "next": {"type": "string", "nullable": True, "description": "The next page (paged lists only)."},
        "count": {"type": "integer", "description": "How many in all (page-numbered lists only)."},
    },
}


def point(lon, lat) -> dict | None:
    if lon is None or lat is None:
        return None
    return {"type": "Point", "coordinates": [round(float(lon), 7), round(float(lat), 7)]}


def feature(fid, geometry: dict | None, properties: dict) -> dict:
    return {"type": "Feature", "id": fid, "geometry": geometry, "properties": properties}


def collection(features: list[dict], **members) -> dict:
    return {"type": "FeatureCollection", "features": features, **members}


def centroid_point(shape) -> dict | None:
    """A point inside a polygon in EPSG:3006, as a WGS84 GeoJSON Point."""
    if shape is None or shape.is_empty:
        return None
    p = shape.centroid if shape.contains(shape.centroid) else shape.representative_point()
    lon, lat = geo.sweref_to_wgs84(p.x, p.y)
    return point(lon, lat)
