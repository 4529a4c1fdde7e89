"""Grid hotspots for a period: fetch the report points with one query, hand them to
:mod:`samtrygg.analysis.hotspots`, and shape the result for the page, the data endpoint, the command and the
quarterly PDF.

What is counted: **incidents** (report rows) per cell for the counts, the density and Gi* (as the weekly
counts do: one report of "12 tags" is one incident); **harm** (category severity × quantity) is summed per
cell for the stability measures. Soft-deleted reports never count.

Sensitive categories. A hotspot map is an aggregate, but a map of 200 m cells with one or two reports in
each is close to a map of the reports themselves: a cell "1 report" in a category only the police see
tells where that report was. So for a user, reports the user may not see in detail
(:func:`samtrygg.reports.access.sensitivity_filter`) are left out of the map, its export and its
stability numbers; the page says so. The command line (run by whoever operates the server, like the
``signals`` export) counts every report.

Study area. With an area: that area's polygon, and the reports linked to it (``ReportArea``). Without:
the active top-level areas (the municipality; areas without a parent) and the reports inside their
bounding box; cells outside every polygon are not analysed (see the analysis module).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
from django.db.models import Exists, OuterRef, Q

from samtrygg.analysis import geo
from samtrygg.analysis import hotspots as hs
from samtrygg.analysis.hotspots import HotspotError
from samtrygg.areas.models import Area
from samtrygg.categories.models import Category
from samtrygg.reports.models import Report, ReportArea

__all__ = ["HotspotError", "NoData", "HotspotResult", "hotspots", "fetch_points", "study_areas",
           "cell_records", "CELL_COLUMNS"]

#: Columns of a cell in the export (DESIGN.md "Command line": at least x_min, y_min, count, kde, gi_z,
#: gi_p, gi_q). x_min, y_min is the lower-left corner in EPSG:3006; kde is incidents per km².
CELL_COLUMNS = ("x_min", "y_min", "count", "harm", "kde", "gi_z", "gi_p", "gi_q", "hot_class")
#: The page draws at most this many cells (the command has no such limit beyond the analysis's own).
MAX_PAGE_CELLS = 250_000


class NoData(HotspotError):
    """The period and selection contain no reports."""


@dataclass
class Points:
    x: np.ndarray
    y: np.ndarray
    harm: np.ndarray

    def __len__(self) -> int:
        return int(self.x.size)


def study_areas(area: Area | None) -> list[Area]:
    if area is not None:
        return [area]
    roots = list(Area.objects.filter(is_active=True, parent__isnull=True))
    return roots or list(Area.objects.filter(is_active=True))


def fetch_points(start: datetime, end: datetime, *, categories=(), area: Area | None = None,
                 bounds=None, user=None) -> Points:
    """(x, y, severity × quantity) of every live report in ``[start, end)``: one ``values_list`` query."""
    qs = Report.objects.alive().filter(occurred_at__gte=start, occurred_at__lt=end)
    if categories:
        qs = qs.filter(category__in=list(categories))
    if area is not None:
        qs = qs.filter(Exists(ReportArea.objects.filter(area=area, report=OuterRef("pk"))))
    elif bounds is not None:
        minx, miny, maxx, maxy = bounds
        qs = qs.filter(x__gte=minx, x__lte=maxx, y__gte=miny, y__lte=maxy)
    if user is not None:
        from samtrygg.reports.access import sensitivity_filter

        qs = qs.filter(sensitivity_filter(user))
    rows = list(qs.order_by().values_list("x", "y", "category__severity", "quantity"))
    if not rows:
        return Points(np.zeros(0), np.zeros(0), np.zeros(0))
    arr = np.array([(x, y, float(s), q) for x, y, s, q in rows], dtype=float)
    return Points(arr[:, 0], arr[:, 1], arr[:, 2] * arr[:, 3])


@dataclass
class HotspotResult:
    start: datetime
    end: datetime
    analysis: hs.HotspotGrid
    reports: int
    areas: list[Area]
    categories: list[Category]
    previous: hs.HotspotGrid | None = None
    previous_reports: int = 0
    previous_label: str = ""
    stability: hs.Stability | None = None
    label: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def cell(self) -> float:
        return self.analysis.grid.cell

    def class_counts(self) -> dict[str, int]:
        classes, counts = np.unique(self.analysis.hot_class[self.analysis.mask], return_counts=True)
        return {str(c): int(n) for c, n in zip(classes, counts, strict=True) if c}

    def geojson(self, *, only_interesting: bool = False) -> dict:
        return cells_geojson(self.analysis, only_interesting=only_interesting, extra={
            "period": self.label, "cell": self.cell, "bandwidth": round(self.analysis.bandwidth, 1),
            "bandwidth_rule": self.analysis.bandwidth_rule, "band": round(self.analysis.band, 3),
            "correction": self.analysis.correction, "reports": self.reports, "crs_of_x_min_y_min": "EPSG:3006"})


def _round(values: np.ndarray, digits: int) -> list:
    return [None if not math.isfinite(v) else round(float(v), digits) for v in values]


def cell_records(result: hs.HotspotGrid, *, only_interesting: bool = False) -> list[dict]:
    """One dict per study cell (in row order, south to north, west to east) with :data:`CELL_COLUMNS`."""
    keep = result.mask.copy()
    if only_interesting:
        keep &= (result.count > 0) | (result.kde > 0.005) | (result.hot_class != "")
    xs = result.grid.x_min()[keep]
    ys = result.grid.y_min()[keep]
    cols = {
        "x_min": [int(v) if float(v).is_integer() else float(v) for v in xs],
        "y_min": [int(v) if float(v).is_integer() else float(v) for v in ys],
        "count": [int(v) for v in result.count[keep]],
        "harm": _round(result.harm[keep], 2),
        "kde": _round(result.kde[keep], 3),
        "gi_z": _round(result.gi.z[keep], 6),
        "gi_p": _round(result.gi.p[keep], 8),
        "gi_q": _round(result.gi.q[keep], 8),
        "hot_class": [str(c) for c in result.hot_class[keep]],
    }
    return [dict(zip(CELL_COLUMNS, vals, strict=True)) for vals in zip(*(cols[c] for c in CELL_COLUMNS),
                                                                          strict=True)]


def cells_geojson(result: hs.HotspotGrid, *, only_interesting: bool = False, extra: dict | None = None) -> dict:
    """A FeatureCollection of the study cells: WGS84 squares for display, EPSG:3006 corners in properties."""
    records = cell_records(result, only_interesting=only_interesting)
    features = []
    if records:
        size = result.grid.cell
        x = np.array([r["x_min"] for r in records], dtype=float)
        y = np.array([r["y_min"] for r in records], dtype=float)
        # corners: SW, SE, NE, NW — transformed all at once
        cx = np.concatenate([x, x + size, x + size, x])
        cy = np.concatenate([y, y, y + size, y + size])
        lon, lat = geo.sweref_to_wgs84(cx, cy)
        lon = np.round(lon, 6).reshape(4, -1)
        lat = np.round(lat, 6).reshape(4, -1)
        for i, rec in enumerate(records):
            ring = [[float(lon[k, i]), float(lat[k, i])] for k in (0, 1, 2, 3, 0)]
            features.append({"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [ring]},
                             "properties": rec})
    out = {"type": "FeatureCollection", "features": features}
    if extra:
        out["properties"] = extra
    return out


def hotspots(start: datetime, end: datetime, *, area: Area | None = None, categories=(), cell: float = hs.DEFAULT_CELL,
             bandwidth: float | None = None, user=None, previous: tuple[datetime, datetime] | None = None,
             label: str = "", previous_label: str = "", require_data: bool = True,
             max_cells: int = hs.MAX_CELLS) -> HotspotResult:
    """The grid analysis of ``[start, end)``; with ``previous`` (another period) also the stability of the
    previous period's hotspots against this period. Raises :class:`HotspotError` (bad sizes, too large a
    grid) and :class:`NoData` (nothing reported, when ``require_data``)."""
    cell = hs.check_positive(cell, "The cell size")
    if bandwidth is not None:
        bandwidth = hs.check_positive(bandwidth, "The bandwidth")
    areas = study_areas(area)
    polygons = [a.shape for a in areas]
    if not polygons:
        raise HotspotError("There are no areas to put a grid on. Import the areas first.")
    import shapely

    bounds = shapely.union_all(polygons).bounds
    hs.make_grid(bounds, cell, max_cells=max_cells)  # refuse a too-large grid before any query
    cats = list(categories)
    points = fetch_points(start, end, categories=cats, area=area, bounds=bounds, user=user)
    if require_data and not len(points):
        raise NoData("No reports in this period for this selection, so there is nothing to map.")
    analysis = hs.analyse(points.x, points.y, polygons=polygons, bounds=bounds, cell=cell, bandwidth=bandwidth,
                          harm=points.harm, max_cells=max_cells)
    result = HotspotResult(start=start, end=end, analysis=analysis, reports=len(points), areas=areas,
                           categories=cats, label=label)
    if previous is not None:
        before = fetch_points(previous[0], previous[1], categories=cats, area=area, bounds=bounds, user=user)
        # The same bandwidth for both periods, so the two density surfaces are comparable.
        prev = hs.analyse(before.x, before.y, polygons=polygons, bounds=bounds, cell=cell,
                          bandwidth=analysis.bandwidth, harm=before.harm, max_cells=max_cells)
        result.previous = prev
        result.previous_reports = len(before)
        result.previous_label = previous_label
        if len(before):
            result.stability = hs.stability(prev, analysis)
    return result


def sensitive_left_out(user) -> bool:
    """Does the user's map leave out reports of sensitive categories?"""
    from samtrygg.reports.access import sees_all_sensitive

    return not sees_all_sensitive(user) and Category.objects.filter(~Q(sensitivity="normal")).exists()
