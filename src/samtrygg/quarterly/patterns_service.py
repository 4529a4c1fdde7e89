"""Time patterns and near-repeat analysis: aggregate SQL in, the pure analysis core, JSON-ready dicts out.

Counting: **incidents** (report rows, not ``quantity``), live reports only (soft-deleted never count), in
Europe/Stockholm local time. Days and hours are bucketed in native SQL from epoch seconds (no per-row
Python; see :mod:`samtrygg.weekly.counts` for the technique): the day index is taken at a fixed UTC+1
offset and the one hour that belongs to the next local day in summer time is grouped apart and moved in
Python. Months are summed from the days.

Access (decided here, documented on the pages): the time patterns count only the reports the user may see
in detail (``reports.access.sensitivity_filter``) unless the user sees every sensitive report: filtered to a
sensitive category and a small area, a weekday × hour table would tell when a handful of incidents the user may
not open happened (issue 8: no small sensitive counts). The near-repeat analysis works on the **individual
locations and days** of one category's events, and a pair table of a handful of events can point at
single incidents, so it uses only the reports the user may see in detail
(``reports.access.sensitivity_filter``). The command line (an operator's tool) uses every live report.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import numpy as np
from django.db import models
from django.db.models import Count, Exists, F, OuterRef
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from samtrygg.analysis import near_repeat as nr
from samtrygg.analysis import time_patterns as tp
from samtrygg.categories.models import Category
from samtrygg.reports.access import sees_all_sensitive, sensitivity_filter
from samtrygg.reports.models import Report, ReportArea
from samtrygg.weekly.counts import EpochSeconds

from .quarters import STOCKHOLM, Quarter

DAY = 86400
HOUR = 3600
HISTORY_MONTHS = 36  # seasonality and trend look back three years from the end of the quarter


class PatternError(ValueError):
    """Bad input for a pattern analysis; ``field`` names the form field (or None)."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


# ---- queries -------------------------------------------------------------------------------------

def live_reports(start: datetime, end: datetime, *, area=None, categories=None, user=None):
    """Live reports in ``[start, end)``; in ``area`` (including its sub-areas' links), of ``categories``;
    only those ``user`` may see in detail when a user is given."""
    qs = Report.objects.filter(deleted_at__isnull=True, occurred_at__gte=start, occurred_at__lt=end)
    if area is not None:
        qs = qs.filter(Exists(ReportArea.objects.filter(report=OuterRef("pk"), area=area)))
    if categories:
        qs = qs.filter(category__in=list(categories))
    if user is not None:
        qs = qs.filter(sensitivity_filter(user))
    return qs


def local_start(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=STOCKHOLM)


def daily_counts(start_day: date, end_day: date, *, by_category: bool = False, **filters) -> dict:
    """``{(category_id or None, local date): incidents}`` for local days ``start_day`` to ``end_day``
    inclusive, grouped in the database."""
    origin_day = start_day - timedelta(days=1)
    origin = int(datetime.combine(origin_day, time(0), tzinfo=UTC).timestamp()) - HOUR  # midnight at UTC+1
    offset = EpochSeconds(F("occurred_at")) - origin
    day = models.ExpressionWrapper(offset / DAY, output_field=models.BigIntegerField())
    last_hour = models.ExpressionWrapper((offset - (offset / DAY) * DAY) / (DAY - HOUR),
                                         output_field=models.BigIntegerField())
    qs = live_reports(local_start(start_day), local_start(end_day + timedelta(days=1)), **filters)
    fields = ["category_id", "d", "lh"] if by_category else ["d", "lh"]
    rows = qs.annotate(d=day, lh=last_hour).values_list(*fields).annotate(n=Count("id")).order_by()
    out: dict = {}
    for row in rows:
        cat, d, lh, n = row if by_category else (None, *row)
        local = origin_day + timedelta(days=int(d))
        # the last hour of a UTC+1 day is already the next local day when that day starts in summer time
        if lh and local_start(local + timedelta(days=1)).utcoffset() == timedelta(hours=2):
            local += timedelta(days=1)
        key = (cat, local)
        out[key] = out.get(key, 0) + n
    return out


