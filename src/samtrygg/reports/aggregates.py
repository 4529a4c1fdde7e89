"""Keeping the pre-aggregated report counts (:class:`~samtrygg.reports.models.ReportCount`) up to date.

Every write path that changes which live reports count where (create, edit of time/category/organisation/
quantity, a move that changes the area links, delete/restore, file and API imports, Open311 POST, area
polygon changes, the demo loader) goes through :func:`tracking` (or :func:`record_new` / :func:`record_created`
for reports that did not exist before) inside its own transaction:

    with aggregates.tracking([report.pk]):
        ... change the reports and their area links ...

:func:`tracking` reads the reports' contributions (one row per area link of a live report, bucketed by
local ISO week and month) before and after the change and adds the difference with an upsert
(``INSERT … ON CONFLICT DO UPDATE SET n = n + excluded.n``), so concurrent writers never lose an increment
and the table is exactly what a recount gives. Keys are written in sorted order so two transactions that
touch the same buckets lock them in the same order (no deadlock).

The same paths raise the version of every week their reports lay in or lie in (:func:`touch`,
:class:`~samtrygg.reports.models.CountVersion`; an edit of a description too, and reports in no area):
:func:`fingerprint` of a range of weeks is what caches of results over those weeks key on
(:mod:`samtrygg.reports.datacache`). Writers lock the count buckets, then these rows, then the audit
chain's lock, always in that order (so two writers never wait for each other in a circle).

:func:`rebuild` recomputes the whole table (``samtrygg rebuild-counts``): one ``INSERT … SELECT … GROUP BY``
on PostgreSQL, chunks of reports in Python elsewhere. :func:`recount` is the independent recount the
consistency test compares with.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.utils import timezone

from .models import CountVersion, Report, ReportArea, ReportCount

STOCKHOLM = ZoneInfo("Europe/Stockholm")
CHUNK = 5000
#: The :class:`~samtrygg.reports.models.CountVersion` row that every window's fingerprint includes: raised
#: when counts change wholesale rather than week by week. A Tuesday, so never a week's Monday.
EPOCH = date(1, 1, 2)

Key = tuple[int, int, date, date]  # area, category, week (Monday), month (1st)
Tally = dict[Key, list[int]]  # key -> [n, quantity]


def week_of(day: date) -> date:
    """The Monday of a local date's ISO week (the weeks :class:`CountVersion` counts)."""
    return day - timedelta(days=day.weekday())


def buckets(occurred_at: datetime) -> tuple[date, date]:
    """(Monday of the local ISO week, first day of the local month) of a moment."""
    day = occurred_at.astimezone(STOCKHOLM).date()
    return week_of(day), day.replace(day=1)


def _aware(when: datetime) -> datetime:
    return timezone.make_aware(when) if timezone.is_naive(when) else when  # naive: Django's default zone


def week_of_moment(when: datetime) -> date:
    """The Monday of the local ISO week of a moment (its :class:`CountVersion` row)."""
    return buckets(_aware(when))[0]


def tally(rows: Iterable[tuple[int, int, datetime, int]]) -> Tally:
    """Sum (area_id, category_id, occurred_at, quantity) link rows into buckets."""
    out: Tally = defaultdict(lambda: [0, 0])
    cache: dict[datetime, tuple[date, date]] = {}
    for area, cat, when, qty in rows:
        b = cache.get(when)
        if b is None:
            b = cache[when] = buckets(when)
        cell = out[(area, cat, *b)]
        cell[0] += 1
        cell[1] += qty
    return out


def contributions(report_ids: Iterable[int], *, area_id: int | None = None) -> Tally:
    """What the given reports add to the table now: their area links (only ``area_id``'s if given), if they
    are alive."""
    return _read(report_ids, area_id=area_id)[0]


