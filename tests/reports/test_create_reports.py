"""Several reports created together (``services.create_reports``, the group commit of single submissions): each
is linked, counted, audited and announced as if it had been created on its own."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from rest_framework.test import APIClient

from samtrygg.api import tokens
from samtrygg.areas.assignment import containing
from samtrygg.audit import chain
from samtrygg.audit.models import AuditEntry
from samtrygg.reports import aggregates, events, services
from samtrygg.reports.models import CountVersion, Report, ReportArea, ReportCount, ReportPlace
from tests.factories import (
    CENTRE_X,
    CENTRE_Y,
    AreaFactory,
    OrganizationFactory,
    PlaceFactory,
    UserFactory,
    category,
    square,
)

pytestmark = pytest.mark.django_db

MONDAY = datetime(2025, 6, 2, 10, tzinfo=UTC)


def _city():
    AreaFactory(code="city", geometry=square(CENTRE_X, CENTRE_Y, 2000))
    AreaFactory(code="east", geometry=square(CENTRE_X + 1000, CENTRE_Y, 1000))
    PlaceFactory(code="park", geometry=square(CENTRE_X + 1500, CENTRE_Y, 100))


def _consistent():
    assert aggregates.stored() == aggregates.recount()
    assert not ReportCount.objects.filter(n__lte=0).exists()


def test_reports_of_several_authors_in_one_call_are_each_created_as_on_their_own():
    _city()
    alice = UserFactory(organization=OrganizationFactory(code="kommun"))
    bob = UserFactory(organization=OrganizationFactory(code="polis"))
    announced = []

    def listener(sender, report_ids, **kwargs):
        announced.append(list(report_ids))

    events.reports_created.connect(listener)
    try:
        reports = services.create_reports([
            services.NewReport(alice, {"category": category("klotter"), "occurred_at": MONDAY,
                                       "x": CENTRE_X - 500, "y": CENTRE_Y}),
            services.NewReport(bob, {"category": category("brand"), "occurred_at": MONDAY + timedelta(days=7),
                                     "x": CENTRE_X + 1500, "y": CENTRE_Y, "quantity": 3}),
            services.NewReport(alice, {"category": category("klotter"), "occurred_at": MONDAY + timedelta(days=1),
                                       "x": CENTRE_X + 9000, "y": CENTRE_Y}),  # outside every area
        ])
    finally:
        events.reports_created.disconnect(listener)

    assert [r.organization.code for r in reports] == ["kommun", "polis", "kommun"]
    assert [r.created_by for r in reports] == [alice, bob, alice]
    assert announced == [[r.pk for r in reports]]
    for report in reports:
        areas, places = containing(report.x, report.y)
        assert sorted(ReportArea.objects.filter(report=report).values_list("area_id", flat=True)) == sorted(areas)
        assert sorted(ReportPlace.objects.filter(report=report).values_list("place_id", flat=True)) == sorted(places)
    assert [r.area_codes for r in reports] == [["city"], ["city", "east"], []]
    assert ReportPlace.objects.filter(report=reports[1]).count() == 1
    _consistent()
    # Two weeks were written: both weeks' versions rose, once each.
    assert dict(CountVersion.objects.exclude(week=aggregates.EPOCH).values_list("week", "version")) == {
        MONDAY.date(): 1, (MONDAY + timedelta(days=7)).date(): 1}

    entries = list(AuditEntry.objects.filter(action="create", object_type="reports.report").order_by("id"))
    assert [(e.object_id, e.actor_name) for e in entries] == [
        (str(reports[0].pk), alice.username), (str(reports[1].pk), bob.username), (str(reports[2].pk), alice.username)]
    assert entries[1].changes["quantity"] == [None, 3]
    verdict = chain.verify()
    assert verdict.ok and verdict.count == AuditEntry.objects.count()


def test_a_failure_in_one_report_leaves_none_of_the_call():
    _city()
    user = UserFactory()
    before = (Report.objects.count(), AuditEntry.objects.count(), aggregates.stored())
    with pytest.raises(ValueError, match="a position needs"):
        services.create_reports([
            services.NewReport(user, {"category": category("klotter"), "occurred_at": MONDAY,
                                      "x": CENTRE_X, "y": CENTRE_Y}),
            services.NewReport(user, {"category": category("klotter"), "occurred_at": MONDAY}),  # no position
        ])
    assert (Report.objects.count(), AuditEntry.objects.count(), aggregates.stored()) == before


@pytest.mark.django_db(transaction=True)
def test_concurrent_api_submissions_share_transactions_and_each_gets_its_own_answer():
    """Twelve API clients POST at once, while the first batch is held: the rest wait and go together in the
    next batches. Every POST gets its own 201 with its own report; counts, links and the audit chain are as
    if they had come one by one; a duplicate external_id among them fails alone, with the API's 409."""
    _city()
    org = OrganizationFactory(code="partner")
    _token, key = tokens.create_token(None, organization=org, role="coordinator", name="feed")
    hold, batches = threading.Event(), []
    run_batch = services.SUBMISSIONS.run_batch

    def held(items):
        batches.append(len(items))
        if len(batches) == 1:
            hold.wait(10)
        return run_batch(items)

    services.SUBMISSIONS.run_batch = held
    answers: dict[int, tuple[int, dict]] = {}

    def post(k):
        try:
            client = APIClient(HTTP_AUTHORIZATION=f"Bearer {key}")
            body = {"occurred_at": (MONDAY + timedelta(hours=k)).isoformat(), "category": "klotter",
                    "x": CENTRE_X + 100 * k, "y": CENTRE_Y, "external_id": f"feed-{min(k, 10)}"}
            response = client.post("/api/v1/reports/", body, format="json")
            answers[k] = (response.status_code, response.json())
        finally:
            connection.close()

    try:
        threads = [threading.Thread(target=post, args=(0,))]
        threads[0].start()
        for _ in range(500):
            if batches:
                break
            threading.Event().wait(0.01)
        threads += [threading.Thread(target=post, args=(k,)) for k in range(1, 12)]
        for thread in threads[1:]:
            thread.start()
        for _ in range(500):
            if len(services.SUBMISSIONS._queue) == 11:
                break
            threading.Event().wait(0.01)
        hold.set()
        for thread in threads:
            thread.join(30)
    finally:
        services.SUBMISSIONS.run_batch = run_batch

    assert batches[0] == 1 and max(batches[1:]) > 1
    created = {k: body for k, (status, body) in answers.items() if status == 201}
    conflicts = [k for k, (status, _body) in answers.items() if status == 409]
    assert len(created) == 11 and len(conflicts) == 1 and conflicts[0] in (10, 11)
    assert len({body["id"] for body in created.values()}) == 11
    for k, body in created.items():
        report = Report.objects.get(pk=body["id"])
        assert report.x == pytest.approx(CENTRE_X + 100 * k) and report.external_id == f"feed-{min(k, 10)}"
        assert body["areas"] == sorted(ReportArea.objects.filter(report=report).values_list("area__code", flat=True))
    assert Report.objects.count() == 11
    _consistent()
    assert AuditEntry.objects.filter(action="create", object_type="reports.report").count() == 11
    assert chain.verify().ok
