"""The data sheet of a place case: computed on request from the live reports, so it is always current.

Which reports are "at the place": for a case about a registered place, the reports linked to it through
``ReportPlace`` (the place's polygon contains them); for a drawn polygon, a point-in-polygon test
(``analysis.geo.assign_points``) over the reports in its bounding box. The report list's ``place=`` filter
also includes reports whose reporter *named* the place from elsewhere, so a linked list can hold a few more.

Counting: incidents (report rows), live reports only, in Europe/Stockholm local time; months, weekdays and
hours are grouped in SQL (``TruncMonth`` / ``ExtractIsoWeekDay`` / ``ExtractHour`` with the local zone).

Access (DESIGN.md): every table and number is an aggregate count and includes sensitive categories; links to
the report list are given for a sensitive category only to users who may see it in detail; the map's points
and the repeat locations are individual reports, so they use only what ``sensitivity_filter(user)`` keeps.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import numpy as np
from django.db.models import Count, Exists, OuterRef
from django.db.models.functions import ExtractHour, ExtractIsoWeekDay, TruncMonth
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from samtrygg.analysis import geo
from samtrygg.analysis import place_profile as pp
from samtrygg.analysis import time_patterns as tp
from samtrygg.analysis.disclosure import is_small, shown
from samtrygg.areas.models import Area, Kind
from samtrygg.areas.views import reports_url
from samtrygg.categories.models import Category, Sensitivity
from samtrygg.quarterly.patterns_service import trend_sentence
from samtrygg.quarterly.quarters import STOCKHOLM
from samtrygg.reports.access import sees_all_sensitive, sensitivity_filter
from samtrygg.reports.models import Report, ReportPlace

DEFAULT_MONTHS = 24
MAX_MONTHS = 120
REPEAT_RADIUS_M = 25.0
REPEAT_MIN = 3  # a repeat location: at least three reports
REPEAT_LIMIT = 20
MAX_MAP_POINTS = 5000
MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")


class DatasheetError(ValueError):
    """Bad input for the data sheet; ``field`` names the query parameter (or None)."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


