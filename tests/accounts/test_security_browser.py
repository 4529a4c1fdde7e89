"""Browser: the lockout page, two-factor enrolment and login, recovery codes, the admins' security settings, the
session-expired message, single sign-on through the test provider, and the admin without CSP violations."""

from __future__ import annotations

import re
import time

import pytest
from django.contrib.sessions.backends.db import SessionStore

from samtrygg.accounts.middleware import LAST_SEEN
from samtrygg.accounts.models import RolePolicy
from tests.accounts.fake_idp import FakeIdP
from tests.accounts.totp import key_from_secret, totp
from tests.conftest import assert_accessible, assert_no_js_errors, login, screenshot
from tests.factories import PASSWORD, OrganizationFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _watch_csp(page) -> list[str]:
    violations: list[str] = []
    page.on("console", lambda msg: violations.append(msg.text)
            if msg.type == "error" and "Content Security Policy" in msg.text else None)
    return violations


def _fill_login(page, live_server, username, password):
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("form button[type=submit]")


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_lockout_page_says_when_to_try_again(request, live_server, size, settings):
    page = request.getfixturevalue(f"{size}_page")
    settings.AXES_FAILURE_LIMIT = 3
    org = OrganizationFactory(code="kommunen", name="Kommunen")
    user = UserFactory(username="anna", role="reporter", organization=org)
    for _ in range(3):
        _fill_login(page, live_server, user.username, "fel-losenord")
    page.wait_for_selector("h1:has-text('Inloggningen är tillfälligt spärrad')")
    text = page.inner_text("main")
    assert re.search(r"Försök igen efter kl\. \d\d:\d\d \(om cirka 15 minuter\)", text), text
    assert_accessible(page, context="lockout page")
    screenshot(page, f"accounts-lockout-{size}")
    # The right password doesn't help while the block holds.
    _fill_login(page, live_server, user.username, PASSWORD)
    page.wait_for_selector("h1:has-text('Inloggningen är tillfälligt spärrad')")
    assert_no_js_errors(page)


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_required_two_factor_enrolment_and_next_login(request, live_server, size):
    page = request.getfixturevalue(f"{size}_page")
    csp = _watch_csp(page)
    RolePolicy.objects.create(role="coordinator", require_two_factor=True)
    org = OrganizationFactory(code="kommunen", name="Kommunen")
    user = UserFactory(username="samordnare", role="coordinator", organization=org)
    login(page, live_server, user)
    page.wait_for_url("**/accounts/two-factor/setup/**")
    assert page.locator("img.qr-code").evaluate("img => img.complete && img.naturalWidth > 0")
    assert_accessible(page, context="2FA enrolment")
    page.click("details summary")
    secret = page.inner_text(".secret-key")
    screenshot(page, f"accounts-2fa-setup-{size}")
    page.fill("#id_token", totp(key_from_secret(secret)))
    page.click("form button[type=submit]")
    page.wait_for_url("**/accounts/two-factor/recovery-codes/**")
    codes = page.locator(".recovery-codes li").all_inner_texts()
    assert len(codes) == 10
    assert "Din autentiseringsapp är aktiverad" in page.inner_text("main")
    assert_accessible(page, context="recovery codes")
    screenshot(page, f"accounts-2fa-recovery-codes-{size}")
    page.click("text=Jag har sparat koderna")
    page.wait_for_url(f"{live_server.url}/")

    # Log out and in again: the code step.
    page.click(".logout-form button")
    page.wait_for_url("**/login/**")
    _fill_login(page, live_server, user.username, PASSWORD)
    page.wait_for_url("**/accounts/two-factor/verify/**")
    page.fill("#id_token", "000000")
    page.click("form button[type=submit] >> text=Logga in")
    page.wait_for_selector("#token_errors")
    assert "Koden stämmer inte" in page.inner_text("#token_errors")
    assert_accessible(page, context="2FA verify with an error")
    screenshot(page, f"accounts-2fa-verify-{size}")
    page.fill("#id_token", codes[0])
    page.click("form button[type=submit] >> text=Logga in")
    page.wait_for_url(f"{live_server.url}/")
    assert page.locator("h1").inner_text().startswith("Välkommen")

    page.goto(f"{live_server.url}/accounts/two-factor/")
    assert "9 oanvända reservkoder" in page.inner_text("main")
    assert_accessible(page, context="2FA overview")
    screenshot(page, f"accounts-2fa-overview-{size}")
    assert not csp, csp
    assert_no_js_errors(page)


