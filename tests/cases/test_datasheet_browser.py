"""The data sheet in a browser, on phone and desktop: renders, map draws, accessible, no JS errors."""

from __future__ import annotations

from datetime import date

import pytest

from samtrygg.cases.models import PlaceCase
from tests.conftest import assert_accessible, assert_no_js_errors, login, screenshot
from tests.factories import CENTRE_X, CENTRE_Y, AreaFactory, PlaceFactory, UserFactory, make_report, square


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("device", ["phone", "desktop"])
def test_datasheet_page(request, live_server, org, device):
    page = request.getfixturevalue(f"{device}_page")
    AreaFactory(code="kommun", name="Kommunen", kind="municipality", geometry=square(CENTRE_X, CENTRE_Y, 5000))
    place = PlaceFactory(code="parken", name="Parken", geometry=square(CENTRE_X, CENTRE_Y, 100))
    user = UserFactory(organization=org, role="viewer")
    reporter = UserFactory(organization=org, role="reporter")
    for dx, dy in [(0, 0), (4, 3), (-5, 2), (60, -40), (150, 0), (2000, 100)]:
        make_report(reporter, x=CENTRE_X + dx, y=CENTRE_Y + dy)
    case = PlaceCase.objects.create(title="Parken kvällstid", place=place, problem="Stök",
                                    opened_on=date(2025, 1, 1), buffer_m=200)
    login(page, live_server, user)
    page.goto(f"{live_server.url}/cases/{case.pk}/data/")
    assert "Parken kvällstid" in page.locator("h1").inner_text()
    page.wait_for_selector("#ds-map .leaflet-interactive")
    assert page.locator("#ds-map .leaflet-interactive").count() >= 2
    assert page.locator(".ds-repeats tbody tr").count() == 1
    assert page.locator(".ds-compare tbody tr").count() == 3
    screenshot(page, f"cases-datasheet-{device}")
    assert_accessible(page, context=f"data sheet ({device})")
    assert_no_js_errors(page)
    # a bad period: a clear message, tied to the field
    page.goto(f"{live_server.url}/cases/{case.pk}/data/?from=2025-13")
    assert page.locator("#ds-error").is_visible()
    assert page.locator("#id_from").get_attribute("aria-describedby") == "ds-error"
    screenshot(page, f"cases-datasheet-error-{device}")
    assert_accessible(page, context=f"data sheet error ({device})")
