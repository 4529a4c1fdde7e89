"""The weekly picture page (server side): bad input, filters, empty states, sensitivity."""

from datetime import timedelta

import pytest
from django.urls import reverse

from samtrygg.categories.models import Category, Sensitivity
from samtrygg.weekly.weeks import IsoWeek
from tests.factories import AreaFactory, OrganizationFactory, UserFactory, category
from tests.weekly.weekly_data import bulk_reports

WEEK = IsoWeek(2026, 20)
SECRET = "HEMLIG-OBSERVATION-77"


@pytest.fixture
def world(db):
    org = OrganizationFactory(code="parker", name="Parker")
    police = OrganizationFactory(code="polisen", name="Polisen", sees_sensitive=True)
    north = AreaFactory(code="norr", name="Norr")
    secret = Category.objects.create(code="polis_obs", name="Polisens iakttagelse",
                                     sensitivity=Sensitivity.SENSITIVE, severity=5)
    bulk_reports([(WEEK.start() + timedelta(hours=h), "klotter") for h in (3, 30, 60)]
                 + [{"when": WEEK.start() + timedelta(hours=70), "category": "brand", "description": "Bil brann"}],
                 organization=org, areas=[north])
    bulk_reports([{"when": WEEK.start() + timedelta(hours=8), "category": secret.code, "description": SECRET}],
                 organization=police, areas=[north])
    viewer = UserFactory(username="lasare", organization=org, role="viewer")
    coordinator = UserFactory(username="samordnare", organization=org, role="coordinator")
    return {"viewer": viewer, "coordinator": coordinator, "north": north, "org": org}


def get(client, user, url):
    client.force_login(user)
    return client.get(url, headers={"accept-language": "en"})


def test_current_redirects_to_last_complete_week(client, world):
    r = get(client, world["viewer"], reverse("weekly:current") + "?area=norr")
    assert r.status_code == 302
    assert r["Location"] == reverse("weekly:week", args=[str(IsoWeek.last_complete())]) + "?area=norr"


def test_week_page_shows_counts_links_and_sections(client, world):
    r = get(client, world["viewer"], reverse("weekly:week", args=[str(WEEK)]))
    assert r.status_code == 200
    html = r.content.decode()
    for text in ("Signals", "Reports by area and category", "Notable reports", "Reporting by organisation",
                 'id="weekly-map"', "weekday-hour", reverse("weekly:help")):
        assert text in html
    assert "/reports/?date_from=2026-05-11&amp;date_to=2026-05-17&amp;area=" in html
    assert r.context["picture"]["totals"]["reports"] == 4  # the one sensitive report: "<5", left out of sums
    assert SECRET not in html  # never shown
    assert 'id="suppressed-note"' in html
    assert "Bil brann" in html
    assert r.context["can_edit"] is False
    assert get(client, world["coordinator"], reverse("weekly:week", args=[str(WEEK)])).context["can_edit"]


@pytest.mark.parametrize(("week", "message"), [
    ("2026-W54", "2026 has no week 54"), ("hello", "is not a week"), ("2026-W00", "has no week 0")])
def test_bad_weeks_are_404_with_a_message(client, world, week, message):
    r = get(client, world["viewer"], f"/weekly/{week}/")
    assert r.status_code == 404
    assert message in r.content.decode()


def test_future_week_is_a_clear_message(client, world):
    future = IsoWeek.last_complete().shift(3)
    r = get(client, world["viewer"], reverse("weekly:week", args=[str(future)]))
    assert r.status_code == 404
    assert "has not started yet" in r.content.decode()


@pytest.mark.parametrize(("query", "message"), [
    ("area=nowhere", "There is no area with the code “nowhere”"),
    ("category=abc", "Category “abc” does not exist"),
    ("category=99999", "Category “99999” does not exist"),
    ("organization=x", "That organisation does not exist"),
])
def test_bad_filters_are_400_with_a_message(client, world, query, message):
    r = get(client, world["viewer"], reverse("weekly:week", args=[str(WEEK)]) + "?" + query)
    assert r.status_code == 400
    html = r.content.decode()
    assert message in html
    assert 'aria-invalid="true"' in html or 'aria-describedby="id_category_error"' in html


