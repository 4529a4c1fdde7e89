"""The demo city's safety walk: an evening walk around Mikaelsparken with residents and partners, a drawn
route, seven observations, one already turned into a report, one into an action for the park unit and one
into evidence in the Mikaelsparken place case. Idempotent: nothing happens when the walk exists."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from samtrygg.accounts.models import Organization, User
from samtrygg.actions.models import Action
from samtrygg.areas.assignment import assign_reports
from samtrygg.areas.models import Place
from samtrygg.cases.models import PlaceCase
from samtrygg.categories.models import Category
from samtrygg.reports import services as report_services
from samtrygg.reports.forms import place_position
from samtrygg.reports.models import Report, Source
from samtrygg.walks import services_walks as services
from samtrygg.walks.models import Observation, SafetyWalk, WalkParticipant

from . import generator
from .case import TITLE as CASE_TITLE

TITLE = "Kvällsvandring runt Mikaelsparken"
RESIDENTS = 14
PARTICIPANTS = [("kommunledning", 2), ("gatu-samhallsmiljo", 2), ("kultur-fritid", 2), ("polisen-uppsala", 1),
                ("uppsalahem", 1)]
# Offsets in degrees (lat, lon) from the park's centre: a loop round the park.
ROUTE = [(-0.0012, -0.0016), (-0.0012, 0.0014), (0.0, 0.0018), (0.0011, 0.0012), (0.0012, -0.0012),
         (0.0, -0.0018), (-0.0012, -0.0016)]
# (lat offset, lon offset, category code, comment, what it became)
OBSERVATIONS = [
    (0.0009, 0.0008, "belysning", "Flera lampor släckta längs gångvägen mot kyrkan; helt mörkt redan kl. 17.",
     "report"),
    (0.0002, -0.0004, "fysisk_miljo", "Höga buskar bakom scenen skymmer sikten från gatan.", "action"),
    (0.0001, 0.0001, "folksamling", "Boende berättar om grupper vid scenen fredagskvällar; flera undviker att "
                                    "gå genom parken.", "case"),
    (-0.0003, 0.0005, "nedskrapning", "Glas och fimpar vid bänkarna, papperskorgen överfull.", ""),
    (-0.0010, 0.0011, "klotter", "Klotter på elskåpet vid södra entrén.", ""),
    (0.0008, -0.0010, "fysisk_miljo", "Trasigt staket mot kyrkogården; hålet används som genväg nattetid.", ""),
    (-0.0009, -0.0006, "stold", "Cykelställen går inte att låsa ramen i; boende säger att många cyklar "
                                "stjäls här.", ""),
]


def ensure_walk(end: dt.datetime) -> int:
    """Create the demo walk (once) and make sure its "report" observation has its report (a demo report, so
    `demo --reset` removes it with the rest and the next load makes it again). Like the demo case, this writes
    no audit entries: the demo load writes one for everything. Returns how many reports were created."""
    park = Place.objects.filter(code=generator.PARK).select_related("area").first()
    if park is None or park.area is None:
        return 0
    coordinator = User.objects.filter(username="samordnare").select_related("organization").first()
    with transaction.atomic():
        walk = SafetyWalk.objects.filter(title=TITLE).first() or _create_walk(end, park, coordinator)
        first = OBSERVATIONS[0]
        obs = walk.observations.filter(category__code=first[2], comment=first[3], report__isnull=True).first()
        if obs is None or coordinator is None:
            return 0
        report = Report(source=Source.DEMO, organization=coordinator.organization, created_by=coordinator,
                        category=obs.category, occurred_at=services.observed_at(walk), description=obs.comment,
                        attributes={"safety_walk": walk.pk, "observation": obs.pk})
        report_services.set_position(report, lat=obs.lat, lon=obs.lon)
        report.save()
        assign_reports([report.pk])
        obs.report = report
        obs.save(update_fields=["report"])
    return 1


def _create_walk(end: dt.datetime, park: Place, coordinator) -> SafetyWalk:
    orgs = {o.code: o for o in Organization.objects.filter(code__in=[c for c, _n in PARTICIPANTS])}
    categories = {c.code: c for c in Category.objects.filter(code__in={o[2] for o in OBSERVATIONS})}
    lat0, lon0 = place_position(park)
    walked_on = generator.intervention_date(end) - dt.timedelta(days=35)
    walk = SafetyWalk.objects.create(
        title=TITLE, area=park.area, walked_on=walked_on, residents=RESIDENTS, created_by=coordinator,
        route={"type": "LineString",
               "coordinates": [[round(lon0 + dlon, 7), round(lat0 + dlat, 7)] for dlat, dlon in ROUTE]},
        notes="Vandring kl. 18–20 med boende från kvarteren runt parken. Start och mål vid kyrkan. "
              "Resultatet tas upp i platssamverkan för Mikaelsparken.")
    WalkParticipant.objects.bulk_create([WalkParticipant(walk=walk, organization=orgs[code], people=n)
                                         for code, n in PARTICIPANTS if code in orgs])
    case = PlaceCase.objects.filter(title=CASE_TITLE).first()
    for dlat, dlon, code, comment, becomes in OBSERVATIONS:
        if code not in categories:
            continue
        obs = Observation.objects.create(walk=walk, lat=round(lat0 + dlat, 6), lon=round(lon0 + dlon, 6),
                                         category=categories[code], comment=comment)
        if becomes == "action" and "gatu-samhallsmiljo" in orgs:
            obs.action = Action.objects.create(
                title="Beskär buskarna bakom scenen i Mikaelsparken", description=comment,
                kind=Action.Kind.SHORT_TERM, area=park.area, place=park, lat=obs.lat, lon=obs.lon,
                responsible=orgs["gatu-samhallsmiljo"], start_date=walked_on + dt.timedelta(days=3),
                end_date=walked_on + dt.timedelta(days=21), status=Action.Status.DONE, created_by=coordinator)
            obs.save(update_fields=["action"])
        elif becomes == "case" and case is not None:
            obs.case = case
            obs.save(update_fields=["case"])
    return walk
