"""Two coordinators editing the same safety walk record at once: the second save is refused and told who
saved; nothing is overwritten; the typed text stays."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from samtrygg.walks.models import SafetyWalk
from tests.factories import UserFactory
from tests.formdata import form_fields

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_second_save_of_a_walk_is_refused(coordinator, org, area):
    walk = SafetyWalk.objects.create(title="Vandring i Centrum", area=area, walked_on=dt.date(2026, 3, 10),
                                     residents=4, notes="")
    eva = UserFactory(username="eva", first_name="Eva", last_name="Lind", organization=org, role="coordinator")
    url = reverse("walks:edit", args=[walk.pk])
    a, b = _client(eva), _client(coordinator)
    form_a = form_fields(a.get(url).content, action="")
    form_b = form_fields(b.get(url).content, action="")
    assert form_a["version"] == "1"
    form_a["residents"] = "12"
    assert a.post(url, form_a).status_code == 302
    form_b["notes"] = "Mörkt vid gångtunneln."
    response = b.post(url, form_b)
    assert response.status_code == 409
    assert "Eva Lind" in response.content.decode()
    walk.refresh_from_db()
    assert (walk.residents, walk.notes, walk.version) == (12, "", 2)
    again = form_fields(response.content, action="")
    assert again["notes"] == "Mörkt vid gångtunneln." and again["residents"] == "4" and again["version"] == "2"
    again["residents"] = "12"
    assert b.post(url, again).status_code == 302
    walk.refresh_from_db()
    assert (walk.residents, walk.notes, walk.version) == (12, "Mörkt vid gångtunneln.", 3)


@pytest.mark.parametrize("existed", [False, True], ids=["new-feedback", "existing-feedback"])
def test_second_feedback_save_is_refused(coordinator, org, area, existed):
    from samtrygg.walks import questionnaires as svc
    from samtrygg.walks.models import Feedback

    q = svc.create_questionnaire(coordinator, title="Trygghet", slug="trygghet")
    if existed:
        Feedback.objects.create(questionnaire=q, summary_sv="Första texten")
    eva = UserFactory(username="eva", first_name="Eva", last_name="Lind", organization=org, role="coordinator")
    url = reverse("walks:feedback_edit", args=[q.pk])
    a, b = _client(eva), _client(coordinator)
    form_a = form_fields(a.get(url).content, index=1, action="")  # the first form chooses the area
    form_b = form_fields(b.get(url).content, index=1, action="")
    assert form_a["version"] == ("1" if existed else "0")
    form_a.update(summary_sv="Många är oroliga vid tunneln.", do="save")
    assert a.post(url, form_a).status_code == 302
    form_b.update(summary_en="Many worry about the tunnel.", do="save")
    response = b.post(url, form_b)
    assert response.status_code == 409 and "Eva Lind" in response.content.decode()
    stored = Feedback.objects.get(questionnaire=q)
    assert (stored.summary_sv, stored.summary_en) == ("Många är oroliga vid tunneln.", "")
    again = form_fields(response.content, index=1, action="")
    assert again["summary_en"] == "Many worry about the tunnel." and again["version"] == str(stored.version)
    again.update(summary_sv="Många är oroliga vid tunneln.", do="save")
    assert b.post(url, again).status_code == 302
    stored.refresh_from_db()
    assert (stored.summary_sv, stored.summary_en) == ("Många är oroliga vid tunneln.", "Many worry about the tunnel.")
