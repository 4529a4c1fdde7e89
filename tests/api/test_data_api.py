"""The API's other resources against independent expectations: a planted outbreak for the signals, the
public feedback page's suppression, polygons for areas/places/cases, the web's action filters."""

from __future__ import annotations

import json
from datetime import date

import pytest
import shapely.geometry
from django.http import QueryDict

from samtrygg.actions.forms import ActionFilterForm
from samtrygg.actions.models import Action
from samtrygg.actions.views import filtered_actions
from samtrygg.api import tokens
from samtrygg.areas.models import Area
from samtrygg.cases.models import PlaceCase
from samtrygg.walks.models import Answer, Feedback
from tests.factories import OrganizationFactory
from tests.walks.test_feedback import world as feedback_world  # noqa: F401  (fixture "world")
from tests.weekly.test_signal_service import WEEK, outbreak  # noqa: F401  (fixture)

from .conftest import KeyClient


@pytest.fixture
def viewer_key(db):
    org = OrganizationFactory(code="lasare", name="Läsarna")
    return tokens.create_token(None, organization=org, role="viewer", name="läsare")[1]


# ---- weekly --------------------------------------------------------------------------------------------

def test_signals_of_a_week_find_the_planted_outbreak(outbreak, viewer_key):  # noqa: F811
    api = KeyClient(viewer_key)
    body = api.get(f"/api/v1/weekly/{WEEK}/signals/").json()
    assert body["week"] == str(WEEK)
    assert [(s["area"]["code"], s["category"]["code"]) for s in body["signals"]] == [("gottsunda", "klotter")]
    signal = body["signals"][0]
    assert signal["alarm"] is True and signal["count"] >= 20 and signal["count"] > signal["threshold"]
    assert "Gottsunda" in signal["explanation"]
    every = api.get(f"/api/v1/weekly/{WEEK}/signals/?all=true").json()["signals"]
    assert len(every) > 1 and sum(s["alarm"] for s in every) == 1
    assert api.get(f"/api/v1/weekly/{WEEK}/signals/?area=granby").json()["signals"] == []
    assert api.get(f"/api/v1/weekly/{WEEK}/signals/?category=brand").json()["signals"] == []
    assert len(api.get(f"/api/v1/weekly/{WEEK}/signals/?category=klotter&area=gottsunda").json()["signals"]) == 1


def test_signals_hide_small_sensitive_counts_from_keys_that_may_not_see_them(outbreak, viewer_key):  # noqa: F811
    police = OrganizationFactory(code="polis", name="Polisen", sees_sensitive=True)
    full_key = tokens.create_token(None, organization=police, role="analyst", name="analys")[1]
    url = f"/api/v1/weekly/{WEEK}/signals/?all=true"
    full = KeyClient(full_key).get(url).json()["signals"]
    small = next(s for s in full if 1 <= s["count"] <= 4)
    from samtrygg.categories.models import Category

    Category.objects.filter(pk=small["category"]["id"]).update(sensitivity="sensitive")
    seen = {(s["area"]["id"], s["category"]["id"]): s for s in KeyClient(viewer_key).get(url).json()["signals"]}
    assert KeyClient(full_key).get(url).json()["signals"] == full  # those who may see them get the numbers
    for row in full:
        viewer = seen[(row["area"]["id"], row["category"]["id"])]
        if row["category"]["id"] == small["category"]["id"] and 1 <= row["count"] <= 4:
            assert viewer["count"] == "<5" and viewer["p_value"] is None and viewer["score"] is None
            assert str(row["count"]) not in viewer["explanation"]
        else:
            assert viewer == row


def test_weekly_picture_counts_the_week(outbreak, viewer_key):  # noqa: F811
    body = KeyClient(viewer_key).get(f"/api/v1/weekly/{WEEK}/?area=gottsunda").json()
    assert body["week"] == str(WEEK) and body["area"]["code"] == "gottsunda"
    assert [s["category"]["code"] for s in body["signals"]] == ["klotter"]
    klotter = next(r for r in body["rows"] if r["category"]["code"] == "klotter")
    assert klotter["count"] >= 20


