"""Bulk creation over the API: the file import's validation and importer, idempotent on
(organisation, external_id), all or nothing by default, every bad row named by its index."""

from __future__ import annotations

import pytest

from samtrygg.audit.models import AuditEntry
from samtrygg.imports.services import check_file
from samtrygg.reports.models import Report
from tests.imports.helpers import LAT, LON, csv_bytes, row

from .conftest import KeyClient

URL = "/api/v1/reports/bulk/"


def good(i: int, **extra) -> dict:
    return {"external_id": f"B-{i}", "occurred_at": "2025-05-01T12:00", "category": "klotter", "lat": LAT,
            "lon": LON, **extra}


@pytest.fixture
def api(api_world):
    return KeyClient(api_world["keys"]["reporter"])


def test_creates_then_updates_never_duplicates(api_world, api):
    first = api.post_json(URL, {"reports": [good(1), good(2, quantity=2)]})
    assert first.status_code == 201, first.content
    body = first.json()
    assert (body["created"], body["updated"], body["unchanged"]) == (2, 0, 0)
    stored = {r.external_id: r for r in Report.objects.filter(external_id__in=["B-1", "B-2"])}
    assert [(r["index"], r["external_id"], r["id"]) for r in body["reports"]] == [
        (0, "B-1", stored["B-1"].pk), (1, "B-2", stored["B-2"].pk)]
    assert stored["B-1"].source == "api" and stored["B-1"].organization == api_world["org"]
    assert list(stored["B-1"].areas.values_list("code", flat=True)) == ["centrum"]

    again = api.post_json(URL, {"reports": [good(1), good(2, quantity=5)]})
    assert again.status_code == 200
    assert (again.json()["created"], again.json()["updated"], again.json()["unchanged"]) == (0, 1, 1)
    assert Report.objects.filter(external_id__in=["B-1", "B-2"]).count() == 2
    assert Report.objects.get(external_id="B-2").quantity == 5
    assert [r["id"] for r in again.json()["reports"]] == [stored["B-1"].pk, stored["B-2"].pk]


def test_one_audit_entry_per_request(api_world, api):
    api.post_json(URL, {"reports": [good(i) for i in range(5)]})
    entries = AuditEntry.objects.filter(action="import")
    assert entries.count() == 1
    entry = entries.get()
    assert entry.actor == api_world["tokens"]["reporter"].service_user
    assert entry.changes["created"] == 5 and "API" in entry.summary


def test_all_or_nothing_lists_every_bad_row_by_index(api_world, api):
    rows = [good(0), good(1, category="finns-inte"), good(2), good(3, lat=10.0, lon=10.0),
            good(4, lat="59.8"), good(5, colour="red"), "not an object",
            {"category": "klotter", "lat": LAT, "lon": LON}]
    answer = api.post_json(URL, {"reports": rows})
    assert answer.status_code == 400
    errors = answer.json()["errors"]
    by_index = {}
    for e in errors:
        by_index.setdefault(e["index"], []).append((e["field"], e["code"]))
    assert sorted(by_index) == [1, 3, 4, 5, 6, 7]
    assert by_index[1] == [("reports[1]", "invalid")] and "finns-inte" in errors[0]["message"]
    assert by_index[3] == [("reports[3]", "invalid")]
    assert by_index[4] == [("reports[4].lat", "type")]
    assert by_index[5] == [("reports[5].colour", "unknown_field")]
    assert by_index[6] == [("reports[6]", "type")]
    assert by_index[7] == [("reports[7].occurred_at", "required")]
    assert not Report.objects.filter(external_id__startswith="B-").exists()
    assert not AuditEntry.objects.filter(action="import").exists()


def test_valid_only_imports_the_good_rows_and_lists_the_rest(api_world, api):
    answer = api.post_json(URL, {"valid_only": True, "reports": [good(0), good(1, category="nej"), good(2)]})
    assert answer.status_code == 201
    body = answer.json()
    assert (body["created"], body["skipped"], body["valid"], body["total"]) == (2, 1, 2, 3)
    assert [e["index"] for e in body["errors"]] == [1]
    assert set(Report.objects.filter(external_id__startswith="B-").values_list("external_id", flat=True)) == {
        "B-0", "B-2"}


