"""Reports over the API: what a list, a filter, a page and GeoJSON give; creating and changing through the
report services (areas, audit) with the web form's checks; and every kind of bad input as a 4xx naming
the field."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from samtrygg.audit.models import AuditEntry
from samtrygg.reports.filters import ReportFilterForm, reports_for
from samtrygg.reports.models import Report
from tests.factories import CENTRE_X, CENTRE_Y, AreaFactory, UserFactory, make_report, square

from .conftest import SECRET_TEXT, KeyClient

NEW = {"occurred_at": "2026-01-05T10:00", "category": "klotter", "lat": 59.8586, "lon": 17.6389}


@pytest.fixture
def reporter_api(api_world):
    return KeyClient(api_world["keys"]["reporter"])


def _ids(response) -> list[int]:
    body = response.json()
    if body.get("type") == "FeatureCollection":
        return [f["properties"]["id"] for f in body["features"]]
    return [r["id"] for r in body["results"]]


# ---- creating --------------------------------------------------------------------------------------------

def test_create_goes_through_the_report_services(api_world, reporter_api):
    answer = reporter_api.post_json("/api/v1/reports/", {**NEW, "external_id": "F-1", "quantity": 3,
                                                        "description": "Tags på muren"})
    assert answer.status_code == 201, answer.content
    body = answer.json()
    report = Report.objects.get(pk=body["id"])
    assert answer["Location"].endswith(f"/api/v1/reports/{report.pk}/")
    assert report.source == "api" and report.external_id == "F-1" and report.quantity == 3
    assert report.created_by == api_world["tokens"]["reporter"].service_user
    assert report.organization == api_world["org"]
    assert body["areas"] == ["centrum"] and list(report.areas.values_list("code", flat=True)) == ["centrum"]
    entry = AuditEntry.objects.get(object_type="reports.report", object_id=str(report.pk), action="create")
    assert entry.actor == api_world["tokens"]["reporter"].service_user
    # Without an offset the time is Swedish time (CET in January).
    assert body["occurred_at"] == "2026-01-05T10:00:00+01:00"


def test_create_at_a_place_or_in_sweref(api_world, reporter_api):
    at_place = reporter_api.post_json("/api/v1/reports/", {"occurred_at": "2026-01-05T10:00", "category": "Klotter",
                                                           "place": "Parken"})
    assert at_place.status_code == 201, at_place.content
    assert at_place.json()["place"] == "parken"
    assert abs(at_place.json()["x"] - CENTRE_X) < 1 and abs(at_place.json()["y"] - CENTRE_Y) < 1
    in_sweref = reporter_api.post_json("/api/v1/reports/", {"occurred_at": "2026-01-05T10:00", "category": "klotter",
                                                            "x": CENTRE_X + 10, "y": CENTRE_Y})
    assert in_sweref.status_code == 201
    assert abs(in_sweref.json()["x"] - (CENTRE_X + 10)) < 0.01


@pytest.mark.parametrize(("body", "field", "code"), [
    ({**NEW, "occurred_at": "igår"}, "occurred_at", "invalid"),
    ({**NEW, "occurred_at": (timezone.now() + timedelta(days=2)).isoformat()}, "occurred_at", "future"),
    ({**NEW, "category": "finns-inte"}, "category", "invalid_choice"),
    ({**NEW, "category": 5}, "category", "type"),
    ({**NEW, "lat": "59.85"}, "lat", "type"),
    ({**NEW, "lat": True}, "lat", "type"),
    ({**NEW, "lat": 95}, "lat", "max_value"),
    ({**NEW, "quantity": 0}, "quantity", "min_value"),
    ({**NEW, "quantity": "2"}, "quantity", "type"),
    ({**NEW, "lat": 40.0, "lon": 10.0}, "lat", "outside_areas"),
    ({"occurred_at": "2026-01-05T10:00", "category": "klotter"}, "lat", "no_position"),
    ({**NEW, "x": 1.0, "y": 2.0}, "x", "invalid"),
    ({**NEW, "place": "Ingenstans"}, "place", "invalid_choice"),
    ({**NEW, "colour": "red"}, "colour", "unknown_field"),
    ({**NEW, "description": "Ring 070-123 45 67"}, "description", "personal_data"),
    ({"category": "klotter", "lat": 59.8586, "lon": 17.6389}, "occurred_at", "required"),
])
def test_bad_input_is_a_400_naming_the_field(api_world, reporter_api, body, field, code):
    before = Report.objects.count()
    answer = reporter_api.post_json("/api/v1/reports/", body)
    assert answer.status_code == 400, answer.content
    errors = answer.json()["errors"]
    assert (field, code) in {(e["field"], e["code"]) for e in errors}, errors
    assert all(e["message"] for e in errors)
    assert Report.objects.count() == before


def test_personal_data_is_saved_when_the_caller_says_so(api_world, reporter_api):
    answer = reporter_api.post_json("/api/v1/reports/", {**NEW, "description": "Ring 070-123 45 67",
                                                        "allow_personal_data": True})
    assert answer.status_code == 201


@pytest.mark.parametrize(("data", "content_type", "status", "code"), [
    (b"{not json", "application/json", 400, "parse_error"),
    (b'{"occurred_at": NaN}', "application/json", 400, "parse_error"),
    (b"\xff\xfe", "application/json", 400, "parse_error"),
    (b"[1, 2]", "application/json", 400, "invalid"),
    (b"occurred_at=2026-01-05", "application/x-www-form-urlencoded", 415, "unsupported_media_type"),
    (b"<report/>", "application/xml", 415, "unsupported_media_type"),
])
def test_malformed_bodies(api_world, reporter_api, data, content_type, status, code):
    answer = reporter_api.generic("POST", "/api/v1/reports/", data, content_type=content_type)
    assert answer.status_code == status
    assert answer.json()["errors"][0]["code"] == code


def test_a_huge_body_is_413(api_world, reporter_api, settings):
    settings.SAMTRYGG_API_MAX_BODY_BYTES = 1000
    body = json.dumps({**NEW, "description": "x" * 2000})
    answer = reporter_api.generic("POST", "/api/v1/reports/", body, content_type="application/json")
    assert answer.status_code == 413 and answer.json()["errors"][0]["code"] == "too_large"
    bulk = reporter_api.generic("POST", "/api/v1/reports/bulk/", json.dumps({"reports": [NEW] * 50}),
                                content_type="application/json")
    assert bulk.status_code == 413


def test_a_taken_external_id_is_409(api_world, reporter_api):
    assert reporter_api.post_json("/api/v1/reports/", {**NEW, "external_id": "F-9"}).status_code == 201
    again = reporter_api.post_json("/api/v1/reports/", {**NEW, "external_id": "F-9"})
    assert again.status_code == 409
    assert again.json()["errors"][0]["field"] == "external_id"
    assert Report.objects.filter(external_id="F-9").count() == 1
    # Another organisation may use the same id: ids are per organisation.
    police = KeyClient(api_world["keys"]["police_analyst"])
    assert police.post_json("/api/v1/reports/", {**NEW, "external_id": "F-9"}).status_code == 201


def test_the_police_external_id_does_not_leak_through_a_conflict(api_world, reporter_api):
    """P-1 is the police's sensitive report: for the municipality the id is simply free."""
    answer = reporter_api.post_json("/api/v1/reports/", {**NEW, "external_id": "P-1"})
    assert answer.status_code == 201


