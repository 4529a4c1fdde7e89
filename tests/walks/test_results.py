"""Results service, results page, moderation, the quarterly safety component and the case data sheet."""

from __future__ import annotations

import math
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from samtrygg.quarterly import ranking_service as rs
from samtrygg.quarterly.quarters import Quarter
from samtrygg.walks import results as svc
from samtrygg.walks.models import Answer, Observation, SafetyWalk
from tests.factories import AreaFactory, PlaceFactory, UserFactory, square
from tests.walks import results_data as data

pytestmark = pytest.mark.django_db


def _q(res, key):
    return next(q for q in res["questions"] if q["key"] == key)


def test_results_per_option_for_multiple_choice(area):
    q = data.questionnaire()
    data.ten_responses(data.version(q), area)
    res = svc.build_results(q)
    assert res["respondents"] == 10
    dist = _q(res, "atgarder")["distribution"]
    assert dist["respondents"] == 10
    shares = {o["value"]: (o["count"], o["pct"], o["label"]) for o in dist["options"]}
    assert shares == {"belysning": (6, 60.0, "Bättre belysning"), "buskar": (4, 40.0, "Klipp buskar"),
                      "vakter": (2, 20.0, "Fler vakter")}
    dark = _q(res, "trygg-kvall")["distribution"]
    assert dark["mean"] == 2.7
    assert [o["count"] for o in dark["options"]] == [2, 3, 2, 2, 1]
    assert sum(o["count"] for o in dark["options"]) == 10


def test_results_text_groups_and_map(area):
    q = data.questionnaire()
    data.ten_responses(data.version(q), area)
    PlaceFactory(code="parken", name="Parken")
    res = svc.build_results(q)
    groups = _q(res, "ovrigt")["groups"]
    assert groups[0]["count"] == 6 and groups[0]["pending"] == 6
    m = _q(res, "plats")
    assert len(m["points"]) == 5
    assert m["places"] == [{"code": "parken", "name": "Parken", "count": 5}]


def test_compare_by_area_and_by_version_matched_by_key():
    a1, a2 = AreaFactory(code="norr", name="Norr"), AreaFactory(code="syd", name="Syd")
    q = data.questionnaire()
    v1 = data.version(q, 1)
    last_year = timezone.now() - timedelta(days=400)
    for value in (1, 1, 2):
        data.respond(v1, a1, when=last_year, trygg_kvall=value)
    v2 = data.version(q, 2)  # asked again: a new version, same keys
    for value in (5, 4):
        data.respond(v2, a2, trygg_kvall=value)
    res = svc.build_results(q)
    item = _q(res, "trygg-kvall")
    assert item["question"].version == v2
    assert item["distribution"]["respondents"] == 5  # both versions, matched by key
    by_version = {r["label"]: r["mean"] for r in item["by_version"]}
    assert by_version == {f"Version 1 ({last_year.year})": round(4 / 3, 2),
                          f"Version 2 ({timezone.now().year})": 4.5}
    by_area = {r["label"]: r["respondents"] for r in item["by_area"]}
    assert by_area == {"Norr": 3, "Syd": 2}
    # Filter by area and by period
    assert svc.build_results(q, area=a2)["respondents"] == 2
    assert svc.build_results(q, start=timezone.now() - timedelta(days=30))["respondents"] == 2


def test_results_page_filters_and_roles(client, area):
    q = data.questionnaire()
    data.ten_responses(data.version(q), area)
    url = reverse("walks:results", args=[q.pk])
    client.force_login(UserFactory(role="viewer"))
    page = client.get(url).content.decode()
    assert "Bättre belysning" in page and "60,0 %" in page
    assert "Approve selected" not in page  # viewers do not moderate
    bad = client.get(url, {"from": "2026-13-45", "area": "nope"}, HTTP_ACCEPT_LANGUAGE="en")
    assert bad.status_code == 200
    assert "Enter a date as YYYY-MM-DD." in bad.content.decode()
    assert "There is no area with the code" in bad.content.decode()
    client.force_login(UserFactory(role="reporter"))
    assert client.get(url).status_code == 403


