"""Open data: counts per area × category × month against an independent count, suppression, no sums that
give a suppressed cell back, sensitive categories left out, bad parameters, and the public files."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from samtrygg.analysis.disclosure import SUPPRESSED, is_small, shown
from samtrygg.categories.models import Category, Sensitivity
from samtrygg.opendata import counts
from samtrygg.reports.models import Report
from tests.factories import CENTRE_X, CENTRE_Y, AreaFactory, UserFactory, make_report, square

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def test_shown_suppresses_one_to_four_and_keeps_zero():
    assert [shown(n) for n in range(7)] == [0, "<5", "<5", "<5", "<5", 5, 6]
    assert [is_small(n) for n in range(7)] == [False, True, True, True, True, False, False]
    assert SUPPRESSED == "<5"
    with pytest.raises(ValueError):
        shown(-1)


def test_month_boundaries_follow_stockholm_time():
    assert str(counts.Month.of(datetime(2026, 3, 31, 22, 30, tzinfo=UTC))) == "2026-04"  # 00:30 CEST
    assert str(counts.Month.of(datetime(2026, 3, 31, 21, 30, tzinfo=UTC))) == "2026-03"
    assert str(counts.Month.of(datetime(2025, 10, 31, 23, 30, tzinfo=UTC))) == "2025-11"  # 00:30 CET
    assert counts.Month(2026, 1).shift(-1) == counts.Month(2025, 12)
    assert counts.Month(2025, 11).months_until(counts.Month(2026, 2)) == 3


@pytest.fixture
def city(db, org):
    """A municipality with two districts side by side, and a user to report with."""
    west = AreaFactory(code="vaster", name="Väster", geometry=square(CENTRE_X - 500, CENTRE_Y, 499))
    east = AreaFactory(code="oster", name="Öster", geometry=square(CENTRE_X + 500, CENTRE_Y, 499))
    whole = AreaFactory(code="kommun", name="Kommunen", kind="municipality",
                        geometry=square(CENTRE_X, CENTRE_Y, 1200))
    west.parent = east.parent = whole
    west.save()
    east.save()
    user = UserFactory(username="rapportor", organization=org, role="reporter")
    return {"west": west, "east": east, "whole": whole, "user": user}


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _plant(city):
    """Reports whose cells are known: 7 graffiti in the west in March 2026 (one of them at 00:30 on 1 April,
    Swedish time, which is still 31 March in UTC), 3 fires in the east in March, quantities that must not
    count, a deleted report, and a sensitive category."""
    user = city["user"]
    west_x, east_x = CENTRE_X - 500, CENTRE_X + 500
    for day in range(1, 7):
        make_report(user, category_code="klotter", x=west_x, when=_at(f"2026-03-{day:02d}T12:00:00+01:00"),
                    quantity=10)
    # 23:30 CEST on 31 March, still March
    make_report(user, category_code="klotter", x=west_x, when=_at("2026-03-31T21:30:00+00:00"))
    make_report(user, category_code="klotter", x=west_x, when=_at("2026-03-31T22:30:00+00:00"))  # 00:30 CEST, April
    for day in (2, 3, 4):
        make_report(user, category_code="brand", x=east_x, when=_at(f"2026-03-{day:02d}T20:00:00+01:00"))
    gone = make_report(user, category_code="brand", x=east_x, when=_at("2026-03-05T20:00:00+01:00"))
    gone.deleted_at = gone.occurred_at
    gone.save()
    Category.objects.create(code="polis_obs", name="Polisens iakttagelse", sensitivity=Sensitivity.SENSITIVE)
    for day in range(1, 9):
        make_report(user, category_code="polis_obs", x=east_x, when=_at(f"2026-03-{day:02d}T10:00:00+01:00"))


def _reference(areas, start: str, end: str) -> Counter:
    """Count incidents per (area code, category code, month) by walking every report in Python."""
    ref: Counter = Counter()
    for report in Report.objects.filter(deleted_at__isnull=True).select_related("category"):
        if report.category.sensitivity != Sensitivity.NORMAL:
            continue
        month = report.occurred_at.astimezone(STOCKHOLM).strftime("%Y-%m")
        if not start <= month <= end:
            continue
        for area in areas:
            if report.areas.filter(pk=area.pk).exists():
                ref[(area.code, report.category.code, month)] += 1
    return ref


def test_table_matches_an_independent_count(city):
    _plant(city)
    table = counts.table("2026-02", "2026-04")
    assert [a.code for a in table.areas] == ["oster", "vaster"]  # the municipality is not a district
    assert "polis_obs" not in {c.code for c in table.categories}
    ref = _reference(table.areas, "2026-02", "2026-04")
    assert ref[("vaster", "klotter", "2026-03")] == 7 and ref[("vaster", "klotter", "2026-04")] == 1
    n_cells = 3 * len(table.areas) * len(table.categories)
    assert len(table.rows) == n_cells
    for row in table.rows:
        expected = ref[(row["area_code"], row["category_code"], row["month"])]
        assert row["count"] == shown(expected), row
    cell = {(r["area_code"], r["category_code"], r["month"]): r["count"] for r in table.rows}
    assert cell[("vaster", "klotter", "2026-03")] == 7  # incidents, not the quantity of 10 each
    assert cell[("oster", "brand", "2026-03")] == "<5"  # 3, the deleted fourth not counted
    assert cell[("vaster", "klotter", "2026-04")] == "<5"
    assert cell[("oster", "klotter", "2026-03")] == 0


def test_no_published_number_is_a_sum_of_others(city):
    """The subtraction attack: with a total (the municipality, or a sum over categories or months) in the
    file, total minus the visible cells gives the suppressed cell back. Nothing in the file is a total."""
    _plant(city)
    inner = AreaFactory(code="vaster-centrum", name="Väster centrum", geometry=square(CENTRE_X - 500, CENTRE_Y, 200))
    inner.parent = city["west"]
    inner.save()
    from samtrygg.areas.assignment import assign_reports

    assign_reports()
    table = counts.table("2026-03", "2026-03")
    codes = [a.code for a in table.areas]
    # Väster now contains another district: it would be the sum of Väster centrum and the rest, so it goes.
    assert codes == ["oster", "vaster-centrum"]
    # No report is counted in two published areas, so no area's cell is a sum of other areas' cells.
    seen = Counter()
    for area in table.areas:
        seen.update(area.reports.values_list("pk", flat=True))
    assert all(n == 1 for n in seen.values())
    keys = [(r["month"], r["area_code"], r["category_code"]) for r in table.rows]
    assert len(keys) == len(set(keys))  # one cell per month × area × category, no total rows
    assert not any(r["area_code"] in ("kommun", "vaster") or r["category_code"] in ("", "all") for r in table.rows)


def test_csv_file(client, city):
    _plant(city)
    response = client.get("/oppna-data/handelser-per-omrade-och-manad.csv?from=2026-03&to=2026-04")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv; charset=utf-8")
    assert response["Access-Control-Allow-Origin"] == "*"
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8"))))
    assert list(rows[0]) == list(counts.COLUMNS)
    by_key = {(r["area_code"], r["category_code"], r["month"]): r for r in rows}
    assert by_key[("vaster", "klotter", "2026-03")]["count"] == "7"
    assert by_key[("oster", "brand", "2026-03")]["count"] == "<5"
    assert by_key[("oster", "klotter", "2026-04")]["count"] == "0"
    assert by_key[("vaster", "klotter", "2026-03")]["area_name"] == "Väster"
    assert not any(r["category_code"] == "polis_obs" for r in rows)


def test_csv_default_period_is_every_complete_month(client, city):
    _plant(city)
    rows = list(csv.DictReader(io.StringIO(client.get("/oppna-data/handelser-per-omrade-och-manad.csv")
                                           .content.decode())))
    months = sorted({r["month"] for r in rows})
    assert months[0] == "2026-03"
    assert months[-1] == str(counts.Month.last_complete())


def test_geojson_file(client, city):
    _plant(city)
    response = client.get("/oppna-data/handelser-per-omrade.geojson?month=2026-03")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/geo+json")
    data = json.loads(response.content)
    assert data["type"] == "FeatureCollection" and data["month"] == "2026-03"
    n_categories = len(counts.published_categories())
    assert len(data["features"]) == 2 * n_categories
    west = [f for f in data["features"] if f["properties"]["area_code"] == "vaster"
            and f["properties"]["category_code"] == "klotter"][0]
    assert west["properties"]["count"] == 7 and west["geometry"]["type"] == "Polygon"
    lon, lat = west["geometry"]["coordinates"][0][0]
    assert 17 < lon < 18.5 and 59 < lat < 60.5
    assert set(west["properties"]) == set(counts.COLUMNS)
    default = json.loads(client.get("/oppna-data/handelser-per-omrade.geojson").content)
    assert default["month"] == str(counts.Month.last_complete())


@pytest.mark.parametrize(("url", "field"), [
    ("/oppna-data/handelser-per-omrade-och-manad.csv?from=2026-13", "from"),
    ("/oppna-data/handelser-per-omrade-och-manad.csv?to=mars", "to"),
    ("/oppna-data/handelser-per-omrade-och-manad.csv?from=2026-05&to=2026-03", "from"),
    ("/oppna-data/handelser-per-omrade-och-manad.csv?to=2999-01", "to"),
    ("/oppna-data/handelser-per-omrade-och-manad.csv?from=1900-01&to=2026-01", "from"),
    ("/oppna-data/handelser-per-omrade-och-manad.csv?format=xlsx", "format"),
    ("/oppna-data/handelser-per-omrade.geojson?month=2026-3", "month"),
    ("/oppna-data/handelser-per-omrade.geojson?month=2999-01", "month"),
    ("/oppna-data/handelser-per-omrade.geojson?area=x", "area"),
])
def test_bad_parameters_are_400_naming_the_field(client, city, url, field):
    response = client.get(url)
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["field"] == field and error["message"]


def test_files_are_read_only(client, city):
    assert client.post("/oppna-data/handelser-per-omrade-och-manad.csv").status_code == 405


def test_landing_page_is_public(client, city):
    _plant(city)
    response = client.get("/oppna-data/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/oppna-data/handelser-per-omrade-och-manad.csv" in html and "CC0" in html
    assert "&lt;5" in html and "2026-03" in html
