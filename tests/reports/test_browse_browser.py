"""Finding reports in a real browser: the list with filters, the map, a report's page; phone and desktop."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from samtrygg.reports import services
from samtrygg.reports.models import Report
from tests.conftest import assert_accessible, assert_no_js_errors, login, screenshot
from tests.factories import CENTRE_X, CENTRE_Y, PlaceFactory, make_report

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
STHLM = ZoneInfo("Europe/Stockholm")
PAGES = ["phone_page", "desktop_page"]


@pytest.fixture(autouse=True)
def default_categories(transactional_db):
    """Transactional tests empty every table afterwards, the migration-seeded categories too: re-seed."""
    import importlib

    from django.apps import apps

    seed = importlib.import_module("samtrygg.categories.migrations.0002_default_categories").seed
    seed(apps, None)


@pytest.fixture
def some_reports(reporter, area):
    PlaceFactory(code="parken", name="Stadsparken")
    made = []
    for i in range(6):
        made.append(make_report(reporter, category_code="klotter" if i % 2 else "brand",
                                x=CENTRE_X + 80 * i, y=CENTRE_Y - 60 * i, quantity=i + 1,
                                when=datetime(2024, 5, 1 + i, 12, 0, tzinfo=STHLM),
                                description=f"Händelse nummer {i} vid busshållplatsen"))
    return made


@pytest.mark.parametrize("page_fixture", PAGES)
def test_list_with_filters(request, page_fixture, live_server, coordinator, some_reports):
    page = request.getfixturevalue(page_fixture)
    login(page, live_server, coordinator)
    page.goto(f"{live_server.url}/reports/")
    page.wait_for_selector("table.report-table")
    assert page.locator("table.report-table tbody tr").count() == 6
    assert_accessible(page, context="report list")
    screenshot(page, f"reports-list-{page_fixture}")

    # Filter on category and text through the form.
    details = page.locator("#report-filters")
    if not details.evaluate("d => d.open"):
        page.click("#report-filters summary")
    page.locator(".category-checks label", has_text="Brand").click()
    page.fill("#id_q", "nummer 2")
    page.click(".filter-form button[type=submit]")
    page.wait_for_url(lambda url: "q=nummer" in url)
    rows = page.locator("table.report-table tbody tr")
    assert rows.count() == 1
    assert "Brand" in rows.first.inner_text()
    assert page.locator("#result-count").inner_text().startswith("1 ")
    # The export link carries the filters.
    href = page.locator(".export-links a", has_text="CSV").get_attribute("href")
    assert "q=nummer+2" in href and "category=" in href
    assert_accessible(page, context="filtered report list")
    screenshot(page, f"reports-list-filtered-{page_fixture}")

    # Sorting by quantity, ascending, keeps the filter.
    page.goto(f"{live_server.url}/reports/?q=busshållplatsen&sort=quantity&order=asc")
    first_cells = page.locator("table.report-table tbody tr td.numeric").all_inner_texts()
    assert [int(t.strip()) for t in first_cells] == [1, 2, 3, 4, 5, 6]

    # A bad filter value is explained next to the field, not a crash.
    page.goto(f"{live_server.url}/reports/?date_from=2024-13-45")
    assert page.locator("#id_date_from_error").is_visible()
    assert page.locator("#filter-errors").is_visible()
    assert_accessible(page, context="report list with a bad filter")
    screenshot(page, f"reports-list-error-{page_fixture}")
    assert_no_js_errors(page)


@pytest.mark.parametrize("page_fixture", PAGES)
def test_map_shows_points(request, page_fixture, live_server, reporter, some_reports):
    page = request.getfixturevalue(page_fixture)
    login(page, live_server, reporter)
    page.goto(f"{live_server.url}/reports/map/")
    page.wait_for_selector("#reports-map[data-loaded]")
    assert page.get_attribute("#reports-map", "data-loaded") == "6"
    page.wait_for_selector("#reports-map .leaflet-marker-icon")
    page.wait_for_selector("#reports-map .leaflet-interactive")  # area outline
    assert_accessible(page, context="report map")
    screenshot(page, f"reports-map-{page_fixture}")

    page.goto(f"{live_server.url}/reports/map/?q=nummer+3")
    page.wait_for_selector("#reports-map[data-loaded]")
    assert page.get_attribute("#reports-map", "data-loaded") == "1"
    marker = page.locator("#reports-map .leaflet-marker-icon").first
    marker.click()
    popup = page.locator(".report-popup")
    popup.wait_for()
    assert "Klotter" in popup.inner_text()
    link = popup.locator("a").get_attribute("href")
    assert link == f"/reports/{some_reports[3].pk}/"
    page.wait_for_timeout(500)  # let the map finish panning to the popup
    screenshot(page, f"reports-map-popup-{page_fixture}")
    assert_no_js_errors(page)


@pytest.mark.parametrize("page_fixture", PAGES)
def test_detail_history_and_delete(request, page_fixture, live_server, reporter, coordinator, some_reports):
    page = request.getfixturevalue(page_fixture)
    report = some_reports[0]
    services.update_report(coordinator, report, quantity=9, description="Ändrad beskrivning")
    login(page, live_server, coordinator)
    page.goto(f"{live_server.url}/reports/{report.pk}/")
    page.wait_for_selector("#report-detail-map .leaflet-interactive")
    assert "Ändrad beskrivning" in page.locator(".report-facts").inner_text()
    history = page.locator("ol.history > li")
    assert history.count() == 2
    assert "9" in history.first.locator("ins").all_inner_texts()
    assert page.locator("a[role=button]", has_text="Edit").count() + page.locator(
        "a[role=button]", has_text="Ändra").count() == 1
    assert_accessible(page, context="report page")
    screenshot(page, f"report-detail-{page_fixture}")

    # Delete, with a confirmation step, then restore.
    page.click(f"a[href='/reports/{report.pk}/delete/']")
    page.wait_for_url(f"**/reports/{report.pk}/delete/")
    assert_accessible(page, context="delete confirmation")
    screenshot(page, f"report-delete-confirm-{page_fixture}")
    page.click("button.danger")
    page.wait_for_selector(".deleted-notice")
    assert Report.objects.get(pk=report.pk).deleted_at is not None
    assert_accessible(page, context="deleted report")
    screenshot(page, f"report-detail-deleted-{page_fixture}")
    page.click(f"form[action='/reports/{report.pk}/restore/'] button")
    page.wait_for_selector(".report-facts")
    assert page.locator(".deleted-notice").count() == 0
    assert Report.objects.get(pk=report.pk).deleted_at is None
    assert_no_js_errors(page)
