"""From events to outbox rows: which endpoint hears about what, and the message bodies.

The events come as Django signals from the apps where they happen, so those apps do not know about
webhooks: :data:`samtrygg.reports.events.reports_created` (the web form, the API, Open311, file imports and
the police feed), :data:`samtrygg.weekly.events.signals_fired` (``samtrygg notify-signals``) and
:data:`samtrygg.weekly.events.picture_published`. The receivers run inside the sender's transaction, so
the delivery rows commit or roll back with the event.

Who hears what:

- ``report.created``: endpoints whose areas (none = all; an area includes the areas inside it) and
  categories (none = all) match. A report in a **sensitive** category goes only to endpoints of its own
  organisation or of an organisation granted sensitive access (``Organization.sees_sensitive``): the
  endpoint is its organisation's system, and gets what that organisation's coordinators may open. Reports
  come in batches of up to ``BATCH`` per message (a file import makes a few messages, not thousands).
- ``signal.fired``: one message per signal and endpoint, each signal once (a second run of notify-signals
  sends nothing new); a signal in a sensitive category only to organisations granted sensitive access (as
  the e-mails: the signal names what its reports are about).
- ``weekly_picture.published``: a municipality-wide picture to every subscribed endpoint, an area's picture
  to endpoints with no areas or an area around or inside it; published again after a change, it is sent
  again (``updated: true``).
"""

from __future__ import annotations

import json
from collections import defaultdict

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from samtrygg.areas.models import Area
from samtrygg.areas.tree import descendant_ids

from .delivery import kick
from .models import Delivery, Endpoint, Event

BATCH = 100


def absolute(path: str) -> str:
    return settings.SAMTRYGG_BASE_URL.rstrip("/") + path


def _iso(moment) -> str | None:
    return timezone.localtime(moment).isoformat() if moment else None


