from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone

from samtrygg.accounts.models import Organization
from samtrygg.areas import stats
from samtrygg.categories.models import Category
from samtrygg.reports.services import delete_report
from tests.factories import CENTRE_X, CENTRE_Y, AreaFactory, PlaceFactory, UserFactory, make_report, square

pytestmark = pytest.mark.django_db


@pytest.fixture
def city(org, police_org):
    kommun = AreaFactory(code="kommun", name="Kommunen", kind="municipality",
                         geometry=square(CENTRE_X, CENTRE_Y, 5000))
    centrum = AreaFactory(code="centrum", name="Centrum", parent=kommun,
                          geometry=square(CENTRE_X, CENTRE_Y, 1000))
    AreaFactory(code="norr", name="Norr", parent=kommun, geometry=square(CENTRE_X, CENTRE_Y + 3000, 1000))
    park = PlaceFactory(code="parken", name="Parken", area=centrum, geometry=square(CENTRE_X, CENTRE_Y, 100))
    secret = Category.objects.create(code="polisobs", name="Polisobservation", sensitivity="sensitive")
    police = UserFactory(organization=police_org, role="reporter", username="polis")
    reporter = UserFactory(organization=org, role="reporter", username="rapp")
    now = timezone.now()
    make_report(reporter, when=now - timedelta(days=2))  # centrum + park, recent
    make_report(reporter, when=now - timedelta(days=100), x=CENTRE_X + 500)  # centrum, this year
    make_report(reporter, when=now - timedelta(days=400))  # too old
    gone = make_report(reporter, when=now - timedelta(days=3))
    delete_report(reporter, gone)  # soft-deleted: never counted
    make_report(police, category_code="polisobs", when=now - timedelta(days=5))  # sensitive, centrum + park
    make_report(reporter, when=now - timedelta(days=10), y=CENTRE_Y + 3000)  # norr
    return SimpleNamespace(kommun=kommun, centrum=centrum, park=park, secret=secret, reporter=reporter)


def test_counts_in_sql(city):
    counts = stats.counts()
    assert counts[city.centrum.pk] == (3, 2)  # 2 + 100 days + sensitive 5 days; 400 days and deleted out
    assert counts[city.kommun.pk] == (4, 3)
    assert stats.counts(places=True)[city.park.pk] == (2, 2)
    by_cat = stats.counts_by_category(city.centrum.pk)
    assert by_cat == {Category.objects.get(code="klotter").pk: 2, city.secret.pk: 1}


def test_small_sensitive_counts_are_what_totals_leave_out(city):
    assert stats.small_sensitive() == {city.kommun.pk: (1, 1), city.centrum.pk: (1, 1)}
    assert stats.small_sensitive(places=True) == {city.park.pk: (1, 1)}
    police = Organization.objects.get(code="polisen")
    for i in range(4):  # five sensitive reports in the centre: shown, so counted
        make_report(UserFactory(organization=police, role="reporter", username=f"p{i}"), category_code="polisobs",
                    when=timezone.now() - timedelta(days=20 + i))
    assert city.centrum.pk not in stats.small_sensitive()


def test_tree_order_and_loops():
    a = SimpleNamespace(pk=1, parent_id=None, name="B-stad", code="b")
    b = SimpleNamespace(pk=2, parent_id=1, name="Öst", code="o")
    c = SimpleNamespace(pk=3, parent_id=1, name="Centrum", code="c")
    d = SimpleNamespace(pk=4, parent_id=None, name="A-stad", code="a")
    e = SimpleNamespace(pk=5, parent_id=6, name="Loop1", code="l1")
    f = SimpleNamespace(pk=6, parent_id=5, name="Loop2", code="l2")
    rows = [(x.code, depth) for x, depth in stats.tree([a, b, c, d, e, f])]
    assert rows == [("a", 0), ("b", 0), ("c", 1), ("o", 1), ("l1", 0), ("l2", 0)]


def test_area_list_page(client, city, reporter):
    client.force_login(reporter)
    response = client.get("/areas/")
    assert response.status_code == 200
    html = response.content.decode()
    # municipality first, then its districts indented
    assert html.index("Kommunen") < html.index("Centrum") < html.index("Norr")
    assert 'class="depth-1"' in html
    rows = {r["area"].code: (r["year"], r["recent"], r["depth"]) for r in response.context["rows"]}
    # The one sensitive report is a count under 5 this user may not see: left out of every total.
    assert rows == {"kommun": (3, 2, 0), "centrum": (2, 1, 1), "norr": (1, 1, 1)}
    assert f"/reports/?area={city.centrum.pk}&amp;date_from=" in html
    assert response.context["place_rows"][0]["year"] == 1
    assert "Parken" in html


def test_area_detail_counts_and_sensitive_links(client, city, reporter):
    client.force_login(reporter)  # kommunen: no sensitive access
    response = client.get("/areas/centrum/")
    assert response.status_code == 200
    rows = {r["category"].code: r for r in response.context["category_rows"]}
    assert rows["klotter"]["count"] == 2
    assert rows["klotter"]["url"].startswith(f"/reports/?area={city.centrum.pk}&category=")
    assert rows["polisobs"]["count"] == "<5"  # a small count of reports this user may not see ...
    assert rows["polisobs"]["url"] is None  # ... not linked to a list this user cannot see
    assert response.context["year"] == 2  # ... and left out of the total
    html = response.content.decode()
    assert "Parken" in html and "Kommunen" in html  # place within, breadcrumb
    assert "I känsliga kategorier räknas även rapporter som du inte kan öppna." in html
    assert 'id="suppressed-note"' in html and "&lt;5" in html
    assert response.context["map_data"]["features"][0]["properties"]["role"] == "area"


def test_sensitive_link_for_those_who_see_it(client, city, police_org):
    analyst = UserFactory(organization=police_org, role="analyst", username="analytiker")
    client.force_login(analyst)
    response = client.get("/areas/centrum/")
    rows = {r["category"].code: r for r in response.context["category_rows"]}
    assert rows["polisobs"]["url"] is not None and rows["polisobs"]["count"] == 1
    assert response.context["year"] == 3 and 'id="suppressed-note"' not in response.content.decode()
    assert client.get("/areas/places/parken/").context["year"] == 2


def test_place_detail(client, city, reporter):
    client.force_login(reporter)
    response = client.get("/areas/places/parken/")
    assert response.status_code == 200
    assert response.context["year"] == 1  # the sensitive report: under 5, left out
    assert response.context["ancestors"] == [city.kommun, city.centrum]
    assert f"/reports/?place={city.park.pk}" in response.content.decode()


def test_unknown_codes_and_login(client, city, reporter):
    assert client.get("/areas/").status_code == 302
    client.force_login(reporter)
    assert client.get("/areas/nowhere/").status_code == 404
    assert client.get("/areas/places/nowhere/").status_code == 404


def test_geojson_still_serves_outlines(client, city, reporter):
    client.force_login(reporter)
    data = client.get("/areas/geojson/").json()
    assert {f["id"] for f in data["features"]} == {"kommun", "centrum", "norr"}
    places = client.get("/areas/geojson/?places=1").json()
    assert [f["id"] for f in places["features"]] == ["parken"]
