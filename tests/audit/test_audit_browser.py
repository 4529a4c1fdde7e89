"""Browser: an admin reads the audit log, filters it to logins and checks the chain (desktop, axe-core)."""

from __future__ import annotations

import pytest

from samtrygg.audit import log
from tests.conftest import assert_accessible, assert_no_js_errors, login, screenshot
from tests.factories import OrganizationFactory, UserFactory


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_admin_filters_the_audit_log_and_checks_the_chain(live_server, desktop_page):
    page = desktop_page
    org = OrganizationFactory(code="kommunen", name="Kommunen")
    admin = UserFactory(username="admin", role="admin", organization=org)
    for i in range(3):
        log.record(admin, "update", object_type="reports.report", object_id=str(i), summary=f"Klotter {i}")
    login(page, live_server, admin)

    page.goto(f"{live_server.url}/audit/")
    page.select_option("#id_action", "login")
    page.click("form[aria-label] button[type=submit]")
    page.wait_for_url("**/audit/?*action=login*")
    rows = page.locator("tbody tr")
    assert rows.count() == 1 and "admin" in rows.first.inner_text()
    assert_accessible(page, context="audit log filtered to logins")
    assert_no_js_errors(page)
    screenshot(page, "audit-log-desktop")
    page.click("text=Kontrollera kedjan")
    page.wait_for_selector("p[role=status]")
    assert "intakt" in page.inner_text("main").lower()
    assert_accessible(page, context="audit chain check")
