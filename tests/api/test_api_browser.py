"""The API's pages in a real browser (token page, guide, Swagger UI under the strict CSP), and the partner
script of the guide end to end: a key made on the web page, then plain HTTP against the live server."""

from __future__ import annotations

from datetime import timedelta

import pytest
import requests
from django.utils import timezone

from samtrygg.api.models import ApiToken
from samtrygg.reports.models import Report
from tests.conftest import assert_accessible, assert_no_js_errors, login, screenshot
from tests.factories import CENTRE_X, CENTRE_Y, make_report

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _csp_errors(page) -> list[str]:
    # The first page of a run starts Chromium and the live server: on a shared 2-core machine that can take
    # longer than the suite's default 10 s.
    page.set_default_timeout(30_000)
    messages: list[str] = []
    page.on("console", lambda msg: messages.append(msg.text) if "Content Security Policy" in msg.text else None)
    return messages


def _make_key(page, live_server, name: str, role: str = "reporter") -> str:
    page.goto(f"{live_server.url}/api/tokens/")
    page.fill("#id_name", name)
    page.select_option("#id_role", role)
    page.click("form button[type=submit]")
    page.wait_for_selector("[data-testid=new-key]")
    return page.input_value("[data-testid=new-key]")


@pytest.mark.parametrize("page_fixture", ["phone_page", "desktop_page"])
def test_token_page_create_see_once_revoke(request, page_fixture, live_server, admin_user):
    page = request.getfixturevalue(page_fixture)
    csp = _csp_errors(page)
    login(page, live_server, admin_user)
    page.goto(f"{live_server.url}/api/tokens/")
    assert_accessible(page, context="token page, empty")
    key = _make_key(page, live_server, "Felanmälan Uppsalahem")
    assert key.startswith("st_")
    assert page.locator("table tbody tr").count() == 1
    assert_accessible(page, context="token page with the new key")
    screenshot(page, f"api-tokens-new-key-{page_fixture}")
    # Shown once: the next visit lists the token without its key.
    page.goto(f"{live_server.url}/api/tokens/")
    assert key not in page.content()
    assert "Felanmälan Uppsalahem" in page.locator("table").inner_text()
    # A bad expiry date is a form error next to the field.
    page.fill("#id_name", "Gammal")
    page.fill("#id_expires_on", "2001-01-01")
    page.press("#id_name", "Enter")  # (a phone's date picker may still cover the button)
    page.wait_for_selector("#id_expires_on_error")
    assert page.get_attribute("#id_expires_on", "aria-invalid") == "true"
    assert_accessible(page, context="token form with an error")
    page.goto(f"{live_server.url}/api/tokens/")
    dialogs: list[str] = []
    page.once("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.click("table button[type=submit]")
    page.wait_for_timeout(300)
    assert dialogs and "Felanmälan Uppsalahem" in dialogs[0]
    assert ApiToken.objects.get().revoked_at is None  # dismissed: nothing happened
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("table button[type=submit]")
    page.wait_for_selector(".message-success")
    assert ApiToken.objects.get().revoked_at is not None
    screenshot(page, f"api-tokens-revoked-{page_fixture}")
    assert_no_js_errors(page)
    assert not csp, csp


def test_guide_and_swagger_ui(desktop_page, live_server, admin_user):
    page = desktop_page
    csp = _csp_errors(page)
    page.goto(f"{live_server.url}/api/")
    assert "Authorization: Bearer" in page.content()
    assert_accessible(page, context="API guide")
    screenshot(page, "api-guide")
    page.goto(f"{live_server.url}/api/v1/docs/")
    page.wait_for_selector(".swagger-ui .opblock", timeout=20_000)
    assert page.locator(".swagger-ui .opblock").count() >= 20
    assert "Samtrygg API" in page.locator(".swagger-ui .info").inner_text()
    screenshot(page, "api-swagger-ui")
    assert_no_js_errors(page)
    assert not csp, csp
    # Our own part of the page (header and landmark) passes axe; Swagger UI's widgets are its own.
    from axe_playwright_python.sync_playwright import Axe

    from tests.conftest import WCAG_TAGS

    results = Axe().run(page, context={"include": [[".api-docs-header"]]},
                        options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    assert not results.response["violations"], results.response["violations"]


def test_partner_script_following_the_guide(desktop_page, live_server, admin_user, reporter, area):
    """Create a key in the web UI, then use it from plain HTTP as the guide's examples do."""
    page = desktop_page
    _csp_errors(page)
    login(page, live_server, admin_user)
    key = _make_key(page, live_server, "Partnerskript")
    # An outbreak last week so the signals have something to say: a long quiet history first.
    from samtrygg.weekly.weeks import IsoWeek

    last = IsoWeek.last_complete()
    for weeks_back in range(60, 1, -4):
        make_report(reporter, when=last.shift(-weeks_back).start() + timedelta(hours=30))
    api = f"{live_server.url}/api/v1/"
    session = requests.Session()
    session.headers["Authorization"] = "Bearer " + key
    rows = [{"external_id": f"F-{i}", "occurred_at": (last.start() + timedelta(hours=10 + i)).strftime(
        "%Y-%m-%dT%H:%M"), "category": "klotter", "x": CENTRE_X + i, "y": CENTRE_Y} for i in range(15)]
    answer = session.post(api + "reports/bulk/", json={"reports": rows}, timeout=30)
    assert answer.status_code == 201, answer.text
    assert answer.json()["created"] == 15
    again = session.post(api + "reports/bulk/", json={"reports": rows}, timeout=30)
    assert again.status_code == 200 and again.json()["unchanged"] == 15
    one = session.post(api + "reports/", json={"occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
                                               "category": "belysning", "lat": 59.8586, "lon": 17.6389}, timeout=30)
    assert one.status_code == 201, one.text
    assert Report.objects.filter(source="api").count() == 16
    signals = session.get(api + "weekly/latest/signals/", timeout=60)
    assert signals.status_code == 200
    found = [(s["area"]["code"], s["category"]["code"]) for s in signals.json()["signals"]]
    assert ("centrum", "klotter") in found
    bad = requests.get(api + "weekly/latest/signals/", headers={"Authorization": "Bearer st_nope"}, timeout=30)
    assert bad.status_code == 401 and bad.json()["errors"][0]["code"] == "invalid_token"
    token = ApiToken.objects.get(name="Partnerskript")
    assert token.last_used_at is not None and token.usage.get().requests == 4
