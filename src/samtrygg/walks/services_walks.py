"""Safety walk records: saving walks and observations, and turning an observation into a report, an action
for a partner, or evidence in a place case. Every change is written to the audit log.

Who may do what:
- everybody logged in reads walks (they hold no names, only organisations and numbers);
- coordinators and admins record and edit walks and convert observations;
- reporters (the partners' field staff who walk along) may also add observations to a walk.
"""

from __future__ import annotations

import datetime as dt
import math
import uuid

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from samtrygg.accounts.models import Role
from samtrygg.actions import services as action_services
from samtrygg.actions.models import Action
from samtrygg.audit import log
from samtrygg.core import locking
from samtrygg.reports import services as report_services

from .models import Observation, SafetyWalk

MAX_ROUTE_POINTS = 1000


# ---- permissions -----------------------------------------------------------------------------------

def can_read(user) -> bool:
    return bool(user.is_authenticated)


def can_manage(user) -> bool:
    return bool(user.is_authenticated and user.has_role(Role.COORDINATOR, Role.ADMIN))


def can_observe(user) -> bool:
    return bool(user.is_authenticated and user.has_role(Role.COORDINATOR, Role.ADMIN, Role.REPORTER))


# ---- route validation (pure) -----------------------------------------------------------------------

class RouteError(ValueError):
    pass


def parse_route(value) -> dict | None:
    """A WGS84 GeoJSON LineString (dict) from a dict or its JSON text; None when empty.
    Raises RouteError with a message naming what is wrong."""
    import json

    if value in (None, "", {}):
        return None
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise RouteError(_("The route is not valid GeoJSON.")) from None
    if not isinstance(value, dict) or value.get("type") != "LineString":
        raise RouteError(_("The route must be a GeoJSON LineString."))
    coords = value.get("coordinates")
    if not isinstance(coords, list) or len(coords) < 2:
        raise RouteError(_("The route needs at least two points."))
    if len(coords) > MAX_ROUTE_POINTS:
        raise RouteError(_("The route has %(n)d points; at most %(max)d are allowed.")
                         % {"n": len(coords), "max": MAX_ROUTE_POINTS})
    clean = []
    for number, point in enumerate(coords, start=1):
        if (not isinstance(point, (list, tuple)) or len(point) < 2
                or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in point[:2])
                or not all(math.isfinite(v) for v in point[:2])):
            raise RouteError(_("Point %(n)d of the route is not a pair of numbers [longitude, latitude].")
                             % {"n": number})
        lon, lat = float(point[0]), float(point[1])
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise RouteError(_("Point %(n)d of the route (%(lon)s, %(lat)s) is outside longitude −180…180 / "
                               "latitude −90…90.") % {"n": number, "lon": lon, "lat": lat})
        clean.append([round(lon, 7), round(lat, 7)])
    if all(p == clean[0] for p in clean):
        raise RouteError(_("The route's points are all the same; draw a line along the walk."))
    return {"type": "LineString", "coordinates": clean}


# ---- walks -----------------------------------------------------------------------------------------

WALK_FIELDS = ("title", "area", "walked_on", "route", "residents", "notes", "questionnaire")


def _walk_snapshot(walk: SafetyWalk, participants=None) -> dict:
    out = {name: getattr(walk, name) for name in WALK_FIELDS}
    out["route"] = len(walk.route["coordinates"]) if walk.route else 0  # point count: the log stays small
    if participants is not None:
        out["participants"] = ", ".join(f"{p.organization.code}×{p.people}" for p in participants)
    return out


def _participants(walk):
    return list(walk.participants.select_related("organization").order_by("organization__name"))


@transaction.atomic
def save_walk(user, walk: SafetyWalk, fields: dict, participants_formset, version: int | None = None) -> SafetyWalk:
    """Create or update a walk and its participants (a bound, valid inline formset) in one transaction. With
    ``version`` (the one the edit form was loaded at) a save by someone else since raises
    :class:`samtrygg.core.locking.EditConflict` and nothing is written."""
    is_new = walk.pk is None
    # Compare with the stored row: a ModelForm has already copied the new values onto `walk`.
    stored = None if is_new else SafetyWalk.objects.get(pk=walk.pk)
    before = {} if stored is None else _walk_snapshot(stored, _participants(stored))
    for name, value in fields.items():
        setattr(walk, name, value)
    if is_new and getattr(user, "is_authenticated", False):
        walk.created_by = user
    if not is_new:
        if any(getattr(walk, name) != getattr(stored, name) for name in fields) or participants_formset.has_changed():
            locking.claim(walk, version)
        else:
            locking.check(walk, version)
    walk.save()
    participants_formset.instance = walk
    participants_formset.save()
    changes = log.diff(before, _walk_snapshot(walk, _participants(walk)))
    if is_new or changes:
        log.record(user, "create" if is_new else "update", walk, summary=walk.title, changes=changes)
    return walk


