"""Two app servers (`samtrygg serve`, two processes, two ports) against one database, as behind a load balancer:
a login on one is a login on the other, a report saved through one is seen through the other, and with Redis
(REDIS_URL) the cache they share is one: a session written into it by one is read from it by the other.

Both servers also run with DATABASE_REPLICA_URL pointing at the same database, so the replica router and its pin
cookie run in real server processes."""

import os
import socket
import sqlite3
import subprocess
import sys
import time
import uuid

import pytest
import requests
from django.db import connection

from tests.factories import PASSWORD
from tests.formdata import form_fields

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.real_password_hashing]
REDIS_URL = os.environ.get("SAMTRYGG_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def redis_client():
    """A client for the test Redis, or None when none answers (the Redis part is then skipped)."""
    try:
        import redis
    except ImportError:
        return None
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError:
        return None
    return client


def database_url(tmp_path) -> str:
    """The test database as a URL the servers can open: PostgreSQL's test database as it is; SQLite's in-memory
    test database copied to a file (VACUUM INTO), which the test then reads too."""
    s = connection.settings_dict
    if connection.vendor == "postgresql":
        return f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
    path = tmp_path / "shared.sqlite3"
    with connection.cursor() as cursor:
        cursor.execute("VACUUM INTO %s", [str(path)])
    return f"sqlite:///{path}"


def wait_until_up(base: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            requests.get(f"{base}/login/", timeout=2)
            return
        except requests.ConnectionError:
            if server.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"server did not start: {server.stderr.read() if server.stderr else ''}") from None
            time.sleep(0.2)


@pytest.fixture
def servers(tmp_path):
    redis = redis_client()
    prefix = f"samtrygg-test-{uuid.uuid4().hex[:8]}"
    db_url = database_url(tmp_path)
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DJANGO_SETTINGS_MODULE")}
    env.update(DATABASE_URL=db_url, DATABASE_REPLICA_URL=db_url, DEBUG="0", MEDIA_ROOT=str(tmp_path / "media"),
               CACHE_KEY_PREFIX=prefix, SAMTRYGG_WEBHOOK_IMMEDIATE="off")
    if redis is not None:
        env["REDIS_URL"] = REDIS_URL
    else:
        env.pop("REDIS_URL", None)
    procs, bases = [], []
    try:
        for _ in range(2):
            port = free_port()
            procs.append(subprocess.Popen(
                [sys.executable, "-c", "from samtrygg.cli import main; main()", "serve", "--port", str(port),
                 "--threads", "2"], cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                text=True))
            bases.append(f"http://127.0.0.1:{port}")
        for base, proc in zip(bases, procs, strict=True):
            wait_until_up(base, proc)
        yield {"a": bases[0], "b": bases[1], "redis": redis, "prefix": prefix, "db_url": db_url}
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=10)
        if redis is not None:
            for key in redis.scan_iter(f"{prefix}:*"):
                redis.delete(key)


def login_form(html: str) -> dict:
    for index in range(5):
        fields = form_fields(html, index)
        if "username" in fields:
            return fields
    raise AssertionError("no login form on the page")


def delete_session_rows(db_url: str) -> int:
    """Remove every session from the database (behind the servers' backs)."""
    if db_url.startswith("sqlite:///"):
        with sqlite3.connect(db_url.removeprefix("sqlite:///")) as db:
            return db.execute("DELETE FROM django_session").rowcount
    from django.contrib.sessions.models import Session

    return Session.objects.all().delete()[0]


def test_login_reports_and_cache_are_shared_between_two_app_servers(reporter, area, servers):
    a, b = servers["a"], servers["b"]
    browser = requests.Session()  # cookies are per host, not per port: as behind one load balancer

    fields = login_form(browser.get(f"{a}/login/").text)
    fields.update(username=reporter.username, password=PASSWORD)
    response = browser.post(f"{a}/login/", data=fields, headers={"Referer": f"{a}/login/"}, allow_redirects=False)
    assert response.status_code == 302, response.text[:500]

    # Logged in on A is logged in on B.
    page = browser.get(f"{b}/reports/new/", allow_redirects=False)
    assert page.status_code == 200 and 'name="description"' in page.text

    # A report saved through B is visible through A.
    fields = form_fields(page.text, action="")
    if "description" not in fields:
        fields = next(f for i in range(5) if "description" in (f := form_fields(page.text, i)))
    from samtrygg.categories.models import Category

    fields.update(lat="59.8586", lon="17.6389", category=str(Category.objects.get(code="klotter").pk),
                  description="Sparat via server B", quantity="1")
    saved = browser.post(f"{b}/reports/new/", data=fields, headers={"Referer": f"{b}/reports/new/"},
                         allow_redirects=False)
    assert saved.status_code == 302, saved.text[:2000]
    assert "samtrygg_primary" in saved.cookies  # the write pins this browser's reads to the primary
    listing = browser.get(f"{a}/reports/?q=server+B")
    assert listing.status_code == 200 and "Sparat via server B" in listing.text

    redis = servers["redis"]
    if redis is None:
        pytest.skip("no Redis at SAMTRYGG_TEST_REDIS_URL: the shared-cache part was not run")
    # The session A wrote is in the shared Redis cache: with every session row gone from the database,
    # B still knows the user, which it can only have read from the cache A filled.
    assert any(b":django.contrib.sessions.cached_db" in key for key in redis.scan_iter(f"{servers['prefix']}:*"))
    assert delete_session_rows(servers["db_url"]) >= 1
    again = browser.get(f"{b}/reports/?q=server+B", allow_redirects=False)
    assert again.status_code == 200 and "Sparat via server B" in again.text
