"""Report counts per area and place, aggregated in the database (GROUP BY over the link tables).

Counts include reports in sensitive categories: DESIGN.md lets everyone see those "only inside
aggregate counts". Lists behind the counts (the report list) show only what the user may see.
Soft-deleted reports are never counted. Periods end now: the last 365 days and the last 28 days.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Q
from django.utils import timezone

YEAR_DAYS = 365
RECENT_DAYS = 28


@dataclass(frozen=True)
class Periods:
    year_start: object  # aware datetime
    recent_start: object
    year_from: date  # the same as local dates, for links to the report list
    recent_from: date


def periods(now=None) -> Periods:
    now = now or timezone.now()
    year_start = now - timedelta(days=YEAR_DAYS)
    recent_start = now - timedelta(days=RECENT_DAYS)
    return Periods(year_start, recent_start, timezone.localdate(year_start), timezone.localdate(recent_start))


def _links(places: bool):
    from samtrygg.reports.models import ReportArea, ReportPlace

    return (ReportPlace, "place_id") if places else (ReportArea, "area_id")


def counts(ids=None, *, places: bool = False, now=None) -> dict[int, tuple[int, int]]:
    """{area or place id: (reports in the last 12 months, reports in the last 4 weeks)}."""
    link, key = _links(places)
    p = periods(now)
    qs = link.objects.filter(report__deleted_at__isnull=True, report__occurred_at__gte=p.year_start)
    if ids is not None:
        qs = qs.filter(**{f"{key}__in": list(ids)})
    rows = qs.values(key).annotate(
        year=Count("id"), recent=Count("id", filter=Q(report__occurred_at__gte=p.recent_start))
    )
    return {row[key]: (row["year"], row["recent"]) for row in rows}


def counts_by_category(obj_id: int, *, places: bool = False, now=None) -> dict[int, int]:
    """{category id: reports in the last 12 months} for one area or place."""
    link, key = _links(places)
    p = periods(now)
    rows = (
        link.objects.filter(
            **{key: obj_id}, report__deleted_at__isnull=True, report__occurred_at__gte=p.year_start
        )
        .values("report__category_id")
        .annotate(n=Count("id"))
    )
    return {row["report__category_id"]: row["n"] for row in rows}


def tree(areas) -> list[tuple[object, int]]:
    """Areas in depth-first order with their depth; siblings by name. Orphans (parent not given) are roots."""
    by_id = {a.pk: a for a in areas}
    children: dict[int | None, list] = {}
    for a in areas:
        parent = a.parent_id if a.parent_id in by_id else None
        children.setdefault(parent, []).append(a)
    for siblings in children.values():
        siblings.sort(key=lambda a: (a.name.lower(), a.code))
    out: list[tuple[object, int]] = []
    seen: set[int] = set()

    def walk(parent_id, depth):
        for a in children.get(parent_id, []):
            if a.pk in seen:  # a loop in bad data must not hang the page
                continue
            seen.add(a.pk)
            out.append((a, depth))
            walk(a.pk, depth + 1)

    walk(None, 0)
    for a in areas:  # areas caught in a parent loop still appear, at the top level
        if a.pk not in seen:
            seen.add(a.pk)
            out.append((a, 0))
    return out


def small_sensitive(ids=None, *, places: bool = False, now=None) -> dict[int, tuple[int, int]]:
    """{area or place id: (reports, recent reports)} in the sensitive categories that have 1–4 reports there
    in the last 12 months: the counts a user without access to sensitive reports sees as "<5", and which the
    totals shown to that user must therefore leave out (:mod:`samtrygg.weekly.disclosure` explains why)."""
    from samtrygg.analysis.disclosure import is_small
    from samtrygg.categories.models import Sensitivity

    link, key = _links(places)
    p = periods(now)
    qs = link.objects.filter(report__deleted_at__isnull=True, report__occurred_at__gte=p.year_start,
                             report__category__sensitivity=Sensitivity.SENSITIVE)
    if ids is not None:
        qs = qs.filter(**{f"{key}__in": list(ids)})
    rows = qs.values(key, "report__category_id").annotate(
        year=Count("id"), recent=Count("id", filter=Q(report__occurred_at__gte=p.recent_start))
    ).order_by()
    hidden: dict[int, tuple[int, int]] = {}
    for row in rows:
        if is_small(row["year"]):
            year, recent = hidden.get(row[key], (0, 0))
            hidden[row[key]] = (year + row["year"], recent + row["recent"])
    return hidden


def counts_for(user, ids=None, *, places: bool = False, now=None) -> dict[int, tuple[int, int]]:
    """:func:`counts` as ``user`` may see them: without access to sensitive reports, small sensitive counts
    (:func:`small_sensitive`) are left out."""
    from samtrygg.reports.access import sees_all_sensitive

    totals = counts(ids, places=places, now=now)
    if sees_all_sensitive(user):
        return totals
    for pk, (year, recent) in small_sensitive(ids, places=places, now=now).items():
        total_year, total_recent = totals.get(pk, (0, 0))
        totals[pk] = (total_year - year, total_recent - recent)
    return totals
