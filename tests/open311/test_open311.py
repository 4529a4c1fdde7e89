"""Open311 GeoReport v2: every call in XML and JSON, shaped element by element like the specification's
examples (wiki.open311.org/GeoReport_v2), the public view of reports, status, filters, posting with API keys
of every role and of another organisation, and bad input of every kind answered with the error format."""

from __future__ import annotations

import json
import math
from datetime import timedelta
from xml.etree import ElementTree as ET

import pytest
from django.utils import timezone

from samtrygg.analysis import geo
from samtrygg.api.models import ApiToken
from samtrygg.api.tokens import revoke_token
from samtrygg.audit.models import AuditEntry
from samtrygg.open311 import public
from samtrygg.reports.models import Report
from samtrygg.weekly.models import WeeklyPicture
from samtrygg.weekly.weeks import IsoWeek
from tests.factories import make_report

V2 = "/open311/v2"
# The child elements of each response, in the order the specification's examples show them.
SPEC_DISCOVERY = ["changeset", "contact", "key_service", "endpoints"]
SPEC_ENDPOINT = ["specification", "url", "changeset", "type", "formats"]
SPEC_SERVICE = ["service_code", "service_name", "description", "metadata", "type", "keywords", "group"]
SPEC_DEFINITION = ["service_code", "attributes"]
SPEC_ATTRIBUTE = ["variable", "code", "datatype", "required", "datatype_description", "order", "description",
                  "values"]
SPEC_REQUEST = ["service_request_id", "status", "status_notes", "service_name", "service_code", "description",
                "agency_responsible", "service_notice", "requested_datetime", "updated_datetime",
                "expected_datetime", "address", "address_id", "zipcode", "lat", "long", "media_url"]
SPEC_POSTED = ["service_request_id", "service_notice", "account_id"]
DATATYPES = {"string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"}


def xml(response) -> ET.Element:
    assert response["Content-Type"].startswith("text/xml"), response["Content-Type"]
    return ET.fromstring(response.content)


def tags(element) -> list[str]:
    return [child.tag for child in element]


def errors_of(response, fmt="xml") -> list[dict]:
    """The specification's error document, checked for shape, as dicts."""
    if fmt == "json":
        data = response.json()
        assert isinstance(data, list) and data
        for e in data:
            assert set(e) - {"field"} == {"code", "description"}
            assert e["code"] == response.status_code or e["code"] >= 400
        return data
    root = xml(response)
    assert root.tag == "errors" and len(root)
    out = []
    for error in root:
        assert error.tag == "error"
        assert tags(error)[:2] == ["code", "description"]
        out.append({child.tag: child.text for child in error})
    assert int(out[0]["code"]) == response.status_code
    return out


# ---- discovery, services, definitions ------------------------------------------------------------------

def test_discovery(client, o311):
    root = xml(client.get(f"{V2}/discovery.xml"))
    assert root.tag == "discovery" and tags(root) == SPEC_DISCOVERY
    endpoint = root.find("endpoints/endpoint")
    assert tags(endpoint) == SPEC_ENDPOINT
    assert endpoint.findtext("url") == "http://testserver/open311/v2"
    assert [f.text for f in endpoint.find("formats")] == ["text/xml", "application/json"]
    data = client.get(f"{V2}/discovery.json").json()
    assert list(data) == SPEC_DISCOVERY and list(data["endpoints"][0]) == SPEC_ENDPOINT
    assert data["endpoints"][0]["type"] == "production"


def test_services_are_the_active_normal_categories(client, o311):
    from samtrygg.categories.models import Category

    Category.objects.filter(code="ovrigt").update(is_active=False)
    root = xml(client.get(f"{V2}/services.xml"))
    assert root.tag == "services"
    for service in root:
        assert service.tag == "service" and tags(service) == SPEC_SERVICE
        assert service.findtext("metadata") == "true" and service.findtext("type") == "realtime"
    codes = [s.findtext("service_code") for s in root]
    assert "klotter" in codes and "polis_obs" not in codes and "ovrigt" not in codes
    data = client.get(f"{V2}/services.json").json()
    assert [s["service_code"] for s in data] == codes
    assert all(list(s) == SPEC_SERVICE and s["metadata"] is True for s in data)
    assert next(s for s in data if s["service_code"] == "klotter")["service_name"] == "Klotter"


