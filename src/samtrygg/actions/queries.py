"""Actions as plain, JSON-serialisable dicts for the weekly picture (page, PDF, XLSX, JSON).

``actions_for_week(week, area)`` returns::

    {
      "week": "2026-W47",              # the picture's week
      "previous_week": "2026-W46",
      "decided": [item, ...],          # decided at this week's meeting (decided_year/decided_week == week)
      "previous": [item, ...],         # decided at last week's meeting, with what became of them
      "open": [item, ...],             # every other action still open (planned/ongoing) that started by the
                                       # end of the week; never repeats an action of the two lists above
    }

and each item is ``action_item(action)`` (see there). ``open_actions(area)`` is the list of every open
action (the "status of open actions" section), overdue ones first.
"""

from __future__ import annotations

from datetime import date

from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from samtrygg.areas.models import Area
from samtrygg.areas.tree import descendant_ids
from samtrygg.weekly.weeks import IsoWeek

from .models import Action

OPEN_STATUSES = (Action.Status.PLANNED, Action.Status.ONGOING)


def today() -> date:
    return timezone.localdate()


def is_overdue(action: Action, on: date | None = None) -> bool:
    """Still open although its end date has passed."""
    return bool(action.is_open and action.end_date and action.end_date < (on or today()))


def overdue_q(on: date | None = None) -> Q:
    return Q(status__in=OPEN_STATUSES, end_date__lt=on or today())


def in_area_q(area: Area | None) -> Q:
    """Actions located in the area: their area, or their place, lies in it (or in an area nested in it)."""
    if area is None:
        return Q()
    ids = [area.pk, *descendant_ids(area)]
    return Q(area_id__in=ids) | Q(place__area_id__in=ids)


def _base():
    return Action.objects.select_related("area", "place", "responsible")


def decided_week_label(action: Action) -> str | None:
    if action.decided_year and action.decided_week:
        return f"{action.decided_year}-W{action.decided_week:02d}"
    return None


def action_item(action: Action, on: date | None = None) -> dict:
    """One action as a JSON-serialisable dict (dates ISO, labels in the active language)."""
    return {
        "id": action.pk,
        "title": action.title,
        "description": action.description,
        "kind": action.kind,
        "kind_label": str(action.get_kind_display()),
        "status": action.status,
        "status_label": str(action.get_status_display()),
        "responsible": action.responsible.name,
        "responsible_id": action.responsible_id,
        "area": action.area.name if action.area else None,
        "area_code": action.area.code if action.area else None,
        "place": action.place.name if action.place else None,
        "place_code": action.place.code if action.place else None,
        "lat": action.lat,
        "lon": action.lon,
        "start_date": action.start_date.isoformat() if action.start_date else None,
        "end_date": action.end_date.isoformat() if action.end_date else None,
        "follow_up": action.follow_up,
        "decided_week": decided_week_label(action),
        "url": reverse("actions:detail", args=[action.pk]),
        "is_open": action.is_open,
        "is_overdue": is_overdue(action, on),
    }


def actions_for_week(week: IsoWeek, area: Area | None = None) -> dict:
    where = in_area_q(area)
    prev = week.previous()
    decided = list(_base().filter(where, decided_year=week.year, decided_week=week.week).order_by("start_date", "pk"))
    previous = list(_base().filter(where, decided_year=prev.year, decided_week=prev.week)
                    .order_by("start_date", "pk"))
    shown = [a.pk for a in decided + previous]
    still_open = list(_base().filter(where, status__in=OPEN_STATUSES, start_date__lte=week.sunday)
                      .exclude(pk__in=shown).order_by(F("end_date").asc(nulls_last=True), "start_date", "pk"))
    on = today()
    return {
        "week": str(week),
        "previous_week": str(prev),
        "decided": [action_item(a, on) for a in decided],
        "previous": [action_item(a, on) for a in previous],
        "open": [action_item(a, on) for a in still_open],
    }


def open_actions(area: Area | None = None) -> list[dict]:
    """Every open action in the area (all areas when None): overdue first, then by end date."""
    on = today()
    items = [action_item(a, on) for a in _base().filter(in_area_q(area), status__in=OPEN_STATUSES)
             .order_by(F("end_date").asc(nulls_last=True), "start_date", "pk")]
    items.sort(key=lambda item: not item["is_overdue"])  # stable: keeps the end-date order within groups
    return items
