"""Reporting an incident in a real browser, on a phone and on a desktop."""

import pytest

from samtrygg.reports.models import Report
from tests.conftest import assert_accessible, assert_no_js_errors, login, screenshot
from tests.factories import CENTRE_X, CENTRE_Y, PlaceFactory, make_report, square

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def default_categories(transactional_db):
    """Transactional tests empty every table afterwards, the migration-seeded categories too: re-seed."""
    import importlib

    from django.apps import apps

    seed = importlib.import_module("samtrygg.categories.migrations.0002_default_categories").seed
    seed(apps, None)


@pytest.mark.parametrize("page_fixture", ["phone_page", "desktop_page"])
def test_report_an_incident(request, page_fixture, live_server, reporter, area):
    page = request.getfixturevalue(page_fixture)
    earlier = make_report(reporter, x=CENTRE_X + 60, y=CENTRE_Y + 40, description="Taggar på elskåpet")
    login(page, live_server, reporter)
    page.goto(f"{live_server.url}/reports/new/")
    page.wait_for_selector("#report-map .leaflet-interactive")  # area outlines drawn
    assert_accessible(page, context="empty report form")
    screenshot(page, f"report-form-empty-{page_fixture}")

    # Tap in the middle of the map: the marker appears and the coordinates are filled.
    box = page.locator("#report-map").bounding_box()
    if page_fixture == "phone_page":
        page.touchscreen.tap(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    else:
        page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_selector("#report-map .leaflet-marker-icon")
    assert page.input_value("#id_lat") != "" and page.input_value("#id_lon") != ""
    assert abs(float(page.input_value("#id_lat")) - 59.8586) < 0.02

    page.locator("label.category-option", has_text="Klotter").click()
    page.fill("#id_quantity", "2")
    page.fill("#id_description", "Han som klottrade heter Kalle, pnr 121212-1212")
    live = page.locator("#pii-live mark.pii-highlight")
    live.wait_for()
    assert live.inner_text() == "121212-1212"
    assert_accessible(page, context="live personal-data warning")
    screenshot(page, f"report-form-pii-live-{page_fixture}")

    # Submitting anyway: the server refuses and shows the highlighted text again.
    page.click("button.report-submit")
    page.wait_for_selector("#error-summary")
    assert Report.objects.count() == 1
    assert page.locator(".pii-warning[role=alert] mark.pii-highlight").inner_text() == "121212-1212"
    # The position and the category survived the round trip.
    page.wait_for_selector("#report-map .leaflet-marker-icon")
    assert page.locator("#report-map .leaflet-marker-icon").count() == 1
    assert page.is_checked("label.category-option:has-text('Klotter') input")
    assert_accessible(page, context="form shown again with personal-data warning")
    screenshot(page, f"report-form-pii-error-{page_fixture}")

    # Remove the personal data; the live warning goes away; save.
    page.fill("#id_description", "Nya taggar på muren vid lekplatsen")
    page.locator("#pii-live mark").first.wait_for(state="detached")
    page.click("button.report-submit")
    page.wait_for_url("**/saved/")
    report = Report.objects.latest("pk")
    assert report.description == "Nya taggar på muren vid lekplatsen" and report.quantity == 2
    nearby = page.locator(".nearby-list li")
    assert nearby.count() == 1
    assert f"/reports/{earlier.pk}/" in nearby.locator("a").get_attribute("href")
    page.wait_for_selector("#nearby-map path.leaflet-interactive")
    assert_accessible(page, context="saved page")
    screenshot(page, f"report-saved-{page_fixture}")
    assert_no_js_errors(page)


@pytest.mark.parametrize("page_fixture", ["phone_page", "desktop_page"])
def test_pick_a_place_confirm_personal_data_and_edit(request, page_fixture, live_server, reporter, area):
    page = request.getfixturevalue(page_fixture)
    PlaceFactory(code="parken", name="Stadsparken", geometry=square(CENTRE_X + 200, CENTRE_Y, 60))
    login(page, live_server, reporter)
    page.goto(f"{live_server.url}/reports/new/")
    page.select_option("#id_place", label="Stadsparken")
    page.wait_for_selector("#report-map .leaflet-marker-icon")
    page.locator("label.category-option", has_text="Brand").click()
    page.fill("#id_description", "Bilen ABC 123 brann")
    page.click("button.report-submit")
    page.wait_for_selector(".pii-warning[role=alert]")
    page.check("#id_save_anyway")
    page.click("button.report-submit")
    page.wait_for_url("**/saved/")
    report = Report.objects.get()
    assert report.place.name == "Stadsparken" and report.description == "Bilen ABC 123 brann"
    assert page.locator("#nearby-none").count() == 1
    screenshot(page, f"report-saved-empty-{page_fixture}")

    page.goto(f"{live_server.url}/reports/{report.pk}/edit/")
    page.wait_for_selector("#report-map .leaflet-marker-icon")
    assert page.input_value("#id_description") == "Bilen ABC 123 brann"
    assert_accessible(page, context="edit form")
    screenshot(page, f"report-edit-{page_fixture}")
    page.fill("#id_quantity", "4")
    page.click("button.report-submit")
    page.wait_for_url(f"**/reports/{report.pk}/")
    report.refresh_from_db()
    assert report.quantity == 4
    assert_no_js_errors(page)


def test_use_my_position(browser, live_server, reporter, area):
    from tests.conftest import PHONE

    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="sv-SE",
                                  timezone_id="Europe/Stockholm", permissions=["geolocation"],
                                  geolocation={"latitude": 59.8590, "longitude": 17.6400, "accuracy": 12})
    page = context.new_page()
    try:
        login(page, live_server, reporter)
        page.goto(f"{live_server.url}/reports/new/")
        page.click("#use-position")
        page.wait_for_selector("#report-map .leaflet-marker-icon")
        assert float(page.input_value("#id_lat")) == pytest.approx(59.859, abs=1e-5)
        assert float(page.input_value("#id_lon")) == pytest.approx(17.64, abs=1e-5)
        assert "12" in page.inner_text("#position-status")
        screenshot(page, "report-form-my-position-phone_page")
    finally:
        context.close()


def test_form_without_javascript_uses_place_select(browser, live_server, reporter, area):
    from tests.conftest import PHONE

    PlaceFactory(code="torget", name="Stora torget", geometry=square(CENTRE_X, CENTRE_Y, 40))
    context = browser.new_context(viewport=PHONE, java_script_enabled=False, locale="sv-SE")
    page = context.new_page()
    try:
        login(page, live_server, reporter)
        page.goto(f"{live_server.url}/reports/new/")
        assert not page.is_visible("#report-map")
        page.select_option("#id_place", label="Stora torget")
        page.locator("label.category-option", has_text="Klotter").click()
        page.click("button.report-submit")
        page.wait_for_url("**/saved/")
        assert Report.objects.get().place.name == "Stora torget"
        screenshot(page, "report-form-nojs-saved-phone_page")
    finally:
        context.close()
