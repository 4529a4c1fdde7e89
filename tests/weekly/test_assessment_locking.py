"""Two coordinators writing the week's assessment at once: the second save is refused, nothing is overwritten,
and the week page shows the refused text with who saved in between."""

import pytest
from django.test import Client
from django.urls import reverse

from samtrygg.core import locking
from samtrygg.weekly import meeting
from samtrygg.weekly.models import WeeklyPicture
from samtrygg.weekly.weeks import IsoWeek
from tests.factories import UserFactory
from tests.formdata import form_fields

pytestmark = pytest.mark.django_db
PAST = IsoWeek(2025, 47)


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _assessment_form(c: Client) -> dict:
    page = c.get(reverse("weekly:week", args=[str(PAST)]))
    assert page.status_code == 200
    return form_fields(page.content, action=reverse("weekly:assessment", args=[str(PAST)]))


@pytest.mark.parametrize("written_before", [False, True], ids=["first-assessment", "existing-assessment"])
def test_the_second_coordinator_is_told_and_keeps_the_text(coordinator, org, written_before):
    if written_before:
        meeting.save_assessment(coordinator, PAST, None, "Lugn vecka.", "")
    eva = UserFactory(username="eva", first_name="Eva", last_name="Lind", organization=org, role="coordinator")
    a, b = _client(eva), _client(coordinator)
    form_a, form_b = _assessment_form(a), _assessment_form(b)
    assert form_a["version"] == ("1" if written_before else "0")
    url = reverse("weekly:assessment", args=[str(PAST)])
    form_a["what_we_see"] = "Mer klotter i centrum."
    assert a.post(url, form_a).status_code == 302
    form_b["what_it_means"] = "Troligen samma grupp som förra veckan."
    response = b.post(url, form_b)
    assert response.status_code == 302
    picture = WeeklyPicture.objects.get()
    assert (picture.what_we_see, picture.what_it_means) == ("Mer klotter i centrum.", "")

    page = b.get(response["Location"]).content.decode()
    assert "Someone else saved changes while you were editing" in page and "Eva Lind" in page
    again = form_fields(page, action=url)
    assert again["what_it_means"] == "Troligen samma grupp som förra veckan."  # B's text is kept
    assert again["what_we_see"] == ("Lugn vecka." if written_before else "")
    assert again["version"] == str(picture.version)
    # The conflict message is shown once; reloading shows the stored texts again.
    assert "Someone else saved" not in b.get(response["Location"]).content.decode()
    again["what_we_see"] = "Mer klotter i centrum."
    assert b.post(url, again).status_code == 302
    picture.refresh_from_db()
    assert (picture.what_we_see, picture.what_it_means) == ("Mer klotter i centrum.",
                                                            "Troligen samma grupp som förra veckan.")


def test_service_refuses_a_stale_version(coordinator):
    meeting.save_assessment(coordinator, PAST, None, "A", "", version=0)
    meeting.save_assessment(coordinator, PAST, None, "B", "", version=1)
    with pytest.raises(locking.EditConflict):
        meeting.save_assessment(coordinator, PAST, None, "C", "", version=1)
    with pytest.raises(locking.EditConflict):
        meeting.save_assessment(coordinator, PAST, None, "D", "", version=0)
    assert WeeklyPicture.objects.get().what_we_see == "B"