def test_dry_run_writes_nothing_and_tells_what_would_happen(api_world, api):
    api.post_json(URL, {"reports": [good(1)]})
    answer = api.post_json(URL, {"dry_run": True, "reports": [good(1), good(2)]})
    assert answer.status_code == 200
    assert (answer.json()["created"], answer.json()["updated"]) == (1, 1)
    assert not Report.objects.filter(external_id="B-2").exists()


def test_no_valid_row_is_400_even_with_valid_only(api_world, api):
    answer = api.post_json(URL, {"valid_only": True, "reports": [good(0, category="nej")]})
    assert answer.status_code == 400 and answer.json()["errors"][0]["index"] == 0


def test_duplicate_external_ids_in_one_request_are_errors(api_world, api):
    answer = api.post_json(URL, {"reports": [good(1), good(1)]})
    assert answer.status_code == 400
    assert answer.json()["errors"][0]["field"] == "reports[1]" and "0" in answer.json()["errors"][0]["message"]


def test_same_verdicts_as_the_file_import(api_world, api):
    """The same rows as a CSV file through the web import's check_file: the same rows fail."""
    rows = [row(external_id="X-1"), row(external_id="X-2", category="nej"), row(external_id="X-3", quantity="0"),
            row(external_id="X-4", occurred_at="2099-01-01T10:00"), row(external_id="X-5", place="Parken"),
            row(external_id="X-6", lat="", lon="", x="647800", y="6638600")]
    user = api_world["tokens"]["reporter"].service_user
    v = check_file(csv_bytes(rows), "x.csv", organization=user.organization, user=user)
    file_bad = sorted(line - 2 for line, _reason in v.errors)  # line 2 is the first data row
    json_rows = []
    for r in rows:
        item = {k: v for k, v in r.items() if v != ""}
        for key in ("lat", "lon", "x", "y"):
            if key in item:
                item[key] = float(item[key])
        if "quantity" in item:
            item["quantity"] = int(item["quantity"])
        json_rows.append(item)
    answer = api.post_json(URL, {"dry_run": True, "reports": json_rows})
    assert sorted(e["index"] for e in answer.json()["errors"]) == file_bad == [1, 2, 3]
    assert [e["message"] for e in answer.json()["errors"]] == [reason for _line, reason in v.errors]


def test_attributes_are_kept_and_may_not_shadow_fields(api_world, api):
    answer = api.post_json(URL, {"reports": [good(1, attributes={"ärende": "K-77", "prio": 2})]})
    assert answer.status_code == 201
    assert Report.objects.get(external_id="B-1").attributes == {"ärende": "K-77", "prio": "2"}
    bad = api.post_json(URL, {"reports": [good(2, attributes={"category": "brand"})]})
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "reports[0].attributes.category"


@pytest.mark.parametrize(("body", "field"), [
    ({}, "reports"), ({"reports": []}, "reports"), ({"reports": "x"}, "reports"),
    ({"reports": [good(1)], "valid_only": "yes"}, "valid_only"), ({"reports": [good(1)], "crs": "EPSG:99999"}, "crs"),
    ({"reports": [good(1)], "extra": 1}, "extra"),
])
def test_bad_requests_name_the_field(api_world, api, body, field):
    answer = api.post_json(URL, body)
    assert answer.status_code == 400
    assert field in {e["field"] for e in answer.json()["errors"]}


def test_too_many_rows_is_refused(api_world, api):
    from samtrygg.api.serializers import MAX_BULK_ROWS

    answer = api.post_json(URL, {"reports": [{}] * (MAX_BULK_ROWS + 1)})
    assert answer.status_code == 400
    first = answer.json()["errors"][0]
    assert first["field"] == "reports" and str(MAX_BULK_ROWS) in first["message"]


def test_x_y_in_another_crs(api_world, api):
    from samtrygg.analysis import geo

    x, y = geo.project_to_sweref([LON], [LAT], "EPSG:4326")
    e, n = geo.transformer("EPSG:3006", "EPSG:3021").transform(float(x[0]), float(y[0]))
    answer = api.post_json(URL, {"crs": "EPSG:3021", "reports": [
        {"external_id": "RT90", "occurred_at": "2025-05-01T12:00", "category": "klotter", "x": e, "y": n}]})
    assert answer.status_code == 201, answer.content
    report = Report.objects.get(external_id="RT90")
    assert report.lat == pytest.approx(LAT, abs=1e-6) and report.lon == pytest.approx(LON, abs=1e-6)
