"""Browser: two coordinators edit the same place case in two browsers; the second sees the conflict message
in Swedish with who saved, the small diff and their own text kept, saves again deliberately. And the 503 page
when the database cannot be reached. Screenshots, axe-core."""

from __future__ import annotations

from unittest import mock

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.db import OperationalError

from samtrygg.cases.models import PlaceCase
from tests.conftest import DESKTOP, PHONE, _page, assert_accessible, assert_no_js_errors, login, screenshot
from tests.factories import AreaFactory, OrganizationFactory, PlaceFactory, UserFactory


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_the_second_editor_sees_the_conflict_and_keeps_their_text(browser, live_server, size):
    org = OrganizationFactory(code="kommunen", name="Kommunen")
    area = AreaFactory(code="svartbacken", name="Svartbäcken")
    place = PlaceFactory(code="mikaelsparken", name="Mikaelsparken", area=area)
    eva = UserFactory(username="eva", first_name="Eva", last_name="Lind", role="coordinator", organization=org)
    ali = UserFactory(username="ali", first_name="Ali", last_name="Hassan", role="coordinator", organization=org)
    case = PlaceCase.objects.create(title="Mikaelsparken kvällstid", place=place, problem="Folksamlingar",
                                    opened_on="2026-01-05")
    viewport = PHONE if size == "phone" else DESKTOP
    extra = {"is_mobile": True, "has_touch": True} if size == "phone" else {}
    ctx_a, page_a = _page(browser, viewport, **extra)
    ctx_b, page_b = _page(browser, viewport, **extra)
    for page in (page_a, page_b):
        page.set_default_timeout(30_000)  # two browsers on a shared 2-core machine
    try:
        login(page_a, live_server, eva)
        login(page_b, live_server, ali)
        url = f"{live_server.url}/cases/{case.pk}/edit/"
        page_a.goto(url)
        page_b.goto(url)
        page_a.fill("#id_problem", "Folksamlingar och stölder fredag–lördag kväll")
        page_a.click("form.case-form button[type=submit]")
        page_a.wait_for_url(f"**/cases/{case.pk}/")

        page_b.fill("#id_title", "Mikaelsparken på kvällen")
        page_b.click("form.case-form button[type=submit]")
        page_b.wait_for_selector("#edit-conflict")
        text = page_b.inner_text("#edit-conflict")
        assert "Någon annan sparade ändringar medan du redigerade" in text
        assert "Eva Lind" in text and "inte sparade" in text
        assert "Folksamlingar och stölder fredag–lördag kväll" in text  # what is saved now
        assert page_b.input_value("#id_title") == "Mikaelsparken på kvällen"  # the typed text is kept
        case.refresh_from_db()
        assert case.title == "Mikaelsparken kvällstid"
        assert_accessible(page_b, context="edit conflict")
        assert_no_js_errors(page_b)
        screenshot(page_b, f"edit-conflict-{size}")

        page_b.fill("#id_problem", "Folksamlingar och stölder fredag–lördag kväll")
        page_b.click("form.case-form button[type=submit]")
        page_b.wait_for_url(f"**/cases/{case.pk}/")
        case.refresh_from_db()
        assert (case.title, case.problem) == ("Mikaelsparken på kvällen",
                                              "Folksamlingar och stölder fredag–lördag kväll")
    finally:
        ctx_a.close()
        ctx_b.close()


def _down(*args, **kwargs):
    raise OperationalError("could not connect to server")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_503_page(phone_page, live_server):
    user = UserFactory(username="eva", role="coordinator", organization=OrganizationFactory(code="kommunen"))
    login(phone_page, live_server, user)
    with mock.patch.object(SessionStore, "load", _down):
        response = phone_page.goto(f"{live_server.url}/reports/")
        assert response.status == 503 and response.headers["retry-after"] == "30"
        assert "Samtrygg kommer inte åt sin databas just nu" in phone_page.inner_text("main")
        assert_accessible(phone_page, context="503")
        assert_no_js_errors(phone_page)
        screenshot(phone_page, "database-unavailable-phone")
    phone_page.goto(f"{live_server.url}/reports/")
    assert phone_page.locator("h1").count() == 1 and "databas" not in phone_page.inner_text("main")
