"""The police events feed: type mapping, time parsing, skipped and outside events, attributes."""

from datetime import UTC, datetime

import pytest

from samtrygg.imports import importer, police
from samtrygg.imports.models import ImportBatch
from samtrygg.imports.services import check_file
from samtrygg.reports.models import Report

from .helpers import police_bytes, police_event


@pytest.mark.parametrize(("police_type", "code"), [
    ("Skadegörelse", "skadegorelse"), ("Brand", "brand"), ("Stöld/inbrott", "stold"), ("Cykelstöld", "stold"),
    ("Narkotikabrott", "narkotika"), ("Misshandel", "hot_vald"), ("Rån", "hot_vald"),
    ("Fylleri/LOB", "ordningsstorning"), ("  ordningslagen ", "ordningsstorning"),
    ("Brand automatlarm", None), ("Trafikolycka", None), ("Sammanfattning natt", None),
])
def test_type_table(police_type, code):
    assert police.category_for(police_type) == code


def test_every_mapped_category_exists(db):
    from samtrygg.categories.models import Category

    assert set(police.TYPE_TO_CATEGORY.values()) <= set(Category.objects.values_list("code", flat=True))


def test_datetime_with_unpadded_hour():
    assert police.parse_datetime("2025-11-24 9:14:07 +01:00") == "2025-11-24T09:14:07+01:00"


@pytest.mark.django_db
def test_feed_to_reports(area, police_org):
    events = [
        police_event(1, when="2025-11-24 21:14:07 +01:00"),
        police_event(2, type_="Trafikolycka"),
        police_event(3, type_="Trafikolycka"),
        police_event(4, gps="55.60,13.00"),  # Malmö: outside every area
        police_event(5, when="not a date"),
        police_event(6, type_="Misshandel", gps="59.8"),
    ]
    v = check_file(police_bytes(events), "events.json", kind=ImportBatch.Kind.POLICE, organization=police_org)
    assert v.unit == "event"
    assert v.total == 6
    assert v.skipped == {"typen importeras inte: Trafikolycka": 2, "utanför alla områden": 1}
    assert dict(v.errors).keys() == {5, 6}  # numbered by position in the file
    outcome = importer.import_validated(v, source="police_feed")
    assert outcome.created == 1 and outcome.skipped == 5
    report = Report.objects.get()
    assert report.external_id == "500001" and report.source == "police_feed"
    assert report.category.code == "skadegorelse"
    assert report.occurred_at == datetime(2025, 11, 24, 20, 14, 7, tzinfo=UTC)
    assert report.attributes["location"] == "Uppsala"
    assert report.attributes["url"].startswith("/aktuellt/")
    assert report.attributes["police_type"] == "Skadegörelse"


@pytest.mark.django_db
def test_not_a_list_is_a_file_problem(police_org):
    from samtrygg.imports.parsing import FileProblem

    with pytest.raises(FileProblem, match="JSON-lista"):
        check_file(b'{"id": 1}', "e.json", kind=ImportBatch.Kind.POLICE, organization=police_org)
