"""The quarterly ranking of areas by need: database aggregates → :mod:`samtrygg.analysis.ranking` → a
plain-JSON *snapshot* that the pages, the document and a saved analysis all render.

Components (one value per area; higher = more need). Their keys are stable: saved analyses store them.

- ``harm``: harm-weighted incidents per 1 000 inhabitants in the quarter,
  ``Σ category severity × quantity / population × 1000``. Areas without a population have no rate: the
  page shows their raw harm, marked, and they are ranked on the other components only (raw harm and a
  rate are not comparable, so they are not mixed in one percentile).
- ``trend``: the quarter's harm divided by the mean harm of the four previous quarters (1.35 = up 35 %).
  Quarters before the first report in the system are left out of the mean (a system started last year
  must not look like a rise); no previous harm → no value.
- ``year``: the quarter's harm divided by the same quarter last year's.
- ``signals``: in how many ISO weeks of the quarter (weeks whose Thursday falls in it) the area had at
  least one signal in any category (:func:`samtrygg.weekly.signal_service.signals_for_weeks`).
- ``safety``: residents' sense of safety from safety-walk questionnaires: the share of respondents not
  answering 4–5 on the question marked ``measures_safety`` in the 12 months ending with the quarter
  (:func:`samtrygg.walks.results.safety_unsafe_share`; under 5 answers: no value). "No data yet" and its
  weight ignored until any such answer exists.

Counting. Harm sums ``severity × quantity`` of live reports (soft-deleted never count) linked to the area
through ``ReportArea`` (one GROUP BY area × quarter query over the five quarters). Sensitive categories
count: these are aggregates (DESIGN.md); nothing here lists or maps an individual report.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import numpy as np
from django.db.models import F, Min, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from samtrygg.analysis import ranking
from samtrygg.areas.models import Area, Kind
from samtrygg.reports import datacache
from samtrygg.reports.models import Report, ReportCount
from samtrygg.weekly.weeks import IsoWeek

from .quarters import Quarter

SNAPSHOT_VERSION = 1
COMPONENTS = ("harm", "trend", "year", "signals", "safety")
DEFAULT_WEIGHTS = {"harm": 2.0, "trend": 1.0, "year": 0.5, "signals": 1.0, "safety": 1.0}
DEFAULT_KIND = Kind.DISTRICT
LABELS = {
    "harm": gettext_lazy("Harm per 1 000 inhabitants"),
    "trend": gettext_lazy("Change on the previous four quarters"),
    "year": gettext_lazy("Change on the same quarter last year"),
    "signals": gettext_lazy("Weeks with signals"),
    "safety": gettext_lazy("Residents' sense of safety"),
}
SHORT_LABELS = {
    "harm": gettext_lazy("Harm per 1 000"),
    "trend": gettext_lazy("Change, last 4 quarters"),
    "year": gettext_lazy("Change, 1 year"),
    "signals": gettext_lazy("Signal weeks"),
    "safety": gettext_lazy("Sense of safety"),
}
DESCRIPTIONS = {
    "harm": gettext_lazy("Sum of category severity × quantity in the quarter, per 1 000 inhabitants. Areas "
                         "without a population show their raw harm and are ranked on the other components."),
    "trend": gettext_lazy("The quarter's harm divided by the mean of the four quarters before it."),
    "year": gettext_lazy("The quarter's harm divided by the same quarter one year earlier."),
    "signals": gettext_lazy("Weeks of the quarter in which the area had at least one signal."),
    "safety": gettext_lazy("Share of residents not answering 4–5 (safe) to the safety question of the "
                           "safety-walk questionnaires, last 12 months. Under 5 answers: no value."),
}
SIGNAL_CACHE_SECONDS = 15 * 60


class RankingError(ValueError):
    """Input the ranking cannot be computed for (a future quarter, an area kind without areas)."""


def quarter_weeks(quarter: Quarter) -> tuple[IsoWeek, IsoWeek]:
    """The ISO weeks of a quarter: those whose Thursday falls in it (the ISO rule for months and years)."""
    first = IsoWeek.of(quarter.first_day)
    if first.monday + timedelta(days=3) < quarter.first_day:
        first = first.next()
    last = IsoWeek.of(quarter.last_day)
    if last.monday + timedelta(days=3) > quarter.last_day:
        last = last.previous()
    return first, last


def kind_choices() -> list[tuple[str, str]]:
    """Area kinds that have active areas, as (value, label)."""
    present = set(Area.objects.filter(is_active=True).values_list("kind", flat=True).distinct())
    return [(value, label) for value, label in Kind.choices if value in present]


def kind_label(kind: str) -> str:
    return str(dict(Kind.choices).get(kind, kind))


def harm_by_quarter(area_ids: list[int], quarters: list[Quarter], *,
                    data_versions: tuple[str, str] | None = None) -> dict[tuple[int, int], tuple[float, int]]:
    """{(area_id, index into quarters): (harm, incidents)}: one GROUP BY area × month over the pre-aggregated
    counts (:class:`~samtrygg.reports.models.ReportCount`) joined to the categories' severities, so the cost
    follows the areas and months asked for, not the reports stored. ``quarters`` must be consecutive and
    ascending. Cached under the data's versions (the page is recomputed for every change of weights)."""
    if not area_ids or not quarters:
        return {}
    first, last = quarters[0].first_day, quarters[-1].last_day

    def compute() -> dict[tuple[int, int], tuple[float, int]]:
        rows = (ReportCount.objects.filter(area_id__in=area_ids, month__gte=first, month__lte=last, n__gt=0)
                .values_list("area_id", "month")
                .annotate(n=Sum("n"), harm=Sum(F("quantity") * F("category__severity"))).order_by())
        out: dict[tuple[int, int], list[float]] = {}
        origin = first.year * 12 + first.month - 1
        for a, month, n, harm in rows:
            cell = out.setdefault((a, (month.year * 12 + month.month - 1 - origin) // 3), [0.0, 0])
            cell[0] += float(harm or 0)
            cell[1] += n
        return {k: (float(h), int(n)) for k, (h, n) in out.items()}

    return datacache.cached("quarterly-harm", (sorted(area_ids), first.isoformat(), last.isoformat()), compute,
                            window=(first, last), data_versions=data_versions)


def data_start() -> datetime | None:
    """When the first live report happened (quarters before it have no data, not zero harm)."""
    return Report.objects.filter(deleted_at__isnull=True).aggregate(first=Min("occurred_at"))["first"]


def signal_weeks(area_ids: list[int], first: IsoWeek, last: IsoWeek, *,
                 data_versions: tuple[str, str] | None = None) -> dict[int, int]:
    """{area_id: number of weeks from first to last with at least one signal in the area}.

    Detection over every category and week is the slow part of the ranking, and the analyst recomputes
    the page for every change of weights: the result is cached (:mod:`samtrygg.reports.datacache`)."""
    from samtrygg.weekly import signal_service

    if not area_ids or last < first:
        return {}

    def count() -> dict[int, int]:
        weeks: dict[int, set] = {a: set() for a in area_ids}
        for row in signal_service.signals_for_weeks(first, last, areas=area_ids):
            if row.alarm and row.area.id in weeks:
                weeks[row.area.id].add(str(row.week))
        return {a: len(w) for a, w in weeks.items()}

    return datacache.cached("quarterly-signal-weeks", (str(first), str(last), sorted(area_ids)), count,
                            window=signal_service.history_window(first, last), seconds=SIGNAL_CACHE_SECONDS,
                            data_versions=data_versions)


SAFETY_AVAILABLE = False  # forces the component on; otherwise it is available once answers exist


def safety_values(area_ids: list[int], quarter: Quarter) -> list[float]:
    """Residents' sense of safety per area: the share of respondents NOT answering 4–5 ("safe") on the
    questionnaire question marked ``measures_safety``, over the 12 months ending with the quarter (one
    quarter has too few answers in most areas). Fewer than 5 answers in an area: no value (NaN)."""
    from samtrygg.walks.results import safety_unsafe_share

    shares = safety_unsafe_share(area_ids, quarter.shift(-3).start(), quarter.end())
    return [math.nan if v is None else v for v in shares]


def available_components() -> list[str]:
    """Components that can have data; the safety component joins once safety answers exist."""
    from samtrygg.walks.results import has_safety_data

    safety = SAFETY_AVAILABLE or has_safety_data()
    return [k for k in COMPONENTS if k != "safety" or safety]


def parse_weights(data, *, defaults: dict | None = None) -> tuple[dict[str, float], dict[str, str]]:
    """Weights from a form/query (``w_harm`` …), defaults where absent; (weights, errors per key)."""
    defaults = defaults or DEFAULT_WEIGHTS
    raw: dict[str, object] = {}
    for key in COMPONENTS:
        value = data.get(f"w_{key}")
        raw[key] = defaults[key] if value is None or str(value).strip() == "" else str(value).strip().replace(",", ".")
    try:
        return ranking.check_weights(raw, COMPONENTS, available=available_components()), {}
    except ranking.WeightError as exc:
        messages = {"not a number": _("Enter a number, e.g. 1 or 0.5."),
                    "negative": _("A weight cannot be negative."),
                    "all zero": _("At least one component must have a weight above zero.")}
        errors = {}
        for key, reason in exc.errors.items():
            errors[key] = messages.get(reason) or _("A weight can be at most %(max)s.") % {
                "max": f"{ranking.MAX_WEIGHT:g}"}
        clean = {}
        for key in COMPONENTS:
            try:
                clean[key] = float(raw[key])
            except (TypeError, ValueError):
                clean[key] = DEFAULT_WEIGHTS[key]
        return clean, errors


def compute(quarter: Quarter, kind: str = DEFAULT_KIND, weights: dict | None = None, *,
            now: datetime | None = None) -> dict:
    """The ranking of every active area of ``kind`` for ``quarter`` as a JSON-ready snapshot dict."""
    if quarter.is_future(now):
        raise RankingError(_("%(quarter)s has not started yet.") % {"quarter": quarter})
    weights = dict(DEFAULT_WEIGHTS, **(weights or {}))
    areas = list(Area.objects.filter(is_active=True, kind=kind).order_by("name")
                 .values("id", "code", "name", "population"))
    if not areas:
        raise RankingError(_("There are no active areas of the kind “%(kind)s”.") % {"kind": kind_label(kind)})
    ids = [a["id"] for a in areas]
    quarters = [quarter.shift(k) for k in range(-4, 1)]  # Q-4 … Q
    from samtrygg.weekly.signal_service import history_window

    first_week, last_week = quarter_weeks(quarter)
    # The signals' five-year history reaches further back than the four previous quarters.
    data_versions = datacache.versions((min(history_window(first_week, last_week)[0], quarters[0].first_day),
                                        quarter.last_day))
    table = harm_by_quarter(ids, quarters, data_versions=data_versions)
    start = data_start()
    first_with_data = Quarter.of(start) if start else quarter.shift(1)
    n = len(areas)
    harm = np.zeros((n, 5))
    incidents = np.zeros((n, 5), dtype=int)
    for i, a in enumerate(areas):
        for k in range(5):
            harm[i, k], incidents[i, k] = table.get((a["id"], k), (0.0, 0))
    valid_prev = [k for k in range(4) if quarters[k] >= first_with_data]
    prev_mean = harm[:, valid_prev].mean(axis=1) if valid_prev else np.full(n, np.nan)
    last_year = harm[:, 0] if quarters[0] >= first_with_data else np.full(n, np.nan)
    population = np.array([a["population"] if a["population"] else np.nan for a in areas], dtype=float)
    rate = ranking.per_thousand(harm[:, 4], population)
    trend = ranking.ratio(harm[:, 4], prev_mean)
    year = ranking.ratio(harm[:, 4], last_year)
    complete_until = IsoWeek.last_complete(now)
    judged_last = min(last_week, complete_until)
    sig = signal_weeks(ids, first_week, judged_last, data_versions=data_versions)
    signals = np.array([sig.get(a["id"], 0) for a in areas], dtype=float) if judged_last >= first_week \
        else np.full(n, np.nan)
    safety = np.array(safety_values(ids, quarter), dtype=float)
    values = {"harm": rate, "trend": trend, "year": year, "signals": signals, "safety": safety}
    result = ranking.combine(values, weights)
    n_weeks = first_week.weeks_until(last_week) + 1
    judged_weeks = max(0, first_week.weeks_until(judged_last) + 1)
    rows = []
    for i in result.order:
        a = areas[i]
        ex = result.explain(i)
        rows.append({
            "id": a["id"], "code": a["code"], "name": a["name"], "population": a["population"],
            "rank": ex["rank"], "composite": _round(ex["composite"], 1),
            "harm": round(float(harm[i, 4]), 2), "incidents": int(incidents[i, 4]),
            "harm_previous_mean": _round(prev_mean[i], 2), "harm_last_year": _round(last_year[i], 2),
            "signal_weeks": None if np.isnan(signals[i]) else int(signals[i]),
            "components": {p["key"]: {"value": _round(p["value"], 4), "score": _round(p["score"], 1),
                                      "rank": p["rank"], "of": p["of"], "used": p["used"],
                                      "contribution": round(p["contribution"], 2)} for p in ex["components"]},
        })
    components = []
    for c in result.components:
        components.append({"key": c.key, "label": str(LABELS[c.key]), "short": str(SHORT_LABELS[c.key]),
                           "description": str(DESCRIPTIONS[c.key]),
                           "weight": c.weight, "available": c.available, "areas_with_value": c.n})
    total_incidents = int(incidents[:, 4].sum())
    return {
        "version": SNAPSHOT_VERSION,
        "quarter": str(quarter), "year": quarter.year, "q": quarter.quarter,
        "start": quarter.first_day.isoformat(), "end": quarter.last_day.isoformat(),
        "kind": kind, "kind_label": kind_label(kind),
        "computed_at": (now or datetime.now(tz=UTC)).astimezone(UTC).isoformat(timespec="seconds"),
        "weights": {k: weights[k] for k in COMPONENTS},
        "components": components,
        "weeks": {"first": str(first_week), "last": str(last_week), "count": n_weeks, "judged": judged_weeks},
        "complete": not (quarter.end() > (now or datetime.now(tz=UTC))),
        "history_from": str(first_with_data) if start else None,
        "totals": {"incidents": total_incidents, "harm": round(float(harm[:, 4].sum()), 2), "areas": n,
                   "areas_without_population": int(np.isnan(population).sum())},
        "empty": total_incidents == 0,
        "method": _("Each component is scored 0–100 by rank percentile across the areas with a value "
                    "(highest value = 100). The composite is the weighted mean of an area's scores; a "
                    "component an area lacks is left out with its weight."),
        "areas": rows,
    }


def _round(x, digits):
    return None if x is None or (isinstance(x, float) and not math.isfinite(x)) else round(float(x), digits)


# ---- explanations ------------------------------------------------------------------------------------

def ordinal(n: int | None) -> str:
    from django.contrib.humanize.templatetags.humanize import ordinal as humanize_ordinal

    return "–" if n is None else str(humanize_ordinal(n))


def percent_change(ratio_value: float | None) -> str:
    """1.35 → "up 35 %", 0.8 → "down 20 %", 1.0 → "unchanged"."""
    if ratio_value is None:
        return _("no earlier data to compare with")
    change = round((ratio_value - 1) * 100)
    if change > 0:
        return _("up %(pct)s %%") % {"pct": change}
    if change < 0:
        return _("down %(pct)s %%") % {"pct": -change}
    return _("unchanged")


def find_area(snapshot: dict, code: str) -> dict | None:
    return next((a for a in snapshot.get("areas", []) if a["code"] == code), None)


def component_text(snapshot: dict, area: dict, key: str) -> str:
    """One component of one area in words, without its rank."""
    from django.utils.formats import number_format

    c = area["components"][key]
    if key == "harm":
        if c["value"] is None:
            return _("harm %(harm)s (no population: not per inhabitant)") % {
                "harm": number_format(area["harm"], 1)}
        return _("harm %(rate)s per 1 000 inhabitants") % {"rate": number_format(c["value"], 1)}
    if key == "trend":
        return _("%(change)s on the previous quarters") % {"change": percent_change(c["value"])}
    if key == "year":
        return _("%(change)s on the same quarter last year") % {"change": percent_change(c["value"])}
    if key == "signals":
        if c["value"] is None:
            return _("no complete week to judge signals in")
        return _("signals in %(n)s of %(weeks)s weeks") % {"n": int(c["value"]),
                                                           "weeks": snapshot["weeks"]["judged"]}
    if key == "safety":
        if c["value"] is None:
            return _("residents' sense of safety: no data yet")
        return _("%(pct)s %% of residents do not feel safe") % {"pct": round(c["value"] * 100)}
    return key


def area_sentence(snapshot: dict, area: dict) -> str:
    """"Gottsunda is 1st of 25: harm 41.2 per 1 000 inhabitants (3rd), up 35 % on the previous quarters
    (2nd), signals in 5 of 13 weeks (1st)." Only components with a weight above zero and a value."""
    ranked = sum(1 for a in snapshot["areas"] if a["rank"] is not None)
    parts = []
    for comp in snapshot["components"]:
        key = comp["key"]
        c = area["components"][key]
        if comp["weight"] <= 0 or not comp["available"]:
            continue
        text = component_text(snapshot, area, key)
        if c["rank"] is not None:
            text += f" ({ordinal(c['rank'])})"
        parts.append(text)
    if area["rank"] is None:
        head = _("%(area)s is not ranked: it has no value for any weighted component") % {"area": area["name"]}
    else:
        head = _("%(area)s is %(rank)s of %(n)s") % {"area": area["name"], "rank": ordinal(area["rank"]),
                                                     "n": ranked}
    return f"{head}: {', '.join(parts)}." if parts else f"{head}."


def cell_text(snapshot: dict, area: dict, key: str) -> str:
    """A component's value as the ranking table shows it (short)."""
    from django.utils.formats import number_format

    value = area["components"][key]["value"]
    if key == "harm":
        if value is None:
            return number_format(area["harm"], 1)  # raw harm, marked by the table
        return number_format(value, 1)
    if key in ("trend", "year"):
        if value is None:
            return "–"
        change = round((value - 1) * 100)
        return f"{change:+d} %" if change else "±0 %"
    if key == "signals":
        if value is None:
            return "–"
        return f"{int(value)} / {snapshot['weeks']['judged']}"
    if key == "safety":
        return _("no data yet") if value is None else f"{round(value * 100)} %"
    return str(value)


def table(snapshot: dict) -> dict:
    """The snapshot arranged for the ranking table: component columns and one row per area in rank order."""
    columns = [dict(c, weighted=c["available"] and c["weight"] > 0) for c in snapshot["components"]]
    rows = []
    for area in snapshot["areas"]:
        cells = []
        for c in columns:
            comp = area["components"][c["key"]]
            cells.append({"key": c["key"], "text": cell_text(snapshot, area, c["key"]), "rank": comp["rank"],
                          "score": comp["score"], "used": comp["used"],
                          "raw": c["key"] == "harm" and comp["value"] is None})
        rows.append({"area": area, "cells": cells,
                     "no_population": area["components"]["harm"]["value"] is None})
    return {"columns": columns, "rows": rows,
            "has_raw_harm": any(r["no_population"] for r in rows)}


def explanation(snapshot: dict, code: str) -> dict | None:
    """One area's rank explained: the sentence and a row per component with every number."""
    area = find_area(snapshot, code)
    if area is None:
        return None
    parts = []
    for comp in snapshot["components"]:
        c = area["components"][comp["key"]]
        parts.append({**comp, **{"value_text": cell_text(snapshot, area, comp["key"]),
                                 "words": component_text(snapshot, area, comp["key"]),
                                 "score": c["score"], "rank": c["rank"], "of": c["of"], "used": c["used"],
                                 "contribution": c["contribution"]}})
    ranked = sum(1 for a in snapshot["areas"] if a["rank"] is not None)
    return {"area": area, "sentence": area_sentence(snapshot, area), "parts": parts, "ranked": ranked,
            "weight_total": sum(p["weight"] for p in parts if p["used"])}


def default_title(quarter: Quarter, kind: str) -> str:
    return _("Quarterly analysis %(quarter)s (%(kind)s)") % {"quarter": quarter, "kind": kind_label(kind).lower()}