def _read(report_ids: Iterable[int], *, area_id: int | None = None) -> tuple[Tally, set[date]]:
    """The reports' contributions, and the weeks they lie in (every given report's, alive, deleted or in no
    area: they all show in lists and maps, whose caches follow the weeks' versions)."""
    ids = sorted(set(report_ids))
    out: Tally = defaultdict(lambda: [0, 0])
    weeks: set[date] = set()
    for start in range(0, len(ids), CHUNK):
        reports = Report.objects.filter(id__in=ids[start:start + CHUNK])
        if area_id is not None:
            reports = reports.filter(reportarea__area_id=area_id)
        rows = reports.values_list("reportarea__area_id", "category_id", "occurred_at", "quantity", "deleted_at")
        counted = []
        for area, cat, when, qty, deleted_at in rows.iterator(chunk_size=CHUNK):
            weeks.add(week_of_moment(when))
            if area is not None and deleted_at is None:
                counted.append((area, cat, when, qty))
        for key, (n, q) in tally(counted).items():
            cell = out[key]
            cell[0] += n
            cell[1] += q
    return out, weeks


def apply(delta: Tally) -> None:
    """Add a signed delta to the table (upsert), then drop the buckets that fell to zero. (The caller raises
    the versions of the weeks its reports lie in, :func:`touch`.)"""
    items = sorted((k, v) for k, v in delta.items() if v[0] or v[1])
    if not items:
        return
    table = connection.ops.quote_name(ReportCount._meta.db_table)
    upsert = ("ON CONFLICT (area_id, category_id, week, month) "
              f"DO UPDATE SET n = {table}.n + excluded.n, quantity = {table}.quantity + excluded.quantity")
    columns = "(area_id, category_id, week, month, n, quantity)"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # one statement: the delta's columns as arrays
            cols = list(zip(*[(*k, v[0], v[1]) for k, v in items], strict=True))
            arrays = "%s::bigint[], %s::bigint[], %s::date[], %s::date[], %s::int[], %s::bigint[]"
            cursor.execute(f"INSERT INTO {table} {columns} SELECT * FROM unnest({arrays}) {upsert}",
                           [list(c) for c in cols])
        else:
            cursor.executemany(f"INSERT INTO {table} {columns} VALUES (%s, %s, %s, %s, %s, %s) {upsert}",
                               [(*k, v[0], v[1]) for k, v in items])
    if any(v[0] < 0 for _, v in items):
        weeks = sorted({k[2] for k, v in items if v[0] < 0})
        ReportCount.objects.filter(week__in=weeks, n__lte=0).delete()


def touch(weeks: Iterable[date]) -> None:
    """Raise the version of these weeks (Mondays), in sorted order so concurrent writers lock alike."""
    weeks = sorted(set(weeks))
    if not weeks:
        return
    table = connection.ops.quote_name(CountVersion._meta.db_table)
    upsert = f"ON CONFLICT (week) DO UPDATE SET version = {table}.version + 1"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"INSERT INTO {table} (week, version) SELECT unnest(%s::date[]), 1 {upsert}", [weeks])
        else:
            cursor.executemany(f"INSERT INTO {table} (week, version) VALUES (%s, 1) {upsert}", [(w,) for w in weeks])


def _difference(after: Tally, before: Tally) -> Tally:
    delta: Tally = {}
    for key in after.keys() | before.keys():
        a, b = after.get(key, (0, 0)), before.get(key, (0, 0))
        delta[key] = [a[0] - b[0], a[1] - b[1]]
    return delta


@contextmanager
def tracking(report_ids: Iterable[int], *, weeks: set[date] | None = None) -> Iterator[None]:
    """Keep the counts right across a change to these (existing) reports and their area links, and raise the
    versions of the weeks they lay in before and lie in after — or, given a ``weeks`` set, add those weeks to
    it for the caller to raise once at its end (a change made in several chunks then locks every count
    bucket before any week, as the other writers do)."""
    ids = sorted(set(report_ids))
    with transaction.atomic():
        # Two writers changing one report at once: the second reads "before" only once the first has
        # committed, or its difference would be taken from a state that is no longer there (rows locked in
        # id order, as every writer locks them).
        for start in range(0, len(ids), CHUNK):
            list(Report.objects.select_for_update().filter(id__in=ids[start:start + CHUNK]).order_by("id")
                 .values_list("id", flat=True))
        before, weeks_before = _read(ids)
        yield
        after, weeks_after = _read(ids)
        apply(_difference(after, before))
        if weeks is None:
            touch(weeks_before | weeks_after)
        else:
            weeks |= weeks_before | weeks_after


