"""The case data sheet: numbers against a direct computation on factory data, the period, access, the page."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
import shapely
from django.urls import reverse

from samtrygg.analysis import place_profile as pp
from samtrygg.analysis.geo import to_wkb
from samtrygg.audit.models import AuditEntry
from samtrygg.cases import datasheet
from samtrygg.cases.models import PlaceCase
from samtrygg.categories.models import Category, Sensitivity
from tests.factories import CENTRE_X, CENTRE_Y, AreaFactory, PlaceFactory, UserFactory, make_report, square

# Place: a 200 m square at the centre; ring: 100 m around it; municipality: a 10 km square.
PLACE_HALF, BUFFER, MUNI_HALF = 100.0, 100, 5000.0
AT_PLACE = [(0, 0), (5, 5), (-6, 4), (60, -70), (-80, 50)]  # the first three within 25 m of each other
IN_RING = [(150, 0), (0, -160), (-170, 20), (120, 120)]
ELSEWHERE = [(1000, 1000), (-2000, 300), (3000, -3000), (4000, 100), (-4500, -4500), (800, -2500)]
OUTSIDE = [(9000, 9000)]


def _xy(offsets):
    return [(CENTRE_X + dx, CENTRE_Y + dy) for dx, dy in offsets]


@pytest.fixture
def sheet_world(db, org, police_org):
    muni = AreaFactory(code="kommun", name="Kommunen", kind="municipality",
                       geometry=square(CENTRE_X, CENTRE_Y, MUNI_HALF))
    place = PlaceFactory(code="parken", name="Parken", geometry=square(CENTRE_X, CENTRE_Y, PLACE_HALF))
    reporter = UserFactory(organization=org, role="reporter")
    police = UserFactory(organization=police_org, role="reporter")
    secret = Category.objects.create(code="polis_obs", name="Polisens iakttagelse",
                                     sensitivity=Sensitivity.SENSITIVE)
    for x, y in _xy(AT_PLACE + IN_RING + ELSEWHERE + OUTSIDE):
        make_report(reporter, x=x, y=y)
    # one sensitive report at the place (counted, never listed for the ordinary organisation)
    make_report(police, category_code=secret.code, x=CENTRE_X + 2, y=CENTRE_Y - 3)
    case = PlaceCase.objects.create(title="Parken", place=place, problem="Stök i parken",
                                    opened_on=date(2025, 1, 1), buffer_m=BUFFER)
    viewer = UserFactory(organization=org, role="viewer")
    police_analyst = UserFactory(organization=police_org, role="analyst")
    police_org.sees_sensitive = True
    police_org.save()
    return {"case": case, "place": place, "muni": muni, "viewer": viewer, "police_analyst": police_analyst,
            "secret": secret}


def _expected():
    """The direct computation: point in polygon with shapely on the same coordinates."""
    place = square(CENTRE_X, CENTRE_Y, PLACE_HALF)
    band = place.buffer(BUFFER).difference(place)
    muni = square(CENTRE_X, CENTRE_Y, MUNI_HALF)
    pts = [shapely.Point(x, y) for x, y in _xy(AT_PLACE + IN_RING + ELSEWHERE + OUTSIDE)]
    pts.append(shapely.Point(CENTRE_X + 2, CENTRE_Y - 3))
    n_place = sum(place.intersects(p) for p in pts)
    n_ring = sum(band.intersects(p) for p in pts)
    n_muni = sum(muni.intersects(p) for p in pts)
    return n_place, n_ring, n_muni, place.area, band.area, muni.area


def test_numbers_against_direct_computation(sheet_world):
    n_place, n_ring, n_muni, a_place, a_ring, a_muni = _expected()
    assert (n_place, n_ring, n_muni) == (6, 4, 16)
    period = datasheet.parse_period(None, None)
    sheet = datasheet.build(sheet_world["case"], sheet_world["police_analyst"], period)  # sees everything
    zones = {z["key"]: z for z in sheet["comparison"]["zones"]}
    assert zones["place"]["count"] == n_place
    assert zones["ring"]["count"] == n_ring
    assert zones["municipality"]["count"] == n_muni
    assert zones["place"]["area_ha"] == pytest.approx(a_place / 10_000)
    assert zones["ring"]["area_ha"] == pytest.approx(a_ring / 10_000, rel=1e-3)
    assert zones["place"]["concentration"] == pytest.approx((n_place / n_muni) / (a_place / a_muni))
    assert zones["ring"]["concentration"] == pytest.approx((n_ring / n_muni) / (a_ring / a_muni), rel=1e-3)
    assert zones["municipality"]["concentration"] == pytest.approx(1.0)
    assert zones["place"]["incident_share"] == pytest.approx(n_place / n_muni)
    months = period.days / (365.25 / 12)
    assert zones["place"]["per_month"] == pytest.approx(n_place / months)
    assert zones["place"]["per_ha_year"] == pytest.approx(n_place / (a_place / 10_000) / (period.days / 365.25))
    # the category × month table and the weekday × hour matrix hold the same six incidents
    assert sheet["months"]["total_sum"] == n_place
    assert sum(r["total"] for r in sheet["months"]["rows"]) == n_place
    assert sheet["weekday_hour"]["total"] == n_place
    assert sheet["safety_walks"] == []
    # The viewer may not see the one sensitive report: "<5", and left out of every other number alike.
    viewer = datasheet.build(sheet_world["case"], sheet_world["viewer"], period)
    assert [z["count"] for z in viewer["comparison"]["zones"]] == [n_place - 1, n_ring, n_muni - 1]
    assert viewer["months"]["total_sum"] == viewer["weekday_hour"]["total"] == n_place - 1
    assert [r["total"] for r in viewer["months"]["rows"] if r["sensitive"]] == ["<5"] and viewer["suppressed"]


def test_drawn_polygon_gives_the_same_numbers(sheet_world):
    drawn = square(CENTRE_X, CENTRE_Y, PLACE_HALF)
    case = PlaceCase.objects.create(title="Ritad", geometry_sweref=to_wkb(drawn), geometry_wgs84={},
                                    problem="x", opened_on=date(2025, 1, 1), buffer_m=BUFFER)
    period = datasheet.parse_period(None, None)
    by_place = datasheet.build(sheet_world["case"], sheet_world["police_analyst"], period)
    by_drawing = datasheet.build(case, sheet_world["police_analyst"], period)
    counts = [[z["count"] for z in s["comparison"]["zones"]] for s in (by_place, by_drawing)]
    assert counts[0] == counts[1] == [6, 4, 16]
    assert by_drawing["list_url"] is None  # the report list filters by registered places only


def test_repeat_locations_and_sensitive_reports(sheet_world):
    period = datasheet.parse_period(None, None)
    viewer_sheet = datasheet.build(sheet_world["case"], sheet_world["viewer"], period)
    spots = viewer_sheet["spots"]
    # The one sensitive report is a small count the viewer may not see: not even "1 hidden" is said.
    assert len(spots["points"]) == 5 and spots["hidden"] == 0
    assert [g["count"] for g in spots["repeats"]] == [3]
    assert all(name != "Polisens iakttagelse" for g in spots["repeats"] for name, _n in g["categories"])
    # the sensitive category is in the table as "<5", not linked for the ordinary organisation
    row = next(r for r in viewer_sheet["months"]["rows"] if r["category"] == sheet_world["secret"])
    assert row["total"] == "<5" and row["total_url"] is None and row["sensitive"]
    police_sheet = datasheet.build(sheet_world["case"], sheet_world["police_analyst"], period)
    assert len(police_sheet["spots"]["points"]) == 6 and police_sheet["spots"]["hidden"] == 0
    assert [g["count"] for g in police_sheet["spots"]["repeats"]] == [4]
    row = next(r for r in police_sheet["months"]["rows"] if r["category"] == sheet_world["secret"])
    assert row["total_url"] and f"category={sheet_world['secret'].pk}" in row["total_url"]


def test_repeat_location_grouping_pure():
    rng = np.random.default_rng(1)
    x = np.concatenate([rng.normal(0, 3, 6), rng.normal(100, 3, 4), [300.0, 500.0]])
    y = np.concatenate([rng.normal(0, 3, 6), rng.normal(0, 3, 4), [0.0, 0.0]])
    groups = pp.repeat_locations(x, y, 25.0)
    assert [g.size for g in groups] == [6, 4]
    assert sorted(groups[0].indices.tolist()) == list(range(6))
    assert groups[1].x == pytest.approx(x[6:10].mean())
    assert all(g.spread_m <= 25.0 for g in groups)
    big = pp.repeat_locations(x, y, 25.0, min_size=5)
    assert [g.size for g in big] == [6]
    assert pp.repeat_locations([], [], 25.0) == []
    # a chain of points 20 m apart is not one long group: each group stays within the radius of its centre
    chain = pp.repeat_locations(np.arange(0, 200, 20.0), np.zeros(10), 25.0)
    assert all(g.size <= 3 for g in chain) and sum(g.size for g in chain) >= 8


def test_concentration_ratio_undefined():
    assert pp.concentration_ratio(5, 100.0, 0, 1000.0) is None
    assert pp.concentration_ratio(5, 0.0, 10, 1000.0) is None
    assert pp.concentration_ratio(5, 100.0, 10, 1000.0) == pytest.approx(5.0)


@pytest.mark.parametrize(("start", "end", "field"), [
    ("2025-13", None, "from"), ("banan", None, "from"), (None, "2025/01", "to"), ("2025-06", "2025-01", "from"),
    (None, "2999-01", "to"), ("1990-01", "2025-01", "from"),
])
def test_bad_period(start, end, field):
    with pytest.raises(datasheet.DatasheetError) as info:
        datasheet.parse_period(start, end, today=date(2026, 3, 10))
    assert info.value.field == field and str(info.value)


def test_default_and_explicit_period():
    p = datasheet.parse_period(None, None, today=date(2026, 3, 10))
    assert (p.first, p.last, p.start, p.end) == ((2024, 4), (2026, 3), date(2024, 4, 1), date(2026, 3, 10))
    assert len(p.months) == 24 and p.complete_months == 23
    p = datasheet.parse_period("2025-01", "2025-12", today=date(2026, 3, 10))
    assert p.end == date(2025, 12, 31) and p.complete_months == 12 and p.days == 365


def test_page(client, sheet_world):
    client.force_login(sheet_world["viewer"])
    url = reverse("cases:datasheet", args=[sheet_world["case"].pk])
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    place_id = sheet_world["place"].pk
    assert f"/reports/?place={place_id}&amp;date_from=" in html
    assert "Polisens iakttagelse" in html  # counted in the table …
    assert "ds-map-data" in html
    data = response.context["sheet"]["map"]
    assert len(data["points"]) == 5  # … but not mapped
    bad = client.get(url, {"from": "2025-13"})
    assert bad.status_code == 400
    assert "”2025-13” är ingen månad" in bad.content.decode()  # the message, not the field's placeholder
    bad = client.get(url, {"category": "x"})
    assert bad.status_code == 400


def test_page_needs_login(client, sheet_world):
    response = client.get(reverse("cases:datasheet", args=[sheet_world["case"].pk]))
    assert response.status_code == 302


def test_report_pdf(client, sheet_world, coordinator):
    from io import BytesIO

    from pypdf import PdfReader

    from samtrygg.actions.models import Action
    from samtrygg.cases.models import Hypothesis

    case = sheet_world["case"]
    Hypothesis.objects.create(case=case, text="Mörka gångar lockar till langning", verdict="supported")
    Action.objects.create(title="Ny LED-belysning", responsible=coordinator.organization,
                          start_date=date(2025, 10, 1), case=case, cost=1000)
    client.force_login(coordinator)
    response = client.get(reverse("cases:report", args=[case.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(BytesIO(response.content)).pages)
    text = " ".join(text.split())
    assert "Stök i parken" in text
    assert "Ny LED-belysning" in text
    assert "Mörka gångar lockar till langning" in text
    assert AuditEntry.objects.filter(action="export", object_id=str(case.pk)).exists()