# ---- changing and deleting -------------------------------------------------------------------------------

def test_patch_changes_only_what_it_names_and_is_audited(api_world, reporter_api):
    own = api_world["own"]
    before = Report.objects.get(pk=own.pk)
    answer = reporter_api.patch_json(f"/api/v1/reports/{own.pk}/", {"quantity": 4})
    assert answer.status_code == 200, answer.content
    after = Report.objects.get(pk=own.pk)
    assert after.quantity == 4
    assert (after.occurred_at, after.lat, after.lon, after.category_id, after.description) == (
        before.occurred_at, before.lat, before.lon, before.category_id, before.description)
    entry = AuditEntry.objects.filter(object_type="reports.report", object_id=str(own.pk), action="update").get()
    assert entry.changes == {"quantity": [1, 4]}


def test_patch_moves_the_report_and_its_areas(api_world, reporter_api):
    AreaFactory(code="norr", name="Norr", geometry=square(CENTRE_X, CENTRE_Y + 5000, 1000))
    own = api_world["own"]
    answer = reporter_api.patch_json(f"/api/v1/reports/{own.pk}/", {"x": CENTRE_X, "y": CENTRE_Y + 5000})
    assert answer.status_code == 200, answer.content
    assert answer.json()["areas"] == ["norr"]


