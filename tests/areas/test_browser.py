from datetime import timedelta

import pytest
from django.utils import timezone

from tests.conftest import assert_accessible, assert_no_js_errors, login, screenshot
from tests.factories import CENTRE_X, CENTRE_Y, AreaFactory, PlaceFactory, make_report, square


@pytest.fixture
def default_categories(transactional_db):
    """Transactional tests empty every table afterwards, the migration-seeded categories too: re-seed."""
    import importlib

    from django.apps import apps

    importlib.import_module("samtrygg.categories.migrations.0002_default_categories").seed(apps, None)


@pytest.fixture
def city(default_categories, reporter):
    kommun = AreaFactory(code="uppsala", name="Uppsala kommun", kind="municipality", population=240_000,
                         geometry=square(CENTRE_X, CENTRE_Y, 6000))
    centrum = AreaFactory(code="centrum", name="Centrum", parent=kommun, population=25_000,
                          geometry=square(CENTRE_X, CENTRE_Y, 1200))
    AreaFactory(code="gottsunda", name="Gottsunda", parent=kommun, population=12_500,
                geometry=square(CENTRE_X + 1500, CENTRE_Y - 4000, 1500))
    AreaFactory(code="centrum-est", name="Centrum EST-område", kind="est_area", parent=centrum,
                population=4000, geometry=square(CENTRE_X - 300, CENTRE_Y, 500))
    PlaceFactory(code="mikaelsparken", name="Mikaelsparken", area=centrum,
                 geometry=square(CENTRE_X, CENTRE_Y, 120))
    now = timezone.now()
    for days, code in [(1, "klotter"), (3, "skadegorelse"), (20, "klotter"), (60, "brand"), (200, "stold")]:
        make_report(reporter, category_code=code, when=now - timedelta(days=days))
    return kommun


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("page_fixture", ["phone_page", "desktop_page"])
def test_areas_pages_in_browser(request, page_fixture, live_server, reporter, city):
    page = request.getfixturevalue(page_fixture)
    login(page, live_server, reporter)
    page.goto(f"{live_server.url}/areas/")
    page.wait_for_selector("#areas-map path.leaflet-interactive")
    row = page.locator("tr", has_text="Centrum EST-område")
    assert row.locator("td").nth(2).inner_text() == "5"  # 12 months (the 200-day-old report included)
    assert row.locator("td").nth(3).inner_text() == "3"  # 4 weeks
    assert_accessible(page, context="areas list")
    screenshot(page, f"areas-list-{page_fixture}")

    page.click("text=Centrum >> nth=0")
    page.wait_for_url("**/areas/centrum/")
    page.wait_for_selector("#area-map path.leaflet-interactive")
    assert page.locator("h1").inner_text() == "Centrum"
    assert page.locator(".category-table tbody tr").count() == 4
    assert page.get_by_text("I känsliga kategorier räknas även rapporter").count() == 0  # none here
    assert_accessible(page, context="area detail")
    screenshot(page, f"area-detail-{page_fixture}")

    page.click("text=Mikaelsparken >> nth=0")
    page.wait_for_url("**/areas/places/mikaelsparken/")
    page.wait_for_selector("#area-map path.leaflet-interactive")
    assert_accessible(page, context="place detail")
    screenshot(page, f"place-detail-{page_fixture}")
    assert_no_js_errors(page)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_area_admin_page_in_browser(desktop_page, live_server, admin_user, city):
    login(desktop_page, live_server, admin_user)
    centrum = city.children.get(code="centrum")
    desktop_page.goto(f"{live_server.url}/admin/areas/area/{centrum.pk}/change/")
    assert desktop_page.locator("svg[role=img] path").count() == 1
    screenshot(desktop_page, "admin-area-change-desktop_page")
    desktop_page.goto(f"{live_server.url}/admin/areas/area/")
    assert desktop_page.locator("#result_list tbody tr").count() == 4
    screenshot(desktop_page, "admin-area-list-desktop_page")
    assert_no_js_errors(desktop_page)
