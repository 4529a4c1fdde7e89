"""Browser: a coordinator sees the results and publishes the feedback; the public page on a phone."""

from __future__ import annotations

import subprocess

import pytest
from django.urls import reverse

from samtrygg.walks.models import Feedback
from tests.conftest import SCREENSHOTS, assert_accessible, assert_no_js_errors, login, screenshot
from tests.factories import UserFactory
from tests.walks import results_data as data


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_coordinator_sees_results_and_publishes(request, size, live_server, area):
    page = request.getfixturevalue(f"{size}_page")
    q = data.questionnaire()
    data.ten_responses(data.version(q), area)
    coordinator = UserFactory(role="coordinator")
    login(page, live_server, coordinator)
    page.goto(live_server.url + reverse("walks:results", args=[q.pk]))
    assert page.locator("#q-atgarder").get_by_text("Bättre belysning").count() == 1
    page.locator("#q-ovrigt input[type=checkbox]").first.check()
    page.get_by_role("button", name="Godkänn markerade").or_(
        page.get_by_role("button", name="Approve selected")).click()
    page.wait_for_load_state()
    assert_accessible(page, context="results")
    assert_no_js_errors(page)
    screenshot(page, f"results-{size}")
    page.goto(live_server.url + reverse("walks:feedback_edit", args=[q.pk]))
    page.fill("#id_summary_sv", "Många känner sig otrygga vid tunneln.")
    page.locator("button[name=do][value=publish]").click()
    page.wait_for_load_state()
    assert Feedback.objects.get(questionnaire=q).published_at is not None
    assert_accessible(page, context="feedback editor")
    screenshot(page, f"feedback-edit-{size}")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_public_feedback_page(request, size, live_server, area):
    from django.utils import timezone

    from samtrygg.walks.models import Answer

    page = request.getfixturevalue(f"{size}_page")
    q = data.questionnaire()
    data.ten_responses(data.version(q), area)
    Answer.objects.filter(value="Mörkt vid tunneln!").update(approved=True)
    Feedback.objects.create(questionnaire=q, summary_sv="Många känner sig otrygga vid tunneln.",
                            summary_en="Many feel unsafe at the tunnel.", published_at=timezone.now())
    page.goto(live_server.url + reverse("public:feedback", args=[q.slug]))
    assert page.get_by_text("Många känner sig otrygga vid tunneln.").count() == 1
    assert_accessible(page, context="public feedback")
    assert_no_js_errors(page)
    screenshot(page, f"public-feedback-{size}")
    page.goto(live_server.url + reverse("public:feedback", args=[q.slug]) + "?lang=en")
    assert page.get_by_text("Many feel unsafe at the tunnel.").count() == 1
    assert page.locator("html").get_attribute("lang") == "en"
    assert_accessible(page, context="public feedback (en)")
    if size == "phone":
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= page.viewport_size["width"] + 1, "the page scrolls sideways on a phone"
        # The PDF rendered to PNG to look at.
        response = page.request.get(live_server.url + reverse("public:feedback_pdf", args=[q.slug]))
        assert response.body().startswith(b"%PDF")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        pdf = SCREENSHOTS / "feedback.pdf"
        pdf.write_bytes(response.body())
        subprocess.run(["pdftoppm", "-png", "-r", "60", str(pdf), str(SCREENSHOTS / "feedback-pdf")], check=True)
        assert (SCREENSHOTS / "feedback-pdf-1.png").exists()
