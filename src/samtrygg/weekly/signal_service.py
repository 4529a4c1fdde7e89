"""Signals for the weekly picture: the database's weekly counts handed to the numpy detector.

:func:`signals_for_weeks` judges every active area × active category series over a range of weeks in
one go: one GROUP BY query for the counts (:mod:`samtrygg.weekly.counts`, incidents not quantities),
one vectorised :func:`samtrygg.analysis.signals.detect` call over all series and weeks.

History. Each series gets up to ``HISTORY_YEARS`` (5) years before the first judged week. Areas have
no creation date, so a series' history starts at the first week with any report in its area (any
category) or in its category (any area), whichever is later: a new area or a new category is then
judged as a short history (mean model, or "no history" below 8 weeks) instead of as years of zeros.
A series whose area has had reports for years but never one of this category is a long history of
zeros, as it should be (its threshold is 0, and only the "too few cases" rule holds back an alarm).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from samtrygg.analysis.signals import detect
from samtrygg.areas.models import Area
from samtrygg.categories.models import Category
from samtrygg.reports import datacache

from .counts import weekly_counts
from .weeks import IsoWeek

HISTORY_YEARS = 5
#: weeks of history before the first judged week: the detector's ``years`` × 52 plus its 3-week window
HISTORY_WEEKS = HISTORY_YEARS * 52 + 4


@dataclass(frozen=True)
class Ref:
    """An area or a category as the signal rows name it."""

    id: int
    code: str
    name: str

    def as_dict(self) -> dict:
        return {"id": self.id, "code": self.code, "name": self.name}


@dataclass(frozen=True)
class SignalRow:
    """The detector's verdict for one area × category series in one week."""

    week: IsoWeek
    area: Ref
    category: Ref
    count: int
    expected: float
    threshold: int
    score: float
    status: str  # alarm | normal | few_cases | no_history
    method: str  # seasonal_trend | seasonal | mean | none
    trigger: str  # week | two_weeks | ""
    explanation: str
    p_value: float = 1.0
    count_two_weeks: int = 0
    threshold_two_weeks: int = 0
    baseline_weeks: int = 0
    trend: float = 1.0
    extra: dict = field(default_factory=dict, compare=False)

    @property
    def alarm(self) -> bool:
        return self.status == "alarm"

    @property
    def has_history(self) -> bool:
        return self.status != "no_history"

    def as_dict(self) -> dict:
        return {
            "week": str(self.week), "area": self.area.as_dict(), "category": self.category.as_dict(),
            "count": self.count, "expected": round(self.expected, 2), "threshold": self.threshold,
            "score": round(self.score, 2), "status": self.status, "method": self.method,
            "trigger": self.trigger, "alarm": self.alarm, "p_value": round(self.p_value, 4),
            "count_two_weeks": self.count_two_weeks, "threshold_two_weeks": self.threshold_two_weeks,
            "baseline_weeks": self.baseline_weeks, "trend": round(self.trend, 3),
            "explanation": self.explanation,
        }


def explanation(category: str, area: str, e: dict) -> str:
    """The sentence the interface shows: "Graffiti in Gottsunda: 14, expected 4.1, threshold 9"."""
    values = {"category": category, "area": area, "count": e["count"]}
    if e["status"] == "no_history":
        return _("%(category)s in %(area)s: %(count)s, too little history to judge") % values
    values.update(expected=number_format(round(e["expected"], 1), 1), threshold=e["threshold"])
    text = _("%(category)s in %(area)s: %(count)s, expected %(expected)s, threshold %(threshold)s") % values
    if e["trigger"] == "two_weeks":
        text += " " + _("(this and last week together: %(count)s, threshold %(threshold)s)") % {
            "count": e["count_two_weeks"], "threshold": e["threshold_two_weeks"]}
    elif e["status"] == "few_cases":
        text += " " + _("(too few cases in the last weeks to call it a signal)")
    return text


def _series(areas=None, categories=None) -> tuple[list[Ref], list[Ref]]:
    area_qs = Area.objects.filter(is_active=True).only("id", "code", "name").order_by("name")
    if areas is not None:
        area_qs = area_qs.filter(pk__in=[getattr(a, "pk", a) for a in areas])
    cat_qs = Category.objects.filter(is_active=True).only("id", "code", "name").order_by("sort_order", "name")
    if categories is not None:
        cat_qs = cat_qs.filter(pk__in=[getattr(c, "pk", c) for c in categories])
    return ([Ref(a.id, a.code, a.name) for a in area_qs], [Ref(c.id, c.code, c.name) for c in cat_qs])


def _first_nonzero(matrix: np.ndarray) -> np.ndarray:
    """Column of the first non-zero value per row (the number of columns where the row is all zero)."""
    any_ = matrix > 0
    return np.where(any_.any(axis=1), any_.argmax(axis=1), matrix.shape[1])


@dataclass
class Computation:
    """Everything :func:`compute` did, for the benchmark and for callers that want the raw arrays."""

    rows: list[SignalRow]
    series: int
    weeks: int
    history_weeks: int
    sql_seconds: float
    detect_seconds: float


