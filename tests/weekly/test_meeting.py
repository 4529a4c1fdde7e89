"""The weekly meeting's assessment: saving, publishing, re-publishing, the audit log and the e-mails."""

from datetime import timedelta

import pytest
from django.urls import reverse

from samtrygg.audit.models import AuditEntry
from samtrygg.weekly import meeting
from samtrygg.weekly.models import Subscription, WeeklyPicture
from samtrygg.weekly.weeks import IsoWeek
from tests.factories import AreaFactory, UserFactory

pytestmark = pytest.mark.django_db
W47 = IsoWeek(2026, 47)
PAST = IsoWeek(2025, 47)


@pytest.fixture(autouse=True)
def _english_and_base_url(settings):
    settings.LANGUAGE_CODE = "en"
    settings.SAMTRYGG_BASE_URL = "https://samtrygg.example.se"


def _audit():
    return list(AuditEntry.objects.filter(object_type="weekly.weeklypicture").order_by("id"))


def _subscriber(username, org, *, email=None, areas=(), on_publish=True, role="viewer"):
    user = UserFactory(username=username, organization=org, role=role,
                       email=f"{username}@example.se" if email is None else email)
    sub = Subscription.objects.create(user=user, on_publish=on_publish, on_signal=False)
    sub.areas.set(areas)
    return user


def test_no_assessment_is_none(area):
    assert meeting.assessment_for(PAST, None) is None
    assert meeting.assessment_for(PAST, area) is None


def test_save_creates_then_updates_with_audit(coordinator, area):
    picture, changed = meeting.save_assessment(coordinator, PAST, area, " Mer klotter i centrum. ", "Ett gäng?")
    assert changed
    data = meeting.assessment_for(PAST, area)
    assert (data["what_we_see"], data["what_it_means"]) == ("Mer klotter i centrum.", "Ett gäng?")
    assert data["published_at"] is None and data["is_published"] is False
    assert data["area"] == "centrum" and data["week"] == "2025-W47"
    assert meeting.assessment_for(PAST, None) is None  # the municipality's picture is another one
    _, changed = meeting.save_assessment(coordinator, PAST, area, "Mer klotter i centrum.", "Ett gäng?")
    assert not changed
    meeting.save_assessment(coordinator, PAST, area, "Mer klotter i centrum.", "")
    create, update = _audit()
    assert create.action == "create" and create.actor == coordinator
    assert update.changes == {"what_it_means": ["Ett gäng?", ""]}
    assert WeeklyPicture.objects.count() == 1


def test_future_week_is_refused(coordinator):
    future = IsoWeek.last_complete().shift(3)
    with pytest.raises(meeting.MeetingError, match="has not started"):
        meeting.save_assessment(coordinator, future, None, "x", "y")
    with pytest.raises(meeting.MeetingError):
        meeting.publish(coordinator, future, None)
    assert not WeeklyPicture.objects.exists()


def test_publish_then_edit_then_republish(coordinator, org, area, mailoutbox):
    everyone = _subscriber("alla", org)
    only_here = _subscriber("har", org, areas=[area])
    _subscriber("annat", org, areas=[AreaFactory(code="norr", name="Norr")])
    _subscriber("ingen-epost", org, email="")
    _subscriber("vill-inte", org, on_publish=False)
    meeting.save_assessment(coordinator, PAST, area, "Bränder i soprum.", "Troligen samma personer.")

    result = meeting.publish(coordinator, PAST, area)
    assert (result.updated, result.unchanged, result.sent, result.mail_failed) == (False, False, 2, False)
    assert sorted(m.to[0] for m in mailoutbox) == sorted([everyone.email, only_here.email])
    mail = mailoutbox[0]
    assert mail.subject == "Weekly picture week 47, Centrum, published"
    assert "https://samtrygg.example.se/weekly/2025-W47/?area=centrum" in mail.body
    assert "Bränder i soprum." in mail.body
    assert mail.alternatives and "Bränder i soprum." in mail.alternatives[0][0]
    data = meeting.assessment_for(PAST, area)
    assert data["is_published"] and data["published_by"] == coordinator.username
    assert data["changed_after_publish"] is False
    published_at = data["published_at"]

    # Publishing again without a change does nothing.
    again = meeting.publish(coordinator, PAST, area)
    assert again.unchanged and len(mailoutbox) == 2

    # Editing keeps published_at and marks the change.
    meeting.save_assessment(coordinator, PAST, area, "Bränder i soprum, nu även i garage.", "Troligen samma.")
    data = meeting.assessment_for(PAST, area)
    assert data["published_at"] == published_at and data["changed_after_publish"] is True

    result = meeting.publish(coordinator, PAST, area)
    assert result.updated and not result.unchanged and result.sent == 2
    assert mailoutbox[-1].subject == "Weekly picture week 47, Centrum, updated"
    assert "has been updated" in mailoutbox[-1].body
    data = meeting.assessment_for(PAST, area)
    assert data["published_at"] > published_at and data["changed_after_publish"] is False
    publishes = [e for e in _audit() if "published_at" in e.changes]
    assert len(publishes) == 2 and all(e.actor == coordinator for e in publishes)
    assert publishes[1].summary.endswith("republished")


def test_municipality_picture_goes_to_every_publish_subscriber(coordinator, org, area, mailoutbox):
    _subscriber("alla", org)
    _subscriber("har", org, areas=[area])
    result = meeting.publish(coordinator, PAST, None)
    assert result.sent == 2
    assert mailoutbox[0].subject == "Weekly picture week 47 published"
    assert "https://samtrygg.example.se/weekly/2025-W47/\n" in mailoutbox[0].body


