"""Session expiry: idle timeout and absolute lifetime, with a message on the login page; sessions in the database."""

import time

import pytest
from django.contrib.sessions.models import Session

from samtrygg.accounts.middleware import LAST_SEEN, LOGIN_AT
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _timeouts(settings):
    settings.SAMTRYGG_IDLE_TIMEOUT = 30 * 60
    settings.SESSION_COOKIE_AGE = 8 * 3600


def _logged_in(client, user):
    response = client.post("/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def _age(client, **seconds_ago):
    session = client.session
    now = int(time.time())
    for key, ago in seconds_ago.items():
        session[{"login": LOGIN_AT, "seen": LAST_SEEN}[key]] = now - ago
    session.save()


def test_sessions_live_in_the_database(client, reporter):
    _logged_in(client, reporter)
    stored = Session.objects.get(session_key=client.session.session_key)
    assert stored.get_decoded()["_auth_user_id"] == str(reporter.pk)


def test_idle_session_ends_with_a_message_on_the_login_page(client, reporter):
    _logged_in(client, reporter)
    _age(client, seen=31 * 60)
    response = client.get("/reports/?period=week")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=%2Freports%2F%3Fperiod%3Dweek"
    assert "_auth_user_id" not in client.session
    page = client.get(response["Location"])
    text = page.content.decode()
    assert "30 minuter utan aktivitet" in text or "30 minutes without activity" in text


def test_activity_keeps_the_session(client, reporter):
    _logged_in(client, reporter)
    _age(client, seen=29 * 60)
    assert client.get("/reports/").status_code == 200
    # The request counted as activity: the clock restarted.
    assert int(time.time()) - client.session[LAST_SEEN] < 5
    _age(client, seen=29 * 60)
    assert client.get("/reports/").status_code == 200


def test_last_seen_is_written_at_most_once_a_minute(client, reporter):
    _logged_in(client, reporter)
    _age(client, seen=20)
    before = client.session[LAST_SEEN]
    client.get("/reports/")
    assert client.session[LAST_SEEN] == before


def test_absolute_lifetime_ends_even_an_active_session(client, reporter):
    _logged_in(client, reporter)
    _age(client, login=8 * 3600 + 1, seen=10)
    response = client.get("/reports/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    text = client.get(response["Location"]).content.decode()
    assert "8 timmar" in text or "8 hours" in text


def test_background_requests_get_401_not_a_login_page(client, reporter):
    _logged_in(client, reporter)
    _age(client, seen=31 * 60)
    assert client.get("/reports/map/data/", headers={"Accept": "application/json"}).status_code == 401


def test_keepalive_counts_as_activity(client, reporter):
    _logged_in(client, reporter)
    _age(client, seen=25 * 60)
    assert client.post("/accounts/session/keepalive/").status_code == 204
    assert int(time.time()) - client.session[LAST_SEEN] < 5


def test_idle_timeout_zero_turns_it_off(client, reporter, settings):
    settings.SAMTRYGG_IDLE_TIMEOUT = 0
    _logged_in(client, reporter)
    _age(client, seen=5 * 3600)
    assert client.get("/reports/").status_code == 200