def test_moderation_approves_only_by_coordinators(client, area):
    q = data.questionnaire()
    data.ten_responses(data.version(q), area)
    ids = list(Answer.objects.filter(question__key="ovrigt", value="Mörkt vid tunneln!").values_list("id", flat=True))
    url = reverse("walks:results", args=[q.pk])
    client.force_login(UserFactory(role="analyst"))
    assert client.post(url, {"decision": "approve", "answer": ",".join(map(str, ids))}).status_code == 403
    assert not Answer.objects.filter(approved=True).exists()
    coordinator = UserFactory(role="coordinator")
    client.force_login(coordinator)
    response = client.post(url, {"decision": "approve", "answer": ",".join(map(str, ids))})
    assert response.status_code == 302
    assert set(Answer.objects.filter(approved=True).values_list("id", flat=True)) == set(ids)
    assert Answer.objects.get(id=ids[0]).approved_by == coordinator
    # Nothing chosen: a message, nothing changed.
    client.post(url, {"decision": "approve"})
    assert Answer.objects.filter(approved=True).count() == 6


def test_moderation_ignores_other_questionnaires_answers(area):
    q1, q2 = data.questionnaire("a"), data.questionnaire("b")
    data.ten_responses(data.version(q1), area)
    other = Answer.objects.filter(question__key="ovrigt").first()
    assert svc.moderate(q2, [other.id], True, None) == 0
    other.refresh_from_db()
    assert other.approved is None


# ---- quarterly -------------------------------------------------------------------------------

def test_quarterly_safety_component_without_data(area):
    quarter = Quarter.of(timezone.now())
    assert "safety" not in rs.available_components()
    assert all(math.isnan(v) for v in rs.safety_values([area.id], quarter))


def test_quarterly_safety_component_with_data(area):
    other = AreaFactory(code="ovrigt", name="Övrigt", geometry=square(0, 0, 10))
    q = data.questionnaire()
    v = data.version(q)
    data.ten_responses(v, area)  # 3 of 10 safe after dark → 70 % not safe
    for value in (5, 5, 5, 1):  # 4 answers: suppressed
        data.respond(v, other, trygg_kvall=value)
    quarter = Quarter.of(timezone.now())
    values = rs.safety_values([area.id, other.id], quarter)
    assert values[0] == pytest.approx(0.7)
    assert math.isnan(values[1])
    assert "safety" in rs.available_components()
    # Answers older than 12 months before the quarter's end do not count.
    assert all(math.isnan(x) for x in rs.safety_values([area.id], quarter.shift(5)))
    snapshot = rs.compute(quarter, kind=area.kind, now=timezone.now())
    comp = next(c for c in snapshot["components"] if c["key"] == "safety")
    assert comp["available"] is True
    row = next(a for a in snapshot["areas"] if a["id"] == area.id)
    assert row["components"]["safety"]["value"] == pytest.approx(0.7)
    assert "70 % av de boende känner sig inte trygga" in rs.component_text(snapshot, row, "safety")


# ---- place case data sheet -------------------------------------------------------------------

def test_case_datasheet_lists_walk_observations_and_map_answers_inside(area, coordinator):
    from samtrygg.analysis import geo
    from samtrygg.cases.datasheet import safety_walk_findings
    from samtrygg.cases.models import PlaceCase
    from samtrygg.categories.models import Category

    place = PlaceFactory(code="parken", name="Parken")
    cx, cy = place.shape.centroid.x, place.shape.centroid.y
    lon, lat = (float(t) for t in geo.sweref_to_wgs84(cx, cy))
    walk = SafetyWalk.objects.create(title="Vandring i parken", area=area, walked_on=timezone.localdate())
    cat = Category.objects.first()
    Observation.objects.create(walk=walk, lat=lat, lon=lon, category=cat, comment="Trasig lampa")
    Observation.objects.create(walk=walk, lat=lat + 0.1, lon=lon, category=cat, comment="Långt bort")
    q = data.questionnaire()
    v = data.version(q)
    data.respond(v, area, plats={"lat": lat, "lon": lon})
    data.respond(v, area, plats={"place": "parken"})
    data.respond(v, area, plats={"lat": lat + 0.1, "lon": lon})
    case = PlaceCase.objects.create(title="Parken", place=place, problem="Oro", opened_on=timezone.localdate())
    findings = safety_walk_findings(case)
    texts = [f["text"] for f in findings]
    assert any("Trasig lampa" in t for t in texts)
    assert not any("Långt bort" in t for t in texts)
    assert any(t.startswith("2 boende markerade") for t in texts)
    assert {f["url"] for f in findings} == {reverse("walks:detail", args=[walk.pk]),
                                            reverse("walks:results", args=[q.pk])}
