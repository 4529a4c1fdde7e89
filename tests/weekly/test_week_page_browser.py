"""The weekly picture in a real browser, phone and desktop: sections, drill-down, map, axe-core."""

from datetime import timedelta

import numpy as np
import pytest

from samtrygg.weekly.weeks import IsoWeek
from tests.conftest import DESKTOP, PHONE, assert_accessible, assert_no_js_errors, login, screenshot
from tests.factories import AreaFactory, OrganizationFactory, UserFactory, square
from tests.weekly.weekly_data import bulk_reports

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def make_world():
    week = IsoWeek.last_complete()
    org = OrganizationFactory(code="parker", name="Parkförvaltningen")
    guards = OrganizationFactory(code="vakter", name="Vaktbolaget")
    city = AreaFactory(code="stad", name="Staden", kind="municipality", geometry=square(647_800, 6_638_600, 3000))
    gottsunda = AreaFactory(code="gottsunda", name="Gottsunda", parent=city,
                            geometry=square(646_800, 6_638_600, 1000))
    granby = AreaFactory(code="granby", name="Gränby", parent=city, geometry=square(648_800, 6_638_600, 1000))
    rng = np.random.default_rng(7)
    items_g, items_b, items_guard = [], [], []
    for i in range(104, 0, -1):
        start = week.shift(-i).start()
        items_g += [{"when": start + timedelta(hours=int(h)), "category": "klotter",
                     "lat": 59.83 + rng.random() * 0.01, "lon": 17.60 + rng.random() * 0.02}
                    for h in rng.integers(0, 160, rng.poisson(3))]
        items_b += [{"when": start + timedelta(hours=int(h)), "category": "brand",
                     "lat": 59.87 + rng.random() * 0.01, "lon": 17.66 + rng.random() * 0.02}
                    for h in rng.integers(0, 160, rng.poisson(2))]
        if i <= 8:
            items_guard += [(start + timedelta(hours=22), "ordningsstorning")] * 3
    start = week.start()
    items_g += [{"when": start + timedelta(hours=20 + 5 * i), "category": "klotter",
                 "lat": 59.835 + rng.random() * 0.003, "lon": 17.61 + rng.random() * 0.003,
                 "description": "Nya taggar på gångtunneln" if i % 4 == 0 else ""} for i in range(18)]
    items_b += [{"when": start + timedelta(days=5, hours=23), "category": "brand", "lat": 59.875, "lon": 17.67,
                 "description": "Brand i soptunna vid skolan"}]
    bulk_reports(items_g, organization=org, areas=[gottsunda, city])
    bulk_reports(items_b, organization=org, areas=[granby, city])
    bulk_reports(items_guard, organization=guards, areas=[granby, city])
    coordinator = UserFactory(username="samordnare", organization=org, role="coordinator")
    return week, coordinator


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_monday_screen(size, request, live_server):
    page = request.getfixturevalue(f"{size}_page")
    week, user = make_world()
    login(page, live_server, user)
    page.goto(f"{live_server.url}/weekly/")
    page.wait_for_url(f"**/weekly/{week}/")
    assert page.locator("h1").inner_text().startswith(("Vecka", "Week"))
    cards = page.locator(".signal-card")
    assert cards.count() >= 1
    assert "Gottsunda" in cards.first.inner_text() and "18" in cards.first.inner_text()
    page.locator("#weekly-map[data-loaded]").wait_for(state="attached")
    assert int(page.locator("#weekly-map").get_attribute("data-loaded")) == 19
    assert page.locator(".weekly-assessment, #assessment").count() <= 1
    assert page.locator("tr.is-missing").count() == 1  # the guards reported nothing this week
    assert page.locator("table.weekday-hour td.wh-5").count() >= 1
    page.locator("#heat-toggle").check()
    page.locator("canvas.leaflet-heatmap-layer").wait_for(state="attached")
    assert page.locator("canvas.leaflet-heatmap-layer").count() == 1
    screenshot(page, f"weekly-week-{size}")
    assert_accessible(page, context=f"weekly week {size}")
    assert_no_js_errors(page)
    # Drill into the signal: the report list shows exactly the 18 reports.
    cards.first.locator("a").click()
    page.wait_for_url("**/reports/?**")
    assert "18" in page.locator(".result-count").inner_text()
    assert_no_js_errors(page)


def test_week_navigation_filters_and_bad_week(desktop_page, live_server, monkeypatch):
    page = desktop_page
    week, user = make_world()
    login(page, live_server, user)
    page.goto(f"{live_server.url}/weekly/{week}/")
    page.locator("a[rel=prev]").click()
    page.wait_for_url(f"**/weekly/{week.previous()}/")
    page.locator(".week-filters summary").click()
    page.select_option("#id_area", "granby")
    page.fill("#id_goto", str(week))
    page.locator(".week-filter-form button[type=submit]").click()
    page.wait_for_url(f"**/weekly/{week}/?area=granby")
    assert "Gränby" in page.locator("h1").inner_text()
    screenshot(page, "weekly-week-filtered")
    assert_accessible(page, context="filtered week")
    page.goto(f"{live_server.url}/weekly/2026-W54/")
    assert "54" in page.locator(".error-summary").inner_text()
    assert_accessible(page, context="bad week")
    page.goto(f"{live_server.url}/weekly/{week}/?area=nowhere")
    assert "nowhere" in page.locator(".error-summary").inner_text()
    screenshot(page, "weekly-week-bad-area")
    assert_accessible(page, context="bad area")
    page.goto(f"{live_server.url}/weekly/help/")
    screenshot(page, "weekly-help")
    assert_accessible(page, context="help")
    assert_no_js_errors(page)
    # A large city's scope (here: more rows than a limit of 2): the signal rows, then every area's totals.
    from samtrygg.weekly import views

    monkeypatch.setattr(views, "TABLE_ROW_LIMIT", 2)
    page.goto(f"{live_server.url}/weekly/{week}/")
    assert page.locator("#table-shortened").is_visible()
    rows = page.locator("table.week-counts tbody tr")
    assert rows.count() >= 1 and page.locator("table.week-counts tr.is-signal").count() == rows.count()
    assert page.locator("table.week-area-totals tbody tr").count() == 3  # Staden, Gottsunda, Gränby
    screenshot(page, "weekly-week-many-rows")
    assert_accessible(page, context="week with many rows")
    page.set_viewport_size(PHONE)  # the same on a phone's width
    assert page.locator("table.week-area-totals").is_visible()
    screenshot(page, "weekly-week-many-rows-phone")
    assert_accessible(page, context="week with many rows, phone")
    page.set_viewport_size(DESKTOP)
    page.locator("table.week-area-totals a", has_text="Gränby").first.click()
    page.wait_for_url(f"**/weekly/{week}/?area=granby")
    assert "Gränby" in page.locator("h1").inner_text()
    assert_no_js_errors(page)
