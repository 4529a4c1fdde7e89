"""What the reports map shows for the part of the map in view: the points, or counts per grid cell when there are
too many points to send (a month of a large city is tens of thousands).

The browser sends the bounding box and zoom of its view; the server answers with

- the reports themselves, when at most ``POINT_LIMIT`` lie in the view or the map is zoomed in to street level
  (``POINTS_FROM_ZOOM``), as before (the browser groups overlapping markers);
- otherwise one feature per grid cell of about ``CELL_PIXELS`` screen pixels with the number of reports in it, at
  the mean position of those reports, with their extent (a click zooms to it).

The cells are squares of the SWEREF 99 TM grid (metres, the ``x``/``y`` columns every report has), counted with one
``GROUP BY floor(x / cell), floor(y / cell)`` in the database: the cost follows the reports in the view, and nothing
but the counts crosses the wire. Why not a library: supercluster and Leaflet.markercluster cluster in the browser,
after every point has been sent, which is what this avoids; PostGIS's ST_SnapToGrid / ST_ClusterDBSCAN would need
PostGIS, and the embedded SQLite database has to work too. A grid of counts is a few lines of portable SQL.

Only reports the user may see in detail are counted at all (the queryset comes from ``access.visible_reports``):
a sensitive report the user may not see adds neither a point nor a count to a cell, exactly as on the list.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.db.models import Avg, Count, F, FloatField, Max, Min
from django.db.models.functions import Floor
from django.utils.translation import gettext as _

POINT_LIMIT = 1500      # at most this many reports in the view are sent as points
POINTS_FROM_ZOOM = 17   # from this zoom (a few streets) always points, capped at POINT_LIMIT
CELL_PIXELS = 60        # a cell is about this many screen pixels wide
EARTH_M_PER_PX_Z0 = 156_543.033_92  # Web Mercator metres per pixel at zoom 0 on the equator (256-pixel tiles)


@dataclass(frozen=True)
class View:
    west: float
    south: float
    east: float
    north: float
    zoom: int

    @property
    def centre_lat(self) -> float:
        return (self.south + self.north) / 2

    def cell_metres(self) -> float:
        """The side of a grid cell in metres: CELL_PIXELS at this zoom and latitude."""
        metres_per_pixel = EARTH_M_PER_PX_Z0 * math.cos(math.radians(self.centre_lat)) / 2 ** self.zoom
        return max(metres_per_pixel * CELL_PIXELS, 1.0)


def parse_view(query) -> tuple[View | None, dict[str, list[str]]]:
    """The view from ``bbox=west,south,east,north`` and ``zoom``; (None, {}) when there is no bbox (the whole
    filtered set is asked for), (None, errors) when it is malformed."""
    raw_bbox = query.get("bbox")
    if raw_bbox is None:
        return None, {}
    errors: dict[str, list[str]] = {}
    try:
        west, south, east, north = (float(v) for v in raw_bbox.split(","))
        if not all(math.isfinite(v) for v in (west, south, east, north)):
            raise ValueError
    except ValueError:
        errors["bbox"] = [_("bbox must be four numbers: west,south,east,north in degrees (WGS84).")]
    else:
        # Leaflet's view may wrap around the date line or pass the poles when zoomed far out: clamp.
        west, east = max(west, -180.0), min(east, 180.0)
        south, north = max(south, -90.0), min(north, 90.0)
        if west >= east or south >= north:
            errors["bbox"] = [_("bbox must have west < east and south < north.")]
    try:
        zoom = int(query.get("zoom", ""))
        if not 0 <= zoom <= 24:
            raise ValueError
    except ValueError:
        errors["zoom"] = [_("zoom must be a whole number from 0 to 24.")]
    if errors:
        return None, errors
    return View(west, south, east, north, zoom), {}


def in_view(reports, view: View):
    return reports.filter(lat__gte=view.south, lat__lte=view.north, lon__gte=view.west, lon__lte=view.east)


def grid_cells(reports, cell_m: float) -> list[dict]:
    """Count per grid cell of ``cell_m`` metres: [{count, lat, lon, bounds: [w, s, e, n]}], largest first."""
    rows = (reports.order_by()
            .annotate(cx=Floor(F("x") / cell_m), cy=Floor(F("y") / cell_m))
            .values("cx", "cy")
            .annotate(n=Count("id"), lat_mean=Avg("lat", output_field=FloatField()),
                      lon_mean=Avg("lon", output_field=FloatField()), s=Min("lat"), n_=Max("lat"), w=Min("lon"),
                      e=Max("lon"))
            .order_by("-n", "cx", "cy"))
    return [{"count": r["n"], "lat": r["lat_mean"], "lon": r["lon_mean"],
             "bounds": [r["w"], r["s"], r["e"], r["n_"]]} for r in rows]


def cluster_collection(cells: list[dict], *, total: int) -> dict:
    features = [{
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [round(c["lon"], 6), round(c["lat"], 6)]},
        "properties": {"count": c["count"], "bounds": [round(v, 6) for v in c["bounds"]]},
    } for c in cells]
    return {"type": "FeatureCollection", "mode": "clusters", "total": total, "features": features}


def view_data(reports, view: View, point_features) -> dict:
    """The map's answer for one view: points or grid counts (see the module). ``point_features(queryset, cap)``
    builds the points' FeatureCollection (the view module's, with popup data)."""
    visible = in_view(reports, view)
    total = visible.count()
    if total <= POINT_LIMIT or view.zoom >= POINTS_FROM_ZOOM:
        data = point_features(visible, cap=POINT_LIMIT)
        data.update(mode="points", total=total)
        return data
    return cluster_collection(grid_cells(visible, view.cell_metres()), total=total)


def extent(reports) -> list[float] | None:
    """[west, south, east, north] of the reports, for the map's first view; None when there are none."""
    box = reports.order_by().aggregate(w=Min("lon"), s=Min("lat"), e=Max("lon"), n=Max("lat"))
    if box["w"] is None:
        return None
    return [box["w"], box["s"], box["e"], box["n"]]
