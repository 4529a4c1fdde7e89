"""Browser: a coordinator opens a case for a place, fills in the cause analysis (triangle, a checklist item, a
hypothesis), adds a measure and sees it on the case page — on a phone and on a desktop, with axe-core."""

from __future__ import annotations

import pytest

from samtrygg.actions.models import Action
from samtrygg.cases.models import CauseAnalysis, Hypothesis, PlaceCase
from tests.conftest import assert_accessible, assert_no_js_errors, login, screenshot
from tests.factories import AreaFactory, OrganizationFactory, PlaceFactory, UserFactory


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_coordinator_runs_a_case(request, live_server, size):
    page = request.getfixturevalue(f"{size}_page")
    org = OrganizationFactory(code="kommunen", name="Kommunen")
    area = AreaFactory(code="svartbacken", name="Svartbäcken")
    PlaceFactory(code="mikaelsparken", name="Mikaelsparken", area=area)
    user = UserFactory(username="samordnare", role="coordinator", organization=org)
    login(page, live_server, user)

    page.goto(f"{live_server.url}/cases/")
    assert_accessible(page, context="case list (empty)")
    page.goto(f"{live_server.url}/cases/new/")
    page.wait_for_selector("#case-draw-map .leaflet-container, #case-draw-map.leaflet-container")
    page.fill("#id_title", "Mikaelsparken kvällstid")
    page.fill("#id_problem", "Folksamlingar och stölder fredag–lördag kväll")
    page.select_option("#id_place", label="Mikaelsparken")
    page.select_option("#id_partners-0-organization", label="Kommunen")
    page.fill("#id_partners-0-role", "Platsägare")
    page.fill("#id_partners-0-contact", "parkenheten@kommun.se")
    assert_accessible(page, context="open a case")
    screenshot(page, f"cases-create-{size}")
    page.click("form.case-form button[type=submit]")
    page.wait_for_url("**/cases/*/")
    case = PlaceCase.objects.get()
    page.wait_for_selector("#case-detail-map .leaflet-interactive")
    assert "Platsägare" in page.inner_text("body")

    page.click("a[role=button][href$='/analysis/']")
    page.wait_for_url(f"**/cases/{case.pk}/analysis/")
    page.fill("#id_offenders", "Grupper av unga fredag–lördag kväll")
    page.fill("#id_guardians", "Parkpersonal, fältassistenter")
    page.fill("#id_managers", "Parkenheten")
    page.check("#id_check_lighting_1")  # lighting: a problem
    page.fill("#id_note_lighting", "Fem trasiga lampor")
    page.fill("#id_hyp-0-text", "Mörkret gör att grupper samlas")
    page.click("#id_hyp-0-data_link >> xpath=.. >> xpath=.. >> button.case-fill-link[data-kind=datasheet]")
    assert page.input_value("#id_hyp-0-data_link") == f"/cases/{case.pk}/data/"
    page.select_option("#id_hyp-0-verdict", "supported")
    page.click("#add-hypothesis")
    assert page.locator(".case-hypothesis").count() == 2
    assert_accessible(page, context="cause analysis")
    screenshot(page, f"cases-analysis-{size}")
    page.click("form.case-form button[type=submit]")
    page.wait_for_url(f"**/cases/{case.pk}/")
    analysis = CauseAnalysis.objects.get(case=case)
    assert analysis.checklist["lighting"] == {"status": "problem", "note": "Fem trasiga lampor"}
    assert Hypothesis.objects.get(case=case).verdict == "supported"  # the empty added row is ignored

    page.click("a[role=button][href$='/measures/new/']")
    page.wait_for_url(f"**/cases/{case.pk}/measures/new/")
    page.fill("#id_title", "Ny belysning")
    page.fill("#id_end_date", "2030-06-30")
    page.fill("#id_cost", "185000")
    assert_accessible(page, context="new measure")
    screenshot(page, f"cases-measure-{size}")
    page.click("form.case-form button[type=submit]")
    page.wait_for_url(f"**/cases/{case.pk}/#measures-heading")
    assert Action.objects.get(case=case).kind == "long_term"
    assert "Ny belysning" in page.inner_text("#measures-heading + *")
    assert "Fem trasiga lampor" in page.inner_text("body")

    page.click("button[name=status][value=analysed]")
    page.wait_for_selector(".case-path li.is-current")
    assert PlaceCase.objects.get().status == "analysed"
    assert_accessible(page, context="case page")
    screenshot(page, f"cases-detail-{size}")
    page.goto(f"{live_server.url}/cases/")
    assert_accessible(page, context="case list")
    screenshot(page, f"cases-list-{size}")
    assert_no_js_errors(page)