def test_admin_security_settings(desktop_page, live_server, settings):
    page = desktop_page
    csp = _watch_csp(page)
    settings.AXES_FAILURE_LIMIT = 3
    org = OrganizationFactory(code="kommunen", name="Kommunen")
    admin = UserFactory(username="chef", role="admin", organization=org)
    UserFactory(username="vakt", role="reporter", organization=org)
    coordinator = UserFactory(username="samordnare", role="coordinator", organization=org)
    from samtrygg.accounts import two_factor

    device = two_factor.start_enrolment(coordinator)
    device.confirmed = True
    device.save()
    for _ in range(3):
        _fill_login(page, live_server, "vakt", "fel")
    login(page, live_server, admin)
    page.goto(f"{live_server.url}/accounts/profile/")
    page.click("text=Säkerhetsinställningar")
    page.wait_for_url("**/accounts/security/")
    assert "vakt" in page.inner_text("#locks-heading + p + div")
    page.check("#id_coordinator")
    page.check("#id_reporter")
    page.click("form.role-policy button[type=submit]")
    page.wait_for_selector(".message-success")
    assert set(two_factor.required_roles()) == {"coordinator", "reporter"}
    assert "Aktiverar vid nästa inloggning" in page.inner_text("table:below(#users-heading)")
    assert_accessible(page, context="security settings")
    screenshot(page, "accounts-security-settings-desktop")
    page.click("button[aria-label='Häv spärren: vakt, 127.0.0.1']")
    page.wait_for_selector("text=Spärren är hävd.")
    page.click("button[aria-label='Återställ tvåfaktorsinloggning: samordnare']")
    page.wait_for_selector(".message-success")
    assert not two_factor.has_app(coordinator)
    assert not csp, csp
    assert_no_js_errors(page)


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_idle_session_ends_with_a_message(request, live_server, size):
    page = request.getfixturevalue(f"{size}_page")
    org = OrganizationFactory(code="kommunen", name="Kommunen")
    user = UserFactory(username="anna", role="reporter", organization=org)
    login(page, live_server, user)
    cookie = next(c for c in page.context.cookies() if c["name"] == "sessionid")
    session = SessionStore(session_key=cookie["value"])
    session[LAST_SEEN] = int(time.time()) - 2 * 3600
    session.save()
    page.goto(f"{live_server.url}/reports/")
    page.wait_for_url("**/login/?next=%2Freports%2F")
    assert "Du loggades ut efter 30 minuter utan aktivitet" in page.inner_text("main")
    assert_accessible(page, context="login after idle timeout")
    screenshot(page, f"accounts-session-expired-{size}")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url("**/reports/")


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_single_sign_on_through_the_login_button(request, live_server, size, settings):
    page = request.getfixturevalue(f"{size}_page")
    idp = FakeIdP({"Anna Andersson": {"sub": "anna-1", "preferred_username": "anna.andersson",
                                       "email": "anna@kommun.se", "groups": ["Samtrygg-Analytiker"]}})
    try:
        for name, value in idp.settings().items():
            setattr(settings, name, value)
        settings.SAMTRYGG_OIDC_BUTTON = "Logga in med Uppsala kommuns konto"
        settings.SAMTRYGG_OIDC_DEFAULT_ORG = "kommunen"
        settings.SAMTRYGG_OIDC_ROLE_CLAIM = "groups"
        settings.SAMTRYGG_OIDC_ROLE_MAP = "Samtrygg-Analytiker=analyst"
        OrganizationFactory(code="kommunen", name="Uppsala kommun")
        page.goto(f"{live_server.url}/reports/")
        page.wait_for_url("**/login/**")
        assert_accessible(page, context="login page with single sign-on")
        screenshot(page, f"accounts-login-sso-{size}")
        page.click("text=Logga in med Uppsala kommuns konto")
        page.wait_for_url(f"{idp.url}/authorize**")
        page.click("button[value='Anna Andersson']")
        page.wait_for_url(f"{live_server.url}/reports/")
        page.goto(f"{live_server.url}/accounts/profile/")
        text = page.inner_text("main")
        assert "anna.andersson" in text and "Analytiker" in text and idp.issuer in text
        assert_accessible(page, context="my account after single sign-on")
        screenshot(page, f"accounts-profile-sso-{size}")
        assert_no_js_errors(page)
    finally:
        idp.close()


def test_admin_pages_have_no_csp_violations(desktop_page, live_server):
    page = desktop_page
    csp = _watch_csp(page)
    org = OrganizationFactory(code="kommunen", name="Kommunen")
    admin = UserFactory(username="chef", role="admin", organization=org)
    other = UserFactory(username="vakt", role="reporter", organization=org)
    login(page, live_server, admin)
    for path in ["/admin/", "/admin/accounts/user/", f"/admin/accounts/user/{other.pk}/change/",
                 "/admin/accounts/user/add/", "/admin/categories/category/", "/admin/categories/category/add/",
                 "/admin/accounts/organization/?kind__exact=other", "/admin/axes/accessattempt/",
                 "/admin/otp_totp/totpdevice/"]:
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("load")
        assert page.locator("#content").count() == 1, path
    page.goto(f"{live_server.url}/admin/accounts/user/{other.pk}/change/")
    screenshot(page, "admin-user-change-desktop")
    assert not csp, csp
    assert_no_js_errors(page)


def test_csrf_failure_page(desktop_page, live_server):
    page = desktop_page
    page.goto(f"{live_server.url}/login/")
    page.context.clear_cookies()
    page.fill("#id_username", "anna")
    page.fill("#id_password", "vad-som-helst")
    page.click("form button[type=submit]")
    page.wait_for_selector("h1:has-text('Formuläret kunde inte skickas')")
    assert "Ingenting har sparats" in page.inner_text("main")
    assert_accessible(page, context="CSRF failure page")
    screenshot(page, "accounts-csrf-failure-desktop")
