"""Two coordinators in the question builder at once: the second save is refused with who saved and both
question lists; nothing is overwritten; saving again re-applies the second person's questions."""

import pytest
from django.test import Client
from django.urls import reverse

from samtrygg.walks import questionnaires as svc
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


def test_second_builder_save_is_refused(coordinator, org):
    q = svc.create_questionnaire(coordinator, title="Trygghet i Centrum", slug="centrum")
    eva = UserFactory(username="eva", first_name="Eva", last_name="Lind", organization=org, role="coordinator")
    url = reverse("walks:questionnaire_edit", args=[q.pk])
    a, b = _client(eva), _client(coordinator)
    form_a = form_fields(a.get(url).content, action="")
    form_b = form_fields(b.get(url).content, action="")
    assert form_a["edit_version"] == "1"
    form_a["form-0-text_sv"] = "Hur trygg känner du dig på kvällen?"
    assert a.post(url, form_a).status_code == 302
    form_b["form-1-text_sv"] = "Hur trygg känner du dig på dagen?"
    response = b.post(url, form_b)
    assert response.status_code == 409
    page = response.content.decode()
    assert "Eva Lind" in page and "Hur trygg känner du dig på kvällen?" in page
    stored = svc.question_rows(svc.current_version(q))
    assert stored[0]["text_sv"] == "Hur trygg känner du dig på kvällen?"
    assert stored[1]["text_sv"] != "Hur trygg känner du dig på dagen?"
    again = form_fields(page, action="")
    assert again["form-1-text_sv"] == "Hur trygg känner du dig på dagen?" and again["edit_version"] == "2"
    again["form-0-text_sv"] = "Hur trygg känner du dig på kvällen?"
    assert b.post(url, again).status_code == 302
    stored = svc.question_rows(svc.current_version(q))
    assert [stored[0]["text_sv"], stored[1]["text_sv"]] == ["Hur trygg känner du dig på kvällen?",
                                                          "Hur trygg känner du dig på dagen?"]
