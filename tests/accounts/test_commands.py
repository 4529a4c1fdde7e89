from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from samtrygg.accounts.models import Organization, User
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db
GOOD = "ett-bra-losenord-7"


def run(name, *args):
    out = StringIO()
    call_command(name, *args, stdout=out)
    return out.getvalue()


def test_add_organization():
    out = run("add_organization", "polisen", "Polisen Uppsala", "--kind", "police", "--sees-sensitive")
    assert "created organisation polisen" in out
    org = Organization.objects.get(code="polisen")
    assert (org.name, org.kind, org.sees_sensitive) == ("Polisen Uppsala", "police", True)


@pytest.mark.parametrize("args, message", [
    (("bad code", "X"), "CODE 'bad code'"),
    (("ok", "X", "--kind", "bank"), "--kind 'bank'"),
    (("ok", "  "), "NAME"),
])
def test_add_organization_errors(args, message):
    with pytest.raises(CommandError, match=message):
        run("add_organization", *args)
    assert not Organization.objects.exists()


def test_add_organization_duplicate():
    OrganizationFactory(code="polisen")
    with pytest.raises(CommandError, match="already exists"):
        run("add_organization", "polisen", "Igen")


@pytest.mark.real_password_hashing
def test_add_user_from_environment(monkeypatch, org):
    monkeypatch.setenv("SAMTRYGG_PASSWORD", GOOD)
    out = run("add_user", "anna", "--org", org.code, "--role", "coordinator", "--email", "anna@example.se")
    assert "created user anna (coordinator in kommunen)" in out
    user = User.objects.get(username="anna")
    assert user.check_password(GOOD) and user.password.startswith("argon2$")
    assert (user.organization, user.role, user.email) == (org, "coordinator", "anna@example.se")
    assert not user.is_staff


def test_admin_role_gets_staff(monkeypatch, org):
    monkeypatch.setenv("SAMTRYGG_PASSWORD", GOOD)
    run("add_user", "boss", "--org", org.code, "--role", "admin")
    user = User.objects.get(username="boss")
    assert user.is_staff and user.is_superuser


def test_add_user_asks_twice_on_a_terminal(monkeypatch, org):
    monkeypatch.delenv("SAMTRYGG_PASSWORD", raising=False)
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    answers = iter([GOOD, GOOD])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    run("add_user", "bo", "--org", org.code, "--role", "viewer")
    assert User.objects.get(username="bo").check_password(GOOD)

    answers = iter([GOOD, GOOD + "x"])
    with pytest.raises(CommandError, match="differ"):
        run("add_user", "bo2", "--org", org.code, "--role", "viewer")
    assert not User.objects.filter(username="bo2").exists()


def test_add_user_without_any_password(monkeypatch, org):
    monkeypatch.delenv("SAMTRYGG_PASSWORD", raising=False)
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    with pytest.raises(CommandError, match="SAMTRYGG_PASSWORD"):
        run("add_user", "bo", "--org", org.code, "--role", "viewer")


@pytest.mark.parametrize("args, message", [
    (("x", "--org", "nowhere", "--role", "viewer"), "--org 'nowhere': no such organisation"),
    (("x", "--org", "kommunen", "--role", "king"), "--role 'king'"),
    (("x", "--org", "kommunen", "--role", "viewer", "--email", "nope"), "--email 'nope'"),
    (("bad name!", "--org", "kommunen", "--role", "viewer"), "username"),
])
def test_add_user_errors(monkeypatch, org, args, message):
    monkeypatch.setenv("SAMTRYGG_PASSWORD", GOOD)
    with pytest.raises(CommandError, match=message):
        run("add_user", *args)
    assert not User.objects.exists()


def test_add_user_weak_password_and_duplicate(monkeypatch, org, reporter):
    monkeypatch.setenv("SAMTRYGG_PASSWORD", "123")
    with pytest.raises(CommandError, match="password: .*10"):
        run("add_user", "svag", "--org", org.code, "--role", "viewer")
    monkeypatch.setenv("SAMTRYGG_PASSWORD", GOOD)
    with pytest.raises(CommandError, match="already exists"):
        run("add_user", reporter.username.upper(), "--org", org.code, "--role", "viewer")
