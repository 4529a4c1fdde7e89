"""The database cannot be reached: 503 with a Swedish message and Retry-After (JSON on API paths), never a
traceback, logged once per outage; and the app recovers by itself when the database is back.

In-process tests break the database with a patched session store; the real ones run `samtrygg serve` in a
subprocess against a PostgreSQL reached through a TCP proxy the test switches off and on, and against a SQLite
file whose directory the test moves away and back."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from unittest import mock

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.db import OperationalError, connection
from django.http import HttpResponse
from django.test import Client, RequestFactory, override_settings
from django.urls import path

from samtrygg.core import unavailable
from samtrygg.core.permissions import PUBLIC, RULES, read
from tests.core.tcp_proxy import TcpProxy
from tests.core.test_serve import free_port, samtrygg

SWEDISH = "Samtrygg kommer inte åt sin databas just nu"


@pytest.fixture(autouse=True)
def _fresh_outage():
    unavailable.outage.failed_requests = 0
    yield
    unavailable.outage.failed_requests = 0


def _broken(*args, **kwargs):
    raise OperationalError("connection to server at \"127.0.0.1\", port 5432 failed: Connection refused")


# ---- in the process ----------------------------------------------------------------------------------------

def _client(user) -> Client:
    """A logged-in client that returns Django's response for an exception instead of re-raising it: the
    session is first read in a middleware (the session expiry), where Django turns the error into a response
    through handler500, as it does for a real server."""
    c = Client(raise_request_exception=False)
    c.force_login(user)
    return c


@pytest.mark.django_db
def test_a_request_that_cannot_reach_the_database_answers_503_in_swedish(coordinator, caplog):
    client = _client(coordinator)
    with mock.patch.object(SessionStore, "load", _broken), caplog.at_level(logging.WARNING):
        responses = [client.get("/", HTTP_ACCEPT_LANGUAGE="sv") for _ in range(3)]
    for response in responses:
        assert response.status_code == 503
        assert response["Retry-After"] == "30"
        assert response["Cache-Control"] == "no-store"
        assert "Content-Security-Policy" in response  # still passes through the security headers
        body = response.content.decode()
        assert SWEDISH in body and "Tillfälligt otillgänglig" in body
        assert "Traceback" not in body and "OperationalError" not in body and "5432" not in body
    records = [r for r in caplog.records if r.name == "samtrygg.database"]
    assert len(records) == 1 and records[0].levelno == logging.ERROR  # once per outage, not per request
    assert "Connection refused" in records[0].getMessage()
    assert not [r for r in caplog.records if r.name == "django.request"]  # no traceback per request

    with caplog.at_level(logging.WARNING):
        assert client.get("/").status_code == 200  # back: the same session works again
    recovered = [r for r in caplog.records if r.name == "samtrygg.database"][1:]
    assert len(recovered) == 1 and "after 3 request(s)" in recovered[0].getMessage()


@pytest.mark.django_db
def test_json_for_api_clients(coordinator):
    client = _client(coordinator)
    with mock.patch.object(SessionStore, "load", _broken):
        response = client.get("/", HTTP_ACCEPT="application/json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 503 and response["Content-Type"].startswith("application/json")
    body = json.loads(response.content)
    assert body["error"] == "database_unavailable" and body["retry_after"] == 30
    assert "cannot reach its database" in body["message"]


@pytest.mark.parametrize("path", ["/api/reports/", "/open311/v2/requests.json"])
def test_api_paths_get_json_whatever_they_accept(path):
    request = RequestFactory().get(path, HTTP_ACCEPT="text/html")
    response = unavailable.unavailable_response(request, OperationalError("gone"))
    assert response.status_code == 503 and json.loads(response.content)["status"] == 503


def test_a_bad_query_is_not_mistaken_for_an_outage():
    from django.db import IntegrityError, ProgrammingError

    assert unavailable.is_unavailable(OperationalError("could not connect"))
    assert not unavailable.is_unavailable(IntegrityError("duplicate key"))
    assert not unavailable.is_unavailable(ProgrammingError("syntax error"))
    assert not unavailable.is_unavailable(ZeroDivisionError())


def _writes_session(request):
    request.session["seen"] = True
    return HttpResponse("ok")


urlpatterns = [path("writes-session/", _writes_session, name="writes_session")]


@pytest.fixture
def open_test_view(monkeypatch):
    """The permission table refuses views it does not list: let everyone open this test's own view."""
    monkeypatch.setitem(RULES, "writes_session", read(PUBLIC))
