"""What Open311 shows: the services (categories) and the public view of reports as service requests.

Decisions (README, "Open311"):

- **Services** are the active categories that are not sensitive; ``service_code`` is the category's code.
  A sensitive category is never listed, never shown as a request and cannot be posted to: to an Open311
  client it does not exist (the same "unknown service" answer as for a code that does not exist).
- **Requests are public** (the specification's GET calls need no key), so a request shows no more than a
  passer-by could know: the category, the **hour** it happened (Europe/Stockholm, minutes cut off), the
  position snapped to the **centre of its 250 m grid cell** in SWEREF 99 TM (``SAMTRYGG_OPEN311_GRID_M``)
  and converted back to WGS84, and as ``address`` the registered place (a park, a square) or the smallest
  area it lies in. The description, the reporting organisation, photos and attributes are never shown:
  free text may hold personal data whatever the reporter was warned about. Soft-deleted reports are gone.
  ``requested_datetime`` is when it happened (for a report imported from a partner's system the time it
  was sent to Samtrygg would say nothing), so ``start_date``/``end_date`` filter on that too.
- **Status.** Samtrygg's reports are observations for the weekly meeting, not work orders, so a request is
  ``closed`` once the coordinators have published the weekly picture of its week (for the municipality, or
  for an area it lies in) — the status note says which week — and otherwise ``closed`` ``CLOSE_AFTER_DAYS``
  days after it happened, when it has become history. Until then it is ``open``.
- A municipality that wants to publish only aggregates sets ``SAMTRYGG_OPEN311_PUBLIC_REQUESTS=false``:
  the GET request calls then answer 404 (posting and the service list keep working).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from samtrygg.analysis import geo
from samtrygg.categories.models import Category, Sensitivity
from samtrygg.reports.models import Report, ReportArea
from samtrygg.weekly.models import WeeklyPicture
from samtrygg.weekly.weeks import STOCKHOLM, IsoWeek

from .formats import Error, Open311Error

CLOSE_AFTER_DAYS = 28
MAX_SPAN = timedelta(days=90)  # the specification's limit for start_date … end_date
MAX_IDS = 100
MAX_PAGE_SIZE = 1000
STATUSES = ("open", "closed")


def services() -> list[Category]:
    return list(Category.objects.filter(is_active=True, sensitivity=Sensitivity.NORMAL)
                .order_by("sort_order", "name"))


def service(code: str) -> Category | None:
    return Category.objects.filter(code=code, is_active=True, sensitivity=Sensitivity.NORMAL).first()


def service_dict(category: Category) -> dict:
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": category.description or category.name_en or category.name,
        "metadata": True,  # the definition has the optional attributes below
        "type": "realtime",  # the request id is returned at once
        "keywords": category.name_en,
        "group": "",
    }


def attributes() -> list[dict]:
    """The optional attributes every service takes (GeoReport's ``attribute[code]`` parameters)."""
    def attribute(code, datatype, order, description):
        return {"variable": True, "code": code, "datatype": datatype, "required": False,
                "datatype_description": "", "order": order, "description": description, "values": []}

    return [
        attribute("occurred_at", "datetime", 1,
                  _("When it happened, ISO 8601 (e.g. 2026-03-01T21:30:00+01:00). Default: when it is posted.")),
        attribute("quantity", "number", 2, _("How many, e.g. the number of tags or burnt bins. Default 1.")),
        attribute("external_id", "string", 3,
                  _("Your system's own id for the report. Posting the same id again returns the first "
                    "request instead of making a second one.")),
    ]


def definition(category: Category) -> dict:
    return {"service_code": category.code, "attributes": attributes()}


# ---- the public view of a report ---------------------------------------------------------------------

def coarse_position(x: float, y: float, cell: float | None = None) -> tuple[float, float]:
    """(lat, lon) of the centre of the grid cell (SWEREF 99 TM) the point lies in, rounded to 1e-5°."""
    cell = float(cell or settings.SAMTRYGG_OPEN311_GRID_M)
    cx = (math.floor(x / cell) + 0.5) * cell
    cy = (math.floor(y / cell) + 0.5) * cell
    lon, lat = geo.sweref_to_wgs84(cx, cy)
    return round(float(lat), 5), round(float(lon), 5)


def to_hour(moment: datetime) -> str:
    """ISO 8601 in Stockholm time with the minutes and seconds cut off."""
    local = timezone.localtime(moment, STOCKHOLM).replace(minute=0, second=0, microsecond=0)
    return local.isoformat()


@dataclass
class Closures:
    """The published weekly pictures, to tell which reports are closed and when."""

    municipality: dict[IsoWeek, datetime]
    areas: dict[tuple[IsoWeek, int], datetime]

    @classmethod
    def load(cls, since: datetime | None = None) -> Closures:
        qs = WeeklyPicture.objects.filter(published_at__isnull=False)
        if since is not None:
            first = IsoWeek.of(since)
            qs = qs.filter(Q(iso_year__gt=first.year) | Q(iso_year=first.year, iso_week__gte=first.week))
        municipality, areas = {}, {}
        for year, week, area_id, published in qs.values_list("iso_year", "iso_week", "area_id", "published_at"):
            if area_id is None:
                municipality[IsoWeek(year, week)] = published
            else:
                areas[(IsoWeek(year, week), area_id)] = published
        return cls(municipality, areas)

    def closed_q(self, now: datetime) -> Q:
        """A Q on Report that is true for closed reports."""
        q = Q(occurred_at__lt=now - timedelta(days=CLOSE_AFTER_DAYS))
        for week in self.municipality:
            q |= Q(occurred_at__gte=week.start(), occurred_at__lt=week.end())
        by_week: dict[IsoWeek, list[int]] = {}
        for week, area_id in self.areas:
            by_week.setdefault(week, []).append(area_id)
        for week, area_ids in by_week.items():
            q |= Q(Q(occurred_at__gte=week.start(), occurred_at__lt=week.end())
                   & Exists(ReportArea.objects.filter(report=OuterRef("pk"), area_id__in=area_ids)))
        return q

    def status(self, report: Report, area_ids: list[int], now: datetime) -> tuple[str, str, datetime | None]:
        """(status, status note, when it closed)."""
        week = IsoWeek.of(report.occurred_at)
        published = [self.municipality.get(week)] + [self.areas.get((week, a)) for a in area_ids]
        published = [p for p in published if p is not None]
        if published:
            return "closed", _("Included in the published weekly picture for week %(week)s.") % {
                "week": week.week}, min(published)
        aged = report.occurred_at + timedelta(days=CLOSE_AFTER_DAYS)
        if aged <= now:
            return "closed", "", aged
        return "open", "", None


def public_reports():
    """Every report the public may see through Open311 (before filters)."""
    return (Report.objects.alive().filter(category__sensitivity=Sensitivity.NORMAL)
            .select_related("category", "place"))


def request_dicts(reports: list[Report], closures: Closures, now: datetime | None = None) -> list[dict]:
    now = now or timezone.now()
    ids = [r.pk for r in reports]
    area_ids: dict[int, list[int]] = {pk: [] for pk in ids}
    area_names: dict[int, tuple[float, str]] = {}
    links = (ReportArea.objects.filter(report_id__in=ids)
             .values_list("report_id", "area_id", "area__name", "area__min_x", "area__max_x", "area__min_y",
                          "area__max_y"))
    for report_id, area_id, name, x0, x1, y0, y1 in links:
        area_ids[report_id].append(area_id)
        size = (x1 - x0) * (y1 - y0)
        if report_id not in area_names or size < area_names[report_id][0]:
            area_names[report_id] = (size, name)
    out = []
    for report in reports:
        status, note, closed_at = closures.status(report, area_ids[report.pk], now)
        lat, lon = coarse_position(report.x, report.y)
        updated = max(report.updated_at, closed_at) if closed_at else report.updated_at
        out.append({
            "service_request_id": report.pk,
            "status": status,
            "status_notes": note,
            "service_name": report.category.name,
            "service_code": report.category.code,
            "description": "",
            "agency_responsible": "",
            "service_notice": "",
            "requested_datetime": to_hour(report.occurred_at),
            "updated_datetime": to_hour(updated),
            "expected_datetime": None,
            "address": report.place.name if report.place_id else area_names.get(report.pk, (0, ""))[1],
            "address_id": report.place.code if report.place_id else "",
            "zipcode": "",
            "lat": lat,
            "long": lon,
            "media_url": "",
        })
    return out


# ---- GET requests: the specification's filters --------------------------------------------------------

def _moment(text: str, field: str, *, end: bool = False) -> datetime:
    """A W3C/ISO 8601 datetime; a date alone is that day's start (or, for an end, the next day's)."""
    value = (text or "").strip()
    parsed = None
    try:
        parsed = parse_datetime(value)
        if parsed is None:
            day = parse_date(value)
            if day is not None:
                parsed = datetime.combine(day + timedelta(days=1 if end else 0), datetime.min.time())
    except ValueError:
        parsed = None
    if parsed is None:
        raise Open311Error(Error(400, _("%(field)s: “%(value)s” is not a date and time; use W3C format, e.g. "
                                        "2026-01-31T00:00:00Z") % {"field": field, "value": value[:40]}, field))
    if timezone.is_naive(parsed):
        parsed = parsed.replace(tzinfo=STOCKHOLM)
    return parsed


def _positive_int(text: str, field: str, maximum: int) -> int:
    try:
        value = int(text)
    except (TypeError, ValueError):
        value = 0
    if not 1 <= value <= maximum:
        raise Open311Error(Error(400, _("%(field)s: must be a whole number from 1 to %(max)s")
                                 % {"field": field, "max": maximum}, field))
    return value


def _codes(text: str) -> list[str]:
    return [c.strip() for c in text.split(",") if c.strip()]


@dataclass
class Page:
    reports: list[Report]
    closures: Closures


def find_requests(params: dict[str, str], now: datetime | None = None) -> Page:
    """The reports matching the GET requests parameters (already checked for unknown names)."""
    now = now or timezone.now()
    qs = public_reports()
    if params.get("service_request_id"):
        raw = _codes(params["service_request_id"])
        if not raw or len(raw) > MAX_IDS or not all(c.isdigit() for c in raw):
            raise Open311Error(Error(400, _("service_request_id: give up to %(n)s ids separated by commas")
                                     % {"n": MAX_IDS}, "service_request_id"))
        reports = list(qs.filter(pk__in=[int(c) for c in raw]).order_by("-occurred_at", "-id"))
        since = min((r.occurred_at for r in reports), default=None)
        return Page(reports, Closures.load(since))

    errors: list[Error] = []
    if params.get("service_code"):
        codes = _codes(params["service_code"])
        known = set(Category.objects.filter(code__in=codes, sensitivity=Sensitivity.NORMAL)
                    .values_list("code", flat=True))
        unknown = [c for c in codes if c not in known]
        if unknown:
            errors.append(Error(400, _("service_code: no service “%(code)s”") % {"code": unknown[0][:50]},
                                "service_code"))
        qs = qs.filter(category__code__in=codes)
    start = end = None
    for field in ("start_date", "end_date"):
        if params.get(field):
            try:
                value = _moment(params[field], field, end=field == "end_date")
            except Open311Error as exc:
                errors.extend(exc.errors)
                continue
            if field == "start_date":
                start = value
            else:
                end = value
    statuses = _codes(params.get("status", ""))
    if [s for s in statuses if s not in STATUSES]:
        errors.append(Error(400, _("status: use open, closed or both separated by a comma"), "status"))
    page = page_size = None
    try:
        page = _positive_int(params["page"], "page", 1_000_000) if params.get("page") else 1
        page_size = (_positive_int(params["page_size"], "page_size", MAX_PAGE_SIZE) if params.get("page_size")
                     else MAX_PAGE_SIZE)
    except Open311Error as exc:
        errors.extend(exc.errors)
    if errors:
        raise Open311Error(*errors)
    if start is None and end is None:
        end = now
    if start is None:
        start = end - MAX_SPAN
    if end is None:
        end = min(start + MAX_SPAN, now) if start < now else start + MAX_SPAN
    if end < start:
        raise Open311Error(Error(400, _("end_date: is before start_date"), "end_date"))
    if end - start > MAX_SPAN:
        raise Open311Error(Error(400, _("end_date: start_date and end_date may be at most 90 days apart"),
                                 "end_date"))
    qs = qs.filter(occurred_at__gte=start, occurred_at__lt=end)
    closures = Closures.load(start)
    if statuses and set(statuses) != set(STATUSES):
        closed = closures.closed_q(now)
        qs = qs.filter(closed) if statuses == ["closed"] or set(statuses) == {"closed"} else qs.exclude(closed)
    offset = (page - 1) * page_size
    return Page(list(qs.order_by("-occurred_at", "-id")[offset:offset + page_size]), closures)


def find_request(pk: int) -> Page | None:
    report = public_reports().filter(pk=pk).first()
    if report is None:
        return None
    return Page([report], Closures.load(report.occurred_at))
