"""Webhooks: who hears about what, the signature (checked with the reference library and with the README's
own snippet), delivery to a local receiver, back-off and giving up, one winner per claim, the kick after
commit, and the cron command."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from samtrygg.categories.models import Category, Sensitivity
from samtrygg.imports import importer
from samtrygg.imports.services import check_file
from samtrygg.webhooks import delivery
from samtrygg.webhooks.models import Attempt, Delivery, Endpoint
from samtrygg.weekly import meeting, notifications
from samtrygg.weekly.weeks import IsoWeek
from tests.factories import CENTRE_X, CENTRE_Y, AreaFactory, UserFactory, make_report, square
from tests.weekly.test_notifications import row

README = Path(__file__).resolve().parents[2] / "README.md"


@pytest.fixture
def hooks_world(db, org, police_org):
    north = AreaFactory(code="norr", name="Norr", geometry=square(CENTRE_X, CENTRE_Y + 600, 400))
    north_park = AreaFactory(code="norr-park", name="Norra parken", kind="other",
                             geometry=square(CENTRE_X, CENTRE_Y + 600, 100))
    north_park.parent = north
    north_park.save()
    south = AreaFactory(code="soder", name="Söder", geometry=square(CENTRE_X, CENTRE_Y - 600, 400))
    secret = Category.objects.create(code="polis_obs", name="Polisens iakttagelse", sensitivity=Sensitivity.SENSITIVE)
    return {"north": north, "north_park": north_park, "south": south, "secret": secret, "org": org,
            "police": police_org,
            "reporter": UserFactory(username="rep", organization=org),
            "police_reporter": UserFactory(username="prep", organization=police_org)}


def endpoint(org, url="https://hooks.example.se/in", *, areas=(), categories=(), **flags) -> Endpoint:
    e = Endpoint.objects.create(organization=org, name=f"Hook {Endpoint.objects.count() + 1}", url=url, **flags)
    e.areas.set(areas)
    e.categories.set(categories)
    return e


def payloads(e: Endpoint) -> list[dict]:
    return [json.loads(d.payload) for d in e.deliveries.order_by("id")]


def reported_ids(e: Endpoint) -> list[int]:
    return [r["id"] for p in payloads(e) if p["type"] == "report.created" for r in p["data"]["reports"]]


# ---- pure parts ----------------------------------------------------------------------------------------

def test_backoff_doubles_from_a_minute_up_to_six_hours():
    assert [delivery.backoff(n) for n in range(1, 11)] == [60, 120, 240, 480, 960, 1920, 3840, 7680, 15360, 21600]
    assert delivery.retry_after("120") == 120 and delivery.retry_after("999999") == 21600
    assert delivery.retry_after("Wed, 21 Oct 2015 07:28:00 GMT") is None and delivery.retry_after(None) is None


@pytest.mark.parametrize("url", ["http://127.0.0.1/x", "http://10.1.2.3/x", "http://169.254.169.254/latest",
                                 "http://[::1]/x", "http://localhost:8000/x", "http://0.0.0.0/", "ftp://x.se/f",
                                 "https:///nohost"])
def test_internal_and_odd_addresses_are_refused(settings, url):
    settings.SAMTRYGG_WEBHOOK_ALLOW_PRIVATE = False
    with pytest.raises(delivery.AddressRefused):
        delivery.check_address(url)


def test_public_addresses_and_allowed_private_ones_pass(settings):
    settings.SAMTRYGG_WEBHOOK_ALLOW_PRIVATE = False
    delivery.check_address("https://93.184.216.34/hook")
    delivery.check_address("https://hooks.example.se/in", resolve=False)
    settings.SAMTRYGG_WEBHOOK_ALLOW_PRIVATE = True
    delivery.check_address("http://127.0.0.1:9/x")


def _readme_verify():
    """The verification function exactly as README.md shows it to receivers."""
    text = README.read_text(encoding="utf-8")
    block = re.search(r"<!-- webhook-verify -->\s*```python\n(.*?)```", text, re.S)
    assert block, "README.md has no verification snippet after <!-- webhook-verify -->"
    namespace: dict = {}
    exec(block.group(1), namespace)  # noqa: S102 - our own documentation, run to prove it works
    return namespace["verify"]


def test_signature_verifies_with_the_library_and_the_readme_snippet():
    secret = "whsec_" + "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    body = json.dumps({"type": "ping", "data": {"å": "ö"}}, ensure_ascii=False).encode()
    now = timezone.now()
    headers = delivery.sign(secret, "msg_1", now, body)
    assert headers["webhook-timestamp"] == str(int(now.timestamp()))
    assert Webhook(secret).verify(body, headers) == {"type": "ping", "data": {"å": "ö"}}
    verify = _readme_verify()
    assert verify(secret, headers, body) is True
    assert verify(secret, headers, body + b" ") is False
    assert verify("whsec_" + "A" * 32, headers, body) is False
    old = delivery.sign(secret, "msg_1", now - timedelta(minutes=10), body)
    assert verify(secret, old, body) is False


# ---- who hears what ------------------------------------------------------------------------------------

def test_report_created_respects_areas_categories_and_sensitivity(hooks_world):
    w = hooks_world
    everything = endpoint(w["org"])
    north_only = endpoint(w["org"], areas=[w["north"]])
    fires_only = endpoint(w["org"], categories=[Category.objects.get(code="brand")])
    police = endpoint(w["police"])
    signals_only = endpoint(w["org"], on_report_created=False, on_signal_fired=True)
    inactive = endpoint(w["org"], is_active=False)
    in_park = make_report(w["reporter"], y=CENTRE_Y + 600)  # in Norr and in the park nested in it
    south_fire = make_report(w["reporter"], category_code="brand", y=CENTRE_Y - 600)
    police_secret = make_report(w["police_reporter"], category_code="polis_obs", y=CENTRE_Y + 600)
    own_secret = make_report(w["reporter"], category_code="polis_obs", y=CENTRE_Y - 600)
    assert reported_ids(everything) == [in_park.pk, south_fire.pk, own_secret.pk]
    assert reported_ids(north_only) == [in_park.pk]
    assert reported_ids(fires_only) == [south_fire.pk]
    assert reported_ids(police) == [in_park.pk, south_fire.pk, police_secret.pk, own_secret.pk]
    assert not signals_only.deliveries.exists() and not inactive.deliveries.exists()
    report = payloads(everything)[0]["data"]["reports"][0]
    assert report["category"] == {"code": "klotter", "name": "Klotter", "sensitive": False}
    assert set(report["areas"]) == {"norr", "norr-park"} and report["organization"] == "kommunen"
    assert report["url"].endswith(f"/reports/{in_park.pk}/") and report["source"] == "web"


def test_area_filter_includes_nested_areas(hooks_world):
    w = hooks_world
    parent = AreaFactory(code="stad", name="Staden", kind="municipality", geometry=square(CENTRE_X, CENTRE_Y, 2000))
    w["south"].parent = parent
    w["south"].save()
    e = endpoint(w["org"], areas=[parent])
    south = make_report(w["reporter"], y=CENTRE_Y - 600)
    assert reported_ids(e) == [south.pk]


def test_rolled_back_report_sends_nothing(hooks_world):
    from django.db import transaction

    e = endpoint(hooks_world["org"])
    with pytest.raises(RuntimeError), transaction.atomic():
        make_report(hooks_world["reporter"])
        raise RuntimeError("rolled back")
    assert not e.deliveries.exists()


def test_a_file_import_is_sent_in_batches(hooks_world):
    w = hooks_world
    e = endpoint(w["org"], areas=[w["north"]])
    lines = ["external_id,occurred_at,category,x,y"]
    lines += [f"n{i},2026-03-01T12:00:00,klotter,{CENTRE_X},{CENTRE_Y + 600}" for i in range(150)]
    lines += [f"s{i},2026-03-01T12:00:00,klotter,{CENTRE_X},{CENTRE_Y - 600}" for i in range(5)]
    data = "\n".join(lines).encode("utf-8")
    importer.import_validated(check_file(data, "rows.csv", organization=w["org"]), actor=w["reporter"])
    sizes = [len(p["data"]["reports"]) for p in payloads(e)]
    assert sizes == [100, 50]
    assert all(r["source"] == "import" and r["external_id"].startswith("n")
               for p in payloads(e) for r in p["data"]["reports"])
    importer.import_validated(check_file(data, "rows.csv", organization=w["org"]), actor=w["reporter"])
    assert e.deliveries.count() == 2  # a re-import updates, it creates nothing new


def test_signals_each_once_and_sensitive_only_to_those_who_may_see(hooks_world):
    w = hooks_world
    week = IsoWeek(2025, 47)
    klotter, secret = Category.objects.get(code="klotter"), w["secret"]
    org_hook = endpoint(w["org"], on_report_created=False, on_signal_fired=True)
    police_hook = endpoint(w["police"], on_report_created=False, on_signal_fired=True)
    south_hook = endpoint(w["org"], on_report_created=False, on_signal_fired=True, areas=[w["south"]])
    rows = [row(w["north"], klotter, week=week), row(w["north"], secret, week=week),
            row(w["south"], klotter, week=week, status="normal")]
    notifications.notify_signals(week, rows=rows)
    assert [p["data"]["signal"]["category"]["code"] for p in payloads(org_hook)] == ["klotter"]
    assert sorted(p["data"]["signal"]["category"]["code"] for p in payloads(police_hook)) == ["klotter", "polis_obs"]
    assert not south_hook.deliveries.exists()  # the south row is no alarm
    signal = payloads(org_hook)[0]["data"]["signal"]
    assert signal["week"] == "2025-W47" and signal["area"]["code"] == "norr" and signal["count"] == 14
    notifications.notify_signals(week, rows=rows)  # cron runs again: nothing new
    assert org_hook.deliveries.count() == 1 and police_hook.deliveries.count() == 2


def test_weekly_picture_publication(hooks_world, coordinator):
    w = hooks_world
    week = IsoWeek.last_complete()
    every = endpoint(w["org"], on_report_created=False, on_picture_published=True)
    north = endpoint(w["org"], on_report_created=False, on_picture_published=True, areas=[w["north"]])
    south = endpoint(w["org"], on_report_created=False, on_picture_published=True, areas=[w["south"]])
    meeting.save_assessment(coordinator, week, w["north_park"], "Lugnt", "")
    meeting.publish(coordinator, week, w["north_park"])
    assert every.deliveries.count() == 1 and north.deliveries.count() == 1 and not south.deliveries.exists()
    picture = payloads(every)[0]["data"]["picture"]
    assert picture["week"] == str(week) and picture["area"] == "norr-park" and picture["updated"] is False
    assert picture["what_we_see"] == "Lugnt"
    meeting.publish(coordinator, week, w["north_park"])  # unchanged: not published again, nothing sent
    assert every.deliveries.count() == 1
    meeting.save_assessment(coordinator, week, w["north_park"], "Lugnt, men klotter", "")
    meeting.publish(coordinator, week, w["north_park"])
    assert [p["data"]["picture"]["updated"] for p in payloads(every)] == [False, True]
    meeting.save_assessment(coordinator, week, None, "Hela kommunen", "")
    meeting.publish(coordinator, week, None)
    assert south.deliveries.count() == 1  # a municipality-wide picture goes to every subscriber


# ---- sending -------------------------------------------------------------------------------------------

def test_delivery_to_a_receiver_signed_and_logged(hooks_world, receiver):
    e = endpoint(hooks_world["org"], receiver.url)
    report = make_report(hooks_world["reporter"])
    run = delivery.deliver_due()
    assert (run.delivered, run.retrying, run.gave_up) == (1, 0, 0)
    got = receiver.received[0]
    d = e.deliveries.get()
    assert got["body"] == d.payload.encode("utf-8")
    assert got["headers"]["webhook-id"] == d.message_id and got["headers"]["samtrygg-event"] == "report.created"
    assert Webhook(e.secret).verify(got["body"], got["headers"])["data"]["reports"][0]["id"] == report.pk
    assert _readme_verify()(e.secret, got["headers"], got["body"])
    assert d.status == Delivery.Status.SUCCEEDED and d.attempts == 1 and d.last_status_code == 200
    attempt = d.attempt_log.get()
    assert attempt.status_code == 200 and attempt.response_excerpt == "ok"
    assert delivery.deliver_due().delivered == 0  # nothing is sent twice


def test_failures_back_off_then_give_up(hooks_world, receiver):
    e = endpoint(hooks_world["org"], receiver.url)
    make_report(hooks_world["reporter"])
    d = e.deliveries.get()
    start = timezone.now()
    receiver.answer(500)
    delivery.deliver_due(now=start)
    d.refresh_from_db()
    assert d.status == Delivery.Status.PENDING and d.attempts == 1 and d.last_status_code == 500
    assert timedelta(seconds=55) <= d.next_attempt_at - start <= timedelta(seconds=70)
    assert delivery.deliver_due(now=start + timedelta(seconds=30)).retrying == 0  # not due yet
    receiver.answer(503, **{"Retry-After": "900"})
    delivery.deliver_due(now=d.next_attempt_at + timedelta(seconds=1))
    d.refresh_from_db()
    assert d.attempts == 2 and d.next_attempt_at - timezone.now() > timedelta(seconds=850)  # honours Retry-After
    for _ in range(delivery.MAX_ATTEMPTS - 2):
        receiver.answer(500)
        delivery.deliver_due(now=d.next_attempt_at + timedelta(seconds=1))
        d.refresh_from_db()
    assert d.status == Delivery.Status.FAILED and d.attempts == delivery.MAX_ATTEMPTS and d.next_attempt_at is None
    assert Attempt.objects.filter(delivery=d).count() == delivery.MAX_ATTEMPTS
    assert len(receiver.received) == delivery.MAX_ATTEMPTS
    delivery.retry_now(d)
    assert delivery.deliver_due().delivered == 1


def test_only_the_start_of_a_huge_answer_is_read(hooks_world, receiver):
    e = endpoint(hooks_world["org"], receiver.url)
    make_report(hooks_world["reporter"])
    receiver.answer(200, b"x" * 5_000_000)
    assert delivery.deliver_due().delivered == 1
    attempt = e.deliveries.get().attempt_log.get()
    assert attempt.response_excerpt == "x" * delivery.EXCERPT


def test_redirects_are_not_followed_and_dead_hosts_are_errors(hooks_world, receiver):
    e = endpoint(hooks_world["org"], receiver.url)
    make_report(hooks_world["reporter"])
    receiver.answer(302, Location="http://127.0.0.1:9/elsewhere")
    delivery.deliver_due()
    d = e.deliveries.get()
    assert d.last_status_code == 302 and d.status == Delivery.Status.PENDING and len(receiver.received) == 1
    Endpoint.objects.filter(pk=e.pk).update(url="http://127.0.0.1:9/closed")  # nothing listens on port 9
    delivery.deliver_due(now=d.next_attempt_at + timedelta(seconds=1))
    d.refresh_from_db()
    assert d.attempts == 2 and d.last_status_code is None and "ConnectionError" in d.last_error


def test_internal_address_refused_at_delivery(hooks_world, receiver, settings):
    e = endpoint(hooks_world["org"], receiver.url)
    make_report(hooks_world["reporter"])
    settings.SAMTRYGG_WEBHOOK_ALLOW_PRIVATE = False
    delivery.deliver_due()
    d = e.deliveries.get()
    assert "internal address" in d.last_error and not receiver.received


def test_only_one_process_wins_a_claim(hooks_world):
    e = endpoint(hooks_world["org"])
    make_report(hooks_world["reporter"])
    now = timezone.now()
    with CaptureQueriesContext(connection) as queries:
        first = delivery.claim(now)
    # The claim is a plain conditional UPDATE of the row: with a subquery or join, PostgreSQL would re-check
    # a racing second claim against the old snapshot and let it win too.
    updates = [q["sql"] for q in queries.captured_queries if q["sql"].lstrip().upper().startswith("UPDATE")]
    assert len(updates) == 1 and "SELECT" not in updates[0].upper() and "JOIN" not in updates[0].upper()
    second = delivery.claim(now)
    assert first == [e.deliveries.get().pk] and second == []
    assert delivery.claim(now + delivery.LOCK + timedelta(seconds=1)) == first  # a dead sender's lock runs out


def test_inactive_endpoints_keep_their_deliveries(hooks_world, receiver):
    e = endpoint(hooks_world["org"], receiver.url)
    make_report(hooks_world["reporter"])
    Endpoint.objects.filter(pk=e.pk).update(is_active=False)
    assert delivery.deliver_due().delivered == 0
    Endpoint.objects.filter(pk=e.pk).update(is_active=True)
    assert delivery.deliver_due().delivered == 1


def test_kick_right_after_commit_inline(hooks_world, receiver, settings, django_capture_on_commit_callbacks):
    settings.SAMTRYGG_WEBHOOK_IMMEDIATE = "inline"
    e = endpoint(hooks_world["org"], receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        make_report(hooks_world["reporter"])
    assert e.deliveries.get().status == Delivery.Status.SUCCEEDED and len(receiver.received) == 1


@pytest.mark.django_db(transaction=True)
def test_kick_in_a_thread_after_a_real_commit(receiver, settings):
    from tests.factories import OrganizationFactory

    settings.SAMTRYGG_WEBHOOK_IMMEDIATE = "thread"
    org = OrganizationFactory(code="kommunen", name="Kommunen")
    AreaFactory(code="centrum", name="Centrum")
    e = endpoint(org, receiver.url)
    make_report(UserFactory(username="r", organization=org))
    assert len(receiver.wait_for(1)) == 1
    assert json.loads(receiver.received[0]["body"])["type"] == "report.created"
    d = e.deliveries.get()
    for _ in range(100):  # the thread records the attempt just after the receiver answered
        d.refresh_from_db()
        if d.status == Delivery.Status.SUCCEEDED:
            break
        import time

        time.sleep(0.05)
    assert d.status == Delivery.Status.SUCCEEDED


def test_command(hooks_world, receiver):
    e = endpoint(hooks_world["org"], receiver.url)
    make_report(hooks_world["reporter"])
    out = StringIO()
    call_command("deliver_webhooks", stdout=out)
    assert out.getvalue().strip() == "1 delivered, 0 failed and will be retried, 0 given up"
    Delivery.objects.filter(endpoint=e).update(created_at=timezone.now() - timedelta(days=100))
    out = StringIO()
    call_command("deliver_webhooks", "--prune-days", "90", stdout=out)
    assert "old log row(s) deleted" in out.getvalue() and not Delivery.objects.exists()
    with pytest.raises(CommandError, match="--limit"):
        call_command("deliver_webhooks", "--limit", "0")
    with pytest.raises(CommandError, match="--prune-days"):
        call_command("deliver_webhooks", "--prune-days", "-1")
