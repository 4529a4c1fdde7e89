"""The coordinator's Monday, end to end in a real browser: open the week, drill into a signal, write the
assessment, add an action, download the PDF — and the PDF holds what was just written."""

import io

import pytest
from pypdf import PdfReader

from samtrygg.actions.models import Action
from samtrygg.weekly.models import WeeklyPicture
from tests.conftest import assert_accessible, assert_no_js_errors, login, screenshot
from tests.weekly.test_week_page_browser import make_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_monday_flow(desktop_page, live_server):
    page = desktop_page
    week, coordinator = make_world()
    login(page, live_server, coordinator)

    # Open the week: /weekly/ lands on the last complete week, with the Gottsunda graffiti signal first.
    page.goto(f"{live_server.url}/weekly/")
    page.wait_for_url(f"**/weekly/{week}/")
    signal = page.locator(".signal-card").first
    assert "Gottsunda" in signal.inner_text()

    # Drill into the signal: the reports behind it, then back to the week.
    signal.locator("a").first.click()
    page.wait_for_url("**/reports/?**")
    assert "18" in page.locator(".result-count").inner_text()
    page.go_back()
    page.wait_for_url(f"**/weekly/{week}/")

    # Write the assessment.
    page.fill("#id_what_we_see", "Klottervåg i Gottsunda, mest kvällstid vid gångtunneln.")
    page.fill("#id_what_it_means", "Troligen en ny grupp; följ upp med fältassistenterna.")
    page.click(".assessment-form button[type=submit]")
    page.wait_for_url(f"**/weekly/{week}/**")
    saved = WeeklyPicture.objects.get(iso_year=week.year, iso_week=week.week, area=None)
    assert saved.what_we_see.startswith("Klottervåg")

    # Add an action from the week page.
    page.click("#actions a[role=button]")
    page.wait_for_url("**/actions/new/**")
    page.fill("#id_title", "Sanera klottret i gångtunneln")
    page.select_option("#id_responsible", label="Parkförvaltningen")
    page.fill("#id_start_date", week.next().monday.isoformat())
    page.fill("#id_end_date", week.next().sunday.isoformat())
    page.click("form.action-form button[type=submit]")
    page.wait_for_url(f"**/weekly/{week}/**")
    action = Action.objects.get(title="Sanera klottret i gångtunneln")
    assert (action.decided_year, action.decided_week) == (week.year, week.week)
    assert "Sanera klottret i gångtunneln" in page.locator("#actions").inner_text()
    assert_accessible(page, context="week page after the meeting")
    screenshot(page, "weekly-monday-flow-after-meeting")

    # Download the PDF: a real PDF with the week, the assessment, the signal and the new action.
    with page.expect_download() as download_info:
        page.click("a.download-pdf")
    download = download_info.value
    assert download.suggested_filename == f"lagesbild-{week}.pdf"
    data = open(download.path(), "rb").read()
    assert data.startswith(b"%PDF")
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    assert str(week) in text
    assert "Klottervåg i Gottsunda" in text
    assert "Gottsunda" in text and "18" in text
    assert "Sanera klottret i gångtunneln" in text
    assert_no_js_errors(page)