def test_patch_to_a_place_moves_there_and_clearing_the_place_keeps_the_position(api_world, reporter_api):
    own = api_world["own"]
    moved = reporter_api.patch_json(f"/api/v1/reports/{own.pk}/", {"place": "parken"})
    assert moved.status_code == 200 and moved.json()["place"] == "parken"
    position = (moved.json()["lat"], moved.json()["lon"])
    cleared = reporter_api.patch_json(f"/api/v1/reports/{own.pk}/", {"place": None})
    assert cleared.status_code == 200, cleared.content
    assert cleared.json()["place"] is None and (cleared.json()["lat"], cleared.json()["lon"]) == position


def test_delete_is_soft_and_audited(api_world, reporter_api):
    own = api_world["own"]
    assert reporter_api.delete(f"/api/v1/reports/{own.pk}/").status_code == 204
    own.refresh_from_db()
    assert own.deleted_at is not None
    assert AuditEntry.objects.filter(object_id=str(own.pk), action="delete").exists()
    assert reporter_api.get(f"/api/v1/reports/{own.pk}/").status_code == 404
    coordinator = KeyClient(api_world["keys"]["coordinator"])
    assert coordinator.get(f"/api/v1/reports/{own.pk}/").json()["deleted_at"] is not None
    assert own.pk not in _ids(coordinator.get("/api/v1/reports/"))
    assert own.pk in _ids(coordinator.get("/api/v1/reports/?deleted=true"))


# ---- lists, filters, pages, GeoJSON ----------------------------------------------------------------------

@pytest.mark.parametrize("role", ["viewer", "reporter", "analyst", "coordinator"])
@pytest.mark.parametrize("url", ["/api/v1/reports/", "/api/v1/reports/?format=geojson",
                                 "/api/v1/reports/?q=HEMLIG", "/api/v1/reports/?category=polis_obs",
                                 "/api/v1/reports/?organization=polisen", "/api/v1/weekly/latest/"])
def test_the_sensitive_report_never_leaks(api_world, role, url):
    answer = KeyClient(api_world["keys"][role]).get(url)
    assert answer.status_code == 200
    assert SECRET_TEXT.encode() not in answer.content and b'"P-1"' not in answer.content
    if "weekly" not in url:
        assert api_world["secret"].pk not in _ids(answer)


def test_the_police_key_sees_its_sensitive_report(api_world):
    answer = KeyClient(api_world["keys"]["police_analyst"]).get("/api/v1/reports/?q=HEMLIG")
    assert _ids(answer) == [api_world["secret"].pk]


@pytest.mark.parametrize("query", [
    "", "category={klotter}", "category={klotter}&category={brand}", "area={area}", "place={place}",
    "organization={org}", "q=muren", "date_from=2020-01-01", "date_to=2020-01-01",
    "date_from={today}&date_to={today}", "area={area}&category={klotter}&q=Kollegans",
])
def test_filters_give_what_the_web_list_gives(api_world, query):
    from samtrygg.categories.models import Category

    reporter = api_world["tokens"]["reporter"]
    today = timezone.localdate().isoformat()
    for i in range(3):
        make_report(reporter.service_user, category_code="brand", when=timezone.now() - timedelta(days=400 + i))
    ids = {"klotter": Category.objects.get(code="klotter").pk, "brand": Category.objects.get(code="brand").pk,
           "area": api_world["area"].pk, "place": api_world["place"].pk, "org": api_world["org"].pk, "today": today}
    by_id = query.format(**ids)
    from django.http import QueryDict

    web = reports_for(reporter.service_user, ReportFilterForm(QueryDict(by_id), user=reporter.service_user))
    expected = list(web.order_by("-occurred_at", "-id").values_list("id", flat=True))
    client = KeyClient(api_world["keys"]["reporter"])
    assert _ids(client.get(f"/api/v1/reports/?{by_id}&page_size=1000")) == expected
    by_code = query.format(klotter="klotter", brand="brand", area="centrum", place="parken", org="kommunen",
                           today=today)
    assert _ids(client.get(f"/api/v1/reports/?{by_code}&page_size=1000")) == expected