def test_service_definition(client, o311):
    root = xml(client.get(f"{V2}/services/klotter.xml"))
    assert root.tag == "service_definition" and tags(root) == SPEC_DEFINITION
    attributes = root.find("attributes")
    assert len(attributes) == 3
    for attribute in attributes:
        assert attribute.tag == "attribute" and tags(attribute) == SPEC_ATTRIBUTE
        assert attribute.findtext("datatype") in DATATYPES and attribute.findtext("required") == "false"
    data = client.get(f"{V2}/services/klotter.json").json()
    assert data["service_code"] == "klotter"
    assert [a["code"] for a in data["attributes"]] == ["occurred_at", "quantity", "external_id"]


@pytest.mark.parametrize("code", ["polis_obs", "finns-inte"])
@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_sensitive_or_unknown_service_is_not_found(client, o311, code, fmt):
    response = client.get(f"{V2}/services/{code}.{fmt}")
    assert response.status_code == 404
    assert errors_of(response, fmt)[0]["field"] == "service_code"


def test_unknown_format_and_method(client, o311):
    response = client.get(f"{V2}/services.csv")
    assert response.status_code == 404 and errors_of(response)[0]["field"] == "format"
    response = client.put(f"{V2}/services.json")
    assert response.status_code == 405 and "GET" in response["Allow"]
    assert errors_of(response, "json")[0]["code"] == 405
    response = client.delete(f"{V2}/requests.xml")
    assert response.status_code == 405 and "POST" in response["Allow"]


# ---- the public view of reports --------------------------------------------------------------------------

def test_request_is_coarsened_and_has_no_free_text(client, o311):
    x, y = o311["x"] + 13.7, o311["y"] + 201.9
    when = timezone.now() - timedelta(days=2)
    report = make_report(o311["reporter"], x=x, y=y, when=when, description="Anna Andersson 070-123 45 67")
    root = xml(client.get(f"{V2}/requests/{report.pk}.xml"))
    assert root.tag == "service_requests" and len(root) == 1
    item = root[0]
    assert item.tag == "request" and tags(item) == SPEC_REQUEST
    assert item.findtext("description") == "" and "Anna" not in client.get(f"{V2}/requests.xml").content.decode()
    # The position is the centre of the 250 m cell, worked out here independently.
    cx = (math.floor(x / 250) + 0.5) * 250
    cy = (math.floor(y / 250) + 0.5) * 250
    lon, lat = geo.sweref_to_wgs84(cx, cy)
    assert float(item.findtext("lat")) == pytest.approx(float(lat), abs=1e-5)
    assert float(item.findtext("long")) == pytest.approx(float(lon), abs=1e-5)
    ex, ny = geo.wgs84_to_sweref(float(item.findtext("long")), float(item.findtext("lat")))
    assert max(abs(float(ex) - x), abs(float(ny) - y)) <= 125 + 1  # never more than half a cell off
    requested = item.findtext("requested_datetime")
    local = timezone.localtime(when)
    assert requested.startswith(local.strftime("%Y-%m-%dT%H:00:00"))
    assert item.findtext("status") == "open" and item.findtext("service_code") == "klotter"
    assert item.findtext("address") == "Centrum"


