import json

import pytest
from shapely.geometry import mapping

from samtrygg.analysis import geo
from samtrygg.areas.models import Area, Place
from samtrygg.reports.models import ReportArea
from tests.factories import CENTRE_X, CENTRE_Y, AreaFactory, PlaceFactory, make_report, square

pytestmark = pytest.mark.django_db


def wgs84_geojson(geometry) -> str:
    return json.dumps(mapping(geo.transform_geometry(geometry, geo.SWEREF, geo.WGS84)))


def area_post(area, **changes):
    data = {"name": area.name, "code": area.code, "kind": area.kind, "parent": area.parent_id or "",
            "population": area.population or "", "is_active": "on" if area.is_active else "",
            "new_geometry": ""}
    data.update(changes)
    return {k: v for k, v in data.items() if v != "" or k in ("new_geometry", "parent", "population")}


def test_area_admin_lists_searches_and_filters(client, admin_user):
    AreaFactory(code="centrum", name="Centrum")
    AreaFactory(code="norr", name="Norr", kind="est_area", geometry=square(CENTRE_X, CENTRE_Y + 5000, 500))
    client.force_login(admin_user)
    response = client.get("/admin/areas/area/?q=norr")
    assert response.status_code == 200
    assert list(response.context["cl"].result_list.values_list("code", flat=True)) == ["norr"]
    response = client.get("/admin/areas/area/?kind__exact=district")
    assert list(response.context["cl"].result_list.values_list("code", flat=True)) == ["centrum"]
    assert client.get("/admin/areas/place/").status_code == 200


def test_area_change_page_shows_outline_and_link(client, admin_user):
    area = AreaFactory(code="centrum", name="Centrum")
    client.force_login(admin_user)
    html = client.get(f"/admin/areas/area/{area.pk}/change/").content.decode()
    assert "<svg" in html and "<path" in html
    assert 'href="/areas/centrum/"' in html
    assert f"x {CENTRE_X - 1000:.0f}" in html


def test_new_polygon_from_admin_reassigns_reports(client, admin_user, reporter):
    area = AreaFactory(code="centrum", name="Centrum")
    inside = make_report(reporter, x=CENTRE_X, y=CENTRE_Y)
    elsewhere = make_report(reporter, x=CENTRE_X + 4000, y=CENTRE_Y)
    client.force_login(admin_user)
    moved = square(CENTRE_X + 4000, CENTRE_Y, 500)
    response = client.post(f"/admin/areas/area/{area.pk}/change/",
                           area_post(area, name="Centrum Öst", new_geometry=wgs84_geojson(moved)))
    assert response.status_code == 302, response.content.decode()[:2000]
    area.refresh_from_db()
    assert area.name == "Centrum Öst"
    assert area.min_x == pytest.approx(CENTRE_X + 3500, abs=0.05)
    assert list(ReportArea.objects.filter(area=area).values_list("report_id", flat=True)) == [elsewhere.pk]
    assert inside.pk not in ReportArea.objects.values_list("report_id", flat=True)


def test_bad_polygon_in_admin_is_an_error_on_the_field(client, admin_user):
    area = AreaFactory(code="centrum", name="Centrum")
    before = bytes(area.geometry_sweref)
    client.force_login(admin_user)
    cases = [
        ("{nope", "Inte giltig JSON"),
        ('{"type": "Point", "coordinates": [17.6, 59.8]}', "Point"),
        (json.dumps(mapping(square(CENTRE_X, CENTRE_Y, 10))), "not lie in Sweden"),  # metres read as degrees
    ]
    for bad, message in cases:
        response = client.post(f"/admin/areas/area/{area.pk}/change/", area_post(area, new_geometry=bad))
        assert response.status_code == 200
        assert message in str(response.context["adminform"].form.errors["new_geometry"])
    area.refresh_from_db()
    assert bytes(area.geometry_sweref) == before


def test_add_area_needs_a_polygon_and_accepts_a_crs_member(client, admin_user):
    client.force_login(admin_user)
    data = {"name": "Ny", "code": "ny", "kind": "district", "parent": "", "population": "", "is_active": "on",
            "new_geometry": ""}
    response = client.post("/admin/areas/area/add/", data)
    assert response.status_code == 200
    assert "behöver en polygon" in str(response.context["adminform"].form.errors["new_geometry"])
    geometry = mapping(square(CENTRE_X, CENTRE_Y, 300))
    geometry["crs"] = {"type": "name", "properties": {"name": "EPSG:3006"}}
    data["new_geometry"] = json.dumps(geometry)
    assert client.post("/admin/areas/area/add/", data).status_code == 302
    assert Area.objects.get(code="ny").max_x == pytest.approx(CENTRE_X + 300)


def test_parent_loop_is_refused(client, admin_user):
    outer = AreaFactory(code="outer", geometry=square(CENTRE_X, CENTRE_Y, 3000))
    inner = AreaFactory(code="inner", parent=outer)
    client.force_login(admin_user)
    response = client.post(f"/admin/areas/area/{outer.pk}/change/", area_post(outer, parent=inner.pk))
    assert response.status_code == 200
    assert "parent" in response.context["adminform"].form.errors


def test_deactivating_in_admin_unassigns_reports(client, admin_user, reporter):
    area = AreaFactory(code="centrum", name="Centrum")
    place = PlaceFactory(code="torget")
    make_report(reporter)
    assert ReportArea.objects.filter(area=area).count() == 1
    client.force_login(admin_user)
    response = client.post("/admin/areas/area/", {"action": "deactivate", "_selected_action": [area.pk]})
    assert response.status_code == 302
    area.refresh_from_db()
    assert not area.is_active
    assert not ReportArea.objects.filter(area=area).exists()
    client.post("/admin/areas/area/", {"action": "activate", "_selected_action": [area.pk]})
    assert ReportArea.objects.filter(area=area).count() == 1
    client.post("/admin/areas/place/", {"action": "deactivate", "_selected_action": [place.pk]})
    assert not Place.objects.get(pk=place.pk).is_active
    assert not place.reports.exists()


def test_non_admin_cannot_reach_area_admin(client, coordinator):
    client.force_login(coordinator)
    response = client.get("/admin/areas/area/")
    assert response.status_code == 302 and "/admin/login/" in response.url
