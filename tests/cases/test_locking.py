"""Two coordinators editing the same place case or cause analysis at once: the second save is refused with a
clear message naming who saved, nothing is overwritten, the typed text stays and can be re-applied."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from django.db import close_old_connections, connection
from django.test import Client
from django.urls import reverse

from samtrygg.audit.models import AuditEntry
from samtrygg.cases import services
from samtrygg.cases.models import CasePartner, CauseAnalysis, PlaceCase
from samtrygg.core import locking
from tests.factories import OrganizationFactory, PlaceFactory, UserFactory
from tests.formdata import form_fields


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def case(db, area, coordinator):
    place = PlaceFactory(code="parken", name="Parken", area=area)
    return services.create_case(coordinator, title="Parken", place=place, problem="Oro",
                                opened_on=date(2026, 1, 5), coordinator=coordinator)


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _form(c: Client, url: str) -> dict:
    response = c.get(url)
    assert response.status_code == 200
    return form_fields(response.content, action="")


@pytest.mark.django_db
def test_two_coordinators_edit_the_case_the_second_is_told(case, coordinator, org):
    eva = UserFactory(username="eva", first_name="Eva", last_name="Lind", organization=org, role="coordinator")
    url = reverse("cases:edit", args=[case.pk])
    a, b = _client(eva), _client(coordinator)
    form_a, form_b = _form(a, url), _form(b, url)
    assert form_a["version"] == form_b["version"] == "1"

    form_a["problem"] = "Oro och stölder på kvällarna"
    assert a.post(url, form_a).status_code == 302

    form_b["title"] = "Parken på kvällen"
    form_b["partners-0-organization"] = str(OrganizationFactory(code="bostad", name="Bostadsbolaget").pk)
    form_b["partners-0-role"] = "fastighetsägare"
    response = b.post(url, form_b)
    assert response.status_code == 409
    page = response.content.decode()
    assert "Someone else saved changes while you were editing" in page and "Eva Lind" in page
    conflict = response.context["conflict"]
    assert {row["label"]: (row["current"], row["yours"]) for row in conflict.rows} == {
        "The problem as stated": ("Oro och stölder på kvällarna", "Oro"),
        "Title": ("Parken", "Parken på kvällen"),
    }
    case.refresh_from_db()
    assert (case.title, case.problem, case.version) == ("Parken", "Oro och stölder på kvällarna", 2)
    assert not CasePartner.objects.exists()  # the partner row of the refused save was not written either
    assert AuditEntry.objects.filter(object_type="cases.placecase", action="update").count() == 1

    again = form_fields(page, action="")
    assert again["title"] == "Parken på kvällen" and again["partners-0-role"] == "fastighetsägare"
    assert again["version"] == "2"
    again["problem"] = "Oro och stölder på kvällarna"  # take over the other person's text, re-apply the rest
    assert b.post(url, again).status_code == 302
    case.refresh_from_db()
    assert (case.title, case.problem, case.version) == ("Parken på kvällen", "Oro och stölder på kvällarna", 3)
    assert CasePartner.objects.get().role == "fastighetsägare"


@pytest.mark.django_db
def test_two_coordinators_edit_the_cause_analysis(case, coordinator, org):
    eva = UserFactory(username="eva", first_name="Eva", last_name="Lind", organization=org, role="coordinator")
    url = reverse("cases:analysis", args=[case.pk])
    a, b = _client(eva), _client(coordinator)
    form_a, form_b = _form(a, url), _form(b, url)
    form_a["offenders"] = "Grupper av unga fredagskvällar"
    assert a.post(url, form_a).status_code == 302
    form_b["guardians"] = "Väktare från Securitas"
    form_b["hyp-0-text"] = "Mörkret gör att grupper samlas"
    response = b.post(url, form_b)
    assert response.status_code == 409
    assert "Eva Lind" in response.content.decode()
    analysis = CauseAnalysis.objects.get(case=case)
    assert (analysis.offenders, analysis.guardians, analysis.version) == ("Grupper av unga fredagskvällar", "", 2)
    assert not case.hypotheses.exists()
    again = form_fields(response.content, action="")
    assert again["guardians"] == "Väktare från Securitas" and again["offenders"] == ""
    assert b.post(url, again).status_code == 302  # re-applied deliberately: B's empty offenders win
    analysis.refresh_from_db()
    assert (analysis.offenders, analysis.guardians) == ("", "Väktare från Securitas")
    assert case.hypotheses.get().text == "Mörkret gör att grupper samlas"


@pytest.mark.django_db
def test_saving_an_unchanged_analysis_does_not_bump_the_version(case, coordinator):
    c = _client(coordinator)
    url = reverse("cases:analysis", args=[case.pk])
    assert c.post(url, _form(c, url)).status_code == 302
    assert CauseAnalysis.objects.get(case=case).version == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="SQLite's in-memory test database (shared cache) fails concurrent writers at once instead "
                           "of waiting; the served SQLite file serialises them with IMMEDIATE transactions")
def test_concurrent_saves_of_the_same_version_let_exactly_one_through(area, coordinator):
    """Real concurrency: two threads (two database connections) save version 1 at the same moment. The
    conditional UPDATE lets exactly one through; the other gets EditConflict and writes nothing."""
    place = PlaceFactory(code="torget", name="Torget", area=area)
    case = services.create_case(coordinator, title="Torget", place=place, problem="Oro", opened_on=date(2026, 1, 5))
    start = threading.Barrier(2)
    outcome: dict[str, str] = {}

    def save(title: str) -> None:
        try:
            mine = PlaceCase.objects.get(pk=case.pk)
            start.wait(timeout=10)
            services.update_case(coordinator, mine, version=1, title=title)
            outcome[title] = "saved"
        except locking.EditConflict:
            outcome[title] = "conflict"
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=save, args=(t,)) for t in ("Torget A", "Torget B")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcome.values()) == ["conflict", "saved"]
    winner = next(t for t, result in outcome.items() if result == "saved")
    case.refresh_from_db()
    assert (case.title, case.version) == (winner, 2)
    assert AuditEntry.objects.filter(object_type="cases.placecase", action="update").count() == 1