def test_place_name_is_the_address(client, o311):
    report = make_report(o311["reporter"], place=o311["place"])
    data = client.get(f"{V2}/requests/{report.pk}.json").json()
    assert len(data) == 1 and list(data[0]) == SPEC_REQUEST
    assert data[0]["address"] == "Parken" and data[0]["address_id"] == "parken"
    assert data[0]["description"] == ""


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_sensitive_deleted_and_unknown_requests_are_not_found(client, o311, fmt):
    secret = make_report(o311["reporter"], category_code="polis_obs")
    deleted = make_report(o311["reporter"])
    deleted.deleted_at = timezone.now()
    deleted.save()
    for pk in (secret.pk, deleted.pk, 999999, "abc", "1e3"):
        response = client.get(f"{V2}/requests/{pk}.{fmt}")
        assert response.status_code == 404, pk
        assert errors_of(response, fmt)[0]["field"] == "service_request_id"
    listed = client.get(f"{V2}/requests.json").json()
    assert {r["service_request_id"] for r in listed}.isdisjoint({secret.pk, deleted.pk})


def test_status_closed_when_the_week_is_published_or_after_four_weeks(client, o311):
    now = timezone.now()
    fresh = make_report(o311["reporter"], when=now - timedelta(days=1))
    old = make_report(o311["reporter"], when=now - timedelta(days=public.CLOSE_AFTER_DAYS + 1))
    published = make_report(o311["reporter"], when=now - timedelta(days=9))
    in_area = make_report(o311["reporter"], when=now - timedelta(days=16))
    week = IsoWeek.of(published.occurred_at)
    WeeklyPicture.objects.create(iso_year=week.year, iso_week=week.week, published_at=now)
    area_week = IsoWeek.of(in_area.occurred_at)
    WeeklyPicture.objects.create(iso_year=area_week.year, iso_week=area_week.week, area=o311["area"],
                                 published_at=now)
    data = {r["service_request_id"]: r for r in client.get(f"{V2}/requests.json").json()}
    if IsoWeek.of(fresh.occurred_at) not in (week, area_week):
        assert data[fresh.pk]["status"] == "open"
    assert data[old.pk]["status"] == "closed"
    assert data[published.pk]["status"] == "closed" and str(week.week) in data[published.pk]["status_notes"]
    assert data[in_area.pk]["status"] == "closed"
    closed = {r["service_request_id"] for r in client.get(f"{V2}/requests.json?status=closed").json()}
    opened = {r["service_request_id"] for r in client.get(f"{V2}/requests.json?status=open").json()}
    both = {r["service_request_id"] for r in client.get(f"{V2}/requests.json?status=open,closed").json()}
    assert {old.pk, published.pk, in_area.pk} <= closed and not closed & opened
    assert closed | opened == both == set(data)
    assert {pk for pk, r in data.items() if r["status"] == "open"} == opened