def test_filters_narrow_the_page(client, world):
    kl = category("klotter").pk
    r = get(client, world["viewer"], reverse("weekly:week", args=[str(WEEK)]) + f"?area=norr&category={kl}")
    assert r.status_code == 200
    p = r.context["picture"]
    assert p["area"]["code"] == "norr" and p["totals"]["reports"] == 3
    assert {row["category"]["code"] for row in p["rows"]} == {"klotter"}
    assert f"?area=norr&amp;category={kl}" in r.content.decode()  # week navigation keeps the filters


def test_week_picker_redirects_and_keeps_filters(client, world):
    url = reverse("weekly:week", args=[str(WEEK)])
    r = get(client, world["viewer"], url + "?goto=2026-W10&area=norr&organization=")
    assert r.status_code == 302 and r["Location"] == "/weekly/2026-W10/?area=norr"
    r = get(client, world["viewer"], url + "?goto=2026-W60")
    assert r.status_code == 404 and "2026 has no week 60" in r.content.decode()


def test_empty_week_and_no_history(client, world):
    r = get(client, world["viewer"], reverse("weekly:week", args=["2020-W10"]))
    assert r.status_code == 200
    assert "No reports this week or the week before" in r.content.decode()
    r = get(client, world["viewer"], reverse("weekly:week", args=[str(WEEK)]))
    assert "no history" in r.content.decode()  # one week of data: no expected count yet


def test_help_page(client, world):
    r = get(client, world["viewer"], reverse("weekly:help"))
    assert r.status_code == 200
    html = r.content.decode()
    for text in ("Expected", "Threshold", "Two weeks together", "Too few cases", "Short histories"):
        assert text in html


def test_anonymous_goes_to_login(client, world):
    r = client.get(reverse("weekly:week", args=[str(WEEK)]))
    assert r.status_code == 302 and "/login/" in r["Location"]


@pytest.mark.parametrize("week", ["0000-W01", "9999-W01"])
def test_a_year_without_dates_is_a_clear_404_not_a_500(client, coordinator, week):
    """Four digits would allow year 0, where Python has no dates (found by the API's schemathesis run)."""
    client.force_login(coordinator)
    response = client.get(f"/weekly/{week}/")
    assert response.status_code in (400, 404)
    assert "1900" in response.content.decode()


def test_a_scope_of_many_rows_shows_signals_and_area_totals(client, world, monkeypatch):
    """A large city's 1 500 area × category rows: the page shows the rows with a signal and each area's
    totals linking to that area's week (same filters); the full table stays in the XLSX and the API."""
    from samtrygg.weekly import views

    south = AreaFactory(code="syd", name="Söder")
    bulk_reports([(WEEK.start() + timedelta(hours=5), "klotter")], organization=world["org"], areas=[south])
    kl, br = category("klotter").pk, category("brand").pk
    url = reverse("weekly:week", args=[str(WEEK)]) + f"?category={kl}&category={br}"
    full = get(client, world["coordinator"], url).content.decode()
    assert "week-counts" in full and "table-shortened" not in full

    monkeypatch.setattr(views, "TABLE_ROW_LIMIT", 2)
    page = get(client, world["coordinator"], url)
    html = page.content.decode()
    assert page.status_code == 200
    from samtrygg.weekly.picture import build_picture

    rows = build_picture(world["coordinator"], WEEK, categories=[category("klotter"), category("brand")])["rows"]
    assert len(rows) > 2 and f"This selection has {len(rows)} area and category rows" in html
    assert "week-counts" not in html  # no row has a signal in this small world
    totals = html[html.index("week-area-totals"):]
    for code in ("norr", "syd"):
        link = f"/weekly/{WEEK}/?area={code}&amp;category={kl}&amp;category={br}"
        assert link in totals
    assert get(client, world["coordinator"], url.replace("?", "?area=norr&")).status_code == 200
