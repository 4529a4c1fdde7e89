"""`notify-signals`: one e-mail per subscriber, each signal once, filtered by subscription and sensitivity."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from samtrygg.categories.models import Category, Sensitivity
from samtrygg.weekly import notifications, signal_service
from samtrygg.weekly.models import SignalNotice, Subscription
from samtrygg.weekly.signal_service import Ref, SignalRow
from samtrygg.weekly.weeks import IsoWeek
from tests.factories import AreaFactory, UserFactory

pytestmark = pytest.mark.django_db
WEEK = IsoWeek(2025, 47)


@pytest.fixture(autouse=True)
def _english_and_base_url(settings):
    settings.LANGUAGE_CODE = "en"
    settings.SAMTRYGG_BASE_URL = "https://samtrygg.example.se"


@pytest.fixture
def world(db, org, police_org):
    centrum = AreaFactory(code="centrum", name="Centrum")
    norr = AreaFactory(code="norr", name="Norr")
    klotter = Category.objects.get(code="klotter")
    brand = Category.objects.get(code="brand")
    secret = Category.objects.create(code="polis_obs", name="Polisens iakttagelse", sensitivity=Sensitivity.SENSITIVE)
    return {"centrum": centrum, "norr": norr, "klotter": klotter, "brand": brand, "secret": secret,
            "org": org, "police": police_org}


def row(area, category, *, status="alarm", count=14, week=WEEK, score=3.0):
    return SignalRow(week=week, area=Ref(area.pk, area.code, area.name),
                     category=Ref(category.pk, category.code, category.name), count=count, expected=4.1,
                     threshold=9, score=score, status=status, method="seasonal", trigger="week",
                     explanation=f"{category.name} in {area.name}: {count}, expected 4.1, threshold 9")


def subscribe(username, org, *, areas=(), categories=(), role="viewer", email=None, on_signal=True):
    user = UserFactory(username=username, organization=org, role=role,
                       email=f"{username}@example.se" if email is None else email)
    sub = Subscription.objects.create(user=user, on_signal=on_signal, on_publish=False)
    sub.areas.set(areas)
    sub.categories.set(categories)
    return user


@pytest.fixture
def rows(world, monkeypatch):
    result = [
        row(world["centrum"], world["klotter"], score=5),
        row(world["norr"], world["brand"], score=4),
        row(world["centrum"], world["secret"], score=3),
        row(world["norr"], world["klotter"], status="normal", count=3),
        row(world["centrum"], world["brand"], status="few_cases", count=2),
    ]
    calls = []

    def fake(first, last, areas=None, categories=None):
        calls.append((first, last))
        return result

    monkeypatch.setattr(signal_service, "signals_for_weeks", fake)
    return calls


def test_each_subscriber_gets_one_mail_with_their_signals(world, rows, mailoutbox):
    everything = subscribe("allt", world["org"])
    centrum = subscribe("centrum", world["org"], areas=[world["centrum"]])
    fires = subscribe("brand", world["org"], categories=[world["brand"]])
    subscribe("ingen", world["org"], on_signal=False)

    run = notifications.notify_signals(WEEK)
    assert rows == [(WEEK, WEEK)]
    assert run.signals == 3 and run.users == 3 and run.notices == 2 + 1 + 1
    by_user = {m.to[0]: m for m in mailoutbox}
    assert set(by_user) == {everything.email, centrum.email, fires.email}
    mail = by_user[everything.email]
    assert mail.subject == "2 signals in week 47"
    assert "Klotter in Centrum: 14" in mail.body and "Brand in Norr: 14" in mail.body
    assert mail.body.index("Klotter in Centrum") < mail.body.index("Brand in Norr")  # strongest first
    assert "https://samtrygg.example.se/weekly/2025-W47/?area=centrum" in mail.body
    assert "Polisens" not in mail.body  # sensitive: a viewer of a normal organisation never hears of it
    assert by_user[centrum.email].subject == "1 signal in week 47"
    assert "Norr" not in by_user[centrum.email].body
    assert "Brand in Norr" in by_user[fires.email].body and "Klotter" not in by_user[fires.email].body
    assert "Brand in Centrum" not in "".join(m.body for m in mailoutbox)  # few_cases is not a signal
    assert SignalNotice.objects.count() == 4


def test_sent_once(world, rows, mailoutbox):
    subscribe("allt", world["org"])
    notifications.notify_signals(WEEK)
    run = notifications.notify_signals(WEEK)
    assert len(mailoutbox) == 1
    assert run.users == 0 and run.already_sent == 2


def test_a_new_signal_is_sent_later_alone(world, monkeypatch, mailoutbox):
    user = subscribe("allt", world["org"])
    first = [row(world["centrum"], world["klotter"])]
    notifications.notify_signals(WEEK, rows=first)
    notifications.notify_signals(WEEK, rows=first + [row(world["norr"], world["brand"])])
    assert [m.to[0] for m in mailoutbox] == [user.email, user.email]
    assert "Klotter" not in mailoutbox[1].body and "Brand in Norr" in mailoutbox[1].body


def test_sensitive_signal_only_to_those_who_see_sensitive_reports(world, rows, mailoutbox):
    police_analyst = subscribe("polisanalytiker", world["police"], role="analyst")
    police_reporter = subscribe("polisrapportor", world["police"], role="reporter")
    coordinator = subscribe("samordnare", world["org"], role="coordinator")
    notifications.notify_signals(WEEK)
    bodies = {m.to[0]: m.body for m in mailoutbox}
    assert "Polisens iakttagelse in Centrum" in bodies[police_analyst.email]
    assert "Polisens" not in bodies[police_reporter.email]
    assert "Polisens" not in bodies[coordinator.email]


def test_subscribing_to_a_parent_area_includes_nested_areas(world, mailoutbox):
    child = AreaFactory(code="centrum-syd", name="Centrum syd", parent=world["centrum"])
    user = subscribe("centrum", world["org"], areas=[world["centrum"]])
    notifications.notify_signals(WEEK, rows=[row(child, world["klotter"])])
    assert [m.to[0] for m in mailoutbox] == [user.email]


def test_subscriber_without_email_is_reported_and_not_marked(world, rows, mailoutbox):
    subscribe("utan", world["org"], email="")
    run = notifications.notify_signals(WEEK)
    assert run.no_email == ["utan"] and not mailoutbox
    assert not SignalNotice.objects.exists()
    assert "without an e-mail address (utan)" in run.summary()


def test_inactive_users_and_other_weeks_are_ignored(world, mailoutbox):
    user = subscribe("slutat", world["org"])
    user.is_active = False
    user.save()
    active = subscribe("aktiv", world["org"])
    notifications.notify_signals(WEEK, rows=[row(world["centrum"], world["klotter"]),
                                             row(world["norr"], world["brand"], week=WEEK.previous())])
    assert [m.to[0] for m in mailoutbox] == [active.email]
    assert "Brand" not in mailoutbox[0].body


def test_failed_send_is_retried_next_time(world, settings, mailoutbox):
    subscribe("allt", world["org"])
    settings.EMAIL_BACKEND = "tests.weekly.broken_mail.Backend"
    run = notifications.notify_signals(WEEK, rows=[row(world["centrum"], world["klotter"])])
    assert run.failed == 1 and not SignalNotice.objects.exists()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    run = notifications.notify_signals(WEEK, rows=[row(world["centrum"], world["klotter"])])
    assert run.users == 1 and SignalNotice.objects.count() == 1


def test_command_prints_a_summary(world, rows, mailoutbox):
    subscribe("allt", world["org"])
    out = StringIO()
    call_command("notify_signals", "--week", "2025-W47", stdout=out)
    assert out.getvalue().strip() == "2025-W47: 3 signal(s); e-mailed 1 user(s) about 2 signal(s)"
    assert len(mailoutbox) == 1


def test_command_defaults_to_the_last_complete_week(world, rows):
    call_command("notify_signals", stdout=StringIO())
    assert rows == [(IsoWeek.last_complete(), IsoWeek.last_complete())]


@pytest.mark.parametrize(("week", "message"), [("2026-W54", "has no week 54"), ("igår", "not a week"),
                                              ("2999-W01", "has not started")])
def test_command_bad_week(week, message):
    with pytest.raises(CommandError, match=message):
        call_command("notify_signals", "--week", week, stdout=StringIO())


def test_command_exit_status_when_mail_fails(world, rows, settings):
    subscribe("allt", world["org"])
    settings.EMAIL_BACKEND = "tests.weekly.broken_mail.Backend"
    with pytest.raises(CommandError, match="could not be sent"):
        call_command("notify_signals", "--week", "2025-W47", stdout=StringIO())


def test_command_runs_with_the_real_detector(world, mailoutbox):
    """No monkeypatch: the real signal service on an empty database finds nothing and sends nothing."""
    subscribe("allt", world["org"])
    out = StringIO()
    call_command("notify_signals", "--week", "2025-W47", stdout=out)
    assert out.getvalue().startswith("2025-W47: 0 signal(s)")
    assert not mailoutbox


# ---- the subscription page -----------------------------------------------------------------------------

def test_subscription_page_saves_choices_and_email(client, world):
    user = UserFactory(username="ny", organization=world["org"], role="viewer", email="")
    client.force_login(user)
    page = client.get(reverse("weekly:subscription")).content.decode()
    assert "has no e-mail address yet" in page
    assert "Polisens iakttagelse" not in page  # not offered to those who may not get it
    response = client.post(reverse("weekly:subscription"), {
        "email": "ny@example.se", "on_signal": "on", "areas": [world["centrum"].pk],
        "categories": [world["klotter"].pk]})
    assert response.status_code == 302
    sub = Subscription.objects.get(user=user)
    assert sub.on_signal and not sub.on_publish
    assert list(sub.areas.all()) == [world["centrum"]] and list(sub.categories.all()) == [world["klotter"]]
    user.refresh_from_db()
    assert user.email == "ny@example.se"
    response = client.post(reverse("weekly:subscription"), {"email": "ny@example.se", "on_publish": "on"})
    sub.refresh_from_db()
    assert sub.on_publish and not sub.on_signal and not sub.areas.exists()
    assert Subscription.objects.count() == 1


def test_police_analyst_is_offered_sensitive_categories(client, world):
    client.force_login(UserFactory(username="pa", organization=world["police"], role="analyst"))
    assert "Polisens iakttagelse" in client.get(reverse("weekly:subscription")).content.decode()


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"on_signal": "on", "email": ""}, "email", "Give an e-mail address"),
    ({"on_signal": "on", "email": "inte-en-adress"}, "email", "valid email"),
    ({"email": "a@example.se", "areas": ["999999"]}, "areas", "valid choice"),
])
def test_subscription_bad_input(client, world, data, field, message):
    user = UserFactory(username="ny", organization=world["org"], role="viewer", email="")
    client.force_login(user)
    response = client.post(reverse("weekly:subscription"), data)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert not Subscription.objects.exists()
    user.refresh_from_db()
    assert user.email == ""


def test_subscription_needs_login(client):
    response = client.get(reverse("weekly:subscription"))
    assert response.status_code == 302 and "/login/" in response["Location"]


