"""Exports: CSV, XLSX and GeoJSON hold exactly the filtered reports, never hidden ones, and re-import."""

import csv
import io
import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from samtrygg.audit.models import AuditEntry
from samtrygg.categories.models import Category
from samtrygg.reports import exports
from samtrygg.reports.models import Report
from tests.factories import CENTRE_X, CENTRE_Y, PlaceFactory, make_report

STHLM = ZoneInfo("Europe/Stockholm")
pytestmark = pytest.mark.django_db


@pytest.fixture
def reports(reporter, area):
    park = PlaceFactory(code="parken", name="Stadsparken")
    return [
        make_report(reporter, category_code="klotter", when=datetime(2024, 5, 1, 14, 30, tzinfo=STHLM),
                    description="Tag, \"citat\" och åäö", quantity=3, external_id="A-1", place=park),
        make_report(reporter, category_code="brand", when=datetime(2024, 1, 10, 8, 0, tzinfo=STHLM),
                    x=CENTRE_X + 300, y=CENTRE_Y - 200, description="=HYPERLINK(\"http://x\")"),
        make_report(reporter, category_code="klotter", when=datetime(2024, 6, 1, 9, 0, tzinfo=STHLM),
                    description="utanför perioden"),
    ]


def download(client, fmt, params=None) -> bytes:
    response = client.get(reverse("reports:export", args=[fmt]), params or {})
    assert response.status_code == 200, response.content[:500]
    assert "attachment" in response["Content-Disposition"]
    return b"".join(response.streaming_content) if response.streaming else response.content


def csv_rows(data: bytes) -> list[dict]:
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


MAY = {"date_from": "2024-01-01", "date_to": "2024-05-31"}


def test_csv_holds_exactly_the_filtered_reports(client, reporter, reports):
    client.force_login(reporter)
    rows = csv_rows(download(client, "csv", MAY))
    assert list(rows[0].keys()) == list(exports.COLUMNS)
    assert [int(r["id"]) for r in rows] == [reports[1].pk, reports[0].pk]  # chronological
    first = rows[1]
    assert first["external_id"] == "A-1"
    assert first["occurred_at"] == "2024-05-01T14:30:00+02:00"
    assert rows[0]["occurred_at"] == "2024-01-10T08:00:00+01:00"
    assert first["category"] == "klotter"
    assert abs(float(first["lat"]) - reports[0].lat) < 1e-6
    assert abs(float(first["lon"]) - reports[0].lon) < 1e-6
    assert first["x"] == "" and first["y"] == ""  # one coordinate pair per row, as the importer wants
    assert first["place"] == "Stadsparken"
    assert first["description"] == 'Tag, "citat" och åäö'
    assert first["organization"] == reporter.organization.code
    assert first["quantity"] == "3"
    assert first["areas"] == "centrum"
    # A formula is neutralised for spreadsheets.
    assert rows[0]["description"] == "'=HYPERLINK(\"http://x\")"


def test_export_is_audited(client, reporter, reports):
    client.force_login(reporter)
    download(client, "csv", {"q": "citat"})
    entry = AuditEntry.objects.get(action="export")
    assert entry.actor == reporter and entry.object_type == "reports"
    assert "1 reports" in entry.summary and "q=citat" in entry.summary


def test_xlsx_holds_the_same_rows(client, reporter, reports):
    client.force_login(reporter)
    workbook = load_workbook(io.BytesIO(download(client, "xlsx", MAY)), read_only=True)
    sheet = workbook.worksheets[0]
    values = list(sheet.iter_rows(values_only=True))
    assert list(values[0]) == list(exports.COLUMNS)
    by_column = [dict(zip(exports.COLUMNS, row, strict=True)) for row in values[1:]]
    assert [r["id"] for r in by_column] == [reports[1].pk, reports[0].pk]
    assert by_column[1]["occurred_at"] == "2024-05-01T14:30:00+02:00"
    assert by_column[1]["quantity"] == 3 and by_column[1]["category"] == "klotter"
    # Text that looks like a formula is stored as text, not as a formula.
    assert by_column[0]["description"] == "=HYPERLINK(\"http://x\")"
    cell = list(load_workbook(io.BytesIO(download(client, "xlsx", MAY))).worksheets[0].iter_rows())[1][8]
    assert cell.data_type == "s"


