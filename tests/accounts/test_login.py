import pytest

from tests.conftest import assert_accessible, assert_no_js_errors, login, screenshot
from tests.factories import PASSWORD


@pytest.mark.real_password_hashing
@pytest.mark.django_db
def test_passwords_are_hashed_with_argon2(reporter):
    assert reporter.password.startswith("argon2$")
    assert reporter.check_password(PASSWORD)


@pytest.mark.django_db
def test_wrong_password_is_refused_with_a_message(client, reporter):
    response = client.post("/login/", {"username": reporter.username, "password": "nope"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_password_change(client, reporter):
    client.force_login(reporter)
    response = client.post("/accounts/password/", {
        "old_password": PASSWORD, "new_password1": "ett-nytt-losen-42", "new_password2": "ett-nytt-losen-42"})
    assert response.status_code == 302
    reporter.refresh_from_db()
    assert reporter.check_password("ett-nytt-losen-42")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("page_fixture", ["phone_page", "desktop_page"])
def test_login_and_home_in_browser(request, page_fixture, live_server, reporter):
    page = request.getfixturevalue(page_fixture)
    page.goto(f"{live_server.url}/")
    assert "/login/" in page.url
    assert_accessible(page, context="login page")
    screenshot(page, f"login-{page_fixture}")
    login(page, live_server, reporter)
    assert page.locator("h1").inner_text().startswith(("Välkommen", "Welcome"))
    assert_accessible(page, context="home page")
    screenshot(page, f"home-{page_fixture}")
    assert_no_js_errors(page)
