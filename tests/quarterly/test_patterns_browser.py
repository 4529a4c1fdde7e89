"""Browser tests of the time-patterns and near-repeat pages on phone and desktop, with axe-core."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pytest

from samtrygg.quarterly.quarters import Quarter
from tests.conftest import assert_accessible, assert_no_js_errors, login, screenshot
from tests.factories import UserFactory, make_report
from tests.quarterly.patterns_data import near_repeat_reports

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def analyst(org):
    return UserFactory(role="analyst", organization=org, username="analytiker")


def two_years(user):
    """Monthly graffiti for 24 months up to the last complete quarter, rising, with a summer peak."""
    q = Quarter.last_complete()
    end = q.end()
    rng = np.random.default_rng(2)
    for k in range(24):
        month_start = (end - timedelta(days=30.44 * (24 - k)))
        n = int(2 + k / 6 + 2 * (month_start.month in (6, 7, 8)))
        for _ in range(n):
            when = month_start + timedelta(days=float(rng.uniform(0, 29)), hours=float(rng.uniform(0, 24)))
            make_report(user, category_code="klotter", when=when)


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_patterns_page(request, live_server, analyst, size):
    two_years(analyst)
    page = request.getfixturevalue(f"{size}_page")
    login(page, live_server, analyst)
    page.goto(f"{live_server.url}/quarterly/patterns/")
    assert page.locator("h1").inner_text().startswith("Time patterns") or page.locator("h1").inner_text().startswith(
        "Tidsmönster")
    assert page.locator("table.weekday-hour tbody tr").count() == 7
    assert page.locator("table.season-table tbody tr").count() == 12
    assert page.locator("img.trend-chart").count() == 1
    assert page.evaluate("document.querySelector('img.trend-chart').naturalWidth") > 0
    screenshot(page, f"quarterly_patterns_{size}")
    assert_accessible(page, context=f"patterns {size}")
    # bad input: the message is shown and tied to the field
    page.fill("#id_quarter", "2025-Q9")
    page.click("form.patterns-form button[type=submit]")
    page.wait_for_selector(".error-summary")
    assert page.locator("#id_quarter").get_attribute("aria-invalid") == "true"
    assert "2025-Q9" in page.locator("#id_quarter_error").inner_text()
    assert_accessible(page, context=f"patterns error {size}")
    assert_no_js_errors(page)


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_near_repeat_page(request, live_server, analyst, size):
    q = Quarter.last_complete()
    near_repeat_reports(analyst, q)
    page = request.getfixturevalue(f"{size}_page")
    login(page, live_server, analyst)
    page.goto(f"{live_server.url}/quarterly/near-repeat/")
    assert_accessible(page, context=f"near-repeat form {size}")
    page.select_option("#id_category", "stold")
    page.fill("#id_from", q.first_day.isoformat())
    page.fill("#id_to", q.last_day.isoformat())
    page.click("form.nr-form button[type=submit]")
    page.wait_for_selector("table.knox-table")
    assert page.locator("td.is-significant").count() >= 1
    assert "★" in page.locator("td.is-significant").first.inner_text()
    assert "100 m" in page.locator(".nr-sentence").inner_text()
    screenshot(page, f"quarterly_near_repeat_{size}")
    assert_accessible(page, context=f"near-repeat result {size}")
    page.fill("#id_space_band", "0")
    page.click("form.nr-form button[type=submit]")
    page.wait_for_selector(".error-summary")
    assert page.locator("#id_space_band").get_attribute("aria-invalid") == "true"
    screenshot(page, f"quarterly_near_repeat_error_{size}")
    assert_accessible(page, context=f"near-repeat error {size}")
    assert_no_js_errors(page)


def test_too_few_reports_message(desktop_page, live_server, analyst):
    q = Quarter.last_complete()
    for i in range(3):
        make_report(analyst, category_code="brand", when=q.start() + timedelta(days=i))
    login(desktop_page, live_server, analyst)
    desktop_page.goto(f"{live_server.url}/quarterly/near-repeat/?category=brand&from={q.first_day}&to={q.last_day}")
    text = desktop_page.locator(".error-summary").inner_text()
    assert "3" in text and "20" in text
    assert_accessible(desktop_page, context="near-repeat too few")