def record_new(report_ids: Iterable[int], *, area_id: int | None = None) -> None:
    """Add reports that did not count before (just created with their area links; or, with ``area_id``,
    just linked to that area)."""
    with transaction.atomic():
        counts, weeks = _read(report_ids, area_id=area_id)
        apply(counts)
        touch(weeks)


def record_created(linked: Iterable[tuple[Report, Iterable[int]]]) -> None:
    """Add reports just inserted, each linked to its areas, from the values in memory (what
    :func:`record_new` would read back). The caller raises their weeks' versions (:func:`week_of_moment`)
    with the other locks it takes last."""
    apply(tally((area_id, report.category_id, _aware(report.occurred_at), int(report.quantity))
                for report, area_ids in linked if report.deleted_at is None for area_id in area_ids))


def forget_area(area_id: int) -> None:
    """Drop an area's counts (its links are being recomputed; :func:`record_new` adds them back)."""
    ReportCount.objects.filter(area_id=area_id).delete()
    touch([EPOCH])


def fingerprint(first: date | None = None, last: date | None = None) -> str:
    """Changes whenever a report or count in the weeks from ``first`` to ``last`` (their Mondays; every week
    when not given) may have changed, for caches of results computed from them: the sum, number and
    newest of the weeks' versions (:class:`~samtrygg.reports.models.CountVersion`, one row per week, a few
    hundred rows for ten years), with the :data:`EPOCH` row always included.
    """
    from django.db.models import Count, Max, Q, Sum

    rows = CountVersion.objects.all()
    if first is not None or last is not None:
        span = Q()
        if first is not None:
            span &= Q(week__gte=week_of(first))
        if last is not None:
            span &= Q(week__lte=week_of(last))
        rows = rows.filter(span | Q(week=EPOCH))
    agg = rows.aggregate(s=Sum("version"), n=Count("id"), top=Max("id"))
    return f"{agg['s'] or 0}-{agg['n']}-{agg['top']}"


def recount() -> dict[Key, tuple[int, int]]:
    """The table as it should be, computed from the reports (for tests and ``rebuild-counts --check``)."""
    ids = list(Report.objects.filter(deleted_at__isnull=True).values_list("id", flat=True))
    return {k: (v[0], v[1]) for k, v in contributions(ids).items() if v[0]}


def stored() -> dict[Key, tuple[int, int]]:
    rows = ReportCount.objects.filter(n__gt=0).values_list("area_id", "category_id", "week", "month", "n",
                                                           "quantity")
    return {r[:4]: (r[4], r[5]) for r in rows}


REBUILD_POSTGRESQL = """
INSERT INTO {counts} (area_id, category_id, week, month, n, quantity)
SELECT ra.area_id, r.category_id,
       date_trunc('week', r.occurred_at AT TIME ZONE 'Europe/Stockholm')::date,
       date_trunc('month', r.occurred_at AT TIME ZONE 'Europe/Stockholm')::date,
       count(*), sum(r.quantity)
FROM {links} ra JOIN {reports} r ON r.id = ra.report_id
WHERE r.deleted_at IS NULL
GROUP BY 1, 2, 3, 4
"""


def rebuild() -> int:
    """Recompute the whole table from the reports. Returns the number of buckets."""
    with transaction.atomic():
        ReportCount.objects.all().delete()
        touch([EPOCH])
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(REBUILD_POSTGRESQL.format(counts=ReportCount._meta.db_table,
                                                         links=ReportArea._meta.db_table,
                                                         reports=Report._meta.db_table))
        else:
            ids = list(Report.objects.filter(deleted_at__isnull=True).values_list("id", flat=True))
            for start in range(0, len(ids), CHUNK * 10):
                apply(contributions(ids[start:start + CHUNK * 10]))
        return ReportCount.objects.count()
