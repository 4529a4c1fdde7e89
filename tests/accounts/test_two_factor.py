"""Two-factor authentication: enrolment, the step after the password, recovery codes, per-role requirement, resets."""

import time

import pytest
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from samtrygg.accounts import two_factor
from samtrygg.accounts.models import RolePolicy
from samtrygg.audit.models import AuditEntry
from tests.accounts.totp import key_from_secret, totp
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_reference_totp_matches_rfc_6238():
    # RFC 6238, appendix B: SHA-1 key "12345678901234567890", T = 59 s and 1111111109 s, eight digits.
    key = b"12345678901234567890"
    assert totp(key, 59, digits=8) == "94287082"
    assert totp(key, 1111111109, digits=8) == "07081804"


def _login(client, user, password=PASSWORD):
    return client.post("/login/", {"username": user.username, "password": password})


def _require(*roles):
    for role in roles:
        RolePolicy.objects.update_or_create(role=role, defaults={"require_two_factor": True})


def _forget_wrong_codes():
    """A wrong code makes the device wait a second before the next try (django-otp's back-off); skip the wait."""
    TOTPDevice.objects.update(throttling_failure_count=0, throttling_failure_timestamp=None)


def _enrol(client):
    """Open the enrolment page, read the key as a person would, confirm with the app's code. Returns the key."""
    page = client.get("/accounts/two-factor/setup/")
    assert page.status_code == 200
    key = key_from_secret(page.context["secret"])
    assert page.context["qr"].startswith("data:image/svg+xml")
    response = client.post("/accounts/two-factor/setup/", {"token": totp(key)})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/two-factor/recovery-codes/")
    return key


def test_admin_requires_two_factor_for_a_role_and_it_is_audited(client, admin_user):
    client.force_login(admin_user)
    response = client.post("/accounts/security/", {"coordinator": "on", "admin": "on"})
    assert response.status_code == 302
    assert two_factor.required_roles() == {"coordinator", "admin"}
    entry = AuditEntry.objects.get(object_type="accounts.rolepolicy")
    assert entry.actor == admin_user
    assert entry.changes == {"admin": [False, True], "coordinator": [False, True]}
    client.post("/accounts/security/", {"admin": "on"})
    assert two_factor.required_roles() == {"admin"}


