"""Browser: a coordinator builds a questionnaire (from the template, edits a question, opens it)."""

import pytest

from samtrygg.walks import questionnaires as svc
from samtrygg.walks.models import Questionnaire
from tests.conftest import assert_accessible, assert_no_js_errors, login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_coordinator_builds_a_questionnaire(request, live_server, coordinator, size):
    page = request.getfixturevalue(f"{size}_page")
    login(page, live_server, coordinator)
    page.goto(f"{live_server.url}/walks/questionnaires/")
    assert_accessible(page, context="list")
    page.get_by_role("button", name="Nytt frågeformulär").click()
    page.locator("#id_title").fill("Trygghet i Centrum")
    page.locator("#id_slug").fill(f"centrum-{size}")
    page.locator("#id_is_open").check()
    assert_accessible(page, context="create")
    page.locator("main button[type=submit]").click()
    page.wait_for_url("**/edit/")
    assert_accessible(page, context="edit")
    screenshot(page, f"walks-builder-edit-{size}")
    page.locator("#id_form-0-text_en").fill("How safe do you feel after dark?")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    errors = page.locator(".errorlist, .form-errors").all_inner_texts()
    assert not errors, errors
    page.wait_for_url(lambda url: url.endswith(f"/questionnaires/{Questionnaire.objects.get().pk}/"))
    q = Questionnaire.objects.get()
    assert q.is_open
    assert svc.current_version(q).questions.get(key="safe_after_dark").text_en == "How safe do you feel after dark?"
    assert_accessible(page, context="detail")
    screenshot(page, f"walks-builder-detail-{size}")
    page.goto(f"{live_server.url}/walks/questionnaires/{q.pk}/paper/")
    assert_accessible(page, context="paper entry")
    screenshot(page, f"walks-paper-entry-{size}")
    assert_no_js_errors(page)
