"""The evaluation page in a real browser, phone and desktop, with axe-core."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.cases.test_evaluation import START, WEEKS, _case, setup  # noqa: F401  (fixture)
from tests.conftest import assert_accessible, assert_no_js_errors, login, screenshot


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_evaluation_page(request, live_server, setup, coordinator, size):  # noqa: F811
    page = request.getfixturevalue(f"{size}_page")
    case = _case(setup, coordinator)
    login(page, live_server, coordinator)
    page.goto(f"{live_server.url}/cases/{case.pk}/evaluation/?weeks={WEEKS}&start={START.isoformat()}"
              f"&end={(START + timedelta(weeks=WEEKS)).isoformat()}")
    assert "jämfört med kontrollområdet" in page.locator(".evaluation-verdicts").inner_text()
    page.wait_for_selector("#evaluation-map path")
    assert page.locator("#evaluation-map path").count() >= 3
    screenshot(page, f"cases_evaluation_{size}")
    assert_accessible(page, context=f"evaluation {size}")
    assert_no_js_errors(page)
    # Bad input: the form says what is wrong, no 500.
    page.goto(f"{live_server.url}/cases/{case.pk}/evaluation/?start=2019-01-01")
    assert "För lite historik" in page.locator("[role=alert]").inner_text()
    screenshot(page, f"cases_evaluation_error_{size}")
    assert_accessible(page, context=f"evaluation error {size}")