# ---- the period ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Period:
    first: tuple[int, int]  # (year, month)
    last: tuple[int, int]
    start: date  # first local day
    end: date  # last local day, inclusive (today at the latest)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def months(self) -> list[tuple[int, int]]:
        a, b = tp.month_index(*self.first), tp.month_index(*self.last)
        return [(k // 12, k % 12 + 1) for k in range(a, b + 1)]

    @property
    def complete_months(self) -> int:
        """Months of the period that have ended (the current month is still running)."""
        months = self.months
        return len(months) - (1 if self.end < _month_end(*self.last) else 0)

    def start_dt(self) -> datetime:
        return datetime.combine(self.start, time(0), tzinfo=STOCKHOLM)

    def end_dt(self) -> datetime:
        return datetime.combine(self.end + timedelta(days=1), time(0), tzinfo=STOCKHOLM)

    @property
    def from_param(self) -> str:
        return f"{self.first[0]}-{self.first[1]:02d}"

    @property
    def to_param(self) -> str:
        return f"{self.last[0]}-{self.last[1]:02d}"


def _month_end(year: int, month: int) -> date:
    k = tp.month_index(year, month) + 1
    return date(k // 12, k % 12 + 1, 1) - timedelta(days=1)


def _shift(ym: tuple[int, int], months: int) -> tuple[int, int]:
    k = tp.month_index(*ym) + months
    return (k // 12, k % 12 + 1)


def _parse_month(value: str, field: str) -> tuple[int, int]:
    match = MONTH_RE.match(value.strip())
    if not match or not 1 <= int(match.group(2)) <= 12 or not 1900 <= int(match.group(1)) <= 2999:
        label = _("From") if field == "from" else _("To")
        raise DatasheetError(_("%(field)s: “%(value)s” is not a month. Write it as YYYY-MM, e.g. 2025-03.")
                             % {"field": label, "value": value[:20]}, field)
    return int(match.group(1)), int(match.group(2))


def parse_period(from_value: str | None, to_value: str | None, *, today: date | None = None) -> Period:
    """The period from the query parameters (``YYYY-MM``); default the last 24 months up to today."""
    today = today or timezone.localdate()
    this_month = (today.year, today.month)
    last = _parse_month(to_value, "to") if to_value else this_month
    first = _parse_month(from_value, "from") if from_value else _shift(last, -(DEFAULT_MONTHS - 1))
    if tp.month_index(*last) > tp.month_index(*this_month):
        raise DatasheetError(_("To: the period cannot end after the current month."), "to")
    if tp.month_index(*first) > tp.month_index(*last):
        raise DatasheetError(_("From: the first month is after the last month."), "from")
    if tp.month_index(*last) - tp.month_index(*first) + 1 > MAX_MONTHS:
        raise DatasheetError(_("The period is longer than %(n)s months. Choose a shorter period.")
                             % {"n": MAX_MONTHS}, "from")
    return Period(first=first, last=last, start=date(*first, 1), end=min(_month_end(*last), today))


# ---- which reports ---------------------------------------------------------------------------------

def _base(period: Period, category=None):
    qs = Report.objects.filter(deleted_at__isnull=True, occurred_at__gte=period.start_dt(),
                               occurred_at__lt=period.end_dt())
    if category is not None:
        qs = qs.filter(category=category)
    return qs


def _inside(qs, polygon):
    """The reports of ``qs`` inside ``polygon`` (bounding-box range query, then point in polygon)."""
    minx, miny, maxx, maxy = polygon.bounds
    rows = list(qs.filter(x__gte=minx, x__lte=maxx, y__gte=miny, y__lte=maxy).values_list("pk", "x", "y"))
    if not rows:
        return []
    ids, xs, ys = zip(*rows, strict=True)
    hit = geo.assign_points(xs, ys, [polygon])[0]
    return [ids[i] for i in hit]


def place_reports(case, period: Period, category=None):
    """Live reports at the case's place in the period (a queryset)."""
    qs = _base(period, category)
    if case.place_id and not case.geometry_sweref:
        return qs.filter(Exists(ReportPlace.objects.filter(report=OuterRef("pk"), place_id=case.place_id)))
    return qs.filter(pk__in=_inside(qs, case.shape))


def municipality_for(shape) -> Area | None:
    """The municipality area containing (most of) the place."""
    best, best_overlap = None, 0.0
    for area in Area.objects.filter(kind=Kind.MUNICIPALITY, is_active=True):
        overlap = area.shape.intersection(shape).area
        if overlap > best_overlap:
            best, best_overlap = area, overlap
    return best


def safety_walk_findings(case) -> list:
    """Safety-walk findings and residents' questionnaire answers about the case's place.

    A list of dicts ``{"title", "date", "text", "url"}``: walk observations inside the case's polygon and,
    per questionnaire, the number of map answers inside it (:func:`samtrygg.walks.results.findings_in_shape`)."""
    from samtrygg.walks.results import findings_in_shape

    return findings_in_shape(case.shape, case.place.code if case.place_id else None)


# ---- the data sheet ----------------------------------------------------------------------------------

def _month_label(ym: tuple[int, int]) -> str:
    return date_format(date(*ym, 1), "M Y")


def _link(case, period: Period, category=None, *, user=None) -> str | None:
    if not case.place_id or case.geometry_sweref:
        return None  # the report list filters by registered places only
    if category is not None and category.is_sensitive and user is not None and not sees_all_sensitive(user):
        return None
    return reports_url(place=case.place_id, date_from=period.start, date_to=period.end,
                       category=category.pk if category is not None else None)


def _month_period(ym: tuple[int, int], period: Period) -> Period:
    return Period(first=ym, last=ym, start=max(date(*ym, 1), period.start), end=min(_month_end(*ym), period.end))


def small_sensitive_categories(qs, user) -> dict[int, int]:
    """{category id: count} of the sensitive categories with 1–4 reports in ``qs``, for a user who may not see
    them: those counts are shown as "<5" and left out of every other number of the sheet (counts, weekday ×
    hour, trend, comparison), or subtraction would give them back (:mod:`samtrygg.weekly.disclosure`)."""
    if sees_all_sensitive(user):
        return {}
    rows = (qs.filter(category__sensitivity=Sensitivity.SENSITIVE).values_list("category_id")
            .annotate(n=Count("id")).order_by())
    return {cat: n for cat, n in rows if is_small(n)}


def category_months(case, qs, period: Period, user, hidden: dict[int, int] | None = None) -> dict:
    months = period.months
    index = {ym: k for k, ym in enumerate(months)}
    rows = (qs.annotate(m=TruncMonth("occurred_at", tzinfo=STOCKHOLM)).values_list("category_id", "m")
            .annotate(n=Count("id")).order_by())
    series: dict[int, np.ndarray] = {}
    for cat, m, n in rows:
        local = m.astimezone(STOCKHOLM) if isinstance(m, datetime) and m.tzinfo else m
        k = index.get((local.year, local.month))
        if k is not None:
            series.setdefault(cat, np.zeros(len(months), dtype=np.int64))[k] += n
    total = np.zeros(len(months), dtype=np.int64)
    out_rows = []
    for cat in Category.objects.filter(pk__in=list(series)).order_by("sort_order", "name"):
        counts = series[cat.pk]
        total += counts
        linkable = _link(case, period, cat, user=user) is not None
        out_rows.append({
            "category": cat, "sensitive": cat.is_sensitive, "total": int(counts.sum()),
            "total_url": _link(case, period, cat, user=user),
            "cells": [{"n": int(n), "url": _link(case, _month_period(ym, period), cat, user=user)
                       if linkable and n else None} for ym, n in zip(months, counts, strict=True)],
        })
    for cat in Category.objects.filter(pk__in=list(hidden or {})).order_by("sort_order", "name"):
        out_rows.append({"category": cat, "sensitive": True, "total": shown(hidden[cat.pk]), "total_url": None,
                         "suppressed": True, "cells": [{"n": "–", "url": None} for _ym in months]})
    return {
        "months": [{"key": f"{y}-{m:02d}", "label": _month_label((y, m)),
                    "short": date_format(date(y, m, 1), "M"), "year": y} for y, m in months],
        "rows": out_rows,
        "total": [{"n": int(n), "url": _link(case, _month_period(ym, period)) if n else None}
                  for ym, n in zip(months, total, strict=True)],
        "total_sum": int(total.sum()),
        "counts": total,
    }


def weekday_hour(qs) -> dict:
    rows = (qs.annotate(d=ExtractIsoWeekDay("occurred_at", tzinfo=STOCKHOLM),
                        h=ExtractHour("occurred_at", tzinfo=STOCKHOLM))
            .values_list("d", "h").annotate(n=Count("id")).order_by())
    matrix = np.zeros((7, 24), dtype=np.int64)
    for d, h, n in rows:
        matrix[int(d) - 1, int(h)] += n
    monday = date(2024, 1, 1)
    levels = tp.intensity_levels(matrix)
    return {
        "weekdays": [date_format(monday + timedelta(days=i), "D") for i in range(7)],
        "weekday_names": [date_format(monday + timedelta(days=i), "l") for i in range(7)],
        "hours": list(range(24)),
        "rows": [{"cells": [{"n": int(matrix[d, h]), "level": int(levels[d, h])} for h in range(24)],
                  "total": int(matrix[d].sum())} for d in range(7)],
        "hour_totals": [int(v) for v in matrix.sum(axis=0)],
        "counts": matrix.tolist(), "total": int(matrix.sum()), "max": int(matrix.max()),
    }


def trend(period: Period, counts) -> dict | None:
    """The trend over the complete months (the running month would pull the line down)."""
    n = period.complete_months
    months = period.months[:n]
    fitted = tp.fit_trend(period.first, np.asarray(counts[:n]))
    if fitted is None:
        return {"sentence": trend_sentence(None), "available": False, "months": n}
    return {
        "available": True, "months": n, "sentence": trend_sentence(fitted),
        "direction": fitted.direction, "yearly_change": fitted.yearly_change,
        "change_low": fitted.change_low, "change_high": fitted.change_high, "p_value": fitted.p_value,
        "seasonal": fitted.seasonal, "keys": [f"{y}-{m:02d}" for y, m in months],
        "line": [float(v) for v in fitted.line], "lower": [float(v) for v in fitted.lower],
        "upper": [float(v) for v in fitted.upper],
    }


def _digits(fraction: float | None) -> int:
    """Decimals to show a percentage with two significant digits (0.0012 % rather than 0.00 %)."""
    if not fraction or fraction >= 0.01:
        return 1
    return min(6, int(-np.floor(np.log10(fraction * 100))) + 1)


def _zone_dict(zone: pp.Zone, total: pp.Zone | None, *, label: str, url: str | None) -> dict:
    inc_share = pp.share(zone.count, total.count) if total else None
    area_share = pp.share(zone.area_m2, total.area_m2) if total else None
    ratio = pp.concentration_ratio(zone.count, zone.area_m2, total.count, total.area_m2) if total else None
    return {"key": zone.key, "label": label, "count": zone.count, "url": url, "area_ha": zone.area_ha,
            "per_month": zone.per_month, "per_ha_year": zone.per_ha_year, "incident_share": inc_share,
            "area_share": area_share, "incident_pct": None if inc_share is None else inc_share * 100,
            "area_pct": None if area_share is None else area_share * 100, "area_digits": _digits(area_share),
            "rate_digits": _digits((zone.per_ha_year or 0) / 100), "concentration": ratio}


def comparison(case, shape, place_count: int, period: Period, category=None, exclude=()) -> dict:
    """The place against its surroundings and its municipality; ``exclude``: categories left out of every
    zone alike (small sensitive counts at the place, see :func:`small_sensitive_categories`)."""
    days = period.days
    buffer_m = case.buffer_m or 0
    band = pp.ring(shape, buffer_m)
    base = _base(period, category).exclude(category__in=list(exclude))
    ring_count = len(_inside(base, band)) if not band.is_empty else 0
    municipality = municipality_for(shape)
    total = None
    if municipality is not None:
        qs = base.filter(areas=municipality)
        total = pp.Zone("municipality", qs.count(), municipality.shape.area, days)
    place = pp.Zone("place", place_count, shape.area, days)
    around = pp.Zone("ring", ring_count, band.area, days)
    zones = [
        _zone_dict(place, total, label=_("The place"), url=_link(case, period, category)),
        _zone_dict(around, total, label=_("Surroundings (%(m)s m around)") % {"m": buffer_m}, url=None),
    ]
    if total is not None:
        zones.append(_zone_dict(total, total, label=municipality.name,
                                url=reports_url(area=municipality.pk, date_from=period.start, date_to=period.end,
                                                category=category.pk if category else None)))
    place_rate, ring_rate = place.per_ha_year, around.per_ha_year
    return {"zones": zones, "municipality": municipality, "buffer_m": buffer_m, "ring": band,
            "place_vs_ring": (place_rate / ring_rate) if place_rate is not None and ring_rate else None}


def repeats_and_points(qs, user, case, period: Period) -> dict:
    """The visible reports at the place: map points and repeat locations."""
    visible = qs.filter(sensitivity_filter(user))
    rows = list(visible.order_by("occurred_at").values_list("pk", "x", "y", "lat", "lon", "category_id")
                [:MAX_MAP_POINTS])
    hidden = qs.count() - visible.count()
    names = dict(Category.objects.values_list("pk", "name"))
    groups_out = []
    if rows:
        xs = np.array([r[1] for r in rows])
        ys = np.array([r[2] for r in rows])
        for g in pp.repeat_locations(xs, ys, REPEAT_RADIUS_M, min_size=REPEAT_MIN, limit=REPEAT_LIMIT):
            cats: dict[str, int] = {}
            for i in g.indices:
                name = names.get(rows[i][5], "?")
                cats[name] = cats.get(name, 0) + 1
            lon, lat = geo.sweref_to_wgs84(g.x, g.y)
            groups_out.append({"count": g.size, "x": g.x, "y": g.y, "lat": float(lat), "lon": float(lon),
                               "spread_m": g.spread_m, "ids": [rows[i][0] for i in g.indices],
                               "categories": sorted(cats.items(), key=lambda kv: (-kv[1], kv[0]))})
    return {
        "points": [{"lat": r[3], "lon": r[4], "category": names.get(r[5], "")} for r in rows],
        "xy": [(r[1], r[2]) for r in rows],
        "hidden": hidden, "repeats": groups_out, "radius_m": REPEAT_RADIUS_M,
    }


def build(case, user, period: Period, *, category=None) -> dict:
    shape = case.shape
    if shape is None or shape.is_empty:
        raise DatasheetError(_("This case has no place or drawn area, so there is no data sheet."))
    qs = place_reports(case, period, category)
    hidden = small_sensitive_categories(qs, user)
    if hidden:
        qs = qs.exclude(category__in=list(hidden))
    months = category_months(case, qs, period, user, hidden)
    wh = weekday_hour(qs)
    comp = comparison(case, shape, months["total_sum"], period, category, exclude=list(hidden))
    spots = repeats_and_points(qs, user, case, period)
    band = comp.pop("ring")
    return {
        "case": case, "period": period, "category": category, "shape": shape, "ring_shape": band,
        "months": months, "weekday_hour": wh, "trend": trend(period, months["counts"]),
        "comparison": comp, "spots": spots, "safety_walks": safety_walk_findings(case),
        "map": {"type": "FeatureCollection", "features": [
            {"type": "Feature", "geometry": geo.sweref_to_wgs84_geojson(shape), "properties": {"role": "place"}},
            *([{"type": "Feature", "geometry": geo.sweref_to_wgs84_geojson(band), "properties": {"role": "ring"}}]
              if not band.is_empty else []),
        ], "points": spots["points"],
            "repeats": [{"lat": g["lat"], "lon": g["lon"], "count": g["count"]} for g in spots["repeats"]]},
        "list_url": _link(case, period, category),
        "sees_all": sees_all_sensitive(user),
        "suppressed": bool(hidden),
    }
