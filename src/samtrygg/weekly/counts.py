"""Aggregate counts for the weekly picture and the signals, all by GROUP BY in the database.

What is counted: **incidents** (report rows), not ``quantity``. A report of "12 tags" is one graffiti
incident; the signals ask "are there unusually many incidents here", and a single report with a large
quantity must not look like an outbreak. ``quantity`` sums are returned next to the counts where the
page shows them (:func:`weekly_counts` ``quantity``).

Bucketing: weeks are ISO weeks in Europe/Stockholm local time (Monday 00:00 to Monday 00:00). Django's
``TruncWeek(tzinfo=...)`` would do this, but on SQLite it calls a Python function for every row (0.8 s
for the demo's 3 years); instead the week index is computed from the epoch seconds with native SQL
(``strftime('%s')`` / ``extract(epoch)``) at a fixed UTC+1 offset, and the rows of the one hour that
differs in summer time (Sunday 22:00-23:00 UTC, which is already Monday 00:00-01:00 CEST) are grouped
separately and moved to the next week in Python when that week starts in summer time. Exact, and
one indexed range scan.

Reports count in every area that contains them (``ReportArea``; areas nest, so a report in a district
also counts in the municipality). Soft-deleted reports never count. Counts may include sensitive
categories: they are aggregates (DESIGN.md); lists and links go through ``reports.access``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
from django.db import models
from django.db.models import Count, Exists, F, OuterRef, Sum

from samtrygg.reports.models import Report, ReportArea, ReportCount

from .weeks import STOCKHOLM, IsoWeek

WEEK_SECONDS = 7 * 24 * 3600
HOUR = 3600


class EpochSeconds(models.Func):
    """Whole seconds since 1970-01-01 UTC of a datetime column, in native SQL (no per-row Python)."""

    output_field = models.BigIntegerField()

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="CAST(strftime('%%%%s', %(expressions)s) AS INTEGER)",
                           **extra)

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection,
                           template="CAST(floor(extract(epoch from %(expressions)s)) AS BIGINT)", **extra)


def _epoch(dt: datetime) -> int:
    return int(dt.timestamp())


def _week_expressions(field: str, first: IsoWeek):
    """(week index at UTC+1, "in the last hour of that UTC+1 week") for a datetime column.

    ``origin`` is Monday 00:00 of ``first`` at UTC+1, one week earlier so every value is positive
    (integer division and modulo then agree on SQLite and PostgreSQL); index 1 is ``first``.
    """
    origin = _epoch(datetime.combine(first.monday, datetime.min.time(), tzinfo=UTC)) - HOUR - WEEK_SECONDS
    offset = EpochSeconds(F(field)) - origin
    week = models.ExpressionWrapper(offset / WEEK_SECONDS, output_field=models.BigIntegerField())
    last_hour = models.ExpressionWrapper(
        (offset - (offset / WEEK_SECONDS) * WEEK_SECONDS) / (WEEK_SECONDS - HOUR),
        output_field=models.BigIntegerField(),
    )
    return week, last_hour


def _week_position(first: IsoWeek, n_weeks: int):
    """Map (week index at UTC+1, last-hour flag) to the 0-based position of the local ISO week."""
    # Does the week after each position begin in summer time? (Its boundary is then 22:00 UTC Sunday.)
    summer = [first.shift(i + 1).start().utcoffset() == timedelta(hours=2) for i in range(-1, n_weeks)]

    def position(index: int, last_hour: int) -> int:
        p = index - 1
        if last_hour and summer[p + 1]:
            p += 1
        return p

    return position


def alive_links(start: datetime, end: datetime, *, organization=None, categories=None):
    """ReportArea rows of live reports in ``[start, end)``, optionally narrowed."""
    links = ReportArea.objects.filter(report__deleted_at__isnull=True, report__occurred_at__gte=start,
                                      report__occurred_at__lt=end)
    if organization is not None:
        links = links.filter(report__organization=organization)
    if categories:
        links = links.filter(report__category__in=list(categories))
    return links


@dataclass
class WeeklyCounts:
    """Counts per series and week: ``counts[s, w]`` incidents and ``quantity[s, w]`` summed quantities of
    series ``keys[s]`` = (area_id, category_id) in week ``weeks[w]``."""

    keys: list[tuple[int, int]]
    weeks: list[IsoWeek]
    counts: np.ndarray
    quantity: np.ndarray

    def index(self) -> dict[tuple[int, int], int]:
        return {k: i for i, k in enumerate(self.keys)}


def weekly_counts_query(first: IsoWeek, last: IsoWeek, *, areas=None, categories=None):
    """The GROUP BY area × category × week over the pre-aggregated counts (also shown by the benchmark's
    EXPLAIN): rows (area_id, category_id, week Monday, incidents, quantity)."""
    qs = ReportCount.objects.filter(week__gte=first.monday, week__lte=last.monday, n__gt=0)
    if categories:
        qs = qs.filter(category__in=list(categories))
    if areas is not None:
        qs = qs.filter(area__in=list(areas))
    return qs.values_list("area_id", "category_id", "week").annotate(n=Sum("n"), q=Sum("quantity")).order_by()


def weekly_counts(first: IsoWeek, last: IsoWeek, *, series: Sequence[tuple[int, int]] | None = None,
                  areas: Iterable[int] | None = None, categories: Iterable[int] | None = None,
                  organization=None) -> WeeklyCounts:
    """Incidents per area × category and ISO week from ``first`` to ``last`` (inclusive).

    Read from the pre-aggregated :class:`~samtrygg.reports.models.ReportCount` (one indexed range on
    ``week``), so the cost follows the number of weeks and series asked for, not the reports stored.

    ``series``: the (area_id, category_id) rows wanted, in this order (zeros where nothing happened);
    without it, every pair with at least one report in the range, sorted.
    """
    n_weeks = first.weeks_until(last) + 1
    if n_weeks <= 0:
        raise ValueError(f"{last} is before {first}")
    if organization is not None:
        return _weekly_counts_raw(first, last, series=series, areas=areas, categories=categories,
                                  organization=organization)
    rows = list(weekly_counts_query(first, last, areas=areas, categories=categories))
    if series is None:
        keys = sorted({(a, c) for a, c, *_ in rows})
    else:
        keys = list(series)
    index = {k: i for i, k in enumerate(keys)}
    counts = np.zeros((len(keys), n_weeks), dtype=np.int64)
    quantity = np.zeros((len(keys), n_weeks), dtype=np.int64)
    origin = first.monday
    for a, c, wk, n, q in rows:
        s = index.get((a, c))
        if s is None:
            continue
        p = (wk - origin).days // 7
        counts[s, p] += n
        quantity[s, p] += q or 0
    weeks = [first.shift(i) for i in range(n_weeks)]
    return WeeklyCounts(keys=keys, weeks=weeks, counts=counts, quantity=quantity)


def _weekly_counts_raw(first: IsoWeek, last: IsoWeek, *, series: Sequence[tuple[int, int]] | None = None,
                  areas: Iterable[int] | None = None, categories: Iterable[int] | None = None,
                  organization=None) -> WeeklyCounts:
    """:func:`weekly_counts` from the reports themselves (for one organisation's counts, which the
    pre-aggregated table does not keep: the weekly picture asks for two weeks of them)."""
    n_weeks = first.weeks_until(last) + 1
    if n_weeks <= 0:
        raise ValueError(f"{last} is before {first}")
    links = alive_links(first.start(), last.end(), organization=organization, categories=categories)
    if areas is not None:
        links = links.filter(area__in=list(areas))
    week, last_hour = _week_expressions("report__occurred_at", first)
    rows = (links.annotate(wk=week, lh=last_hour)
            .values_list("area_id", "report__category_id", "wk", "lh")
            .annotate(n=Count("id"), q=Sum("report__quantity")).order_by())
    rows = list(rows)
    if series is None:
        keys = sorted({(a, c) for a, c, *_ in rows})
    else:
        keys = list(series)
    index = {k: i for i, k in enumerate(keys)}
    counts = np.zeros((len(keys), n_weeks), dtype=np.int64)
    quantity = np.zeros((len(keys), n_weeks), dtype=np.int64)
    position = _week_position(first, n_weeks)
    for a, c, wk, lh, n, q in rows:
        s = index.get((a, c))
        if s is None:
            continue
        p = position(wk, lh)
        if 0 <= p < n_weeks:
            counts[s, p] += n
            quantity[s, p] += q or 0
    weeks = [first.shift(i) for i in range(n_weeks)]
    return WeeklyCounts(keys=keys, weeks=weeks, counts=counts, quantity=quantity)


def reports_in_week(week: IsoWeek, *, area=None, categories=None, organization=None, queryset=None):
    """Live reports of the week (distinct reports, not area links), narrowed like the page's filters."""
    qs = (queryset if queryset is not None else Report.objects.all()).filter(
        deleted_at__isnull=True, occurred_at__gte=week.start(), occurred_at__lt=week.end())
    if area is not None:
        qs = qs.filter(Exists(ReportArea.objects.filter(report=OuterRef("pk"), area=area)))
    if categories:
        qs = qs.filter(category__in=list(categories))
    if organization is not None:
        qs = qs.filter(organization=organization)
    return qs


