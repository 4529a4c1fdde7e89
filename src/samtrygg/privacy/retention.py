"""Retention per category: remove the free text and the photos of reports older than the category allows.

The report itself stays (time, place, category, organisation, quantity), so every count, map and statistic is
unchanged. Structured import attributes are kept; only the description (free text) and the photos go.
Running it twice changes nothing the second time (only reports that still have text or photos are touched),
and every run that removed something writes one "retention" audit entry per category with the counts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from samtrygg.categories.models import Category
from samtrygg.reports.models import Report, ReportPhoto


def months_before(moment: dt.datetime, months: int) -> dt.datetime:
    """The same day and time ``months`` calendar months earlier (the last day of a shorter month)."""
    import calendar

    index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


@dataclass
class Outcome:
    category: str
    texts: int = 0
    photos: int = 0
    text_before: dt.datetime | None = None
    photos_before: dt.datetime | None = None


def describe(out: Outcome) -> str:
    parts = [out.category]
    if out.text_before:
        parts.append(f"free text removed from {out.texts} reports before {out.text_before:%Y-%m-%d}")
    if out.photos_before:
        parts.append(f"{out.photos} photos removed of reports before {out.photos_before:%Y-%m-%d}")
    return ": ".join(parts[:1]) + ": " + "; ".join(parts[1:])


def apply(*, now: dt.datetime | None = None, dry_run: bool = False) -> list[Outcome]:
    from samtrygg.audit import log
    from samtrygg.reports import aggregates

    now = now or timezone.now()
    outcomes = []
    categories = Category.objects.exclude(retain_text_months__isnull=True, retain_photos_months__isnull=True)
    for category in categories.order_by("code"):
        out = Outcome(category.code)
        reports = Report._base_manager.filter(category=category)  # deleted reports too
        with transaction.atomic():
            if category.retain_text_months is not None:
                out.text_before = months_before(now, category.retain_text_months)
                old_texts = reports.filter(occurred_at__lt=out.text_before).exclude(description="")
                if dry_run:
                    out.texts = old_texts.count()
                else:
                    # Cached pages of those weeks (their notable reports quote the text) are recomputed.
                    times = old_texts.values_list("occurred_at", flat=True)
                    aggregates.touch({aggregates.week_of_moment(t) for t in times})
                    out.texts = old_texts.update(description="")
            if category.retain_photos_months is not None:
                out.photos_before = months_before(now, category.retain_photos_months)
                photos = ReportPhoto.objects.filter(report__in=reports.filter(occurred_at__lt=out.photos_before))
                out.photos = photos.count()
                if not dry_run:
                    names = list(photos.values_list("image", flat=True))
                    photos.delete()
                    storage = ReportPhoto._meta.get_field("image").storage
                    # Files go after the rows, when the transaction commits: a rollback keeps both.
                    transaction.on_commit(lambda names=names, storage=storage: [storage.delete(n) for n in names if n])
            if not dry_run and (out.texts or out.photos):
                log.record(None, "retention", category, summary=describe(out), changes={
                        "texts": out.texts, "photos": out.photos,
                        "text_before": out.text_before.isoformat() if out.text_before else None,
                        "photos_before": out.photos_before.isoformat() if out.photos_before else None})
        outcomes.append(out)
    return outcomes