# ---- observations ----------------------------------------------------------------------------------

@transaction.atomic
def add_observation(user, walk: SafetyWalk, *, lat: float, lon: float, category, comment: str = "",
                    photo=None) -> Observation:
    obs = Observation(walk=walk, lat=float(lat), lon=float(lon), category=category, comment=comment)
    if photo:
        ext = (getattr(photo, "samtrygg_image_format", "") or "jpg").lower().replace("jpeg", "jpg")
        obs.photo.save(f"{uuid.uuid4().hex}.{ext}", photo, save=False)
    obs.save()
    log.record(user, "create", obs, summary=f"{category} · {walk.title}",
               changes={"walk": [None, walk.pk], "lat": [None, obs.lat], "lon": [None, obs.lon],
                        "category": [None, str(category)], "comment": [None, comment],
                        "photo": [None, obs.photo.name or None]})
    return obs


class AlreadyConverted(Exception):
    pass


def is_converted(obs: Observation) -> bool:
    return bool(obs.report_id or obs.action_id or obs.case_id)


def _lock(obs: Observation) -> Observation:
    """Re-read the observation under a row lock so two clicks cannot convert it twice."""
    fresh = Observation.objects.select_for_update().get(pk=obs.pk)
    if is_converted(fresh):
        raise AlreadyConverted
    return fresh


def observed_at(walk: SafetyWalk) -> dt.datetime:
    """When the observation was made for the report: midday of the walk's date (local), never in the future."""
    tz = timezone.get_current_timezone()
    when = dt.datetime.combine(walk.walked_on, dt.time(12, 0), tzinfo=tz)
    return min(when, timezone.now())


def _comment_or_category(obs: Observation) -> str:
    return obs.comment or str(obs.category)


@transaction.atomic
def convert_to_report(user, obs: Observation):
    obs = _lock(obs)
    walk = obs.walk
    description = obs.comment
    report = report_services.create_report(
        user, source="web", category=obs.category, occurred_at=observed_at(walk), lat=obs.lat, lon=obs.lon,
        description=description, attributes={"safety_walk": walk.pk, "observation": obs.pk})
    if obs.photo:
        from samtrygg.reports.models import ReportPhoto

        with obs.photo.open("rb") as handle:
            photo = ReportPhoto(report=report, uploaded_by=user if user.is_authenticated else None)
            photo.image.save(obs.photo.name.rsplit("/", 1)[-1], handle, save=True)
    obs.report = report
    obs.save(update_fields=["report"])
    log.record(user, "update", obs, summary=f"→ report {report.pk}", changes={"report": [None, report.pk]})
    return report


@transaction.atomic
def convert_to_action(user, obs: Observation, *, responsible, end_date: dt.date | None,
                      title: str = "", start_date: dt.date | None = None) -> Action:
    """A short-term action for a partner at the observation's position, starting today unless told."""
    obs = _lock(obs)
    walk = obs.walk
    start = start_date or max(walk.walked_on, timezone.localdate())
    action = action_services.create_action(
        user, title=(title or f"{obs.category}: {walk.title}")[:200],
        description=_comment_or_category(obs), kind=Action.Kind.SHORT_TERM, area=walk.area,
        lat=obs.lat, lon=obs.lon, responsible=responsible, start_date=start, end_date=end_date)
    obs.action = action
    obs.save(update_fields=["action"])
    log.record(user, "update", obs, summary=f"→ action {action.pk}", changes={"action": [None, action.pk]})
    return action


@transaction.atomic
def convert_to_case_evidence(user, obs: Observation, case) -> Observation:
    obs = _lock(obs)
    obs.case = case
    obs.save(update_fields=["case"])
    log.record(user, "update", obs, summary=f"→ case {case.pk}", changes={"case": [None, case.pk]})
    return obs
