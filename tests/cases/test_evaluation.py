"""The evaluation service, page and `samtrygg evaluate` on factory data."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta

import numpy as np
import pytest
import shapely
from django.core.management import CommandError, call_command
from django.urls import reverse

from samtrygg.cases import evaluation_service as service
from samtrygg.cases.models import PlaceCase
from samtrygg.weekly.weeks import STOCKHOLM
from tests.factories import CENTRE_X, CENTRE_Y, AreaFactory, PlaceFactory, make_report, square

START = date(2025, 3, 3)  # a Monday
WEEKS = 4


def at(day: date, hour: int = 12) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=STOCKHOLM)


@pytest.fixture
def setup(db, reporter):
    """A 200 m square place at the centre, a control area 3 km east. Reports at fixed offsets."""
    place = PlaceFactory(code="parken", name="Parken", geometry=square(CENTRE_X, CENTRE_Y, 100))
    control = AreaFactory(code="kontroll", name="Kontroll", geometry=square(CENTRE_X + 3000, CENTRE_Y, 500))
    rng = np.random.default_rng(3)
    points = {"place": [], "buffer": [], "control": [], "outside": []}

    def add(kind, n, x0, y0, spread, day0, days):
        for _ in range(n):
            x, y = x0 + rng.uniform(-spread, spread), y0 + rng.uniform(-spread, spread)
            when = at(day0 + timedelta(days=int(rng.integers(0, days))))
            make_report(reporter, x=x, y=y, when=when)
            points[kind].append((x, y, when))

    before, after = START - timedelta(weeks=WEEKS), START
    add("place", 20, CENTRE_X, CENTRE_Y, 90, before, 7 * WEEKS)
    add("place", 8, CENTRE_X, CENTRE_Y, 90, after, 7 * WEEKS)
    add("buffer", 10, CENTRE_X + 300, CENTRE_Y, 40, before, 7 * WEEKS)   # in the 400 m ring
    add("buffer", 14, CENTRE_X, CENTRE_Y - 300, 40, after, 7 * WEEKS)
    add("control", 30, CENTRE_X + 3000, CENTRE_Y, 400, before, 7 * WEEKS)
    add("control", 33, CENTRE_X + 3000, CENTRE_Y, 400, after, 7 * WEEKS)
    add("outside", 5, CENTRE_X - 1500, CENTRE_Y, 50, before, 7 * WEEKS)   # beyond the ring
    # History long before: one a fortnight at the place, so the before period is a peak.
    for k in range(30):
        make_report(reporter, x=CENTRE_X, y=CENTRE_Y, when=at(before - timedelta(days=14 * (k + 1))))
    return {"place": place, "control": control, "points": points}


def _case(setup, user, **fields):
    defaults = {"title": "Parken", "place": setup["place"], "problem": "Stök", "opened_on": date(2025, 1, 1),
                "intervention_on": START, "control_area": setup["control"], "buffer_m": 400, "created_by": user}
    defaults.update(fields)
    return PlaceCase.objects.create(**defaults)


def test_counts_match_direct_shapely_computation(setup, coordinator):
    result = service.evaluate_case(_case(setup, coordinator), weeks=WEEKS, end=START + timedelta(weeks=WEEKS))
    place = setup["place"].shape
    ring = place.buffer(400).difference(place)
    control = setup["control"].shape
    all_points = [p for kind in setup["points"].values() for p in kind]

    def count(geometry, before):
        lo, hi = (at(START - timedelta(weeks=WEEKS), 0), at(START, 0)) if before else \
            (at(START, 0), at(START + timedelta(weeks=WEEKS), 0))
        return sum(1 for x, y, w in all_points if lo <= w < hi and geometry.intersects(shapely.Point(x, y)))

    counts = result["counts"]
    assert counts["place"] == {"before": count(place, True), "after": count(place, False)} == {"before": 20,
                                                                                                "after": 8}
    assert counts["buffer"] == {"before": count(ring, True), "after": count(ring, False)} == {"before": 10,
                                                                                               "after": 14}
    assert counts["control"] == {"before": count(control, True), "after": count(control, False)} == {
        "before": 30, "after": 33}
    assert result["periods"]["weeks"] == WEEKS
    assert sum(result["weekly"]["place"]) == 28 and len(result["weekly"]["place"]) == 2 * WEEKS
    rr = result["rate_ratio"]
    assert rr["rr"] == pytest.approx((8 / 20) / (33 / 30))
    assert result["wdq"]["wdq"] == pytest.approx((14 / 33 - 10 / 30) / (8 / 33 - 20 / 30))
    assert result["wdq"]["reading"] == "displacement"
    assert "minskade med 64 %" in result["verdicts"][0]
    # Incidents prevented: the control's development (33/30) applied to the place's and the buffer's before counts.
    net = result["net_effect"]
    assert net["prevented_place"] == pytest.approx(20 * 33 / 30 - 8)
    assert net["prevented_buffer"] == pytest.approx(10 * 33 / 30 - 14)
    assert net["prevented"] == pytest.approx(result["total_net_effect"])
    assert any("förebyggdes" in v and "95 % KI" in v for v in result["verdicts"][1:]), result["verdicts"]
    codes = {c["code"] for c in result["caveats"]}
    assert {"seasonality", "regression_to_mean", "small_numbers"} <= codes
    json.dumps(result)  # JSON-able


def test_overlapping_control_excludes_place_and_buffer_and_says_so(setup, coordinator):
    big = AreaFactory(code="stor", name="Stor", geometry=square(CENTRE_X, CENTRE_Y, 2000))
    result = service.evaluate_case(_case(setup, coordinator, control_area=big), weeks=WEEKS,
                                   end=START + timedelta(weeks=WEEKS))
    assert result["counts"]["control"] == {"before": 5, "after": 0}  # only the "outside" reports remain
    codes = {c["code"] for c in result["caveats"]}
    assert "control_overlap" in codes and "buffer_swallows_control" not in codes
    assert result["wdq"]["reason"] == "control_zero"
    assert result["rate_ratio"]["corrected"] is True


def test_buffer_swallowing_the_control(setup, coordinator):
    small = AreaFactory(code="liten", name="Liten", geometry=square(CENTRE_X + 250, CENTRE_Y, 50))
    result = service.evaluate_case(_case(setup, coordinator, control_area=small), weeks=WEEKS,
                                   end=START + timedelta(weeks=WEEKS))
    codes = {c["code"] for c in result["caveats"]}
    assert {"control_overlap", "buffer_swallows_control"} <= codes
    assert result["rate_ratio"]["computable"] is False
    assert "inga händelser i kontrollområdet" in result["verdicts"][0]


def test_too_little_history_is_a_clear_error(setup, coordinator):
    with pytest.raises(service.EvaluationError, match="För lite historik före"):
        service.evaluate_case(_case(setup, coordinator, intervention_on=date(2020, 1, 1)))
    with pytest.raises(service.EvaluationError, match="efter startdatumet för åtgärderna"):
        service.evaluate_case(_case(setup, coordinator), end=START + timedelta(days=3))


def test_drawn_polygon_case(setup, coordinator):
    from samtrygg.analysis import geo

    shape = square(CENTRE_X, CENTRE_Y, 100)
    case = _case(setup, coordinator, place=None, geometry_sweref=geo.to_wkb(shape),
                 geometry_wgs84=geo.sweref_to_wgs84_geojson(shape))
    result = service.evaluate_case(case, weeks=WEEKS, end=START + timedelta(weeks=WEEKS))
    assert result["counts"]["place"] == {"before": 20, "after": 8}


def test_command_json_and_pdf(setup, tmp_path, capsys):
    out = tmp_path / "e.json"
    call_command("evaluate", "--place", "parken", "--start", START.isoformat(), "--weeks", str(WEEKS),
                 "--end", (START + timedelta(weeks=WEEKS)).isoformat(), "--control", "kontroll",
                 "--format", "json", "-o", str(out))
    data = json.loads(out.read_text())
    assert data["counts"]["place"] == {"before": 20, "after": 8}
    assert {"rate_ratio", "wdq", "verdicts", "caveats", "weekly", "periods"} <= set(data)
    pdf = tmp_path / "e.pdf"
    call_command("evaluate", "--place", "parken", "--start", START.isoformat(), "--weeks", str(WEEKS),
                 "--control", "kontroll", "--format", "pdf", "-o", str(pdf))
    assert pdf.read_bytes().startswith(b"%PDF")


@pytest.mark.parametrize(("args", "message"), [
    (["--place", "nope", "--start", "2025-03-03"], "no place has the code"),
    (["--place", "parken", "--start", "3 mars"], "is not a date"),
    (["--place", "parken", "--start", "2025-03-03", "--control", "x"], "no area has the code"),
    (["--place", "parken", "--start", "2019-03-03", "--control", "kontroll"], "För lite historik"),
    (["--place", "parken", "--start", "2025-03-03", "--weeks", "0"], "at least 1"),
])
def test_command_bad_input(setup, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("evaluate", *args, "--format", "json")


def test_page_shows_verdict_numbers_chart_and_map(client, setup, coordinator, viewer_user=None):
    case = _case(setup, coordinator)
    client.force_login(coordinator)
    url = reverse("cases:evaluation", kwargs={"pk": case.pk})
    response = client.get(url, {"weeks": WEEKS, "start": START.isoformat()})
    assert response.status_code == 200
    html = response.content.decode()
    assert "jämfört med kontrollområdet" in html
    assert "data:image/svg+xml;base64," in html
    assert 'id="evaluation-geometry"' in html
    assert "Regression mot medelvärdet" in html


@pytest.mark.parametrize("params", [{"weeks": "abc"}, {"buffer": "-5"}, {"control": "nope"},
                                    {"start": "2019-01-01"}, {"start": "not-a-date"}])
def test_page_bad_input_no_500(client, setup, coordinator, params):
    case = _case(setup, coordinator)
    client.force_login(coordinator)
    response = client.get(reverse("cases:evaluation", kwargs={"pk": case.pk}), params)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'role="alert"' in html or "field-error" in html


def test_sensitive_categories_stay_out_of_evaluations_of_those_who_may_not_see_them(client, setup, coordinator,
                                                                                     police_org):
    """Evaluations count small numbers per zone and period: a user without sensitive access can neither choose a
    sensitive category nor have one counted under "all categories" (comparing runs would give it back)."""
    from samtrygg.categories.models import Category, Sensitivity
    from tests.factories import UserFactory

    secret = Category.objects.create(code="polis_obs", name="Polisens iakttagelse", sensitivity=Sensitivity.SENSITIVE)
    police = UserFactory(organization=police_org, role="reporter", username="polis")
    for k in range(3):
        make_report(police, category_code=secret.code, x=CENTRE_X, y=CENTRE_Y, when=at(START + timedelta(days=k)))
    case = _case(setup, coordinator)
    url = reverse("cases:evaluation", kwargs={"pk": case.pk})
    params = {"weeks": WEEKS, "start": START.isoformat()}
    client.force_login(coordinator)  # the municipality: no sensitive access
    mine = client.get(url, params).context["result"]
    refused = client.get(url, {**params, "category": secret.code})
    assert refused.status_code == 200 and refused.context["result"] is None
    assert "category" in refused.context["form"].errors
    police_org.sees_sensitive = True
    police_org.save()
    analyst = UserFactory(organization=police_org, role="analyst", username="analytiker")
    client.force_login(analyst)
    full = client.get(url, params).context["result"]
    assert full["counts"]["place"]["after"] == mine["counts"]["place"]["after"] + 3
    assert not client.get(url, {**params, "category": secret.code}).context["form"].errors  # may choose it
