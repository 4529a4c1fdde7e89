"""Browser: a resident opens the open-data page without logging in, reads it and downloads a month as GeoJSON
— on a phone and on a desktop, with axe-core."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.conftest import assert_accessible, assert_no_js_errors, screenshot
from tests.factories import AreaFactory, OrganizationFactory, UserFactory, make_report


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_open_data_page(request, live_server, size, settings):
    settings.SAMTRYGG_WEBHOOK_IMMEDIATE = "off"
    page = request.getfixturevalue(f"{size}_page")
    org = OrganizationFactory(code="kommunen", name="Kommunen")
    AreaFactory(code="centrum", name="Centrum")
    user = UserFactory(username="r", organization=org)
    for days in (40, 41, 45):
        make_report(user, when=timezone.now() - timedelta(days=days))

    page.goto(f"{live_server.url}/oppna-data/")
    assert page.locator("h1").inner_text() == "Öppna data"
    assert page.locator("a[href$='.csv']").count() == 1
    assert_accessible(page, context="open data page")
    assert_no_js_errors(page)
    screenshot(page, f"opendata-{size}")
    months = page.locator("#opendata-month option").all_inner_texts()
    assert months and months[0] < timezone.localdate().strftime("%Y-%m")
    with page.expect_response(lambda r: ".geojson" in r.url) as info:
        page.click("form.opendata-month button[type=submit]")
    data = json.loads(info.value.body())
    assert data["type"] == "FeatureCollection" and data["month"] == months[0]
