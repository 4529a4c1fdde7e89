"""Which areas and places contain which reports, kept in ReportArea / ReportPlace.

Point-in-polygon work is vectorised in `samtrygg.analysis.geo`; this module only moves ids between the
database and numpy, in chunks so memory stays flat for large imports.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import shapely
from django.db import connection, transaction
from django.db.models import Max, Min

from samtrygg.analysis import geo

from .models import Area, Place

CHUNK = 5000
FEW = 50  # up to this many reports, read only the polygons whose bounding box meets theirs


def _polygons(model, bbox=None):
    """Active polygons, only those whose bounding box meets ``bbox`` (min_x, min_y, max_x, max_y) if given."""
    qs = model.objects.filter(is_active=True)
    if bbox is not None:
        qs = qs.filter(min_x__lte=bbox[2], max_x__gte=bbox[0], min_y__lte=bbox[3], max_y__gte=bbox[1])
    rows = list(qs.only("id", "geometry_sweref"))
    return [r.id for r in rows], [r.shape for r in rows]


@dataclass(frozen=True)
class Containment:
    """The active areas and places that contain one point (EPSG:3006), found by :func:`containment`."""

    x: float
    y: float
    area_codes: dict[int, str]  # id -> code, in the database's order of codes
    place_ids: list[int]

    def applies_to(self, x: float, y: float) -> bool:
        return (self.x, self.y) == (x, y)


@functools.cache
def _around_query() -> str:
    """The active areas, then the active places, whose bounding box holds a point (given twice): a flag (0 for
    an area, 1 for a place), id, code and geometry, each by code."""
    q = connection.ops.quote_name
    parts = []
    for flag, model in enumerate((Area, Place)):
        meta = model._meta
        c = {name: q(meta.get_field(name).column)
             for name in ("id", "code", "geometry_sweref", "is_active", "min_x", "max_x", "min_y", "max_y")}
        parts.append(f"SELECT {flag} AS kind, {c['id']} AS id, {c['code']} AS code, {c['geometry_sweref']} AS g "
                     f"FROM {q(meta.db_table)} WHERE {c['is_active']} AND {c['min_x']} <= %s AND {c['max_x']} >= %s "
                     f"AND {c['min_y']} <= %s AND {c['max_y']} >= %s")
    return f"SELECT * FROM ({' UNION ALL '.join(parts)}) AS around ORDER BY kind, code"


def containment(x: float, y: float) -> Containment:
    """The active areas and places that contain the point.

    One query written out (areas and places together) because it runs for every report submitted: Django
    compiling the two filters each time cost 0.9 ms of Python against 0.1 ms for the query itself
    (benchmarks/scale.py, (c)). Areas are ordered by code as `api.views_reports.area_codes` orders them (the
    database's collation), so a new report's areas can be shown without reading them back.
    """
    with connection.cursor() as cursor:
        cursor.execute(_around_query(), [x, x, y, y] * 2)
        rows = cursor.fetchall()
    hits = geo.contains_point(shapely.from_wkb([bytes(g) for _kind, _id, _code, g in rows]), x, y) if rows else []
    areas = {rows[i][1]: rows[i][2] for i in hits if rows[i][0] == 0}
    return Containment(x, y, areas, [rows[i][1] for i in hits if rows[i][0] == 1])


def containing(x: float, y: float) -> tuple[list[int], list[int]]:
    """Ids of the active areas and places that contain the point (EPSG:3006)."""
    found = containment(x, y)
    return list(found.area_codes), found.place_ids


def link_new_reports(reports, found: list[Containment]) -> None:
    """Link reports that were just inserted to the areas and places around them (``found``, in the same
    order). They have no links yet, so nothing is read back or deleted (:func:`assign_reports` does both, for
    reports that may have moved); the caller counts them (``aggregates.record_created``)."""
    from samtrygg.reports.models import ReportArea, ReportPlace

    pairs = list(zip(reports, found, strict=True))
    ReportArea.objects.bulk_create([ReportArea(report_id=r.pk, area_id=a) for r, c in pairs for a in c.area_codes])
    ReportPlace.objects.bulk_create([ReportPlace(report_id=r.pk, place_id=p) for r, c in pairs for p in c.place_ids])


def assign_reports(report_ids: Iterable[int] | None = None) -> int:
    """(Re)compute area and place membership for the given reports (all when None). Returns links made."""
    from samtrygg.reports import aggregates
    from samtrygg.reports.models import Report, ReportArea, ReportPlace

    qs = Report.objects.all()
    bbox = None
    if report_ids is not None:
        ids = list(report_ids)
        if not ids:
            return 0
        if len(ids) <= FEW:  # a single new report (the form, the API): only the polygons around it
            bounds = qs.filter(id__in=ids).aggregate(a=Min("x"), b=Min("y"), c=Max("x"), d=Max("y"))
            bbox = (bounds["a"], bounds["b"], bounds["c"], bounds["d"]) if bounds["a"] is not None else None
    else:
        ids = list(qs.values_list("id", flat=True))
    area_ids, area_polys = _polygons(Area, bbox)
    place_ids, place_polys = _polygons(Place, bbox)
    made = 0
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        rows = list(Report.objects.filter(id__in=chunk).values_list("id", "x", "y"))
        if not rows:
            continue
        arr = np.array(rows, dtype=float)
        rids = arr[:, 0].astype(np.int64)
        with transaction.atomic(), aggregates.tracking(chunk):
            ReportArea.objects.filter(report_id__in=chunk).delete()
            ReportPlace.objects.filter(report_id__in=chunk).delete()
            links = []
            area_hits = geo.assign_points(arr[:, 1], arr[:, 2], area_polys)
            for area_id, hits in zip(area_ids, area_hits, strict=True):
                links.extend(ReportArea(report_id=int(rids[i]), area_id=area_id) for i in hits)
            ReportArea.objects.bulk_create(links, batch_size=2000)
            made += len(links)
            links = []
            place_hits = geo.assign_points(arr[:, 1], arr[:, 2], place_polys)
            for pid, hits in zip(place_ids, place_hits, strict=True):
                links.extend(ReportPlace(report_id=int(rids[i]), place_id=pid) for i in hits)
            ReportPlace.objects.bulk_create(links, batch_size=2000)
            made += len(links)
    return made


def reassign_polygon(obj: Area | Place) -> int:
    """Recompute which reports lie in one area or place after its polygon (or activity) changed.

    Only reports inside the polygon's bounding box are read (indexed range on x, y).
    """
    from samtrygg.reports import aggregates
    from samtrygg.reports.models import Report, ReportArea, ReportPlace

    link_model, field = (ReportArea, "area_id") if isinstance(obj, Area) else (ReportPlace, "place_id")
    with transaction.atomic():
        link_model.objects.filter(**{field: obj.pk}).delete()
        if isinstance(obj, Area):
            aggregates.forget_area(obj.pk)
        if not obj.is_active:
            return 0
        rows = list(
            Report.objects.filter(x__gte=obj.min_x, x__lte=obj.max_x, y__gte=obj.min_y, y__lte=obj.max_y)
            .values_list("id", "x", "y")
        )
        if not rows:
            return 0
        arr = np.array(rows, dtype=float)
        hits = geo.assign_points(arr[:, 1], arr[:, 2], [obj.shape])[0]
        links = [link_model(report_id=int(arr[i, 0]), **{field: obj.pk}) for i in hits]
        link_model.objects.bulk_create(links, batch_size=2000)
        if isinstance(obj, Area):
            aggregates.record_new([link.report_id for link in links], area_id=obj.pk)
        return len(links)