handler500 = "samtrygg.core.unavailable.server_error"


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__)
def test_an_outage_noticed_after_the_view_saving_the_session_is_a_503_too(open_test_view):
    """The session is saved by SessionMiddleware after the view; Django turns that error into a 500 inside the
    middleware layer, where handler500 makes it a 503."""
    client = Client(raise_request_exception=False)
    with mock.patch.object(SessionStore, "save", _broken), mock.patch.object(SessionStore, "create", _broken):
        response = client.get("/writes-session/", HTTP_ACCEPT_LANGUAGE="sv")
    assert response.status_code == 503 and response["Retry-After"] == "30"
    assert SWEDISH in response.content.decode()


@override_settings(ROOT_URLCONF=__name__)
def test_other_server_errors_stay_500(db, open_test_view):
    client = Client(raise_request_exception=False)
    with mock.patch.object(SessionStore, "save", side_effect=ZeroDivisionError):
        response = client.get("/writes-session/")
    assert response.status_code == 500


def test_the_503_page_needs_no_database():
    """Rendered with the database blocked entirely (no db fixture: pytest-django refuses every query), so no
    session, user or context processor touches it."""
    request = RequestFactory().get("/reports/", HTTP_ACCEPT_LANGUAGE="sv")
    response = unavailable.unavailable_response(request, OperationalError("gone"))  # no db fixture: DB blocked
    assert response.status_code == 503 and b"<h1>" in response.content


# ---- a real server, a real outage --------------------------------------------------------------------------

def _get(url: str, accept: str = "text/html") -> tuple[int, dict, str]:
    request = urllib.request.Request(url, headers={"Accept": accept, "Accept-Language": "sv"})
    try:
        with urllib.request.urlopen(request, timeout=15) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read().decode()


class Server:
    def __init__(self, tmp_path: Path, database_url: str):
        self.env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DJANGO_SETTINGS_MODULE")}
        self.env.update(DATABASE_URL=database_url, DEBUG="0", MEDIA_ROOT=str(tmp_path / "media"))
        self.tmp_path, self.port = tmp_path, free_port()
        self.log = tmp_path / "server.log"

    def __enter__(self):
        self.log_file = self.log.open("w")
        self.process = subprocess.Popen(samtrygg("serve", "--port", str(self.port), "--threads", "2"),
                                        cwd=self.tmp_path, env=self.env, stdout=self.log_file,
                                        stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while True:
            try:
                self.get("/login/")
                return self
            except (urllib.error.URLError, ConnectionError):
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise
                time.sleep(0.2)

    def __exit__(self, *exc):
        self.process.terminate()
        self.process.wait(timeout=10)
        self.log_file.close()

    def get(self, path: str, accept: str = "text/html"):
        return _get(f"http://127.0.0.1:{self.port}{path}", accept)

    def output(self) -> str:
        self.log_file.flush()
        return self.log.read_text()


def _outage_and_recovery(server: Server, break_db, mend_db) -> None:
    # A page that reads the database: an unknown questionnaire is a 404 only after asking the database.
    assert server.get("/svara/finns-inte/")[0] == 404
    assert server.get("/svara/finns-inte/")[0] == 404  # a persistent connection is open now (PostgreSQL)
    break_db()
    for _ in range(3):
        status, headers, body = server.get("/svara/finns-inte/")
        assert status == 503 and headers["Retry-After"] == "30"
        assert SWEDISH in body and "Traceback" not in body
    status, headers, body = server.get("/svara/finns-inte/", accept="application/json")
    assert status == 503 and json.loads(body)["error"] == "database_unavailable"
    mend_db()
    # Recovers by itself: the very first request after the database is back is answered normally.
    assert server.get("/svara/finns-inte/")[0] == 404
    assert server.get("/svara/finns-inte/")[0] == 404
    out = server.output()
    assert out.count("Database unreachable") == 1, out
    assert out.count("Database reachable again after 4 request(s)") == 1, out
    assert "Traceback" not in out, out


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL behind a TCP proxy (SQLite: below)")
def test_served_app_survives_postgresql_going_away_and_coming_back(tmp_path):
    db = connection.settings_dict
    proxy = TcpProxy(db["HOST"] or "127.0.0.1", int(db["PORT"] or 5432)).start()
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    url = f"postgres://{auth}@127.0.0.1:{proxy.port}/{db['NAME']}"
    try:
        with Server(tmp_path, url) as server:
            _outage_and_recovery(server, proxy.stop, proxy.start)
    finally:
        proxy.stop()


@pytest.mark.skipif(connection.vendor != "sqlite", reason="uses its own SQLite file: run once, in the SQLite half")
def test_served_app_survives_the_sqlite_file_disappearing(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    url = f"sqlite:///{data / 'samtrygg.sqlite3'}"
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DJANGO_SETTINGS_MODULE")}
    env["DATABASE_URL"] = url
    subprocess.run(samtrygg("migrate", "-v0"), cwd=tmp_path, env=env, check=True, timeout=180)
    away = tmp_path / "moved-away"
    with Server(tmp_path, url) as server:
        _outage_and_recovery(server, lambda: data.rename(away), lambda: away.rename(data))