@pytest.mark.parametrize(("query", "field"), [
    ("date_from=igår", "date_from"), ("area=finns-inte", "area"), ("category=999999", "category"),
    ("date_from=2026-02-01&date_to=2026-01-01", "date_to"), ("page_size=0", "page_size"),
    ("page_size=5000", "page_size"), ("cursor=bad", "cursor"), ("deleted=maybe", "deleted"),
    ("categroy=klotter", "categroy"),
])
def test_bad_filters_are_400_naming_the_parameter(api_world, reporter_api, query, field):
    answer = reporter_api.get(f"/api/v1/reports/?{query}")
    assert answer.status_code == 400
    assert field in {e["field"] for e in answer.json()["errors"]}


def test_cursor_pages_walk_every_report_once_newest_first(api_world, reporter_api):
    user = api_world["tokens"]["reporter"].service_user
    same_time = timezone.now() - timedelta(days=3)
    for _ in range(5):  # ties on occurred_at must neither repeat nor skip
        make_report(user, when=same_time)
    for days in range(4):
        make_report(user, when=timezone.now() - timedelta(days=10 + days))
    expected = list(Report.objects.filter(deleted_at__isnull=True, category__code="klotter")
                    .order_by("-occurred_at", "-id").values_list("id", flat=True))
    seen, url = [], "/api/v1/reports/?category=klotter&page_size=2"
    while url:
        body = reporter_api.get(url).json()
        assert len(body["results"]) <= 2
        seen += [r["id"] for r in body["results"]]
        url = body["next"]
    assert seen == expected and len(seen) == 11


def test_geojson_is_valid_rfc7946(api_world, reporter_api):
    import shapely.geometry

    for url in ["/api/v1/reports/?format=geojson", f"/api/v1/reports/{api_world['own'].pk}/?format=geojson"]:
        answer = reporter_api.get(url)
        assert answer["Content-Type"] == "application/geo+json"
        body = answer.json()
        features = body["features"] if body["type"] == "FeatureCollection" else [body]
        assert features
        for feature in features:
            assert feature["type"] == "Feature" and feature["geometry"]["type"] == "Point"
            lon, lat = feature["geometry"]["coordinates"]
            assert -180 <= lon <= 180 and -90 <= lat <= 90
            assert shapely.geometry.shape(feature["geometry"]).is_valid
            assert (lon, lat) == pytest.approx((feature["properties"]["lon"], feature["properties"]["lat"]), abs=1e-6)
    accept = reporter_api.get("/api/v1/reports/", HTTP_ACCEPT="application/geo+json")
    assert accept["Content-Type"] == "application/geo+json" and accept.json()["type"] == "FeatureCollection"


def test_errors_are_json_even_when_geojson_was_asked_for(api_world, reporter_api):
    answer = reporter_api.get("/api/v1/reports/?format=geojson&area=nowhere")
    assert answer.status_code == 400 and answer["Content-Type"] == "application/json"


def test_an_unknown_address_under_the_api_is_a_json_404(api_world, reporter_api):
    answer = reporter_api.post_json("/api/v1/nothing/here/", {})
    assert answer.status_code == 404 and answer.json()["errors"][0]["code"] == "not_found"


# ---- the browser session -------------------------------------------------------------------------------

def test_session_auth_needs_csrf_but_keys_do_not(api_world):
    user = UserFactory(username="webbrapportor", organization=api_world["org"], role="reporter")
    browser = APIClient(enforce_csrf_checks=True)
    browser.force_login(user)
    assert browser.get("/api/v1/reports/").status_code == 200
    refused = browser.post("/api/v1/reports/", json.dumps(NEW), content_type="application/json")
    assert refused.status_code == 403 and "CSRF" in refused.json()["errors"][0]["message"]
    keyed = KeyClient(api_world["keys"]["reporter"], enforce_csrf_checks=True)
    assert keyed.post_json("/api/v1/reports/", NEW).status_code == 201