def weekday_hour(week: IsoWeek, **filters) -> np.ndarray:
    """A 7 × 24 matrix of the week's incidents by local weekday (0 = Monday) and hour of day."""
    start = week.start()
    origin = _epoch(start)
    offset = EpochSeconds(F("occurred_at")) - origin
    hour = models.ExpressionWrapper(offset / HOUR, output_field=models.BigIntegerField())
    rows = (reports_in_week(week, **filters).annotate(h=hour).values_list("h")
            .annotate(n=Count("id")).order_by())
    matrix = np.zeros((7, 24), dtype=np.int64)
    for h, n in rows:
        local = (start.astimezone(UTC) + timedelta(hours=h)).astimezone(STOCKHOLM)
        matrix[local.weekday(), local.hour] += n
    return matrix


def by_organization(week: IsoWeek, *, usual_weeks: int = 8, area=None, categories=None) -> list[dict]:
    """Per organisation: incidents reported this week and in each of the ``usual_weeks`` weeks before.

    Returns dicts ``{organization_id, count, history}`` (``history`` oldest first), only for
    organisations with a report in the period.
    """
    first = week.shift(-usual_weeks)
    qs = Report.objects.filter(deleted_at__isnull=True, occurred_at__gte=first.start(),
                               occurred_at__lt=week.end())
    if area is not None:
        qs = qs.filter(Exists(ReportArea.objects.filter(report=OuterRef("pk"), area=area)))
    if categories:
        qs = qs.filter(category__in=list(categories))
    wk, lh = _week_expressions("occurred_at", first)
    n_weeks = usual_weeks + 1
    position = _week_position(first, n_weeks)
    table: dict[int, np.ndarray] = {}
    rows = qs.annotate(wk=wk, lh=lh).values_list("organization_id", "wk", "lh").annotate(n=Count("id")).order_by()
    for org, w, h, n in rows:
        p = position(w, h)
        if 0 <= p < n_weeks:
            table.setdefault(org, np.zeros(n_weeks, dtype=np.int64))[p] += n
    return [{"organization_id": org, "count": int(v[-1]), "history": [int(x) for x in v[:-1]]}
            for org, v in table.items()]


