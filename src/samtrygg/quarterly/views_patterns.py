"""The time-patterns page and the near-repeat page (and their server-side SVG charts).

Who: viewers, analysts, coordinators and admins (as the other quarterly pages; reporters get 403).
Time patterns are aggregate counts and include sensitive categories; the near-repeat analysis uses only
reports the user may see in detail (see :mod:`.patterns_service`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import matplotlib
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils.translation import gettext as _

from samtrygg.analysis import near_repeat as nr
from samtrygg.areas.models import Area
from samtrygg.categories.models import Category
from samtrygg.reports.access import sees_all_sensitive
from samtrygg.weekly import charts

from . import patterns_service as svc
from .params import area_param, categories_param, quarter_param
from .quarters import Quarter
from .views_hotspots import can_read

matplotlib.use("Agg")


def _require_read(request):
    if not can_read(request.user):
        raise PermissionDenied


def _geometry_free_areas():
    return Area.objects.filter(is_active=True).defer("geometry_wgs84", "geometry_sweref").order_by("name")


def _categories():
    return Category.objects.filter(is_active=True).order_by("sort_order", "name")


# ---------------------------------------------------------------------------------------- patterns

@dataclass
class PatternQuery:
    quarter: Quarter
    area: Area | None = None
    categories: list[Category] = field(default_factory=list)
    raw: dict = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


def read_pattern_query(query) -> PatternQuery:
    """``quarter`` (YYYY-Qn, default the last complete), ``area`` (code), ``category`` (codes, repeatable)."""
    last = Quarter.last_complete()
    raw = {k: (query.get(k) or "").strip() for k in ("quarter", "area")}
    q = PatternQuery(quarter=last, raw=raw)
    q.quarter, error = quarter_param(raw["quarter"])
    if error:
        q.errors["quarter"] = error
    q.area, error = area_param(raw["area"], with_geometry=False)
    if error:
        q.errors["area"] = error
    q.categories, error = categories_param(query.getlist("category"))
    if error:
        q.errors["category"] = error
    return q


def _weekday_rows(wh: dict) -> list[dict]:
    rows = []
    for label, counts, levels in zip(wh["weekdays"], wh["counts"], wh["levels"], strict=True):
        rows.append({"label": label, "total": sum(counts),
                     "cells": [{"hour": h, "count": n, "level": lv}
                               for h, n, lv in zip(wh["hours"], counts, levels, strict=True)]})
    return rows


def _season_rows(patterns: dict) -> list[dict]:
    """The average month as rows for an accessible table with CSS bars (bar width in steps of 5 %)."""
    season = patterns["seasonality"]
    top = max([a for a in season["average"] if a is not None] or [0]) or 1
    rows = []
    for label, avg, idx in zip(patterns["month_labels"], season["average"], season["index"], strict=True):
        width = 0 if avg is None else int(round(20 * avg / top)) * 5
        rows.append({"label": label, "average": avg, "index": idx, "bar": width})
    return rows


def _category_rows(patterns: dict) -> list[dict]:
    rows = []
    for row in patterns["by_category"]:
        avg = row["average"]
        known = [(a, i) for i, a in enumerate(avg) if a is not None]
        peak = patterns["month_labels"][max(known)[1]] if known and max(known)[0] > 0 else None
        t = row["trend"]
        rows.append({**row, "peak": peak,
                     "change": svc.percent(t["yearly_change"]) if t else None,
                     "low": svc.percent(t["change_low"]) if t else None,
                     "high": svc.percent(t["change_high"]) if t else None})
    return rows


def trend_svg(patterns: dict) -> str | None:
    """Monthly counts (dots), the deseasonalised trend line and its 95 % band, as an SVG document."""
    trend = patterns["trend"]
    if trend is None:
        return None
    import numpy as np

    x = np.arange(len(patterns["months"]))
    with matplotlib.rc_context(charts.FONT):
        fig = charts.Figure(figsize=(17 / 2.54, 6.5 / 2.54))
        ax = fig.add_subplot(1, 1, 1)
        ax.fill_between(x, trend["lower"], trend["upper"], color=charts.LAST_WEEK, alpha=0.7, linewidth=0,
                        label=_("Confidence band (95 %%)") % {})
        ax.plot(x, trend["fitted"], color=charts.MUTED, linewidth=0.8, linestyle="--",
                label=_("Model with season"))
        ax.plot(x, trend["line"], color=charts.THIS_WEEK, linewidth=1.8, label=_("Trend"))
        ax.plot(x, patterns["monthly_counts"], "o", color=charts.INK, markersize=2.5, label=_("Reports per month"))
        ticks = [i for i, m in enumerate(patterns["months"]) if m.endswith(("-01", "-07"))]
        ax.set_xticks(ticks, [patterns["months"][i] for i in ticks])
        ax.set_ylim(bottom=0)
        ax.set_ylabel(_("Reports per month"))
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        ax.legend(loc="upper left", frameon=False, ncols=2, fontsize=7)
        svg = charts._svg(fig)
    return charts.data_uri(svg)


@login_required
def patterns_page(request):
    _require_read(request)
    q = read_pattern_query(request.GET)
    context = {"q": q, "areas": _geometry_free_areas(), "categories": _categories(),
               "last_complete": Quarter.last_complete(), "selected_codes": [c.code for c in q.categories]}
    if q.errors:
        return render(request, "quarterly/patterns.html", context, status=400)
    patterns = svc.time_patterns(q.quarter, area=q.area, categories=q.categories, user=request.user)
    context.update(patterns=patterns, sensitive_left_out=not sees_all_sensitive(request.user),
                   weekday_rows=_weekday_rows(patterns["weekday_hour"]),
                   hour_totals=[sum(day[h] for day in patterns["weekday_hour"]["counts"]) for h in range(24)],
                   season_rows=_season_rows(patterns), category_rows=_category_rows(patterns),
                   trend_chart=trend_svg(patterns),
                   season_table=zip(patterns["seasonality"]["years"], patterns["seasonality"]["table"], strict=True))
    return render(request, "quarterly/patterns.html", context)


# ------------------------------------------------------------------------------------- near repeat

@dataclass
class NearRepeatForm:
    raw: dict
    query: svc.NearRepeatQuery | None = None
    errors: dict[str, str] = field(default_factory=dict)
    submitted: bool = False


NR_LIMITS = {"space_band": (1, 10_000), "time_band": (1, 365), "permutations": (19, nr.MAX_PERMUTATIONS)}


def _whole(text: str, name: str, label: str) -> tuple[int | None, str | None]:
    low, high = NR_LIMITS[name]
    try:
        value = int(text)
    except ValueError:
        return None, _("%(label)s must be a whole number, for example %(example)s.") % {
            "label": label, "example": {"space_band": 100, "time_band": 7, "permutations": 99}[name]}
    if not low <= value <= high:
        return None, _("%(label)s must be between %(low)s and %(high)s.") % {"label": label, "low": low, "high": high}
    return value, None


def read_near_repeat(query) -> NearRepeatForm:
    """``from``/``to`` (ISO dates, inclusive), ``category`` (code), ``space_band`` (m), ``time_band`` (days),
    ``permutations``. Without ``category`` the form is shown with defaults (the last complete quarter)."""
    last = Quarter.last_complete()
    names = ("from", "to", "category", "space_band", "time_band", "permutations")
    raw = {k: (query.get(k) or "").strip() for k in names}
    form = NearRepeatForm(raw=raw, submitted=bool(raw["category"]))
    defaults = {"from": (last.first_day - timedelta(days=273)).isoformat(), "to": last.last_day.isoformat(),
                "space_band": "100", "time_band": "7", "permutations": str(nr.DEFAULT_PERMUTATIONS)}
    for k, v in defaults.items():
        raw[k] = raw[k] or v
    if not form.submitted:
        return form
    dates = {}
    labels = {"from": _("The start date"), "to": _("The end date")}
    for k in ("from", "to"):
        try:
            dates[k] = date.fromisoformat(raw[k])
        except ValueError:
            form.errors[k] = _("%(label)s must be a date like %(example)s.") % {
                "label": labels[k], "example": last.last_day.isoformat()}
    today = date.today()
    if "to" in dates and dates["to"] > today:
        form.errors["to"] = _("The end date is in the future. Choose %(today)s or earlier.") % {"today": today}
    if "from" in dates and "to" in dates and dates["to"] < dates["from"] and "to" not in form.errors:
        form.errors["to"] = _("The end date is before the start date.")
    category = Category.objects.filter(code=raw["category"]).first()
    if category is None:
        form.errors["category"] = _("Category “%(value)s” does not exist. Choose from the list.") % {
            "value": raw["category"][:60]}
    numbers = {}
    number_labels = {"space_band": _("The space band"), "time_band": _("The time band"),
                     "permutations": _("The number of permutations")}
    for k, label in number_labels.items():
        value, error = _whole(raw[k], k, label)
        if error:
            form.errors[k] = error
        else:
            numbers[k] = value
    if not form.errors:
        form.query = svc.NearRepeatQuery(start=dates["from"], end=dates["to"], category=category, **numbers)
    return form


@login_required
def near_repeat_page(request):
    _require_read(request)
    form = read_near_repeat(request.GET)
    context = {"form": form, "categories": _categories(), "result": None,
               "sensitive_left_out": not sees_all_sensitive(request.user),
               "max_date": date.today().isoformat(), "min_events": nr.MIN_EVENTS, "max_events": nr.MAX_EVENTS,
               "alpha": nr.SIGNIFICANCE, "today": date.today().isoformat()}
    status = 200
    if form.query is not None:
        try:
            context["result"] = svc.near_repeat(form.query, user=request.user)
        except svc.PatternError as exc:
            form.errors[exc.field or "category"] = str(exc)
    if form.errors:
        status = 400
    return render(request, "quarterly/near_repeat.html", context, status=status)
