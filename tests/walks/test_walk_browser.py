"""Browser: a coordinator records a safety walk with a route drawn on the map and participants, adds an
observation by tapping the map, and turns it into a report — on a phone and on a desktop, with axe-core."""

from __future__ import annotations

import pytest

from samtrygg.reports.models import Report
from samtrygg.walks.models import SafetyWalk
from tests.conftest import assert_accessible, assert_no_js_errors, login, screenshot
from tests.factories import AreaFactory, OrganizationFactory, UserFactory


def _click_map(page, selector, dx, dy):
    box = page.locator(selector).bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2 + dx, box["y"] + box["height"] / 2 + dy)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_coordinator_records_a_walk_and_converts_an_observation(request, live_server, size):
    page = request.getfixturevalue(f"{size}_page")
    org = OrganizationFactory(code="kommunen", name="Kommunen")
    OrganizationFactory(code="bostad", name="Bostadsbolaget")
    area = AreaFactory(code="gottsunda", name="Gottsunda")
    user = UserFactory(username="samordnare", role="coordinator", organization=org)
    login(page, live_server, user)

    page.goto(f"{live_server.url}/walks/")
    assert_accessible(page, context="walk list (empty)")
    page.click("a[role=button][href$='/walks/new/']")
    page.wait_for_selector("#walk-draw-map path.leaflet-interactive:not([d='M0 0'])")  # area outline loaded
    page.fill("#id_title", "Kvällsvandring i Gottsunda")
    page.fill("#id_walked_on", "2026-03-10")
    page.select_option("#id_area", label="Gottsunda")
    page.locator("#walk-draw-map").scroll_into_view_if_needed()
    for dx, dy in ((-60, 30), (0, -20), (50, 20)):
        _click_map(page, "#walk-draw-map", dx, dy)
    page.click("#walk-draw-undo")
    _click_map(page, "#walk-draw-map", 60, -40)
    assert page.inner_text("#walk-draw-status").startswith("3")
    page.fill("#id_residents", "11")
    page.select_option("#id_part-0-organization", label="Kommunen")
    page.fill("#id_part-0-people", "2")
    page.select_option("#id_part-1-organization", label="Bostadsbolaget")
    page.fill("#id_part-1-people", "1")
    assert_accessible(page, context="record a walk")
    screenshot(page, f"walks-create-{size}")
    page.click("form.walk-form button[type=submit]")
    page.wait_for_url("**/walks/*/")
    walk = SafetyWalk.objects.get()
    assert len(walk.route["coordinates"]) == 3 and walk.residents == 11
    assert walk.participants.count() == 2

    page.wait_for_selector("#walk-detail-map path.leaflet-interactive")
    page.locator("#walk-detail-map").scroll_into_view_if_needed()
    _click_map(page, "#walk-detail-map", 5, 5)
    assert page.input_value("#id_obs-lat") and page.input_value("#id_obs-lon")
    page.select_option("#id_obs-category", label="Bristande belysning")
    page.fill("#id_obs-comment", "Lampan vid gångtunneln är trasig")
    page.click("form.walk-observation-form button[type=submit]")
    page.wait_for_selector("#observations-heading + ul")
    obs = walk.observations.get()
    assert obs.category.code == "belysning"
    assert "Lampan vid gångtunneln" in page.inner_text("#observations-heading + ul")
    page.wait_for_selector(".walk-marker")
    assert_accessible(page, context="walk page with an observation")

    page.click(f"#obs-{obs.pk} details.walk-convert summary")
    page.check(f"#obs-{obs.pk} input[value=report]")
    screenshot(page, f"walks-detail-{size}")
    page.click(f"#obs-{obs.pk} form button[type=submit]")
    page.wait_for_selector(f"#obs-{obs.pk} .walk-done")
    report = Report.objects.get()
    obs.refresh_from_db()
    assert obs.report == report and report.category.code == "belysning"
    assert report.areas.filter(pk=area.pk).exists()
    assert_accessible(page, context="walk page after converting")
    screenshot(page, f"walks-converted-{size}")

    page.goto(f"{live_server.url}/walks/")
    assert "Kvällsvandring i Gottsunda" in page.inner_text("table")
    assert_accessible(page, context="walk list")
    screenshot(page, f"walks-list-{size}")
    assert_no_js_errors(page)
