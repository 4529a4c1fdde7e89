"""The reports map asks for its view: points when few, counts per grid cell (computed in SQL) when many."""

import json

import pytest
from django.http import QueryDict
from django.urls import reverse

from samtrygg.categories.models import Category
from samtrygg.reports import map_clusters
from samtrygg.reports.models import Report
from tests.factories import CENTRE_X, CENTRE_Y, make_report

pytestmark = pytest.mark.django_db
CITY = "17.0,59.0,18.5,60.5"  # a view around the test city


def view_data(client, zoom, bbox=CITY, **filters):
    response = client.get(reverse("reports:map_data"), {"bbox": bbox, "zoom": zoom, **filters})
    assert response.status_code == 200, response.content
    return response.json()


@pytest.fixture
def many(reporter, monkeypatch):
    """Twelve reports in two clumps two cells apart (8 + 4) at the centres of zoom 12's grid cells (a clump across
    a cell border would be counted in two cells), and a limit of 5 points per view."""
    monkeypatch.setattr(map_clusters, "POINT_LIMIT", 5)
    cell = map_clusters.View(*map(float, CITY.split(",")), 12).cell_metres()
    x0, y0 = (CENTRE_X // cell + 0.5) * cell, (CENTRE_Y // cell + 0.5) * cell
    made = [make_report(reporter, x=x0 + 10 * i, y=y0 + 10 * i) for i in range(8)]
    made += [make_report(reporter, x=x0 + 2 * cell + 10 * i, y=y0) for i in range(4)]
    return made


def test_few_reports_in_view_come_as_points(client, reporter):
    made = [make_report(reporter, x=CENTRE_X + 100 * i, y=CENTRE_Y) for i in range(3)]
    client.force_login(reporter)
    data = view_data(client, 12)
    assert data["mode"] == "points" and data["total"] == 3
    assert {f["properties"]["id"] for f in data["features"]} == {r.pk for r in made}


def test_many_reports_in_view_come_as_counts_per_cell(client, reporter, many):
    client.force_login(reporter)
    data = view_data(client, 12)  # a cell is ~60 px ≈ 1.2 km at zoom 12
    assert data["mode"] == "clusters" and data["total"] == 12
    counts = sorted(f["properties"]["count"] for f in data["features"])
    assert counts == [4, 8]
    big = max(data["features"], key=lambda f: f["properties"]["count"])
    clump = [r for r in many[:8]]
    west, south, east, north = big["properties"]["bounds"]
    assert west == pytest.approx(min(r.lon for r in clump), abs=1e-6)
    assert north == pytest.approx(max(r.lat for r in clump), abs=1e-6)
    assert big["geometry"]["coordinates"][0] == pytest.approx(sum(r.lon for r in clump) / 8, abs=1e-6)


def test_zooming_in_gives_points_again(client, reporter, many):
    client.force_login(reporter)
    a = many[0]
    small = f"{a.lon - 0.002},{a.lat - 0.002},{a.lon + 0.004},{a.lat + 0.004}"  # only the clump of 8 …
    assert view_data(client, 15, bbox=small)["mode"] == "clusters"  # … still more than the limit of 5
    street = view_data(client, map_clusters.POINTS_FROM_ZOOM, bbox=small)
    assert street["mode"] == "points" and street["total"] == 8
    assert len(street["features"]) == 5 and street["capped"] is True  # at street level capped, never clustered
    corner = f"{a.lon - 0.0001},{a.lat - 0.0001},{a.lon + 0.0003},{a.lat + 0.0003}"
    assert view_data(client, 16, bbox=corner)["mode"] == "points"


def test_filters_apply_to_the_counts(client, reporter, many):
    make_report(reporter, category_code="brand", x=CENTRE_X, y=CENTRE_Y)
    client.force_login(reporter)
    brand = Category.objects.get(code="brand").pk
    data = view_data(client, 12, category=brand)
    assert data["mode"] == "points" and data["total"] == 1


def test_sensitive_reports_the_user_may_not_see_are_neither_points_nor_counts(
        client, reporter, police_org, user_factory, many):
    Category.objects.create(code="polis_obs", name="Polisobservation", sensitivity="sensitive")
    police = user_factory("reporter", organization=police_org, username="polis")
    for i in range(6):  # a clump of its own, far from the others
        make_report(police, category_code="polis_obs", x=many[0].x - 5000, y=many[0].y + 10 * i)
    client.force_login(reporter)
    data = view_data(client, 12)
    assert data["total"] == 12 and sorted(f["properties"]["count"] for f in data["features"]) == [4, 8]
    client.force_login(police)  # their own organisation's: counted for them
    data = view_data(client, 12)
    assert data["total"] == 18 and sorted(f["properties"]["count"] for f in data["features"]) == [4, 6, 8]


def test_a_cached_view_follows_new_reports_and_who_asks(client, reporter, police_org, user_factory, many):
    Category.objects.create(code="polis_obs", name="Polisobservation", sensitivity="sensitive")
    police = user_factory("reporter", organization=police_org, username="polis")
    make_report(police, category_code="polis_obs", x=many[0].x - 5000, y=many[0].y)
    client.force_login(police)
    assert view_data(client, 12)["total"] == 13
    client.force_login(reporter)
    assert view_data(client, 12)["total"] == 12  # not the police's cached view
    make_report(reporter, x=many[0].x, y=many[0].y)  # in no area: the map shows it all the same
    assert view_data(client, 12)["total"] == 13


@pytest.mark.parametrize(("params", "field"), [
    ({"bbox": "17,59,18", "zoom": 12}, "bbox"),
    ({"bbox": "18,59,17,60", "zoom": 12}, "bbox"),
    ({"bbox": "17,59,nan,60", "zoom": 12}, "bbox"),
    ({"bbox": CITY, "zoom": "x"}, "zoom"),
    ({"bbox": CITY}, "zoom"),
    ({"bbox": CITY, "zoom": 99}, "zoom"),
])
def test_a_bad_view_is_a_400_naming_the_parameter(client, reporter, params, field):
    client.force_login(reporter)
    response = client.get(reverse("reports:map_data"), params)
    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_cell_size_follows_zoom_and_latitude():
    v12 = map_clusters.View(17, 59, 18, 60, 12)
    # cos(59.5°) ≈ 0.51
    assert v12.cell_metres() == pytest.approx(156543.03392 * 0.5 / 4096 * map_clusters.CELL_PIXELS, rel=0.02)
    assert map_clusters.View(17, 59, 18, 60, 13).cell_metres() == pytest.approx(v12.cell_metres() / 2)
    assert map_clusters.parse_view(QueryDict("zoom=3")) == (None, {})  # no bbox: the whole set, as before


def test_without_a_view_the_whole_filtered_set_is_sent_as_before(client, reporter):
    make_report(reporter)
    client.force_login(reporter)
    data = client.get(reverse("reports:map_data")).json()
    assert "mode" not in data and len(data["features"]) == 1 == Report.objects.count()
    json.dumps(data)
