import json
from datetime import date, timedelta

import pytest
from django.utils import timezone

from samtrygg.actions.queries import actions_for_week, open_actions
from samtrygg.weekly.weeks import IsoWeek
from tests.actions.helpers import make_action
from tests.factories import AreaFactory, PlaceFactory

pytestmark = pytest.mark.django_db
W47 = IsoWeek(2026, 47)


def test_actions_for_week_shape(org, area):
    place = PlaceFactory(code="parken", name="Parken", area=area)
    decided = make_action(org, title="Beslutad v47", place=place, area=area, week=W47, start=date(2026, 11, 23),
                          end=date(2026, 11, 29), lat=59.86, lon=17.64)
    previous = make_action(org, title="Beslutad v46", area=area, week=W47.previous(), status="done",
                           follow_up="Genomförd", start=date(2026, 11, 16))
    older = make_action(org, title="Äldre öppen", area=area, week=IsoWeek(2026, 40), status="ongoing",
                        start=date(2026, 10, 1), end=date(2026, 10, 15))
    make_action(org, title="Äldre klar", area=area, week=IsoWeek(2026, 40), status="done",
                start=date(2026, 10, 1))
    make_action(org, title="Startar senare", area=area, start=date(2026, 12, 20))

    result = actions_for_week(W47)
    assert set(result) == {"week", "previous_week", "decided", "previous", "open"}
    assert (result["week"], result["previous_week"]) == ("2026-W47", "2026-W46")
    assert [a["title"] for a in result["decided"]] == [decided.title]
    assert [a["title"] for a in result["previous"]] == [previous.title]
    assert [a["title"] for a in result["open"]] == [older.title]
    item = result["decided"][0]
    assert item == {
        "id": decided.pk, "title": "Beslutad v47", "description": "", "kind": "short_term",
        "kind_label": item["kind_label"], "status": "planned", "status_label": item["status_label"],
        "responsible": "Kommunen", "responsible_id": org.pk, "area": "Centrum", "area_code": "centrum",
        "place": "Parken", "place_code": "parken", "lat": 59.86, "lon": 17.64, "start_date": "2026-11-23",
        "end_date": "2026-11-29", "follow_up": "", "decided_week": "2026-W47",
        "url": f"/actions/{decided.pk}/", "is_open": True, "is_overdue": item["is_overdue"],
    }
    assert item["kind_label"] and item["status_label"]
    assert result["previous"][0]["follow_up"] == "Genomförd" and result["previous"][0]["is_open"] is False
    assert result["open"][0]["is_overdue"] is True  # ended 2026-10-15, still ongoing
    json.dumps(result)  # JSON-serialisable for the document formats


def test_actions_for_week_filters_by_area(org, area):
    other = AreaFactory(code="norr", name="Norr")
    child = AreaFactory(code="centrum-syd", name="Centrum syd", parent=area)
    mine = make_action(org, title="Här", area=child, week=W47)
    make_action(org, title="Där", area=other, week=W47)
    assert [a["title"] for a in actions_for_week(W47, area)["decided"]] == [mine.title]
    assert {a["title"] for a in actions_for_week(W47, None)["decided"]} == {"Här", "Där"}
    assert actions_for_week(W47, other)["previous"] == []


def test_empty_week():
    assert actions_for_week(W47) == {"week": "2026-W47", "previous_week": "2026-W46", "decided": [],
                                     "previous": [], "open": []}
    assert open_actions() == []


def test_open_actions_overdue_first(org, area):
    today = timezone.localdate()
    soon = make_action(org, title="Snart", start=today, end=today + timedelta(days=2))
    late = make_action(org, title="Sen", start=today - timedelta(days=9), end=today - timedelta(days=2))
    no_end = make_action(org, title="Utan slut", start=today)
    make_action(org, title="Klar", status="done", start=today)
    titles = [a["title"] for a in open_actions()]
    assert titles == [late.title, soon.title, no_end.title]
    assert [a["is_overdue"] for a in open_actions()] == [True, False, False]
    assert open_actions(AreaFactory(code="tom", name="Tom")) == []