@pytest.mark.parametrize(("url", "field"), [
    ("/api/v1/weekly/2026-W60/signals/", "week"), ("/api/v1/weekly/vecka/", "week"),
    ("/api/v1/weekly/2999-W01/", "week"), ("/api/v1/weekly/0000-W01/signals/", "week"),
    ("/api/v1/weekly/latest/?area=nowhere", "area"), ("/api/v1/weekly/latest/?category=nej", "category"),
    ("/api/v1/weekly/latest/signals/?all=kanske", "all"),
])
def test_bad_weeks_and_filters_are_400(db, viewer_key, url, field):
    answer = KeyClient(viewer_key).get(url)
    assert answer.status_code == 400
    assert answer.json()["errors"][0]["field"] == field


# ---- feedback (public) -----------------------------------------------------------------------------------

def test_feedback_is_what_the_public_page_shows(feedback_world):  # noqa: F811
    world = feedback_world
    api = KeyClient()
    listing = api.get("/api/v1/feedback/").json()
    assert [f["questionnaire"] for f in listing["results"]] == [world["q"].slug]
    body = api.get(f"/api/v1/feedback/{world['q'].slug}/").json()
    # 10 answers in the main area and 3 in the small one; the measures question only by the 10.
    assert body["respondents"] == 13 and body["summary"].startswith("Många känner sig otrygga")
    likert = next(q for q in body["questions"] if q["key"] == "trygg-kvall")
    assert likert["distribution"]["respondents"] == 13
    multiple = next(q for q in body["questions"] if q["key"] == "atgarder")
    options = {o["value"]: o for o in multiple["distribution"]["options"]}
    assert options["belysning"]["count"] == 6
    assert options["vakter"]["count"] is None and options["vakter"]["pct"] is None  # 2 of 10: suppressed
    assert [a["title"] for a in body["actions"]] == ["Ny belysning i tunneln"]
    # Free text only once approved.
    assert "Mörkt vid tunneln" not in json.dumps(body, ensure_ascii=False)
    Answer.objects.filter(value="Mörkt vid tunneln!").update(approved=True)
    assert "Mörkt vid tunneln" in json.dumps(api.get(f"/api/v1/feedback/{world['q'].slug}/").json(),
                                               ensure_ascii=False)


def test_feedback_of_a_small_area_shows_no_numbers(feedback_world):  # noqa: F811
    body = KeyClient().get(f"/api/v1/feedback/{feedback_world['q'].slug}/?area=liten").json()
    assert body["respondents"] is None
    text = json.dumps(body, ensure_ascii=False)
    assert "Lilla byns kommentar" not in text
    for question in body["questions"]:
        if "distribution" in question:
            assert question["distribution"].get("suppressed") is True


def test_unpublished_feedback_is_404(feedback_world):  # noqa: F811
    Feedback.objects.update(published_at=None)
    assert KeyClient().get(f"/api/v1/feedback/{feedback_world['q'].slug}/").status_code == 404
    assert KeyClient().get("/api/v1/feedback/").json()["count"] == 0


def test_feedback_in_english(feedback_world):  # noqa: F811
    body = KeyClient().get(f"/api/v1/feedback/{feedback_world['q'].slug}/?lang=en").json()
    assert body["summary"] == "Many feel unsafe at night."
    assert any(q["text"] == "How safe do you feel after dark?" for q in body["questions"])


# ---- places, areas, cases, actions ---------------------------------------------------------------------

def test_area_place_and_case_geojson_are_their_polygons(api_world):
    api = KeyClient(api_world["keys"]["viewer"])
    areas = api.get("/api/v1/areas/?format=geojson").json()
    assert areas["type"] == "FeatureCollection" and areas["count"] == Area.objects.filter(is_active=True).count()
    for feature in areas["features"]:
        shape = shapely.geometry.shape(feature["geometry"])
        assert shape.is_valid and shape.geom_type in ("Polygon", "MultiPolygon")
        assert feature["geometry"] == Area.objects.get(code=feature["id"]).geometry_wgs84
    place = api.get("/api/v1/places/parken/?format=geojson").json()
    stored = json.loads(json.dumps(api_world["place"].geometry_wgs84))  # tuples as lists, as stored
    assert place["geometry"] == stored and place["properties"]["code"] == "parken"
    case = PlaceCase.objects.create(title="Parken", place=api_world["place"], problem="Oro", opened_on=date(2026, 1, 5))
    cases = api.get("/api/v1/cases/?format=geojson").json()
    assert [f["id"] for f in cases["features"]] == [case.pk]
    assert cases["features"][0]["geometry"] == stored