def test_geojson_holds_the_same_rows(client, reporter, reports):
    client.force_login(reporter)
    doc = json.loads(download(client, "geojson", MAY))
    assert doc["type"] == "FeatureCollection"
    assert [f["properties"]["id"] for f in doc["features"]] == [reports[1].pk, reports[0].pk]
    feature = doc["features"][1]
    assert feature["geometry"]["type"] == "Point"
    lon, lat = feature["geometry"]["coordinates"]
    assert abs(lon - reports[0].lon) < 1e-6 and abs(lat - reports[0].lat) < 1e-6
    assert set(feature["properties"]) == set(exports.COLUMNS)
    assert abs(feature["properties"]["x"] - reports[0].x) < 0.01
    assert feature["properties"]["description"] == 'Tag, "citat" och åäö'


def test_empty_export_is_valid(client, reporter, reports):
    client.force_login(reporter)
    assert json.loads(download(client, "geojson", {"q": "finns inte"}))["features"] == []
    assert csv_rows(download(client, "csv", {"q": "finns inte"})) == []


def test_unknown_format_is_404(client, reporter):
    client.force_login(reporter)
    assert client.get(reverse("reports:export", args=["pdf"])).status_code == 404


def test_export_requires_login(client):
    assert client.get(reverse("reports:export", args=["csv"])).status_code == 302


def test_sensitive_reports_are_not_exported_to_others(client, reporter, police_org, user_factory, area):
    Category.objects.create(code="polis_obs", name="Polisobservation", sensitivity="sensitive")
    police = user_factory("reporter", organization=police_org, username="polis")
    police_coordinator = user_factory("coordinator", organization=police_org, username="polissamordnare")
    secret = make_report(police, category_code="polis_obs", description="hemligt")
    normal = make_report(reporter)
    client.force_login(reporter)
    for fmt in ("csv", "geojson", "xlsx"):
        assert b"hemligt" not in download(client, fmt)
    assert [int(r["id"]) for r in csv_rows(download(client, "csv"))] == [normal.pk]
    client.force_login(police_coordinator)
    assert {int(r["id"]) for r in csv_rows(download(client, "csv"))} == {normal.pk, secret.pk}


def test_deleted_reports_are_exported_only_when_asked(client, reporter, coordinator, area):
    from samtrygg.reports.services import delete_report

    alive, gone = make_report(reporter), make_report(reporter)
    delete_report(coordinator, gone)
    client.force_login(coordinator)
    assert [int(r["id"]) for r in csv_rows(download(client, "csv"))] == [alive.pk]
    assert {int(r["id"]) for r in csv_rows(download(client, "csv", {"deleted": "on"}))} == {alive.pk, gone.pk}
    client.force_login(reporter)
    assert [int(r["id"]) for r in csv_rows(download(client, "csv", {"deleted": "on"}))] == [alive.pk]


@pytest.mark.parametrize("fmt, filename", [("csv", "export.csv"), ("xlsx", "export.xlsx"),
                                           ("geojson", "export.geojson")])
def test_export_reimports_through_the_canonical_importer(client, reporter, org, reports, fmt, filename):
    from samtrygg.imports.importer import import_validated
    from samtrygg.imports.services import check_file

    client.force_login(reporter)
    data = download(client, fmt, MAY)
    validated = check_file(data, filename, organization=org)
    assert validated.errors == []
    assert validated.valid == 2
    by_external = dict(zip(validated.external_ids, range(validated.valid), strict=True))
    i = by_external["A-1"]
    assert validated.occurred_at[i] == reports[0].occurred_at
    assert validated.category_ids[i] == reports[0].category_id
    assert validated.quantities[i] == 3
    assert validated.descriptions[i] == reports[0].description
    assert validated.place_ids[i] == reports[0].place_id
    assert abs(validated.x[i] - reports[0].x) < 0.05 and abs(validated.y[i] - reports[0].y) < 0.05
    before = Report.objects.count()
    outcome = import_validated(validated, actor=reporter)
    # The report with an external id is matched, not duplicated; the other one has none, so it is new.
    assert outcome.created == 1 and outcome.updated + outcome.unchanged == 1
    assert Report.objects.count() == before + 1


def test_iter_rows_reads_in_batches(reporter, area):
    made = [make_report(reporter, quantity=i + 1) for i in range(7)]
    rows = list(exports.iter_rows(Report.objects.all(), batch=3))
    assert sorted(r["id"] for r in rows) == sorted(r.pk for r in made)
    assert all(r["areas"] == "centrum" for r in rows)
