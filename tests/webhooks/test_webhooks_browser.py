"""Browser: a coordinator registers a webhook endpoint for a partner system, sends a test message to a
receiver on this machine, and reads the delivery log — on a phone and on a desktop, with axe-core."""

from __future__ import annotations

import pytest

from samtrygg.webhooks.models import Endpoint
from tests.conftest import assert_accessible, assert_no_js_errors, login, screenshot
from tests.factories import AreaFactory, OrganizationFactory, UserFactory


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_coordinator_registers_an_endpoint_and_tests_it(request, live_server, receiver, size):
    page = request.getfixturevalue(f"{size}_page")
    org = OrganizationFactory(code="securitas", name="Securitas", kind="security_company")
    AreaFactory(code="gottsunda", name="Gottsunda")
    user = UserFactory(username="samordnare", role="coordinator", organization=org)
    login(page, live_server, user)

    page.goto(f"{live_server.url}/webhooks/")
    assert_accessible(page, context="webhook list (empty)")
    page.click("a[role=button][href$='/webhooks/new/']")
    page.fill("#id_name", "Väktarnas app")
    page.fill("#id_url", "inte en adress")
    page.click("form.webhook-form button[type=submit]")
    page.wait_for_selector("#error-summary")
    assert_accessible(page, context="endpoint form with an error")
    screenshot(page, f"webhooks-form-error-{size}")
    page.fill("#id_url", receiver.url)
    page.check("#id_on_signal_fired")
    page.get_by_label("Gottsunda").check()
    page.click("form.webhook-form button[type=submit]")
    page.wait_for_url("**/webhooks/*/")
    endpoint = Endpoint.objects.get()
    assert endpoint.organization == org and endpoint.on_report_created and endpoint.on_signal_fired
    assert [a.code for a in endpoint.areas.all()] == ["gottsunda"]

    page.click("details.webhook-secret summary")
    assert page.inner_text("#webhook-secret") == endpoint.secret
    page.click("text=Skicka ett testmeddelande")
    page.wait_for_selector(".message-success")
    assert len(receiver.received) == 1 and receiver.received[0]["headers"]["webhook-id"].startswith("msg_")
    assert page.locator("table .webhook-succeeded").count() == 1
    assert_accessible(page, context="endpoint page with its delivery log")
    assert_no_js_errors(page)
    screenshot(page, f"webhooks-detail-{size}")
    page.click("table a[href*='/deliveries/']")
    page.wait_for_selector("pre.webhook-body")
    assert_accessible(page, context="delivery page")
    screenshot(page, f"webhooks-delivery-{size}")
