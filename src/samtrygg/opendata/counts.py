"""Open data for the public: incidents per area, category and month, with small counts suppressed.

What is published (decided here, explained on ``/oppna-data/``):

- **Incidents** (report rows, not ``quantity``), as in the weekly picture. Soft-deleted reports never count.
  Months are calendar months in Europe/Stockholm time; only **complete** months (the current month would
  change under the reader's feet).
- **Areas of one kind** (``SAMTRYGG_OPEN_DATA_AREA_KIND``, default ``district``), active ones only. An area
  of that kind nested in another of the same kind is published, its outer area is not: the outer one would
  be the sum of the inner ones plus a rest, and subtracting would give a suppressed cell back.
- **Normal categories only.** DESIGN.md lets logged-in partners see sensitive categories inside aggregate
  counts, but publishing them to everyone is another matter: a police-only category's monthly counts per
  district tell the public where the police are looking, and a tip-off category could point at the few
  people behind a small count. So sensitive categories are left out of the files altogether, and the
  landing page says so.
- **Counts of 1–4 are "<5"** (:func:`samtrygg.analysis.disclosure.shown`); 0 is shown as 0.
- **No totals.** Neither a row for the whole municipality, nor a sum over categories or months: every
  published number is one cell of area × category × month, and no published number is the sum of others,
  so no suppressed cell can be recovered by subtraction. (Areas of one kind are assumed not to overlap,
  which is what a partition such as districts is; reports on a shared border count in both.)

The counting is one GROUP BY in the database; the month of each report is a ``CASE`` over the months' start
instants computed in Python (exact across summer time, and native SQL on SQLite and PostgreSQL, where
``TruncMonth`` with a time zone would call Python once per row on SQLite).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Case, Count, IntegerField, Min, Q, Value, When
from django.utils.translation import gettext as _

from samtrygg.analysis.disclosure import shown
from samtrygg.areas.models import Area
from samtrygg.categories.models import Category, Sensitivity
from samtrygg.reports.models import Report, ReportArea

STOCKHOLM = ZoneInfo("Europe/Stockholm")
MAX_MONTHS = 600  # fifty years: more is a mistake in the query, not a wish
COLUMNS = ("month", "area_code", "area_name", "category_code", "category_name", "count")
_MONTH = re.compile(r"^\s*(\d{4})-(\d{2})\s*$")


class ParameterError(ValueError):
    """A bad query parameter; ``field`` names it, the message (in the active language) says what is wrong."""

    def __init__(self, field: str, message: str, code: str = "invalid"):
        super().__init__(message)
        self.field, self.message, self.code = field, message, code


@dataclass(frozen=True, order=True)
class Month:
    year: int
    month: int

    @classmethod
    def parse(cls, text: str, field: str) -> Month:
        m = _MONTH.match(text or "")
        if not m or not 1 <= int(m.group(2)) <= 12 or int(m.group(1)) < 1900:
            raise ParameterError(field, _("“%(text)s” is not a month; write it as YYYY-MM, for example 2026-01")
                                 % {"text": (text or "")[:40]})
        return cls(int(m.group(1)), int(m.group(2)))

    @classmethod
    def of(cls, moment: datetime) -> Month:
        local = moment.astimezone(STOCKHOLM)
        return cls(local.year, local.month)

    @classmethod
    def last_complete(cls, now: datetime | None = None) -> Month:
        return cls.of(now or datetime.now(tz=STOCKHOLM)).shift(-1)

    def shift(self, months: int) -> Month:
        index = self.year * 12 + self.month - 1 + months
        return Month(index // 12, index % 12 + 1)

    def months_until(self, other: Month) -> int:
        return (other.year * 12 + other.month) - (self.year * 12 + self.month)

    def start(self) -> datetime:
        """The first instant of the month in Stockholm (aware)."""
        return datetime(self.year, self.month, 1, tzinfo=STOCKHOLM)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


def published_areas(kind: str | None = None) -> list[Area]:
    """The active areas of the published kind, innermost ones only where areas of that kind nest."""
    kind = kind or settings.SAMTRYGG_OPEN_DATA_AREA_KIND
    areas = list(Area.objects.filter(is_active=True, kind=kind).order_by("code"))
    ids = {a.pk for a in areas}
    parent_of = dict(Area.objects.values_list("pk", "parent_id"))
    outer: set[int] = set()
    for area in areas:
        seen, parent = {area.pk}, parent_of.get(area.pk)
        while parent is not None and parent not in seen:
            if parent in ids:
                outer.add(parent)
            seen.add(parent)
            parent = parent_of.get(parent)
    return [a for a in areas if a.pk not in outer]


def published_categories() -> list[Category]:
    """Normal (non-sensitive) categories: the active ones, and inactive ones that have reports."""
    used = Report.objects.alive().values("category_id")
    return list(Category.objects.filter(sensitivity=Sensitivity.NORMAL)
                .filter(Q(is_active=True) | Q(pk__in=used)).order_by("code"))


def first_month(categories: list[Category]) -> Month | None:
    first = (Report.objects.alive().filter(category__in=categories)
             .aggregate(first=Min("occurred_at"))["first"])
    return Month.of(first) if first else None


def period(first: str | None, last: str | None, categories: list[Category],
           now: datetime | None = None) -> tuple[Month, Month]:
    """The months asked for (``from``/``to`` as YYYY-MM), defaulting to all complete months with data."""
    latest = Month.last_complete(now)
    end = Month.parse(last, "to") if last else latest
    if end > latest:
        raise ParameterError("to", _("%(month)s is not complete yet; the latest complete month is %(latest)s")
                             % {"month": end, "latest": latest}, code="incomplete")
    if first:
        start = Month.parse(first, "from")
    else:
        start = min(first_month(categories) or end, end)
    if start > end:
        raise ParameterError("from", _("“from” (%(start)s) is after “to” (%(end)s)") % {"start": start, "end": end},
                             code="order")
    if start.months_until(end) >= MAX_MONTHS:
        raise ParameterError("from", _("At most %(n)s months at a time") % {"n": MAX_MONTHS}, code="too_long")
    return start, end


def month_counts(start: Month, end: Month, areas: list[Area], categories: list[Category]) -> dict:
    """{(area_id, category_id, month index from ``start``): incidents}, zero cells left out."""
    n = start.months_until(end) + 1
    bounds = [start.shift(i + 1).start() for i in range(n)]
    month_index = Case(*[When(report__occurred_at__lt=b, then=Value(i)) for i, b in enumerate(bounds)],
                       output_field=IntegerField())
    rows = (ReportArea.objects
            .filter(area__in=areas, report__deleted_at__isnull=True, report__category__in=categories,
                    report__occurred_at__gte=start.start(), report__occurred_at__lt=bounds[-1])
            .annotate(month_index=month_index)
            .values_list("area_id", "report__category_id", "month_index")
            .annotate(n=Count("report_id"))
            .order_by())
    return {(a, c, m): n for a, c, m, n in rows}


@dataclass(frozen=True)
class Table:
    start: Month
    end: Month
    areas: list[Area]
    categories: list[Category]
    rows: list[dict]  # one per month × area × category, COLUMNS as keys, "count" an int or "<5"


def table(first: str | None = None, last: str | None = None, *, now: datetime | None = None) -> Table:
    """Every area × category × month cell of the period, zeros included, small counts suppressed."""
    categories = published_categories()
    start, end = period(first, last, categories, now)
    areas = published_areas()
    counts = month_counts(start, end, areas, categories) if areas and categories else {}
    rows = []
    for i in range(start.months_until(end) + 1):
        month = str(start.shift(i))
        for area in areas:
            for category in categories:
                rows.append({"month": month, "area_code": area.code, "area_name": area.name,
                             "category_code": category.code, "category_name": category.name,
                             "count": shown(counts.get((area.pk, category.pk, i), 0))})
    return Table(start, end, areas, categories, rows)
