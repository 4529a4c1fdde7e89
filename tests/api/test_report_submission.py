"""One report submitted over the API (issue #9: it must be cheap): it writes what the general machinery would
(area and place links, counts, audit entry, webhook delivery), its 201 body is what GET then gives, the web
form's category rules hold with the categories read once, and it stays within a fixed number of SQL
statements."""

from __future__ import annotations

import json

import pytest
from django.db import connection

from samtrygg.areas.assignment import assign_reports
from samtrygg.audit import chain
from samtrygg.audit.models import AuditEntry
from samtrygg.categories.models import Category
from samtrygg.reports import aggregates
from samtrygg.reports.models import Report, ReportArea, ReportPlace
from samtrygg.webhooks.models import Endpoint
from tests.factories import CENTRE_X, CENTRE_Y, AreaFactory, PlaceFactory, square

from .conftest import KeyClient

NEW = {"occurred_at": "2026-01-05T10:00", "category": "klotter", "lat": 59.8586, "lon": 17.6389}
# One submission on SQLite once the key has been used today (33 before issue #9; PostgreSQL: one more, the audit
# chain's lock): the key and its use counter, the categories, the areas and places around the point (one query),
# the report, its area links, its place links, its counts, its week's cache version, three for the audit entry,
# the webhook subscribers, and the savepoint that create_report's transaction is inside the test's (its BEGIN and
# COMMIT in production). A used external id is found by the database's unique constraint, not asked first.
SUBMISSION_QUERIES = 15


@pytest.fixture
def world(api_world):
    """Around the centre: `centrum` (from api_world), a town around it, a block inside it and a place."""
    AreaFactory(code="stad", name="Staden", kind="municipality", geometry=square(CENTRE_X, CENTRE_Y, 5000))
    AreaFactory(code="a-kvarter", name="Kvarteret", kind="other", geometry=square(CENTRE_X, CENTRE_Y, 1500))
    PlaceFactory(code="torget", name="Torget", geometry=square(CENTRE_X, CENTRE_Y, 3000))
    return api_world


@pytest.fixture
def reporter_api(world):
    return KeyClient(world["keys"]["reporter"])


@pytest.mark.parametrize("body", [
    NEW,
    {**NEW, "external_id": "F-7", "quantity": 4, "description": "Tags på muren",
     "occurred_until": "2026-01-05T11:30"},
    {"occurred_at": "2026-01-04T23:30:00+01:00", "category": "Brand", "place": "parken"},
    {"occurred_at": "2026-01-05T10:00", "category": "klotter", "x": CENTRE_X + 10, "y": CENTRE_Y - 20},
])
@pytest.mark.parametrize("fmt", ["", "?format=geojson"])
def test_the_created_body_is_what_get_gives(world, reporter_api, body, fmt):
    posted = reporter_api.post_json(f"/api/v1/reports/{fmt}", body)
    assert posted.status_code == 201, posted.content
    report_id = (posted.json()["properties"] if fmt else posted.json())["id"]
    got = reporter_api.get(f"/api/v1/reports/{report_id}/{fmt}")
    assert got.status_code == 200
    assert posted.content == got.content


def test_a_submission_writes_what_the_general_machinery_would(world, reporter_api):
    org = world["org"]
    hook = Endpoint.objects.create(organization=org, name="Kommunens system", url="https://hooks.example.se/in")
    # Just after midnight on a Monday in Sweden, still Sunday in UTC: the counts take the Swedish week.
    answer = reporter_api.post_json("/api/v1/reports/", {**NEW, "occurred_at": "2026-01-05T00:30", "quantity": 3,
                                                        "external_id": "F-9"})
    assert answer.status_code == 201, answer.content
    report = Report.objects.get(pk=answer.json()["id"])
    areas = set(ReportArea.objects.filter(report=report).values_list("area__code", flat=True))
    places = set(ReportPlace.objects.filter(report=report).values_list("place__code", flat=True))
    assert areas == {"a-kvarter", "centrum", "stad"} and places == {"parken", "torget"}
    assert answer.json()["areas"] == ["a-kvarter", "centrum", "stad"]

    assign_reports([report.pk])  # the general path, which reads the report back, gives the same links
    assert set(ReportArea.objects.filter(report=report).values_list("area__code", flat=True)) == areas
    assert set(ReportPlace.objects.filter(report=report).values_list("place__code", flat=True)) == places

    stored = aggregates.stored()
    assert stored == aggregates.recount()
    klotter = Category.objects.get(code="klotter").pk
    mine = {k: v for k, v in stored.items() if k[1] == klotter and str(k[2]) == "2026-01-05"}
    assert sorted(mine.values()) == [(1, 3)] * 3

    entry = AuditEntry.objects.get(object_type="reports.report", object_id=str(report.pk), action="create")
    assert entry.actor == world["tokens"]["reporter"].service_user
    assert entry.changes["external_id"] == [None, "F-9"] and entry.changes["quantity"] == [None, 3]
    assert chain.verify().ok

    [delivery] = hook.deliveries.all()
    [sent] = json.loads(delivery.payload)["data"]["reports"]
    assert sent["id"] == report.pk and sent["areas"] == ["a-kvarter", "centrum", "stad"]
    assert sent["external_id"] == "F-9" and sent["quantity"] == 3 and sent["source"] == "api"


def test_an_inactive_category_is_refused_but_an_edited_report_keeps_its_own(world, reporter_api):
    answer = reporter_api.post_json("/api/v1/reports/", NEW)
    assert answer.status_code == 201
    Category.objects.filter(code="klotter").update(is_active=False)
    refused = reporter_api.post_json("/api/v1/reports/", NEW)
    assert refused.status_code == 400
    assert ("category", "invalid_choice") in {(e["field"], e["code"]) for e in refused.json()["errors"]}
    kept = reporter_api.patch_json(f"/api/v1/reports/{answer.json()['id']}/", {"quantity": 2})
    assert kept.status_code == 200, kept.content
    assert kept.json()["category"] == "klotter" and kept.json()["quantity"] == 2
    moved = reporter_api.patch_json(f"/api/v1/reports/{answer.json()['id']}/", {"category": "brand"})
    assert moved.status_code == 200 and moved.json()["category"] == "brand"
    back = reporter_api.patch_json(f"/api/v1/reports/{answer.json()['id']}/", {"category": "klotter"})
    assert back.status_code == 400


def test_one_submission_costs_a_fixed_number_of_statements(world, reporter_api, django_assert_max_num_queries):
    assert reporter_api.post_json("/api/v1/reports/", NEW).status_code == 201  # the key's first use today
    lock = 1 if connection.vendor == "postgresql" else 0  # the audit chain's advisory lock
    with django_assert_max_num_queries(SUBMISSION_QUERIES + lock):
        answer = reporter_api.post_json("/api/v1/reports/", {**NEW, "external_id": "F-2"})
    assert answer.status_code == 201, answer.content
