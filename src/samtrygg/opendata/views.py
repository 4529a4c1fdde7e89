"""The open-data landing page and files. Public: no login, no personal data, nothing sensitive
(see :mod:`samtrygg.opendata.counts` for what is published and why)."""

from __future__ import annotations

import csv
import io
import json

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from samtrygg.analysis.disclosure import MIN_COUNT, SUPPRESSED
from samtrygg.areas.models import Kind

from . import counts
from .counts import COLUMNS, Month, ParameterError

CACHE = "public, max-age=3600"
CSV_NAME = "handelser-per-omrade-och-manad.csv"
GEOJSON_NAME = "handelser-per-omrade.geojson"


def _error(field: str, message: str, code: str = "invalid", status: int = 400) -> JsonResponse:
    return JsonResponse({"errors": [{"field": field, "code": code, "message": message}]}, status=status)


def _unknown(request, allowed: set[str]) -> JsonResponse | None:
    for name in request.GET:
        if name not in allowed:
            return _error(name, _("Unknown parameter “%(name)s”; this file takes: %(allowed)s")
                          % {"name": name[:40], "allowed": ", ".join(sorted(allowed)) or "—"}, code="unknown")
    return None


def _file_headers(response, filename: str):
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = CACHE
    response["Access-Control-Allow-Origin"] = "*"  # open data: any portal or map may fetch it
    return response


@require_safe
def index(request):
    categories = counts.published_categories()
    latest = Month.last_complete()
    first = counts.first_month(categories)
    months = []
    if first is not None and first <= latest:
        months = [latest.shift(-i) for i in range(min(first.months_until(latest) + 1, 120))]
    return render(request, "opendata/index.html", {
        "areas": counts.published_areas(), "categories": categories, "first": first, "latest": latest,
        "months": months, "columns": COLUMNS, "minimum": MIN_COUNT, "suppressed": SUPPRESSED,
        "area_kind": dict(Kind.choices).get(settings.SAMTRYGG_OPEN_DATA_AREA_KIND,
                                            settings.SAMTRYGG_OPEN_DATA_AREA_KIND).lower(),
        "license_name": settings.SAMTRYGG_OPEN_DATA_LICENSE, "license_url": settings.SAMTRYGG_OPEN_DATA_LICENSE_URL,
        "csv_url": request.build_absolute_uri(reverse("opendata:csv")),
        "geojson_url": request.build_absolute_uri(reverse("opendata:geojson")),
    })


@require_safe
def csv_file(request):
    """Every complete month (or ``from``–``to``, YYYY-MM) × area × category; UTF-8, comma, header row."""
    if (bad := _unknown(request, {"from", "to"})) is not None:
        return bad
    try:
        table = counts.table(request.GET.get("from"), request.GET.get("to"))
    except ParameterError as exc:
        return _error(exc.field, exc.message, exc.code)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(table.rows)
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8; header=present")
    return _file_headers(response, CSV_NAME)


@require_safe
def geojson_file(request):
    """One month (``month``, default the last complete one): a feature per area × category, the area's polygon
    in WGS84 and the same properties as the CSV's columns."""
    if (bad := _unknown(request, {"month"})) is not None:
        return bad
    try:
        month = str(Month.parse(request.GET["month"], "month") if "month" in request.GET else Month.last_complete())
        table = counts.table(month, month)
    except ParameterError as exc:
        return _error("month", exc.message, exc.code)
    geometry = {a.code: a.geometry_wgs84 for a in table.areas}
    features = [{"type": "Feature", "geometry": geometry[row["area_code"]], "properties": row}
                for row in table.rows]
    body = {"type": "FeatureCollection", "name": "samtrygg-handelser-per-omrade", "month": str(table.end),
            "license": settings.SAMTRYGG_OPEN_DATA_LICENSE, "features": features}
    response = HttpResponse(json.dumps(body, ensure_ascii=False, separators=(",", ":")),
                            content_type="application/geo+json; charset=utf-8")
    return _file_headers(response, GEOJSON_NAME)
