"""Browser: a resident answers on a phone (English, the place list instead of the map), axe-core clean."""

import pytest

from samtrygg.walks import questionnaires as svc
from samtrygg.walks.models import Answer, Response
from tests.conftest import assert_accessible, assert_no_js_errors, screenshot
from tests.factories import AreaFactory, PlaceFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def setup_q():
    area = AreaFactory(code="centrum", name="Centrum")
    PlaceFactory(code="parken", name="Stadsparken", area=area)
    PlaceFactory(code="torget", name="Stora torget", area=area)
    q = svc.create_questionnaire(None, title="Trygghet i Centrum 2026", slug="centrum", area=area,
                                 intro_sv="Hjälp oss göra Centrum tryggare.", intro_en="Help us make Centrum safer.")
    q.is_open = True
    q.save()
    return q


def test_resident_answers_in_english_on_a_phone(phone_page, live_server):
    setup_q()
    page = phone_page
    page.goto(f"{live_server.url}/svara/centrum/")
    assert page.locator("h1").inner_text() == "Trygghet i Centrum 2026"
    # The conditional map question is hidden until "yes".
    assert not page.locator('fieldset[data-key="avoided_place"]').is_visible()
    assert_accessible(page, context="answer form (sv)")
    screenshot(page, "walks-answer-phone-sv")
    page.get_by_role("link", name="English").click()
    page.wait_for_url("**lang=en")
    assert "How safe do you feel in the area after dark?" in page.content()
    page.locator('fieldset[data-key="safe_after_dark"] label').nth(1).click()
    page.locator('fieldset[data-key="safe_daytime"] label').nth(3).click()
    page.get_by_label("Yes").check()
    box = page.locator('fieldset[data-key="avoided_place"]')
    assert box.is_visible()
    box.get_by_label("Choose a place from the list").select_option("parken")
    page.get_by_label("Litter").check()
    page.get_by_label("Poor lighting").check()
    page.locator('fieldset[data-key="safer"] textarea').fill("More lights by the bus stop")
    assert_accessible(page, context="answer form (en, filled)")
    screenshot(page, "walks-answer-phone-en-filled")
    page.get_by_role("button", name="Send my answer").click()
    page.wait_for_url("**/tack/**")
    assert "Thank you" in page.locator("h1").inner_text()
    assert_accessible(page, context="thanks")
    screenshot(page, "walks-answer-phone-thanks")
    assert_no_js_errors(page)
    response = Response.objects.get()
    assert response.language == "en"
    values = {a.question.key: a.value for a in Answer.objects.select_related("question")}
    assert values["safe_after_dark"] == 2 and values["avoided_place"] == {"place": "parken"}
    assert values["problems"] == ["nedskrapning", "belysning"]


def test_required_errors_and_pii_warning_are_accessible(desktop_page, live_server):
    setup_q()
    page = desktop_page
    page.goto(f"{live_server.url}/svara/centrum/?lang=en")
    page.locator('fieldset[data-key="safer"] textarea').fill("Call me on 070-123 45 67")
    assert page.locator(".pii-live").is_visible()
    page.get_by_role("button", name="Send my answer").click()
    assert page.locator(".field-error").count() >= 2
    assert page.locator(".pii-warning").is_visible()
    assert_accessible(page, context="answer form with errors")
    screenshot(page, "walks-answer-desktop-errors")
    assert Response.objects.count() == 0
    assert_no_js_errors(page)


def test_map_can_be_tapped(phone_page, live_server):
    setup_q()
    page = phone_page
    page.goto(f"{live_server.url}/svara/centrum/?lang=en")
    page.locator('fieldset[data-key="safe_after_dark"] label').nth(2).click()
    page.locator('fieldset[data-key="safe_daytime"] label').nth(2).click()
    page.get_by_label("Yes").check()
    page.get_by_text("Or tap the place on a map").click()
    page.locator(".answer-map").click(position={"x": 100, "y": 100})
    page.get_by_role("button", name="Send my answer").click()
    page.wait_for_url("**/tack/**")
    value = Answer.objects.get(question__key="avoided_place").value
    assert set(value) == {"lat", "lon"}
    assert_no_js_errors(page)


def test_closed_page(phone_page, live_server):
    q = setup_q()
    q.is_open = False
    q.save()
    phone_page.goto(f"{live_server.url}/svara/centrum/?lang=en")
    assert "closed" in phone_page.content()
    assert_accessible(phone_page, context="closed")
    screenshot(phone_page, "walks-answer-closed")