def test_case_json_has_partners_and_measures(api_world):
    case = PlaceCase.objects.create(title="Parken", place=api_world["place"], problem="Oro", opened_on=date(2026, 1, 5))
    case.partners.create(organization=api_world["police_org"], role="Polis", contact="områdespolis@")
    measure = Action.objects.create(title="Belysning", responsible=api_world["org"], start_date=date(2026, 2, 1),
                                    case=case)
    body = KeyClient(api_world["keys"]["viewer"]).get(f"/api/v1/cases/{case.pk}/").json()
    assert body["place"] == "parken" and body["measures"] == [measure.pk]
    assert body["partners"] == [{"organization": "polisen", "role": "Polis", "contact": "områdespolis@"}]


@pytest.mark.parametrize("query", ["", "state=open", "state=closed", "status=done", "kind=long_term",
                                   "responsible={org}", "q=rond", "area={area}"])
def test_action_filters_give_what_the_web_list_gives(api_world, query):
    org, area = api_world["org"], api_world["area"]
    Action.objects.create(title="Extra rond", responsible=org, start_date=date(2026, 1, 5), area=area)
    Action.objects.create(title="Klottersanering", responsible=org, start_date=date(2026, 1, 6),
                          status=Action.Status.DONE, kind=Action.Kind.LONG_TERM)
    Action.objects.create(title="Polisens rond", responsible=api_world["police_org"], start_date=date(2026, 1, 7),
                          lat=59.85, lon=17.64)
    filled = query.format(org=org.pk, area=area.pk)
    web = filtered_actions(ActionFilterForm(QueryDict(filled))).order_by("-start_date", "-id")
    expected = list(web.values_list("id", flat=True))
    api = KeyClient(api_world["keys"]["viewer"])
    assert [a["id"] for a in api.get(f"/api/v1/actions/?{filled}").json()["results"]] == expected
    by_code = query.format(org=org.code, area=area.code)
    features = api.get(f"/api/v1/actions/?{by_code}&format=geojson").json()["features"]
    assert [f["id"] for f in features] == expected


def test_action_geojson_uses_its_point(api_world):
    action = Action.objects.create(title="Rond", responsible=api_world["org"], start_date=date(2026, 1, 5),
                                   lat=59.85, lon=17.64)
    feature = KeyClient(api_world["keys"]["viewer"]).get(f"/api/v1/actions/{action.pk}/?format=geojson").json()
    assert feature["geometry"] == {"type": "Point", "coordinates": [17.64, 59.85]}


# ---- quarterly -----------------------------------------------------------------------------------------

def test_saved_analysis_is_its_snapshot(api_world):
    from tests.quarterly.data import saved_analysis

    analysis = saved_analysis(api_world["tokens"]["analyst"].service_user)
    api = KeyClient(api_world["keys"]["analyst"])
    listing = api.get("/api/v1/quarterly/analyses/").json()
    assert [a["id"] for a in listing["results"]] == [analysis.pk]
    body = api.get(f"/api/v1/quarterly/analyses/{analysis.pk}/").json()
    assert body["snapshot"] == json.loads(json.dumps(analysis.snapshot)) and body["weights"] == analysis.weights


@pytest.mark.parametrize(("query", "field"), [("quarter=2026-Q5", "quarter"), ("quarter=2999-Q1", "quarter"),
                                              ("quarter=0000-Q1", "quarter"), ("w_harm=-1", "w_harm"),
                                              ("w_harm=", "w_harm"), ("kind=nej", "kind")])
def test_bad_ranking_parameters_are_400(api_world, query, field):
    answer = KeyClient(api_world["keys"]["analyst"]).get(f"/api/v1/quarterly/ranking/?{query}")
    assert answer.status_code == 400
    assert field in {e["field"] for e in answer.json()["errors"]}


def test_live_ranking_ranks_the_areas(api_world):
    body = KeyClient(api_world["keys"]["analyst"]).get("/api/v1/quarterly/ranking/?w_harm=1").json()
    assert body["weights"]["harm"] == 1.0
    assert [a["code"] for a in body["areas"]] == ["centrum"]


def test_me_tells_the_key(api_world):
    body = KeyClient(api_world["keys"]["coordinator"]).get("/api/v1/me/").json()
    assert body["organization"]["code"] == "kommunen" and body["role"] == "coordinator"
    assert body["token"]["prefix"] == api_world["tokens"]["coordinator"].prefix
