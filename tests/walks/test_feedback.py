"""Feedback to residents: the coordinator's editor, the public page and the PDF (suppression, approval)."""

from __future__ import annotations

import re
import subprocess
from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from samtrygg.actions.models import Action
from samtrygg.walks.models import Answer, Feedback
from tests.factories import AreaFactory, UserFactory, square
from tests.walks import results_data as data

pytestmark = pytest.mark.django_db
FEWER = re.compile(r"färre än 5 svar|fewer than 5 answers")
SUMMARY = "Många känner sig otrygga vid tunneln efter mörkrets inbrott."


@pytest.fixture
def world(area, org):
    q = data.questionnaire()
    v = data.version(q)
    data.ten_responses(v, area)
    small = AreaFactory(code="liten", name="Lilla byn", geometry=square(0, 0, 10))
    for value in (5, 1, 2):
        data.respond(v, small, trygg_kvall=value, ovrigt="Lilla byns kommentar")
    action = Action.objects.create(title="Ny belysning i tunneln", responsible=org, start_date=date(2026, 1, 5))
    fb = Feedback.objects.create(questionnaire=q, summary_sv=SUMMARY, summary_en="Many feel unsafe at night.",
                                 published_at=timezone.now())
    fb.actions.add(action)
    return {"q": q, "v": v, "fb": fb, "small": small, "area": area, "action": action}


def _public(client, world, **params):
    return client.get(reverse("public:feedback", args=[world["q"].slug]), params)


def test_unpublished_feedback_is_404_for_the_public(client, world):
    Feedback.objects.filter(pk=world["fb"].pk).update(published_at=None)
    assert _public(client, world).status_code == 404
    assert client.get(reverse("public:feedback_pdf", args=[world["q"].slug])).status_code == 404
    assert client.get(reverse("public:feedback", args=["finns-inte"])).status_code == 404


def test_public_page_key_figures_actions_and_approval_gate(client, world):
    response = _public(client, world)
    assert response.status_code == 200
    page = response.content.decode()
    assert SUMMARY in page
    assert re.search(r"7 (av|in) 10", page) and re.search(r"3 (av|in) 10", page)
    assert "Ny belysning i tunneln" in page
    # No free text before approval.
    assert "Mörkt vid tunneln" not in page
    Answer.objects.filter(value="Mörkt vid tunneln!").update(approved=True)
    Answer.objects.filter(value="Hemlig kommentar 8").update(approved=False)
    page = _public(client, world).content.decode()
    assert "Mörkt vid tunneln" in page
    assert "Hemlig kommentar" not in page


def test_public_page_suppresses_small_groups(client, world):
    page = _public(client, world).content.decode()
    # "vakter" was ticked by 2 of 10 respondents: its share must not be shown.
    assert "Fler vakter" in page
    assert "20 %" not in page
    assert FEWER.search(page)
    assert "60 %" in page  # belysning 6 of 10 is shown
    # The small area as a whole: 3 answers → nothing but "fewer than 5 answers".
    small = _public(client, world, area="liten").content.decode()
    assert "Lilla byn" in small
    assert not re.search(r" (av|in) 10", small)
    assert "%" not in small.split("<main")[1].split("</main>")[0].replace("100%", "")


def test_public_page_in_english(client, world):
    page = _public(client, world, lang="en").content.decode()
    assert 'lang="en"' in page
    assert "Many feel unsafe at night." in page
    assert "How safe do you feel after dark?" in page
    assert "Better lighting" in page


def test_public_unknown_area_is_404(client, world):
    assert _public(client, world, area="nowhere").status_code == 404


def _pdf_text(content: bytes, tmp_path) -> str:
    path = tmp_path / "f.pdf"
    path.write_bytes(content)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def test_feedback_pdf(client, world, tmp_path):
    Answer.objects.filter(value="Mörkt vid tunneln!").update(approved=True)
    response = client.get(reverse("public:feedback_pdf", args=[world["q"].slug]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = _pdf_text(response.content, tmp_path)
    assert "tunneln efter mörkrets inbrott" in text
    assert re.search(r"7 (av|in) 10", text)
    assert "Ny belysning i tunneln" in text
    assert "Mörkt vid tunneln" in text
    assert "Hemlig kommentar" not in text
    assert "20 %" not in text  # the suppressed option
    assert FEWER.search(text)


def test_feedback_pdf_small_area_has_no_numbers(client, world, tmp_path):
    response = client.get(reverse("public:feedback_pdf", args=[world["q"].slug]), {"area": "liten"})
    text = _pdf_text(response.content, tmp_path)
    assert "Lilla byn" in text
    assert "%" not in text
    assert "Lilla byns kommentar" not in text


def test_coordinator_edits_and_publishes(client, world):
    Feedback.objects.all().delete()
    q = world["q"]
    url = reverse("walks:feedback_edit", args=[q.pk])
    client.force_login(UserFactory(role="analyst"))
    assert client.get(url).status_code == 403
    coordinator = UserFactory(role="coordinator")
    client.force_login(coordinator)
    assert client.get(url).status_code == 200
    response = client.post(url, {"summary_sv": "Sammanfattning", "summary_en": "", "do": "save",
                                 "actions": [world["action"].pk]})
    assert response.status_code == 302
    fb = Feedback.objects.get(questionnaire=q, area=None)
    assert fb.published_at is None and list(fb.actions.all()) == [world["action"]]
    client.logout()
    assert _public(client, world).status_code == 404
    client.force_login(coordinator)
    client.post(url, {"summary_sv": "Sammanfattning", "do": "publish", "actions": [world["action"].pk]})
    fb.refresh_from_db()
    assert fb.published_at is not None and fb.published_by == coordinator
    client.logout()
    assert "Sammanfattning" in _public(client, world).content.decode()
    client.force_login(coordinator)
    client.post(url, {"summary_sv": "Sammanfattning", "do": "unpublish"})
    client.logout()
    assert _public(client, world).status_code == 404


def test_feedback_edit_bad_input(client, world):
    client.force_login(UserFactory(role="coordinator"))
    url = reverse("walks:feedback_edit", args=[world["q"].pk])
    response = client.post(url, {"summary_sv": "x" * 6000, "actions": ["999999"], "do": "publish"},
                           HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'aria-describedby="summary_sv-error"' in page
    assert 'id="actions-error"' in page
    world["fb"].refresh_from_db()
    assert world["fb"].summary_sv == SUMMARY
    assert client.get(url, {"area": "nowhere"}).status_code == 404


def test_per_area_feedback(client, world):
    client.force_login(UserFactory(role="coordinator"))
    url = reverse("walks:feedback_edit", args=[world["q"].pk]) + f"?area={world['area'].code}"
    client.post(url, {"summary_sv": "Centrums egen text", "do": "publish"})
    fb = Feedback.objects.get(questionnaire=world["q"], area=world["area"])
    assert fb.published_at is not None
    client.logout()
    page = _public(client, world, area=world["area"].code).content.decode()
    assert "Centrums egen text" in page
    assert SUMMARY in _public(client, world).content.decode()
