"""The hotspot page in a real browser, on a phone and a desktop, with axe-core."""

import pytest

from tests.conftest import assert_accessible, assert_no_js_errors, login, screenshot
from tests.factories import UserFactory
from tests.quarterly.test_hotspots_service import QUARTER, data  # noqa: F401  (fixture)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("which", ["phone", "desktop"])
def test_hotspot_page(request, which, live_server, data):  # noqa: F811
    page = request.getfixturevalue(f"{which}_page")
    analyst = UserFactory(role="analyst", organization=data["org"], username=f"analytiker-{which}")
    login(page, live_server, analyst)
    page.goto(f"{live_server.url}/quarterly/hotspots/?quarter={QUARTER}&area=centrum")
    page.wait_for_selector("#hotspot-map[data-loaded]")
    assert page.get_attribute("#hotspot-map", "data-loaded") not in ("error", "0")
    assert int(page.get_attribute("#hotspot-map", "data-hot")) >= 1
    # the hot cells are drawn with a pattern fill, not colour alone
    assert page.locator("#hotspot-map path[fill^='url(#hatch-hot']").count() >= 1
    assert page.locator("#stability-heading").is_visible()
    screenshot(page, f"quarterly-hotspots-{which}")
    assert_accessible(page, context="hotspot page")
    # A synthetic click on the cell itself: a real click at the path's centre can land on a neighbouring
    # cell or outside the map's visible part on a small screen.
    page.locator("#hotspot-map path[fill^='url(#hatch-hot']").first.dispatch_event("click")
    page.wait_for_selector(".leaflet-popup-content")
    assert "z" in page.inner_text(".leaflet-popup-content")
    page.check("#view-kde")
    assert page.locator("#legend-kde").is_visible() and not page.locator("#legend-gi").is_visible()
    screenshot(page, f"quarterly-hotspots-kde-{which}")
    assert_no_js_errors(page)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_hotspot_page_errors(desktop_page, live_server, data):  # noqa: F811
    page = desktop_page
    login(page, live_server, UserFactory(role="viewer", organization=data["org"], username="lasare"))
    page.goto(f"{live_server.url}/quarterly/hotspots/?quarter={QUARTER}&area=centrum&cell=0")
    assert page.locator("#id_cell_error").is_visible()
    assert page.get_attribute("#id_cell", "aria-invalid") == "true"
    screenshot(page, "quarterly-hotspots-error")
    assert_accessible(page, context="hotspot page with an error")
    assert_no_js_errors(page)
