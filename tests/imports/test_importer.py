"""Writing reports: idempotent re-import, atomicity, soft-deleted matches, links per area, audit."""

import numpy as np
import pytest
import shapely
from django.utils import timezone

from samtrygg.analysis import geo
from samtrygg.audit.models import AuditEntry
from samtrygg.imports import importer
from samtrygg.imports.services import check_file
from samtrygg.reports.models import Report, ReportArea, ReportPlace
from tests.factories import CENTRE_X, CENTRE_Y, AreaFactory, PlaceFactory, square

from .helpers import csv_bytes, row

pytestmark = pytest.mark.django_db


def run(data: bytes, org, actor=None, **kwargs):
    v = check_file(data, "r.csv", organization=org, **kwargs)
    return v, importer.import_validated(v, actor=actor)


def test_reimport_updates_and_never_duplicates(area, org, reporter):
    rows = [row(external_id="a", quantity="2"), row(external_id="b"), row(description="no id")]
    _v, first = run(csv_bytes(rows), org, reporter)
    assert (first.created, first.updated, first.unchanged) == (3, 0, 0)
    assert Report.objects.count() == 3
    report_a = Report.objects.get(external_id="a")
    assert report_a.created_by == reporter and report_a.source == "import" and report_a.quantity == 2

    rows[0]["quantity"] = "5"
    _v, second = run(csv_bytes(rows), org, reporter)
    # a changed, b unchanged, the row without external_id creates again
    assert (second.created, second.updated, second.unchanged) == (1, 1, 1)
    assert Report.objects.count() == 4
    report_a.refresh_from_db()
    assert report_a.quantity == 5
    assert Report.objects.filter(external_id="a").count() == 1
    # links are not doubled for the updated report
    assert ReportArea.objects.filter(report=report_a).count() == 1


def test_same_external_id_in_two_organisations_are_two_reports(area, org, police_org):
    run(csv_bytes([row(external_id="x")]), org)
    run(csv_bytes([row(external_id="x")]), police_org)
    assert Report.objects.filter(external_id="x").count() == 2


def test_moved_report_gets_new_area_links(org):
    west = AreaFactory(code="west", geometry=square(CENTRE_X - 500, CENTRE_Y, 250))
    east = AreaFactory(code="east", geometry=square(CENTRE_X + 500, CENTRE_Y, 250))
    run(csv_bytes([row(external_id="m", lat="", lon="", x=str(CENTRE_X - 500), y=str(CENTRE_Y))]), org)
    report = Report.objects.get(external_id="m")
    assert list(report.areas.all()) == [west]
    moved = row(external_id="m", lat="", lon="", x=str(CENTRE_X + 500), y=str(CENTRE_Y))
    _v, outcome = run(csv_bytes([moved]), org)
    assert outcome.updated == 1
    assert list(report.areas.all()) == [east]
    assert report.x == pytest.approx(CENTRE_X - 500)  # stale instance; reload
    report.refresh_from_db()
    assert report.x == pytest.approx(CENTRE_X + 500)


def test_soft_deleted_match_is_updated_and_stays_deleted(area, org):
    run(csv_bytes([row(external_id="d", quantity="1")]), org)
    Report.objects.filter(external_id="d").update(deleted_at=timezone.now())
    _v, outcome = run(csv_bytes([row(external_id="d", quantity="7")]), org)
    assert outcome.deleted_matched == 1 and outcome.updated == 1 and outcome.created == 0
    report = Report.objects.get(external_id="d")
    assert report.quantity == 7 and report.deleted_at is not None


def test_failure_in_the_middle_rolls_back_everything(area, org, monkeypatch):
    monkeypatch.setattr(importer, "CHUNK", 10)
    calls = {"n": 0}
    real = importer._insert_links

    def failing(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 5:  # third chunk, after two chunks of reports and links were written
            raise RuntimeError("disk full")
        return real(*args, **kwargs)

    monkeypatch.setattr(importer, "_insert_links", failing)
    v = check_file(csv_bytes([row(external_id=f"r{i}") for i in range(35)]), "r.csv", organization=org)
    with pytest.raises(RuntimeError):
        importer.import_validated(v)
    assert calls["n"] == 5
    assert Report.objects.count() == 0
    assert ReportArea.objects.count() == 0
    assert not AuditEntry.objects.filter(action="import").exists()


def test_one_audit_entry_per_file_with_counts(area, org, reporter):
    run(csv_bytes([row(), row(), row(category="nope")]), org, reporter)
    entries = AuditEntry.objects.filter(action="import")
    assert entries.count() == 1
    assert entries[0].changes["created"] == 2 and entries[0].changes["skipped"] == 1
    assert entries[0].actor == reporter
    assert not AuditEntry.objects.filter(action="create", object_type="reports.report").exists()


def test_two_thousand_rows_counts_per_area_match_shapely(org):
    """Nested and overlapping areas and a place; counts per polygon equal a direct shapely computation."""
    city = AreaFactory(code="city", kind="municipality", geometry=square(CENTRE_X, CENTRE_Y, 2000))
    north = AreaFactory(code="north", geometry=shapely.box(CENTRE_X - 2000, CENTRE_Y, CENTRE_X + 2000,
                                                           CENTRE_Y + 2000))
    ring = AreaFactory(code="ring", geometry=shapely.Point(CENTRE_X, CENTRE_Y).buffer(900).difference(
        shapely.Point(CENTRE_X, CENTRE_Y).buffer(300)))
    park = PlaceFactory(code="park", geometry=square(CENTRE_X + 500, CENTRE_Y - 500, 200))
    rng = np.random.default_rng(7)
    xs = CENTRE_X + rng.uniform(-1990, 1990, 2000)
    ys = CENTRE_Y + rng.uniform(-1990, 1990, 2000)
    lons, lats = geo.sweref_to_wgs84(xs, ys)
    rows = []
    for i in range(2000):
        if i % 2:
            rows.append(row(external_id=f"p{i}", lat=f"{lats[i]:.7f}", lon=f"{lons[i]:.7f}"))
        else:
            rows.append(row(external_id=f"p{i}", lat="", lon="", x=f"{xs[i]:.2f}", y=f"{ys[i]:.2f}"))
    _v, outcome = run(csv_bytes(rows), org)
    assert outcome.created == 2000
    stored = Report.objects.values_list("x", "y")
    pts = shapely.points(np.array(list(stored)))
    for polygon in (city, north, ring):
        expected = int(shapely.intersects(polygon.shape, pts).sum())
        assert ReportArea.objects.filter(area=polygon).count() == expected
        assert expected > 0
    in_park = int(shapely.intersects(park.shape, pts).sum())
    assert ReportPlace.objects.filter(place=park).count() == in_park > 0
    assert ReportArea.objects.filter(area=city).count() == 2000


def test_valid_only_imports_the_valid_rows(area, org):
    _v, outcome = run(csv_bytes([row(), row(category="nope"), row()]), org)
    assert outcome.created == 2 and outcome.skipped == 1
