"""Browser: an admin reads the register of processing and downloads everything stored about a user."""

from __future__ import annotations

import io
import zipfile

import pytest

from samtrygg.categories.models import Category
from tests.conftest import assert_accessible, assert_no_js_errors, login, screenshot
from tests.factories import OrganizationFactory, UserFactory


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_admin_reads_the_register_and_exports_a_user(live_server, desktop_page):
    page = desktop_page
    org = OrganizationFactory(code="kommunen", name="Kommunen")
    admin = UserFactory(username="admin", role="admin", organization=org)
    UserFactory(username="rapportor", role="reporter", organization=org)
    Category.objects.filter(code="klotter").update(retain_text_months=24, retain_photos_months=12)
    login(page, live_server, admin)

    page.goto(f"{live_server.url}/privacy/register/")
    assert "Registerförteckning" in page.inner_text("h1")
    klotter = page.locator("tr", has_text="Klotter").first
    assert "24 månader" in klotter.inner_text() and "12 månader" in klotter.inner_text()
    assert_accessible(page, context="register of processing")
    assert_no_js_errors(page)
    screenshot(page, "privacy-register-desktop")

    page.click("text=Exportera allt som lagras om en användare")
    page.wait_for_url("**/privacy/export/")
    page.select_option("#id_user", label="rapportor")
    assert_accessible(page, context="export a user's data")
    with page.expect_download() as info:
        page.click("button[type=submit]")
    download = info.value
    assert download.suggested_filename == "rapportor-data.zip"
    with zipfile.ZipFile(io.BytesIO(open(download.path(), "rb").read())) as z:
        assert "account.json" in z.namelist()