def test_area_picture_reaches_subscribers_of_the_parent_area(coordinator, org, area, mailoutbox):
    child = AreaFactory(code="centrum-syd", name="Centrum syd", parent=area)
    parent_sub = _subscriber("forälder", org, areas=[area])
    meeting.publish(coordinator, PAST, child)
    assert [m.to[0] for m in mailoutbox] == [parent_sub.email]


def test_broken_mail_server_does_not_undo_the_publication(coordinator, org, settings):
    settings.EMAIL_BACKEND = "tests.weekly.broken_mail.Backend"
    _subscriber("alla", org)
    result = meeting.publish(coordinator, PAST, None)
    assert result.mail_failed and result.sent == 0
    assert meeting.assessment_for(PAST, None)["is_published"]


# ---- views ------------------------------------------------------------------------------------------------

def test_assessment_view_saves_and_redirects_back(client, coordinator, area):
    client.force_login(coordinator)
    url = reverse("weekly:assessment", args=["2025-W47"])
    response = client.post(url, {"area": "centrum", "what_we_see": "Lugnt.", "what_it_means": ""})
    assert response.status_code == 302
    assert response["Location"] == "/weekly/2025-W47/?area=centrum#assessment"
    assert meeting.assessment_for(PAST, area)["what_we_see"] == "Lugnt."


def test_empty_texts_are_allowed(client, coordinator):
    client.force_login(coordinator)
    response = client.post(reverse("weekly:assessment", args=["2025-W47"]), {})
    assert response.status_code == 302
    assert meeting.assessment_for(PAST, None)["what_we_see"] == ""


def test_personal_data_is_warned_about_but_saved(client, coordinator):
    client.force_login(coordinator)
    response = client.post(reverse("weekly:assessment", args=["2025-W47"]),
                           {"what_we_see": "Ring 070-123 45 67 om bilen ABC 123.", "what_it_means": ""},
                           follow=True)
    text = response.content.decode()
    assert "personal data" in text and "phone" in text.lower()
    assert "070-123 45 67" in meeting.assessment_for(PAST, None)["what_we_see"]


@pytest.mark.parametrize(("week", "data", "message"), [
    ("2026-W54", {}, "2026 has no week 54"),
    ("vecka-47", {}, "is not a week"),
    ("2025-W47", {"area": "finns-inte"}, "no area with the code"),
])
def test_bad_week_or_area_is_404_with_message(client, coordinator, week, data, message):
    client.force_login(coordinator)
    for name in ("weekly:assessment", "weekly:publish"):
        response = client.post(reverse(name, args=[week]), data)
        assert response.status_code == 404
        assert message in response.content.decode()
    assert not WeeklyPicture.objects.exists()


def test_future_week_is_refused_with_message(client, coordinator):
    client.force_login(coordinator)
    future = str(IsoWeek.last_complete().shift(5))
    response = client.post(reverse("weekly:assessment", args=[future]), {"what_we_see": "x"}, follow=True)
    assert "has not started yet" in response.content.decode()
    assert not WeeklyPicture.objects.exists()


def test_publish_view_messages(client, coordinator, org, mailoutbox):
    _subscriber("alla", org)
    client.force_login(coordinator)
    url = reverse("weekly:publish", args=["2025-W47"])
    response = client.post(url, follow=True)
    assert "The weekly picture is published. E-mails sent: 1." in response.content.decode()
    response = client.post(url, follow=True)
    assert "Already published" in response.content.decode()
    assert len(mailoutbox) == 1


@pytest.mark.parametrize("role", ["viewer", "reporter", "analyst"])
def test_only_coordinators_and_admins_write(client, user_factory, role):
    client.force_login(user_factory(role, username=f"x-{role}"))
    for name in ("weekly:assessment", "weekly:publish"):
        assert client.post(reverse(name, args=["2025-W47"]), {"what_we_see": "x"}).status_code == 403
    assert not WeeklyPicture.objects.exists()


def test_get_is_not_allowed(client, coordinator):
    client.force_login(coordinator)
    assert client.get(reverse("weekly:assessment", args=["2025-W47"])).status_code == 405


def test_week_page_shows_assessment_form_to_editors_and_text_to_readers(client, coordinator, user_factory):
    meeting.save_assessment(coordinator, PAST, None, "Mycket klotter vid stationen.", "Nytt gäng.")
    meeting.publish(coordinator, PAST, None)
    client.force_login(coordinator)
    page = client.get(reverse("weekly:week", args=["2025-W47"])).content.decode()
    assert 'action="/weekly/2025-W47/assessment/"' in page and 'action="/weekly/2025-W47/publish/"' in page
    assert "Mycket klotter vid stationen." in page and "Published" in page
    assert "/actions/new/?week=2025-W47" in page
    client.force_login(user_factory("viewer", username="lasare"))
    page = client.get(reverse("weekly:week", args=["2025-W47"])).content.decode()
    assert "/assessment/" not in page and "/actions/new/" not in page
    assert "Mycket klotter vid stationen." in page


def test_week_page_lists_actions(client, coordinator, org):
    from tests.actions.helpers import make_action

    make_action(org, title="Beslutad nu", week=PAST, start=PAST.monday + timedelta(days=7))
    make_action(org, title="Förra veckans", week=PAST.previous(), status="done", follow_up="Klart och bra",
                start=PAST.monday)
    client.force_login(coordinator)
    page = client.get(reverse("weekly:week", args=["2025-W47"])).content.decode()
    assert "Beslutad nu" in page and "Förra veckans" in page and "Klart och bra" in page