def test_required_role_must_enrol_at_next_login(client, coordinator):
    _require("coordinator")
    response = _login(client, coordinator)
    assert response.status_code == 302
    # Every page sends to the enrolment until it is done.
    response = client.get("/reports/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/two-factor/setup/?next=%2Freports%2F"
    assert client.get("/reports/", headers={"HX-Request": "true"}).status_code == 401
    wrong = client.post("/accounts/two-factor/setup/", {"token": "000000"})
    assert wrong.status_code == 200 and wrong.context["form"].errors["token"]
    _forget_wrong_codes()
    _enrol(client)
    codes_page = client.get("/accounts/two-factor/recovery-codes/")
    codes = codes_page.context["codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    # Shown once only.
    assert client.get("/accounts/two-factor/recovery-codes/").context["codes"] is None
    assert client.get("/reports/").status_code == 200
    assert AuditEntry.objects.filter(actor=coordinator, summary="Two-factor authentication enrolled").exists()


def test_login_with_the_app_after_enrolment(client, reporter):
    client.force_login(reporter)
    key = _enrol(client)
    client.logout()
    _login(client, reporter)
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/two-factor/verify/")
    # The code used at enrolment can't be replayed; a wrong code says so; the app's next code works.
    used = client.post("/accounts/two-factor/verify/", {"token": totp(key), "next": "/reports/"})
    assert used.status_code == 400
    _forget_wrong_codes()
    before = client.session.session_key
    response = client.post("/accounts/two-factor/verify/", {"token": totp(key, time.time() + 30), "next": "/reports/"})
    assert response.status_code == 302 and response["Location"] == "/reports/"
    assert client.session.session_key != before  # a new session id after the second factor
    assert client.get("/reports/").status_code == 200


def test_wrong_codes_are_throttled_with_a_message(client, reporter):
    client.force_login(reporter)
    key = _enrol(client)
    client.logout()
    _login(client, reporter)
    assert client.post("/accounts/two-factor/verify/", {"token": "123456"}).status_code == 400
    response = client.post("/accounts/two-factor/verify/", {"token": totp(key, time.time() + 30)})
    # Right code, but too soon after a wrong one: refused with the time to wait.
    assert response.status_code == 400
    assert "Vänta" in response.content.decode() or "Wait" in response.content.decode()
    assert not client.get("/reports/").status_code == 200


def test_recovery_code_works_once(client, reporter):
    client.force_login(reporter)
    _enrol(client)
    codes = client.get("/accounts/two-factor/recovery-codes/").context["codes"]
    client.logout()
    _login(client, reporter)
    response = client.post("/accounts/two-factor/verify/", {"token": codes[0].upper()})
    assert response.status_code == 302 and response["Location"] == "/"
    assert StaticToken.objects.filter(device__user=reporter).count() == 9
    client.logout()
    _login(client, reporter)
    assert client.post("/accounts/two-factor/verify/", {"token": codes[0]}).status_code == 400


def test_new_recovery_codes_replace_the_old(client, reporter):
    client.force_login(reporter)
    _enrol(client)
    old = set(client.get("/accounts/two-factor/recovery-codes/").context["codes"])
    client.post("/accounts/two-factor/recovery-codes/")
    new = set(client.get("/accounts/two-factor/recovery-codes/").context["codes"])
    assert len(new) == 10 and not old & new
    assert set(StaticToken.objects.filter(device__user=reporter).values_list("token", flat=True)) == new


def test_users_without_app_and_requirement_go_straight_in(client, reporter):
    _require("coordinator")
    _login(client, reporter)
    assert client.get("/reports/").status_code == 200


def test_policy_applies_from_the_next_login(client, coordinator):
    _login(client, coordinator)
    _require("coordinator")
    assert client.get("/reports/").status_code == 200
    client.logout()
    _login(client, coordinator)
    assert client.get("/reports/").status_code == 302


def test_superuser_counts_as_admin_for_the_policy(client, db):
    from samtrygg.accounts.models import User

    root = User.objects.create_superuser("root", password=PASSWORD)
    _require("admin")
    _login(client, root)
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/two-factor/setup/")


def test_admin_resets_a_users_devices(client, coordinator, admin_user):
    _require("coordinator")
    client.force_login(coordinator)
    _enrol(client)
    client.force_login(admin_user)
    page = client.get("/accounts/security/")
    assert any(row["user"] == coordinator and row["has_app"] for row in page.context["rows"])
    response = client.post(f"/accounts/security/users/{coordinator.pk}/reset-two-factor/")
    assert response.status_code == 302
    assert not two_factor.has_app(coordinator) and two_factor.recovery_codes_left(coordinator) == 0
    entry = AuditEntry.objects.get(actor=admin_user, object_type="accounts.user", object_id=str(coordinator.pk))
    assert "reset" in entry.summary
    client.logout()
    _login(client, coordinator)
    assert client.get("/").headers["Location"].startswith("/accounts/two-factor/setup/")


def test_only_admins_reset(client, coordinator, reporter):
    client.force_login(reporter)
    _enrol(client)
    client.force_login(coordinator)
    assert client.post(f"/accounts/security/users/{reporter.pk}/reset-two-factor/").status_code == 403
    assert two_factor.has_app(reporter)
    assert client.get("/accounts/security/").status_code == 403


def test_user_turns_off_own_two_factor_with_a_code(client, reporter):
    client.force_login(reporter)
    key = _enrol(client)
    client.post("/accounts/two-factor/disable/", {"token": "000000"})
    assert two_factor.has_app(reporter)
    _forget_wrong_codes()
    client.post("/accounts/two-factor/disable/", {"token": totp(key, time.time() + 30)})
    assert not two_factor.has_app(reporter)


def test_required_role_cannot_turn_it_off(client, coordinator):
    _require("coordinator")
    client.force_login(coordinator)
    key = _enrol(client)
    client.post("/accounts/two-factor/disable/", {"token": totp(key, time.time() + 30)})
    assert two_factor.has_app(coordinator)


def test_replacing_the_app_needs_the_old_one_first(client, reporter):
    client.force_login(reporter)
    old_key = _enrol(client)
    client.logout()
    _login(client, reporter)
    # Not verified yet: the enrolment page is open to owe-2FA users, but sends to the code step first.
    response = client.get("/accounts/two-factor/setup/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/two-factor/verify/")
    client.post("/accounts/two-factor/verify/", {"token": totp(old_key, time.time() + 30)})
    new_key = _enrol(client)
    assert new_key != old_key
    assert TOTPDevice.objects.filter(user=reporter).count() == 1


def test_verify_with_devices_removed_and_no_requirement_lets_in(client, reporter):
    client.force_login(reporter)
    _enrol(client)
    client.logout()
    _login(client, reporter)
    two_factor.reset_devices(reporter)
    response = client.get("/accounts/two-factor/verify/")
    assert response.status_code == 302
    assert client.get("/reports/").status_code == 200
