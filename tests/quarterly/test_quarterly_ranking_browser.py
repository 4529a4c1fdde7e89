"""In a real browser: an analyst makes a quarterly analysis, changes a weight, saves it and re-opens it."""

import pytest

from tests.conftest import assert_accessible, assert_no_js_errors, login, screenshot
from tests.quarterly import data

# Shared fixtures (tests/quarterly/data.py), assigned rather than imported so their use as parameters reads plainly.
analyst = data.analyst
clear_signal_cache = data.clear_signal_cache
world = data.world


def ranking_order(page) -> list[str]:
    return page.locator("#ranking-table tbody tr").evaluate_all("rows => rows.map(r => r.dataset.area)")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("device", ["phone", "desktop"])
def test_make_save_and_reopen_a_quarterly_analysis(request, live_server, world, analyst, device):
    page = request.getfixturevalue(f"{device}_page")
    quarter = str(world["quarter"])
    login(page, live_server, analyst)
    page.click("footer button[lang=en]")  # the assertions read the English interface text
    page.wait_for_selector("html[lang=en]")
    page.goto(f"{live_server.url}/quarterly/")
    assert_accessible(page, context="index")
    page.click("#new-analysis")
    page.wait_for_selector("#ranking-table")
    assert quarter in page.locator("h1").inner_text()
    assert ranking_order(page) == ["alfa", "gamma", "beta"]
    screenshot(page, f"quarterly-new-{device}")
    assert_accessible(page, context="new analysis")

    # The form shows the default weights (a number input cannot show "0,5": they must not be localised).
    assert [page.locator(f"#id_w_{k}").input_value() for k in ("harm", "trend", "year", "signals")] == [
        "2", "1", "0.5", "1"]
    # Signals no longer count: Gamma (ranked on signals only) drops to the bottom.
    page.fill("#id_w_signals", "0")
    page.click("#recompute")
    page.wait_for_url("**w_signals=0**")
    assert ranking_order(page) == ["alfa", "beta", "gamma"]
    assert page.locator("#id_w_signals").input_value() == "0"

    # A negative weight is refused next to the field, nothing computed.
    page.fill("#id_w_harm", "-1")
    page.click("#recompute")
    page.wait_for_selector("#w_harm-error")
    assert "negative" in page.locator("#w_harm-error").inner_text()
    assert page.locator("#ranking-table").count() == 0
    screenshot(page, f"quarterly-bad-weight-{device}")
    assert_accessible(page, context="bad weight")
    page.fill("#id_w_harm", "2")
    page.click("#recompute")
    page.wait_for_selector("#ranking-table")
    assert ranking_order(page) == ["alfa", "beta", "gamma"]

    page.fill("#id_title", f"Kvartalsanalys {quarter}")
    page.fill("#id_conclusions", "Alfa behöver brandförebyggande insatser först.")
    page.click("#save-analysis")
    page.wait_for_url("**/quarterly/*/")
    assert page.locator("h1").inner_text() == f"Kvartalsanalys {quarter}"
    assert "brandförebyggande" in page.locator("#conclusions-text").inner_text()
    assert ranking_order(page) == ["alfa", "beta", "gamma"]
    assert "analytiker" in page.locator(".saved-meta").inner_text()
    screenshot(page, f"quarterly-detail-{device}")
    assert_accessible(page, context="saved analysis")
    detail_url = page.url

    # Re-open it from the list, then one area's explanation.
    page.goto(f"{live_server.url}/quarterly/")
    screenshot(page, f"quarterly-index-{device}")
    page.click(f"#saved-analyses a:has-text('Kvartalsanalys {quarter}')")
    page.wait_for_url(detail_url)
    page.click("#ranking-table a:has-text('Alfa')")
    page.wait_for_selector("#area-sentence")
    sentence = page.locator("#area-sentence").inner_text()
    assert sentence.startswith("Alfa is 1") and "of 2" in sentence  # Gamma: nothing weighted left
    screenshot(page, f"quarterly-area-{device}")
    assert_accessible(page, context="area explanation")
    assert_no_js_errors(page)
