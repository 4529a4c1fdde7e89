"""Login rate limiting and lockout (django-axes in the database, Samtrygg's address-wide limit and messages)."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.utils import timezone

from samtrygg.accounts.lockout import current_locks, lockout_ends
from samtrygg.audit.models import AuditEntry
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

OFFICE = "10.1.2.3"
ELSEWHERE = "10.9.9.9"


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.AXES_FAILURE_LIMIT = 5
    settings.SAMTRYGG_LOGIN_ADDRESS_FAILURE_LIMIT = 12
    settings.AXES_COOLOFF_TIME = timedelta(minutes=15)


def _login(client, username, password, ip=OFFICE, path="/login/", **extra):
    return client.post(path, {"username": username, "password": password}, REMOTE_ADDR=ip, **extra)


def _fail(client, username, times, ip=OFFICE, **extra):
    return [_login(client, username, "fel-losenord", ip=ip, **extra).status_code for _ in range(times)]


def test_fifth_wrong_password_locks_with_the_time_to_try_again(client, reporter):
    assert _fail(client, reporter.username, 4) == [200] * 4
    response = _login(client, reporter.username, "fel-losenord")
    assert response.status_code == 429
    assert "accounts/locked_out.html" in [t.name for t in response.templates]
    ends = response.context["ends"]
    assert timedelta(minutes=14) < ends - timezone.now() <= timedelta(minutes=15)
    assert response.context["minutes"] == 15
    body = response.content.decode()
    assert "Försök igen efter" in body and timezone.localtime(ends).strftime("%H:%M") in body


def test_a_locked_user_is_refused_even_with_the_right_password(client, reporter):
    _fail(client, reporter.username, 5)
    response = _login(client, reporter.username, PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_lock_is_for_one_username_from_one_address(client, reporter, coordinator):
    _fail(client, reporter.username, 5)
    # The same person from another address, and a colleague from the same office, still log in.
    assert _login(client, reporter.username, PASSWORD, ip=ELSEWHERE).status_code == 302
    client.logout()
    assert _login(client, coordinator.username, PASSWORD).status_code == 302


def test_spraying_many_usernames_from_one_address_locks_the_address(client, reporter):
    for n in range(3):
        _fail(client, f"gissning{n}", 4)  # 12 failures, none reaching the per-username limit
    response = _login(client, reporter.username, PASSWORD)
    assert response.status_code == 429
    assert _login(client, reporter.username, PASSWORD, ip=ELSEWHERE).status_code == 302


def test_the_lock_ends_after_the_cool_off(client, reporter):
    _fail(client, reporter.username, 5)
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    assert _login(client, reporter.username, PASSWORD).status_code == 302


def test_a_successful_login_resets_the_count(client, reporter):
    _fail(client, reporter.username, 4)
    assert _login(client, reporter.username, PASSWORD).status_code == 302
    client.logout()
    assert _fail(client, reporter.username, 4) == [200] * 4


def test_a_forged_forwarded_for_header_does_not_dodge_the_lock(client, reporter):
    for n in range(5):
        _login(client, reporter.username, "fel", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")
    assert _login(client, reporter.username, PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.99").status_code == 429


def test_behind_a_trusted_proxy_the_forwarded_address_counts(client, reporter, settings):
    settings.SAMTRYGG_TRUSTED_PROXIES = 1
    proxy = "10.0.0.1"
    for n in range(5):
        # The client forges entries on the left; the proxy appends the address it really came from.
        _login(client, reporter.username, "fel", ip=proxy, HTTP_X_FORWARDED_FOR=f"1.1.1.{n}, 198.51.100.7")
    assert AccessAttempt.objects.get().ip_address == "198.51.100.7"
    # Another client behind the same proxy is not locked; the locked one is.
    assert _login(client, reporter.username, PASSWORD, ip=proxy, HTTP_X_FORWARDED_FOR="198.51.100.8").status_code == 302
    client.logout()
    assert _login(client, reporter.username, PASSWORD, ip=proxy, HTTP_X_FORWARDED_FOR="198.51.100.7").status_code == 429


@pytest.mark.parametrize(("proxies", "forwarded", "expected"), [
    (0, "203.0.113.5", "10.0.0.1"),                   # no trusted proxy: the header is ignored
    (1, "203.0.113.5", "203.0.113.5"),
    (1, "6.6.6.6, 203.0.113.5", "203.0.113.5"),       # forged entries on the left don't count
    (2, "203.0.113.5, 10.0.0.2", "203.0.113.5"),      # load balancer, then nginx
    (2, "203.0.113.5", "10.0.0.1"),                   # fewer entries than proxies: not trusted
    (1, "inte-en-adress", "10.0.0.1"),
])
def test_client_address_behind_proxies(rf, settings, proxies, forwarded, expected):
    from samtrygg.accounts.lockout import client_ip

    settings.SAMTRYGG_TRUSTED_PROXIES = proxies
    assert client_ip(rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)) == expected


def test_admin_login_goes_through_the_one_login_page(client, admin_user):
    response = client.get("/admin/login/?next=/admin/accounts/user/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=%2Fadmin%2Faccounts%2Fuser%2F"
    # Posting credentials to the admin's address logs nobody in (no second door beside the lockout).
    response = _login(client, admin_user.username, PASSWORD, path="/admin/login/")
    assert response.status_code == 302 and "_auth_user_id" not in client.session


def test_logged_in_non_admin_at_the_admin_login_gets_403_not_a_loop(client, reporter):
    client.force_login(reporter)
    assert client.get("/admin/login/?next=/admin/").status_code == 403


def test_wrong_old_passwords_on_the_password_page_count_too(client, reporter):
    client.force_login(reporter)
    data = {"new_password1": "ett-nytt-losen-42", "new_password2": "ett-nytt-losen-42"}
    statuses = [client.post("/accounts/password/", {**data, "old_password": "fel"}, REMOTE_ADDR=OFFICE).status_code
                for _ in range(5)]
    assert statuses == [200, 200, 200, 200, 429]
    response = client.post("/accounts/password/", {**data, "old_password": PASSWORD}, REMOTE_ADDR=OFFICE)
    assert response.status_code == 429
    reporter.refresh_from_db()
    assert reporter.check_password(PASSWORD)


def test_a_very_long_username_is_a_wrong_login_not_a_crash(client):
    # Django's login form doesn't limit the username's length; PostgreSQL refused axes' record of it (a 500).
    assert _fail(client, "x" * 5000, 5) == [200, 200, 200, 200, 429]
    assert AccessAttempt.objects.get().username == "x" * 255


def test_lock_end_is_when_enough_failures_age_out(reporter):
    now = timezone.now()
    # Three rows (three browsers) for one username: 2 + 2 + 1 failures; the limit 5 is reached at the oldest.
    for minutes_ago, failures, agent in ((10, 2, "a"), (5, 2, "b"), (1, 1, "c")):
        attempt = AccessAttempt.objects.create(username="anna", ip_address=OFFICE, user_agent=agent,
                                               failures_since_start=failures, get_data="", post_data="",
                                               http_accept="", path_info="/login/")
        AccessAttempt.objects.filter(pk=attempt.pk).update(attempt_time=now - timedelta(minutes=minutes_ago))
    ends = lockout_ends("anna", OFFICE)
    assert abs(ends - (now - timedelta(minutes=10) + timedelta(minutes=15))) < timedelta(seconds=1)
    assert lockout_ends("anna", ELSEWHERE) is None
    assert lockout_ends("bertil", OFFICE) is None


def test_admin_sees_and_lifts_a_lock(client, reporter, admin_user):
    _fail(client, reporter.username, 5)
    assert [(lock["username"], lock["ip_address"]) for lock in current_locks()] == [(reporter.username, OFFICE)]
    client.force_login(admin_user)
    page = client.get("/accounts/security/")
    assert reporter.username in page.content.decode() and OFFICE in page.content.decode()
    response = client.post("/accounts/security/unlock/", {"username": reporter.username, "ip_address": OFFICE})
    assert response.status_code == 302
    assert not AccessAttempt.objects.exists()
    entry = AuditEntry.objects.get(object_type="axes.accessattempt")
    assert entry.actor == admin_user and OFFICE in entry.summary
    client.logout()
    assert _login(client, reporter.username, PASSWORD).status_code == 302


def test_admin_lifts_an_address_wide_lock(client, reporter, admin_user):
    for n in range(3):
        _fail(client, f"gissning{n}", 4)
    assert {"username": None, "ip_address": OFFICE} in [
        {k: lock[k] for k in ("username", "ip_address")} for lock in current_locks()]
    client.force_login(admin_user)
    client.post("/accounts/security/unlock/", {"ip_address": OFFICE})
    client.logout()
    assert _login(client, reporter.username, PASSWORD).status_code == 302


def test_only_admins_lift_locks(client, reporter, coordinator):
    _fail(client, reporter.username, 5)
    client.force_login(coordinator)
    assert client.post("/accounts/security/unlock/", {"username": reporter.username,
                                                       "ip_address": OFFICE}).status_code == 403
    assert AccessAttempt.objects.exists()


def test_admin_password_change_uses_the_guarded_page(client, admin_user):
    client.force_login(admin_user)
    response = client.get("/admin/password_change/")
    assert response.status_code == 302 and response["Location"] == "/accounts/password/"