def area_category_two_weeks(week: IsoWeek, *, areas=None, categories=None, organization=None) -> dict:
    """{(area_id, category_id): (count this week, count the previous week, quantity this week)}."""
    wc = weekly_counts(week.previous(), week, areas=areas, categories=categories, organization=organization)
    return {k: (int(wc.counts[i, 1]), int(wc.counts[i, 0]), int(wc.quantity[i, 1]))
            for i, k in enumerate(wc.keys)}


def distinct_counts(week: IsoWeek, group: str, **filters) -> dict:
    """Distinct reports of the week grouped by one Report field (e.g. ``category_id``)."""
    return dict(reports_in_week(week, **filters).values_list(group).annotate(n=Count("id")).order_by())


def distinct_area_counts(week: IsoWeek, area_ids: Iterable[int], *, categories=None, organization=None) -> dict:
    """{area_id: incidents of the week in that area} for the given areas (from the pre-aggregated counts)."""
    if organization is not None:
        return _distinct_area_counts_raw(week, area_ids, categories=categories, organization=organization)
    qs = ReportCount.objects.filter(week=week.monday, area__in=list(area_ids))
    if categories:
        qs = qs.filter(category__in=list(categories))
    return {a: n for a, n in qs.values_list("area_id").annotate(n=Sum("n")).order_by() if n}


def _distinct_area_counts_raw(week: IsoWeek, area_ids: Iterable[int], *, categories=None, organization=None) -> dict:
    """{area_id: incidents of the week in that area} for the given areas."""
    links = alive_links(week.start(), week.end(), organization=organization, categories=categories)
    return dict(links.filter(area__in=list(area_ids)).values_list("area_id").annotate(n=Count("id")).order_by())