def body(event: str, data: dict) -> str:
    """A message body: ``{"type", "timestamp", "data"}`` as Standard Webhooks suggests."""
    return json.dumps({"type": event, "timestamp": timezone.now().isoformat(), "data": data},
                      ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def _subscribers(flag: str) -> list[Endpoint]:
    return list(Endpoint.objects.filter(is_active=True, **{flag: True})
                .select_related("organization").prefetch_related("areas", "categories"))


def _area_scope(endpoint: Endpoint) -> set[int] | None:
    """The area ids an endpoint listens to (its areas and everything inside them), None for all."""
    areas = list(endpoint.areas.all())
    if not areas:
        return None
    ids: set[int] = set()
    for area in areas:
        ids |= {area.pk} | descendant_ids(area)
    return ids


def _may_see_sensitive(endpoint: Endpoint, owner_id: int | None = None) -> bool:
    return endpoint.organization.sees_sensitive or (owner_id is not None and owner_id == endpoint.organization_id)


def _enqueue(rows: list[Delivery]) -> list[int]:
    """Insert delivery rows (a row whose endpoint already has its event_key is skipped) and kick them."""
    if not rows:
        return []
    now = timezone.now()
    for row in rows:
        row.next_attempt_at = now
    Delivery.objects.bulk_create(rows, ignore_conflicts=True)
    ids = list(Delivery.objects.filter(message_id__in=[r.message_id for r in rows]).values_list("pk", flat=True))
    kick(ids)
    return ids


# ---- report.created ------------------------------------------------------------------------------------

def report_dict(report, area_codes: list[str]) -> dict:
    return {
        "id": report.pk,
        "url": absolute(reverse("reports:detail", args=[report.pk])),
        "occurred_at": _iso(report.occurred_at),
        "occurred_until": _iso(report.occurred_until),
        "category": {"code": report.category.code, "name": report.category.name,
                     "sensitive": report.category.is_sensitive},
        "quantity": report.quantity,
        "description": report.description,
        "lat": report.lat, "lon": report.lon, "x": report.x, "y": report.y,
        "place": report.place.code if report.place_id else None,
        "areas": sorted(area_codes),
        "organization": report.organization.code,
        "source": report.source,
        "external_id": report.external_id,
        "created_at": _iso(report.created_at),
    }


def on_reports_created(sender, report_ids, **kwargs) -> list[int]:
    from samtrygg.reports.models import Report, ReportArea

    endpoints = _subscribers("on_report_created")
    if not endpoints or not report_ids:
        return []
    reports = list(Report.objects.filter(pk__in=report_ids, deleted_at__isnull=True)
                   .select_related("category", "organization", "place").order_by("pk"))
    areas: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for report_id, area_id, code in ReportArea.objects.filter(report_id__in=report_ids).values_list(
            "report_id", "area_id", "area__code"):
        areas[report_id].append((area_id, code))
    rows = []
    for endpoint in endpoints:
        scope = _area_scope(endpoint)
        categories = {c.pk for c in endpoint.categories.all()}
        matched = [r for r in reports
                   if (scope is None or any(a in scope for a, _ in areas[r.pk]))
                   and (not categories or r.category_id in categories)
                   and (not r.category.is_sensitive or _may_see_sensitive(endpoint, r.organization_id))]
        for start in range(0, len(matched), BATCH):
            chunk = matched[start:start + BATCH]
            data = {"reports": [report_dict(r, [c for _, c in areas[r.pk]]) for r in chunk]}
            first = chunk[0].pk
            rows.append(Delivery(endpoint=endpoint, event=Event.REPORT_CREATED,
                                 event_key=f"reports:{first}:{chunk[-1].pk}:{len(chunk)}",
                                 payload=body(Event.REPORT_CREATED, data)))
    return _enqueue(rows)


# ---- signal.fired --------------------------------------------------------------------------------------

def signal_dict(row) -> dict:
    from samtrygg.weekly.notifications import week_url

    data = row.as_dict()
    data["url"] = week_url(row.week, row.area.code)
    return data


def on_signals_fired(sender, week, alarms, **kwargs) -> list[int]:
    from samtrygg.categories.models import Category, Sensitivity

    endpoints = _subscribers("on_signal_fired")
    alarms = [r for r in alarms if r.alarm]
    if not endpoints or not alarms:
        return []
    sensitive = set(Category.objects.filter(sensitivity=Sensitivity.SENSITIVE).values_list("pk", flat=True))
    rows = []
    for endpoint in endpoints:
        scope = _area_scope(endpoint)
        categories = {c.pk for c in endpoint.categories.all()}
        for row in alarms:
            if scope is not None and row.area.id not in scope:
                continue
            if categories and row.category.id not in categories:
                continue
            if row.category.id in sensitive and not endpoint.organization.sees_sensitive:
                continue
            rows.append(Delivery(endpoint=endpoint, event=Event.SIGNAL_FIRED,
                                 event_key=f"signal:{row.week}:{row.area.id}:{row.category.id}",
                                 payload=body(Event.SIGNAL_FIRED, {"signal": signal_dict(row)})))
    return _enqueue(rows)


# ---- weekly_picture.published --------------------------------------------------------------------------

def _around(area: Area) -> set[int]:
    """The area, the areas inside it and the areas it lies in."""
    ids = {area.pk} | descendant_ids(area)
    parent_id = area.parent_id
    while parent_id and parent_id not in ids:
        ids.add(parent_id)
        parent_id = Area.objects.filter(pk=parent_id).values_list("parent_id", flat=True).first()
    return ids


def picture_dict(picture, updated: bool) -> dict:
    from samtrygg.weekly.meeting import as_dict
    from samtrygg.weekly.notifications import week_url
    from samtrygg.weekly.weeks import IsoWeek

    data = as_dict(picture)
    data["updated"] = updated
    data["url"] = week_url(IsoWeek(picture.iso_year, picture.iso_week), picture.area.code if picture.area_id else None)
    return data


def on_picture_published(sender, picture, updated=False, **kwargs) -> list[int]:
    endpoints = _subscribers("on_picture_published")
    if not endpoints:
        return []
    around = _around(picture.area) if picture.area_id else None
    rows = []
    for endpoint in endpoints:
        mine = {a.pk for a in endpoint.areas.all()}
        if around is not None and mine and not (mine & around):
            continue
        rows.append(Delivery(endpoint=endpoint, event=Event.PICTURE_PUBLISHED,
                             event_key=f"picture:{picture.pk}:{picture.published_at.isoformat()}",
                             payload=body(Event.PICTURE_PUBLISHED, {"picture": picture_dict(picture, updated)})))
    return _enqueue(rows)


# ---- a test message -----------------------------------------------------------------------------------

def ping(endpoint: Endpoint, user) -> Delivery:
    """A test message to one endpoint (not subject to its event choices), sent right away by the caller."""
    delivery = Delivery(endpoint=endpoint, event=Event.PING, event_key=f"ping:{timezone.now().isoformat()}",
                        payload=body(Event.PING, {"endpoint": endpoint.name, "sent_by": user.get_username()}),
                        next_attempt_at=timezone.now())
    delivery.save()
    return delivery


def connect() -> None:
    from samtrygg.reports import events as report_events
    from samtrygg.weekly import events as weekly_events

    report_events.reports_created.connect(on_reports_created, dispatch_uid="webhooks.reports_created")
    weekly_events.signals_fired.connect(on_signals_fired, dispatch_uid="webhooks.signals_fired")
    weekly_events.picture_published.connect(on_picture_published, dispatch_uid="webhooks.picture_published")
