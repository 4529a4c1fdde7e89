"""`samtrygg demo`: end to end on the test database (SQLite or PostgreSQL)."""

import re
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError
from django.http import HttpRequest  # the login lockout (django-axes) needs a request

from samtrygg.accounts.models import Role, User
from samtrygg.areas.models import Area, Place
from samtrygg.audit.models import AuditEntry
from samtrygg.demo import loader
from samtrygg.demo.management.commands import demo as demo_command
from samtrygg.reports.access import visible_reports
from samtrygg.reports.models import Report, ReportArea, ReportPlace

pytestmark = pytest.mark.django_db


def run(*args, years="0.5") -> str:
    out = StringIO()
    call_command("demo", "--no-serve", "--years", years, *args, stdout=out)
    return out.getvalue()


def test_demo_loads_the_city_and_prints_a_login_for_every_role():
    out = run()
    loaded = int(re.search(r"Loaded (\d+) reports", out).group(1))
    assert Report.objects.filter(source="demo").count() == loaded > 4000
    for login in loader.LOGINS:
        assert re.search(rf"^\s+{login.username}\s+{login.password}\s+{login.role}\s", out, re.M), login
    assert {lg.role for lg in loader.LOGINS} == set(Role.values)
    assert "http://127.0.0.1:8000/" in out

    users = {u.username: u for u in User.objects.select_related("organization")}
    assert users["admin"].is_staff and users["admin"].is_superuser
    assert not users["samordnare"].is_staff
    assert users["polisanalytiker"].organization.sees_sensitive
    assert authenticate(HttpRequest(), username="samordnare", password="demo-samordnare") is not None
    assert authenticate(HttpRequest(), username="samordnare", password="wrong-password") is None

    assert Area.objects.filter(kind="district", parent__code="uppsala").count() == 25
    assert Place.objects.get(code="mikaelsparken").area.code == "svartbacken"
    # every report is linked to the municipality and to exactly one district
    assert ReportArea.objects.filter(area__code="uppsala").count() == loaded
    assert ReportArea.objects.filter(area__kind="district").count() == loaded
    assert ReportPlace.objects.filter(place__code="mikaelsparken").count() > 20
    assert AuditEntry.objects.filter(object_type="demo").count() == 1
    # one summary entry, not one per report (the failed login above is audited too)
    assert AuditEntry.objects.exclude(action="login_failed").count() == 1


def test_sensitive_reports_are_seen_only_by_the_police():
    run()
    sensitive = Report.objects.filter(category__code="polis_iakttagelse")
    assert sensitive.count() > 50
    coordinator = User.objects.get(username="samordnare")
    police_analyst = User.objects.get(username="polisanalytiker")
    assert not visible_reports(coordinator).filter(category__code="polis_iakttagelse").exists()
    seen = visible_reports(police_analyst).filter(category__code="polis_iakttagelse")
    assert seen.count() == sensitive.count()


def test_running_twice_does_not_duplicate_and_reset_reloads():
    run()
    counts = (Report.objects.count(), Area.objects.count(), Place.objects.count(), User.objects.count(),
              ReportArea.objects.count())
    out = run()
    assert "already loaded" in out
    assert (Report.objects.count(), Area.objects.count(), Place.objects.count(), User.objects.count(),
            ReportArea.objects.count()) == counts

    user = User.objects.get(username="lasare")
    user.set_password("changed-by-someone")
    user.save()
    out = run("--reset", "--seed", "5")
    loaded = int(re.search(r"Loaded (\d+) reports", out).group(1))
    assert f"Removed {counts[0]} demo reports" in out
    assert Report.objects.count() == loaded
    assert ReportArea.objects.count() == 2 * loaded
    assert authenticate(HttpRequest(), username="lasare", password="demo-lasare") is not None


def test_other_reports_survive_a_reset(reporter):
    from tests.factories import make_report

    run(years="0.1")
    mine = make_report(reporter)
    run("--reset", years="0.1")
    assert Report.objects.filter(pk=mine.pk).exists()


@pytest.mark.parametrize("args, message", [
    (["--years", "0"], "--years must be more than 0"),
    (["--years", "11"], "at most 10"),
    (["--port", "70000"], "--port must be between 1 and 65535"),
    (["--seed", "-1"], "--seed must be 0 or more"),
])
def test_bad_options_give_a_clear_error_and_load_nothing(args, message):
    with pytest.raises(CommandError, match=re.escape(message)):
        call_command("demo", "--no-serve", *args, stdout=StringIO())
    assert not Report.objects.exists()


def test_without_no_serve_it_starts_a_server_on_localhost(monkeypatch):
    calls = []
    real = demo_command.call_command

    def fake(name, *args, **kwargs):
        if name in ("serve", "runserver"):
            calls.append((name, args, kwargs))
            return None
        return real(name, *args, **kwargs)

    monkeypatch.setattr(demo_command, "call_command", fake)
    out = StringIO()
    call_command("demo", "--years", "0.1", "--port", "8123", stdout=out)
    assert "http://127.0.0.1:8123/" in out.getvalue()
    assert len(calls) == 1
    name, args, kwargs = calls[0]
    if name == "serve":
        assert kwargs == {"port": 8123, "host": "127.0.0.1"}
    else:
        assert args == ("127.0.0.1:8123",) and kwargs["use_reloader"] is False
