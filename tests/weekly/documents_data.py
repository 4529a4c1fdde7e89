"""Factory data for the document and command tests: a week with a clear signal, an assessment, an action
and a sensitive report, built through the same services as the web interface."""

from __future__ import annotations

from datetime import timedelta

import shapely

from samtrygg.actions.models import Action
from samtrygg.categories.models import Category, Sensitivity
from samtrygg.weekly.models import WeeklyPicture
from samtrygg.weekly.weeks import IsoWeek
from tests.factories import CENTRE_X, CENTRE_Y, AreaFactory, OrganizationFactory, UserFactory, make_report

SECRET_TEXT = "HEMLIG-OBSERVATION-0815"
ASSESSMENT = "Klotterv\u00e5gen i Gottsunda forts\u00e4tter"
ACTION_TITLE = "Extra sanering av klotter vid Gottsunda centrum"


def build_week(org):
    """Returns a dict with the week, the areas, users and objects the tests look for."""
    week = IsoWeek.last_complete()
    gottsunda = AreaFactory(code="gottsunda", name="Gottsunda",
                            geometry=shapely.box(CENTRE_X - 1000, CENTRE_Y - 1000, CENTRE_X, CENTRE_Y + 1000))
    centrum = AreaFactory(code="centrum", name="Centrum",
                          geometry=shapely.box(CENTRE_X, CENTRE_Y - 1000, CENTRE_X + 1000, CENTRE_Y + 1000))
    reporter = UserFactory(username="doc-reporter", organization=org, role="reporter")
    in_g = {"x": CENTRE_X - 500, "y": CENTRE_Y}
    in_c = {"x": CENTRE_X + 500, "y": CENTRE_Y}
    # Twenty quiet weeks of graffiti in Gottsunda (one a week) and of fires in Centrum, then an outbreak.
    for i in range(1, 21):
        monday = week.shift(-i).start()
        make_report(reporter, category_code="klotter", when=monday + timedelta(days=2, hours=10), **in_g)
        make_report(reporter, category_code="brand", when=monday + timedelta(days=3, hours=20), **in_c)
    start = week.start()
    for i in range(14):
        make_report(reporter, category_code="klotter", when=start + timedelta(days=i % 7, hours=8 + i), **in_g)
    make_report(reporter, category_code="brand", when=start + timedelta(days=5, hours=23),
                description="Brand i container", **in_c)
    police = OrganizationFactory(code="polisen", name="Polisen", kind="police", sees_sensitive=True)
    secret = Category.objects.create(code="polis_obs", name="Polisens iakttagelse",
                                     sensitivity=Sensitivity.SENSITIVE, severity=4)
    police_reporter = UserFactory(username="doc-police", organization=police, role="reporter")
    make_report(police_reporter, category_code=secret.code, when=start + timedelta(days=1, hours=22),
                description=SECRET_TEXT, **in_g)
    coordinator = UserFactory(username="doc-coordinator", organization=org, role="coordinator")
    viewer = UserFactory(username="doc-viewer", organization=org, role="viewer")
    police_analyst = UserFactory(username="doc-police-analyst", organization=police, role="analyst")
    WeeklyPicture.objects.create(iso_year=week.year, iso_week=week.week, area=None, what_we_see=ASSESSMENT,
                                 what_it_means="Troligen en och samma grupp.", updated_by=coordinator)
    Action.objects.create(title=ACTION_TITLE, area=gottsunda, responsible=org, start_date=week.sunday,
                          decided_year=week.year, decided_week=week.week, created_by=coordinator)
    return {"week": week, "gottsunda": gottsunda, "centrum": centrum, "coordinator": coordinator,
            "viewer": viewer, "police_analyst": police_analyst}
