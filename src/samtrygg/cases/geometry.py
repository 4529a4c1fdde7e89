"""A polygon drawn on the map (WGS84 GeoJSON from the browser) checked and projected to SWEREF 99 TM.
Pure: no Django here, so it is unit-testable on its own."""

from __future__ import annotations

import json

import shapely
from shapely.geometry import mapping, shape

from samtrygg.analysis import geo

MAX_AREA_M2 = 25_000_000  # 25 km²: a case is about a place, not a district
MIN_AREA_M2 = 25


class DrawnAreaError(ValueError):
    """Its argument is a code; the form turns it into a translated message (see `cases.forms`)."""

    @property
    def code(self) -> str:
        return self.args[0]


def parse_drawn_area(text: str):
    """GeoJSON Polygon (or a Feature holding one) in WGS84 → (clean WGS84 GeoJSON dict, SWEREF polygon).
    Raises DrawnAreaError with a code."""
    try:
        data = json.loads(text)
    except (TypeError, ValueError):
        raise DrawnAreaError("not_json") from None
    if isinstance(data, dict) and data.get("type") == "Feature":
        data = data.get("geometry")
    if not isinstance(data, dict) or data.get("type") != "Polygon":
        raise DrawnAreaError("not_polygon")
    try:
        polygon = shape(data)
    except Exception:  # shapely raises several kinds for malformed coordinates
        raise DrawnAreaError("malformed") from None
    if len(polygon.exterior.coords) < 4:
        raise DrawnAreaError("too_few_points")
    lon_lat = list(polygon.exterior.coords)
    if not all(-180 <= x <= 180 and -90 <= y <= 90 for x, y in lon_lat):
        raise DrawnAreaError("out_of_range")
    if not polygon.is_valid:
        polygon = shapely.make_valid(polygon)
        if polygon.geom_type != "Polygon":
            raise DrawnAreaError("self_crossing")
    sweref = geo.transform_geometry(polygon, geo.WGS84, geo.SWEREF)
    if sweref.area < MIN_AREA_M2:
        raise DrawnAreaError("too_small")
    if sweref.area > MAX_AREA_M2:
        raise DrawnAreaError("too_large")
    return mapping(shapely.set_precision(polygon, 1e-7)), sweref
