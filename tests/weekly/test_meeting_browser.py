"""The Monday meeting in a browser: write the assessment, publish, add an action, find it in the list."""

import pytest

from samtrygg.actions.models import Action
from samtrygg.weekly.models import WeeklyPicture
from tests.conftest import assert_accessible, assert_no_js_errors, login, screenshot
from tests.factories import PlaceFactory

WEEK = "2025-W47"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_coordinator_runs_the_weekly_meeting(request, live_server, coordinator, org, area, size):
    page = request.getfixturevalue(f"{size}_page")
    PlaceFactory(code="parken", name="Parken", area=area)
    login(page, live_server, coordinator)

    page.goto(f"{live_server.url}/weekly/{WEEK}/?area={area.code}")
    page.fill("#id_what_we_see", "Mer klotter runt parken, främst kvällstid.")
    page.fill("#id_what_it_means", "Troligen samma grupp som i våras.")
    page.click(".assessment-form button[type=submit]")
    page.wait_for_url(f"**/weekly/{WEEK}/?area={area.code}*")
    assert page.locator(".weekly-assessment textarea#id_what_we_see").input_value().startswith("Mer klotter")
    page.click(".publish-form button[type=submit]")
    page.wait_for_load_state()
    assert page.locator(".badge-published").is_visible()
    picture = WeeklyPicture.objects.get()
    assert picture.published_by == coordinator and picture.area == area
    page.locator("#assessment").scroll_into_view_if_needed()
    screenshot(page, f"meeting-week-assessment-{size}")
    assert_accessible(page, context=f"week page with the meeting sections ({size})")

    page.click("#actions a[role=button]")
    page.wait_for_url("**/actions/new/**")
    assert page.locator("#id_decided").input_value() == WEEK
    assert page.locator("#id_area option:checked").inner_text() == area.name
    assert page.locator("#action-map").is_visible()
    page.fill("#id_title", "Extra väktarrond i parken")
    page.select_option("#id_place", label="Parken")
    page.fill("#id_start_date", "2025-11-24")
    page.fill("#id_end_date", "2025-11-20")  # before the start: must be refused with a clear message
    page.locator("#action-map").click()  # the middle of the map: marks a point
    assert page.locator("#id_lat").input_value() != ""
    screenshot(page, f"meeting-action-form-{size}")
    assert_accessible(page, context=f"new action form ({size})")
    page.click("form.action-form button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("#error-summary").is_visible()
    assert "2025-11-24" in page.locator("#id_end_date_error").inner_text()  # names the start date
    assert page.locator("#id_end_date").get_attribute("aria-invalid") == "true"
    screenshot(page, f"meeting-action-form-error-{size}")
    assert_accessible(page, context=f"action form with an error ({size})")
    assert not Action.objects.exists()
    page.fill("#id_end_date", "2025-12-07")
    page.click("form.action-form button[type=submit]")
    page.wait_for_url(f"**/weekly/{WEEK}/?area={area.code}*")
    assert page.locator("#actions").get_by_text("Extra väktarrond i parken").is_visible()
    action = Action.objects.get()
    assert action.place.code == "parken" and action.lat is not None
    assert (action.decided_year, action.decided_week) == (2025, 47)

    page.goto(f"{live_server.url}/actions/")
    assert page.get_by_role("link", name="Extra väktarrond i parken").is_visible()
    screenshot(page, f"meeting-action-list-{size}")
    assert_accessible(page, context=f"action list ({size})")
    page.get_by_role("link", name="Extra väktarrond i parken").click()
    page.wait_for_url("**/actions/*/")
    page.click(f"a[href='/actions/{action.pk}/edit/']")
    page.select_option("#id_status", "done")
    page.fill("#id_follow_up", "Genomförd, lugnare helg.")
    page.click("form.action-form button[type=submit]")
    page.wait_for_url(f"**/actions/{action.pk}/")
    assert page.locator(".history li").count() == 2
    screenshot(page, f"meeting-action-detail-{size}")
    assert_accessible(page, context=f"action page ({size})")

    page.goto(f"{live_server.url}/weekly/subscription/")
    screenshot(page, f"meeting-subscription-{size}")
    assert_accessible(page, context=f"subscription page ({size})")
    assert_no_js_errors(page)