def _counts(start: IsoWeek, first: IsoWeek, last: IsoWeek, *, series: list[tuple[int, int]],
            areas: list[int]) -> np.ndarray:
    """Incidents per series × week from ``start`` to ``last``. The history (the weeks before ``first``) is
    cached under its own weeks' versions: when a report arrives in the judged weeks — this week, all week
    long — only those weeks are read again, not five years (1 s of the 1.4 s at 5M reports)."""
    before = first.previous()
    history = datacache.cached(
        "weekly-history-counts", (str(start), str(before), series, areas),
        lambda: weekly_counts(start, before, series=series, areas=areas).counts,
        window=(start.monday, before.sunday))
    judged = weekly_counts(first, last, series=series, areas=areas).counts
    return np.concatenate([history, judged], axis=1)


def compute(first: IsoWeek, last: IsoWeek, *, areas=None, categories=None) -> Computation:
    import time

    area_refs, cat_refs = _series(areas, categories)
    all_cats = _series(areas=[])[1] if categories is not None else cat_refs
    n_judged = first.weeks_until(last) + 1
    if n_judged <= 0:
        raise ValueError(f"{last} is before {first}")
    start = first.shift(-HISTORY_WEEKS)
    t0 = time.perf_counter()
    # Every active category is fetched (not only the asked ones): an area's history starts with its
    # first report of any category.
    counts_all = _counts(start, first, last, series=[(a.id, c.id) for a in area_refs for c in all_cats],
                         areas=[a.id for a in area_refs])
    t1 = time.perf_counter()
    cube = counts_all.reshape(len(area_refs), len(all_cats), counts_all.shape[1])
    area_start = _first_nonzero(cube.sum(axis=1))  # (areas,)
    wanted = {c.id for c in cat_refs}
    keep = [i for i, c in enumerate(all_cats) if c.id in wanted]
    cats = [all_cats[i] for i in keep]
    cat_start = _first_nonzero(cube.sum(axis=0))[keep]  # (categories,)
    counts = cube[:, keep, :].reshape(len(area_refs) * len(keep), counts_all.shape[1])
    history_start = np.maximum(area_start[:, None], cat_start[None, :]).reshape(-1)
    first_col = HISTORY_WEEKS
    rows: list[SignalRow] = []
    if counts.shape[0]:
        result = detect(counts, slice(first_col, first_col + n_judged), history_start=history_start)
    t2 = time.perf_counter()
    if counts.shape[0]:
        for s in range(counts.shape[0]):
            area = area_refs[s // len(cats)]
            cat = cats[s % len(cats)]
            for j in range(n_judged):
                e = result.explain(s, j)
                rows.append(SignalRow(
                    week=first.shift(j), area=area, category=cat, count=e["count"], expected=e["expected"],
                    threshold=e["threshold"], score=e["score"], status=e["status"], method=e["method"],
                    trigger=e["trigger"], explanation=explanation(cat.name, area.name, e), p_value=e["p_value"],
                    count_two_weeks=e["count_two_weeks"], threshold_two_weeks=e["threshold_two_weeks"],
                    baseline_weeks=e["baseline_weeks"], trend=e["trend"],
                ))
    return Computation(rows=rows, series=counts.shape[0], weeks=n_judged, history_weeks=counts.shape[1],
                       sql_seconds=t1 - t0, detect_seconds=t2 - t1)


def history_window(first: IsoWeek, last: IsoWeek) -> tuple:
    """The days whose reports the signals of ``first`` … ``last`` read (for :mod:`~samtrygg.reports.datacache`)."""
    return first.shift(-HISTORY_WEEKS).monday, last.sunday


def signals_for_weeks(first: IsoWeek, last: IsoWeek, areas=None, categories=None) -> list[SignalRow]:
    """Every active area × active category series judged in every week from ``first`` to ``last``.

    One row per series and week (alarms and non-alarms; filter on ``row.alarm``), ordered by area name,
    category order, then week. ``areas``/``categories``: ids or objects to narrow to.

    The result is cached (:mod:`samtrygg.reports.datacache`) under the weeks, the series judged, the
    language of the explanations and the versions of the weeks read: the detection reads five years of
    weekly counts for every series, and the week page, the API and the ranking all ask for the same weeks.
    """
    area_refs, cat_refs = _series(areas, categories)
    return datacache.cached("weekly-signals", (str(first), str(last), [a.id for a in area_refs],
                                               [c.id for c in cat_refs]),
                            lambda: compute(first, last, areas=areas, categories=categories).rows,
                            window=history_window(first, last))


def signal_lookup(week: IsoWeek, areas=None, categories=None) -> dict[tuple[int, int], SignalRow]:
    """{(area_id, category_id): SignalRow} for every series in one week (for the page's every cell)."""
    return {(r.area.id, r.category.id): r for r in signals_for_weeks(week, week, areas, categories)}


def alarms(week: IsoWeek, areas=None, categories=None) -> list[SignalRow]:
    """The week's signals only, strongest first."""
    rows = [r for r in signals_for_weeks(week, week, areas, categories) if r.alarm]
    return sorted(rows, key=lambda r: -r.score)