def test_filters(client, o311):
    now = timezone.now()
    graffiti = make_report(o311["reporter"], when=now - timedelta(days=3))
    fire = make_report(o311["reporter"], category_code="brand", when=now - timedelta(days=40))
    ancient = make_report(o311["reporter"], when=now - timedelta(days=200))

    def ids(query):
        response = client.get(f"{V2}/requests.json{query}")
        assert response.status_code == 200, response.content
        return {r["service_request_id"] for r in response.json()}

    assert ids("") == {graffiti.pk, fire.pk}  # the last 90 days by default
    assert ids("?service_code=brand") == {fire.pk}
    assert ids("?service_code=brand,klotter") == {graffiti.pk, fire.pk}
    start = (now - timedelta(days=250)).strftime("%Y-%m-%dT%H:%M:%SZ")
    end = (now - timedelta(days=170)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert ids(f"?start_date={start}&end_date={end}") == {ancient.pk}
    assert ids(f"?service_request_id={ancient.pk},{fire.pk}") == {ancient.pk, fire.pk}  # overrides the rest
    assert ids(f"?service_request_id={fire.pk}&service_code=klotter") == {fire.pk}
    assert ids("?page_size=1") == {graffiti.pk} and ids("?page_size=1&page=2") == {fire.pk}
    assert ids(f"?start_date={(now - timedelta(days=10)).date()}&jurisdiction_id=uppsala&api_key=x") == {graffiti.pk}


@pytest.mark.parametrize(("query", "field"), [
    ("start_date=igår", "start_date"),
    ("end_date=2026-02-30T00:00:00Z", "end_date"),
    ("start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z", "end_date"),
    ("start_date=2026-06-01T00:00:00Z&end_date=2026-05-01T00:00:00Z", "end_date"),
    ("status=pending", "status"),
    ("service_code=polis_obs", "service_code"),
    ("service_request_id=1;DROP", "service_request_id"),
    ("page_size=5000", "page_size"),
    ("page=0", "page"),
    ("radius=500", "radius"),
    ("status=open&status=closed", "status"),
])
@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_bad_filters_are_400_naming_the_parameter(client, o311, query, field, fmt):
    response = client.get(f"{V2}/requests.{fmt}?{query}")
    assert response.status_code == 400
    assert field in [e.get("field") for e in errors_of(response, fmt)]


def test_public_list_can_be_switched_off(client, o311, settings):
    report = make_report(o311["reporter"])
    settings.SAMTRYGG_OPEN311_PUBLIC_REQUESTS = False
    assert client.get(f"{V2}/requests.xml").status_code == 404
    assert client.get(f"{V2}/requests/{report.pk}.json").status_code == 404
    assert client.get(f"{V2}/services.xml").status_code == 200
    response = client.post(f"{V2}/requests.json", {"api_key": o311["keys"]["reporter"], "service_code": "klotter",
                                                   "lat": "59.858", "long": "17.645"})
    assert response.status_code == 201


# ---- posting -------------------------------------------------------------------------------------------

def _post(client, fmt="xml", **fields):
    return client.post(f"{V2}/requests.{fmt}", fields)


def _position(o311, dx=0.0, dy=0.0) -> dict:
    lon, lat = geo.sweref_to_wgs84(o311["x"] + dx, o311["y"] + dy)
    return {"lat": f"{float(lat):.6f}", "long": f"{float(lon):.6f}"}


@pytest.mark.parametrize("role", ["reporter", "analyst", "coordinator"])
def test_post_creates_a_report_of_the_tokens_organisation(client, o311, role):
    response = _post(client, api_key=o311["keys"][role], service_code="klotter", description="Nytt klotter",
                     **_position(o311, 10, 10), **{"attribute[quantity]": "4"})
    assert response.status_code == 201
    root = xml(response)
    assert root.tag == "service_requests" and tags(root[0]) == SPEC_POSTED
    report = Report.objects.get(pk=int(root[0].findtext("service_request_id")))
    token = ApiToken.objects.get(role=role, organization=o311["org"])
    assert report.organization == o311["org"] and report.created_by == token.service_user
    assert report.source == "api" and report.quantity == 4 and report.description == "Nytt klotter"
    assert report.category.code == "klotter" and report.areas.filter(pk=o311["area"].pk).exists()
    assert AuditEntry.objects.filter(object_type="reports.report", object_id=str(report.pk), action="create",
                                     actor=token.service_user).exists()
    assert abs(report.x - (o311["x"] + 10)) < 0.5


def test_post_with_another_organisations_key_files_for_that_organisation(client, o311):
    response = _post(client, "json", api_key=o311["keys"]["other"], service_code="brand", **_position(o311))
    assert response.status_code == 201
    report = Report.objects.get(pk=response.json()[0]["service_request_id"])
    assert report.organization == o311["other"]
    response = _post(client, "json", api_key=o311["keys"]["other"], service_code="brand", organization="kommunen",
                     **_position(o311))
    assert response.status_code == 400 and errors_of(response, "json")[0]["field"] == "organization"


def test_post_json_body_place_time_and_external_id(client, o311):
    body = {"api_key": o311["keys"]["reporter"], "service_code": "belysning", "address_string": "parken",
            "attribute": {"occurred_at": "2026-03-01T21:30:00+01:00", "external_id": "FEL-77"}}
    response = client.post(f"{V2}/requests.json", json.dumps(body), content_type="application/json")
    assert response.status_code == 201, response.content
    first = response.json()[0]["service_request_id"]
    report = Report.objects.get(pk=first)
    assert report.place == o311["place"] and report.external_id == "FEL-77"
    assert timezone.localtime(report.occurred_at).isoformat() == "2026-03-01T21:30:00+01:00"
    again = client.post(f"{V2}/requests.json", json.dumps(body), content_type="application/json")
    assert again.status_code == 200 and again.json()[0]["service_request_id"] == first
    assert Report.objects.filter(external_id="FEL-77").count() == 1
    by_id = _post(client, "json", api_key=o311["keys"]["reporter"], service_code="belysning", address_id="parken",
                  requested_datetime="2026-03-02T08:00:00Z")
    assert by_id.status_code == 201
    assert Report.objects.get(pk=by_id.json()[0]["service_request_id"]).occurred_at.hour == 8


def test_post_removes_personal_data_and_keeps_no_contact_details(client, o311):
    response = _post(client, "json", api_key=o311["keys"]["reporter"], service_code="fordon",
                     description="Bil ABC 123 parkerad, ring 070-123 45 67 eller mejla a@b.se",
                     email="anmalare@example.se", first_name="Anna", last_name="Andersson", phone="0701234567",
                     media_url="https://bilder.example.se/1.jpg", **_position(o311))
    assert response.status_code == 201
    notice = response.json()[0]["service_notice"]
    assert "Personal data" in notice or "Personuppgifter" in notice
    report = Report.objects.get(pk=response.json()[0]["service_request_id"])
    assert not any(t in report.description for t in ("ABC 123", "070", "a@b.se"))
    assert report.description.startswith("Bil […] parkerad")
    stored = json.dumps({"d": report.description, "a": report.attributes}, ensure_ascii=False)
    assert "Anna" not in stored and "anmalare" not in stored and "0701234567" not in stored
    assert report.attributes["open311"]["media_url"] == "https://bilder.example.se/1.jpg"
    assert set(report.attributes["open311"]["removed_personal_data"]) == {"plate", "phone", "email"}


@pytest.mark.parametrize(("role_or_key", "why"), [
    (None, "missing"), ("st_00000000_" + "A" * 43, "unknown"), ("garbage", "malformed"),
    ("viewer", "viewer"), ("revoked", "revoked"), ("expired", "expired"),
])
@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_post_without_a_valid_key_is_403(client, o311, role_or_key, why, fmt):
    key = role_or_key
    if why in ("viewer", "revoked", "expired"):
        key = o311["keys"]["viewer" if why == "viewer" else "reporter"]
        token = ApiToken.objects.get(role="viewer" if why == "viewer" else "reporter", organization=o311["org"])
        if why == "revoked":
            revoke_token(None, token)
        elif why == "expired":
            ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    fields = {"service_code": "klotter", **_position(o311)}
    if key is not None:
        fields["api_key"] = key
    response = _post(client, fmt, **fields)
    assert response.status_code == 403
    assert errors_of(response, fmt)[0]["field"] == "api_key"
    assert not Report.objects.exists()


def test_post_key_in_the_query_string(client, o311):
    response = client.post(f"{V2}/requests.xml?api_key={o311['keys']['reporter']}&jurisdiction_id=x",
                           {"service_code": "klotter", **_position(o311)})
    assert response.status_code == 201
    response = client.post(f"{V2}/requests.xml?service_code=klotter", {"api_key": o311["keys"]["reporter"]})
    assert response.status_code == 400 and errors_of(response)[0]["field"] == "service_code"


BAD_FIELDS = [
    ({"service_code": ""}, "service_code"),
    ({"service_code": "polis_obs"}, "service_code"),
    ({"service_code": "finns-inte"}, "service_code"),
    ({"lat": "norr"}, "lat"),
    ({"lat": "95"}, "lat"),
    ({"long": ""}, "long"),
    ({"lat": "", "long": ""}, "lat"),
    ({"lat": "", "long": "", "address_string": "Storgatan 1"}, "address_string"),
    ({"lat": "", "long": "", "address_id": "finns-inte"}, "address_id"),
    ({"lat": "59.0", "long": "15.0"}, "lat"),  # outside every area
    ({"attribute[quantity]": "två"}, "attribute[quantity]"),
    ({"attribute[quantity]": "2.5"}, "attribute[quantity]"),
    ({"attribute[quantity]": "0"}, "attribute[quantity]"),
    ({"attribute[occurred_at]": "i förrgår"}, "attribute[occurred_at]"),
    ({"attribute[occurred_at]": "2999-01-01T00:00:00Z"}, "attribute[occurred_at]"),
    ({"attribute[colour]": "red"}, "attribute[colour]"),
    ({"requested_datetime": "1980-01-01T00:00:00Z"}, "requested_datetime"),
    ({"media_url": "file:///etc/passwd"}, "media_url"),
    ({"description": "x" * 5001}, "description"),
    ({"attribute[external_id]": "x" * 201}, "attribute[external_id]"),
    ({"severity": "high"}, "severity"),
]


@pytest.mark.parametrize(("changes", "field"), BAD_FIELDS)
@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_post_bad_fields_are_400_naming_the_field(client, o311, changes, field, fmt):
    fields = {"api_key": o311["keys"]["reporter"], "service_code": "klotter", **_position(o311), **changes}
    fields = {k: v for k, v in fields.items() if not (k in ("lat", "long") and v == "")}
    response = _post(client, fmt, **fields)
    assert response.status_code == 400, response.content
    assert field in [e.get("field") for e in errors_of(response, fmt)]
    assert not Report.objects.exists()


def test_post_every_error_at_once(client, o311):
    response = _post(client, "json", api_key=o311["keys"]["reporter"], service_code="finns-inte", lat="x",
                     long="y", **{"attribute[quantity]": "-1"})
    assert response.status_code == 400
    assert {e["field"] for e in errors_of(response, "json")} >= {"service_code", "lat", "long", "attribute[quantity]"}


def test_post_json_bad_bodies(client, o311):
    key = o311["keys"]["reporter"]
    cases = [
        (b"{not json", "application/json", 400, "body"),
        (b"[1, 2]", "application/json", 400, "body"),
        (b"\xff\xfe", "application/json", 400, "body"),
        (json.dumps({"api_key": key, "service_code": ["klotter"]}).encode(), "application/json", 400, "service_code"),
        (json.dumps({"api_key": key, "service_code": "klotter", "lat": True, "long": 17.6}).encode(),
         "application/json", 400, "lat"),
        (json.dumps({"api_key": key, "service_code": 12, "lat": 59.858, "long": 17.645}).encode(),
         "application/json", 400, "service_code"),
        (json.dumps({"api_key": key, "attribute": {"quantity": [1]}}).encode(), "application/json", 400,
         "attribute[quantity]"),
        (b"<request/>", "application/xml", 415, "Content-Type"),
        (b"service_code=klotter", "text/plain", 415, "Content-Type"),
    ]
    for body, content_type, status, field in cases:
        response = client.post(f"{V2}/requests.json", body, content_type=content_type)
        assert response.status_code == status, (body, response.content)
        assert errors_of(response, "json")[0]["field"] == field, body
    assert not Report.objects.exists()


def test_post_huge_body_repeated_field_and_file(client, o311):
    key = o311["keys"]["reporter"]
    huge = json.dumps({"api_key": key, "service_code": "klotter", "description": "x" * 70_000})
    response = client.post(f"{V2}/requests.xml", huge, content_type="application/json")
    assert response.status_code == 413 and errors_of(response)[0]["field"] == "body"
    response = client.post(f"{V2}/requests.xml", f"api_key={key}&service_code=klotter&service_code=brand",
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400 and errors_of(response)[0]["field"] == "service_code"
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(f"{V2}/requests.xml", {"api_key": key, "service_code": "klotter", **_position(o311),
                                                  "media": SimpleUploadedFile("a.jpg", b"xx")})
    assert response.status_code == 400 and errors_of(response)[0]["field"] == "media"
    assert not Report.objects.exists()