def weekday_hour(start: datetime, end: datetime, **filters) -> np.ndarray:
    """7 × 24 incidents by local weekday (0 = Monday) and hour, grouped by hour in the database."""
    origin = int(start.timestamp())
    hour = models.ExpressionWrapper((EpochSeconds(F("occurred_at")) - origin) / HOUR,
                                    output_field=models.BigIntegerField())
    rows = live_reports(start, end, **filters).annotate(h=hour).values_list("h").annotate(n=Count("id")).order_by()
    matrix = np.zeros((7, 24), dtype=np.int64)
    base = start.astimezone(UTC)
    for h, n in rows:
        local = (base + timedelta(hours=int(h))).astimezone(STOCKHOLM)
        matrix[local.weekday(), local.hour] += n
    return matrix


def months_between(first: tuple[int, int], last: tuple[int, int]) -> list[tuple[int, int]]:
    a, b = tp.month_index(*first), tp.month_index(*last)
    return [(k // 12, k % 12 + 1) for k in range(a, b + 1)]


def monthly_counts(first: tuple[int, int], last: tuple[int, int], *, by_category: bool = False,
                   **filters) -> tuple[list[tuple[int, int]], dict]:
    """Months ``first``..``last`` and ``{category_id or None: counts per month (np.ndarray)}``."""
    months = months_between(first, last)
    start_day = date(*first, 1)
    end_month = tp.month_index(*last) + 1
    end_day = date(end_month // 12, end_month % 12 + 1, 1) - timedelta(days=1)
    daily = daily_counts(start_day, end_day, by_category=by_category, **filters)
    base = tp.month_index(*first)
    series: dict = {}
    for (cat, day), n in daily.items():
        k = tp.month_index(day.year, day.month) - base
        if 0 <= k < len(months):
            series.setdefault(cat, np.zeros(len(months), dtype=np.int64))[k] += n
    return months, series


# ---- time patterns -------------------------------------------------------------------------------

def _weekday_labels() -> list[str]:
    monday = date(2024, 1, 1)
    return [date_format(monday + timedelta(days=i), "l") for i in range(7)]


def _month_labels(fmt: str = "M") -> list[str]:
    return [date_format(date(2024, m, 1), fmt) for m in range(1, 13)]


def _ref(obj) -> dict | None:
    return None if obj is None else {"id": obj.pk, "code": obj.code, "name": obj.name}


def percent(value: float) -> str:
    return f"{value * 100:+.0f} %".replace("-", "−")


def trend_sentence(trend: tp.Trend | None) -> str:
    if trend is None:
        return _("Too few months with reports to estimate a trend.")
    values = {"change": percent(trend.yearly_change), "low": percent(trend.change_low),
              "high": percent(trend.change_high)}
    if trend.direction == "up":
        return _("Rising: %(change)s a year (95 %% CI %(low)s to %(high)s).") % values
    if trend.direction == "down":
        return _("Falling: %(change)s a year (95 %% CI %(low)s to %(high)s).") % values
    return _("No clear trend: %(change)s a year, but the 95 %% CI (%(low)s to %(high)s) includes no change."
             ) % values


def _trend_dict(months, trend: tp.Trend | None) -> dict | None:
    if trend is None:
        return None
    return {
        "months": [f"{y}-{m:02d}" for y, m in months],
        "fitted": [round(float(v), 2) for v in trend.fitted],
        "line": [round(float(v), 2) for v in trend.line],
        "lower": [round(float(v), 2) for v in trend.lower],
        "upper": [round(float(v), 2) for v in trend.upper],
        "yearly_change": round(trend.yearly_change, 4), "change_low": round(trend.change_low, 4),
        "change_high": round(trend.change_high, 4), "p_value": round(trend.p_value, 4),
        "dispersion": round(trend.dispersion, 3), "seasonal": trend.seasonal, "direction": trend.direction,
        "sentence": trend_sentence(trend),
    }


def data_start() -> date | None:
    """The local day of the first live report: months before it are not zeros but not collected."""
    first = Report.objects.filter(deleted_at__isnull=True).order_by("occurred_at").values_list(
        "occurred_at", flat=True).first()
    return first.astimezone(STOCKHOLM).date() if first else None


def time_patterns(quarter: Quarter, *, area=None, categories=None, user=None) -> dict:
    """Everything the patterns page shows, as a JSON-ready dict.

    ``weekday_hour`` for the quarter; ``months`` the (up to) 36 months ending with the quarter, trimmed
    to start with the month of the first report in the database; ``seasonality`` of the selected
    categories together and ``by_category`` (each category's average month, seasonal index and trend);
    ``trend`` of the selected categories together.
    """
    categories = list(categories or [])
    filters = {"area": area, "categories": categories}
    if user is not None and not sees_all_sensitive(user):
        # Filtered to one sensitive category and a small area, the weekday × hour table would show when a
        # handful of reports the user may not see happened: such users get the reports they may see.
        filters["user"] = user
    wh = weekday_hour(quarter.start(), quarter.end(), **filters)
    last = (quarter.last_day.year, quarter.last_day.month)
    first_k = tp.month_index(*last) - HISTORY_MONTHS + 1
    begun = data_start()
    if begun is not None:  # the first month with data is usually partial: start with the next full one
        first_k = max(first_k, tp.month_index(begun.year, begun.month) + (begun.day > 1))
    first_k = min(first_k, tp.month_index(*last))
    first = (first_k // 12, first_k % 12 + 1)
    months, series = monthly_counts(first, last, by_category=True, **filters)
    total = np.zeros(len(months), dtype=np.int64)
    for counts in series.values():
        total += counts
    season = tp.seasonality(first, total)
    trend = tp.fit_trend(first, total)
    names = Category.objects.filter(pk__in=list(series)).order_by("sort_order", "name")
    by_category = []
    for cat in names:
        counts = series[cat.pk]
        s = tp.seasonality(first, counts)
        t = tp.fit_trend(first, counts)
        by_category.append({"category": _ref(cat), "total": int(counts.sum()),
                            "average": [None if a is None else round(a, 1) for a in s.average],
                            "index": [None if i is None else round(i, 2) for i in s.index],
                            "trend": None if t is None else {
                                "yearly_change": round(t.yearly_change, 4), "change_low": round(t.change_low, 4),
                                "change_high": round(t.change_high, 4), "direction": t.direction,
                                "sentence": trend_sentence(t)}})
    return {
        "quarter": str(quarter), "area": _ref(area), "categories": [_ref(c) for c in categories],
        "weekday_hour": {"weekdays": _weekday_labels(), "hours": list(range(24)),
                         "counts": wh.tolist(), "levels": tp.intensity_levels(wh).tolist(),
                         "max": int(wh.max()), "total": int(wh.sum())},
        "months": [f"{y}-{m:02d}" for y, m in months],
        "monthly_counts": total.tolist(),
        "month_labels": _month_labels(),
        "seasonality": {"years": season.years, "table": season.table,
                        "average": [None if a is None else round(a, 1) for a in season.average],
                        "index": [None if i is None else round(i, 2) for i in season.index]},
        "trend": _trend_dict(months, trend),
        "by_category": by_category,
    }


# ---- near repeat ---------------------------------------------------------------------------------

@dataclass
class NearRepeatQuery:
    start: date
    end: date  # inclusive
    category: Category
    space_band: int = 100
    time_band: int = 7
    space_bands: int = 5
    time_bands: int = 5
    permutations: int = nr.DEFAULT_PERMUTATIONS
    seed: int = 20240601


def space_label(band: nr.Band) -> str:
    if band.same:
        return _("Same location")
    if band.more_than:
        return _("More than %(m)s m") % {"m": f"{band.low:g}"}
    return _("%(low)s–%(high)s m") % {"low": f"{band.low + 1:g}", "high": f"{band.high:g}"}


def time_label(band: nr.Band) -> str:
    if band.more_than:
        return _("More than %(d)s days") % {"d": f"{band.low:g}"}
    low = band.low if band.low == 0 else band.low + 1
    return _("%(low)s–%(high)s days") % {"low": f"{low:g}", "high": f"{band.high:g}"}


def knox_sentence(category: Category, result: nr.KnoxResult) -> str:
    reading = result.reading()
    name = category.name
    if reading is None:
        return _("No near-repeat pattern: after an incident of “%(category)s”, no nearby place had "
                 "significantly more incidents soon after than chance would give.") % {"category": name}
    days = int(reading.days)
    ratio = f"{reading.max_ratio:.1f}"
    if reading.same_location_only:
        return ngettext(
            "After an incident of “%(category)s”, the risk of another at the same place is raised for "
            "%(days)s day (up to %(ratio)s times what chance would give).",
            "After an incident of “%(category)s”, the risk of another at the same place is raised for "
            "%(days)s days (up to %(ratio)s times what chance would give).", days,
        ) % {"category": name, "days": days, "ratio": ratio}
    return ngettext(
        "After an incident of “%(category)s”, the risk of another within %(distance)s m is raised for "
        "%(days)s day (up to %(ratio)s times what chance would give).",
        "After an incident of “%(category)s”, the risk of another within %(distance)s m is raised for "
        "%(days)s days (up to %(ratio)s times what chance would give).", days,
    ) % {"category": name, "distance": f"{reading.distance:g}", "days": days, "ratio": ratio}


def near_repeat(query: NearRepeatQuery, *, user=None) -> dict:
    """Run the Knox test for the query; raises :class:`PatternError` with a clear message on bad input."""
    if query.end < query.start:
        raise PatternError(_("The end date is before the start date."), "to")
    try:
        nr.validate(nr.MIN_EVENTS, query.space_band, query.time_band, query.space_bands, query.time_bands,
                    query.permutations)
    except nr.KnoxError as exc:
        raise PatternError(str(exc)) from exc
    qs = live_reports(local_start(query.start), local_start(query.end + timedelta(days=1)),
                      categories=[query.category], user=user)
    n = qs.count()
    if n < nr.MIN_EVENTS:
        raise PatternError(_("Only %(n)s reports of “%(category)s” in this period: the near-repeat analysis "
                             "needs at least %(min)s. Choose a longer period.")
                           % {"n": n, "category": query.category.name, "min": nr.MIN_EVENTS}, "category")
    if n > nr.MAX_EVENTS:
        raise PatternError(_("%(n)s reports of “%(category)s” in this period is more than the %(max)s the "
                             "near-repeat analysis can take. Choose a shorter period.")
                           % {"n": n, "category": query.category.name, "max": nr.MAX_EVENTS}, "from")
    rows = np.array(list(qs.values_list("x", "y", "occurred_at")), dtype=object)
    x = rows[:, 0].astype(float)
    y = rows[:, 1].astype(float)
    t = np.array([w.astimezone(STOCKHOLM).date().toordinal() for w in rows[:, 2]], dtype=float)
    try:
        result = nr.knox_test(x, y, t, space_band=query.space_band, time_band=query.time_band,
                              n_space=query.space_bands, n_time=query.time_bands,
                              permutations=query.permutations, seed=query.seed)
    except nr.KnoxError as exc:
        raise PatternError(str(exc)) from exc
    return knox_dict(query, result)


def _num(value: float, digits: int = 2):
    return None if value is None or not np.isfinite(value) else round(float(value), digits)


def knox_dict(query: NearRepeatQuery, result: nr.KnoxResult) -> dict:
    ratio = result.ratio
    sig = result.significant
    space = [{"label": space_label(b), "low": b.low, "high": b.high, "same_location": b.same}
             for b in result.space_bands]
    times = [{"label": time_label(b), "low": b.low, "high": b.high} for b in result.time_bands]
    table = []
    for r, sb in enumerate(space):
        cells = [{"time": times[c]["label"], "observed": int(result.observed[r, c]),
                  "expected": _num(result.expected[r, c]), "ratio": _num(ratio[r, c]),
                  "p": _num(result.p_value[r, c], 3), "significant": bool(sig[r, c])}
                 for c in range(len(times))]
        table.append({"space": sb["label"], "cells": cells})
    reading = result.reading()
    return {
        "category": _ref(query.category), "from": query.start.isoformat(), "to": query.end.isoformat(),
        "space_band": query.space_band, "time_band": query.time_band, "permutations": result.permutations,
        "seed": result.seed, "alpha": result.alpha, "events": result.n_events, "pairs": result.n_pairs,
        "space_bands": space, "time_bands": times, "table": table,
        "reading": None if reading is None else {"distance": reading.distance, "days": reading.days,
                                                 "max_ratio": _num(reading.max_ratio),
                                                 "same_location_only": reading.same_location_only},
        "sentence": knox_sentence(query.category, result),
    }
