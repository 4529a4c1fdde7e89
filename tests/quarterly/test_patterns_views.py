"""The time-patterns and near-repeat pages: content, bad input (400 with the message), access."""

from __future__ import annotations

import pytest
from django.urls import reverse

from samtrygg.quarterly.quarters import Quarter
from tests.factories import UserFactory, make_report
from tests.quarterly.patterns_data import near_repeat_reports


@pytest.fixture
def analyst(org):
    return UserFactory(role="analyst", organization=org, username="analytiker")


@pytest.fixture
def en_client(client, analyst):
    client.force_login(analyst)
    client.cookies["django_language"] = "en"
    return client


def test_patterns_page_shows_the_matrix_season_and_trend(en_client, analyst):
    q = Quarter.last_complete()
    for i in range(12):
        make_report(analyst, category_code="klotter", when=q.start() + (q.end() - q.start()) * (i / 12))
    response = en_client.get(reverse("quarterly:patterns"), {"quarter": str(q)})
    assert response.status_code == 200
    html = response.content.decode()
    assert "weekday-hour" in html and "wh-5" in html
    assert "Season: the average month" in html
    assert "Too few months with reports to estimate a trend." in html  # three months of data only
    assert "Klotter" in html


def test_patterns_page_bad_input(en_client):
    response = en_client.get(reverse("quarterly:patterns"), {"quarter": "2025-Q7", "area": "nowhere",
                                                              "category": "nope"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "“2025-Q7” is not a quarter" in html
    assert "There is no area with the code “nowhere”" in html
    assert "Category “nope” does not exist" in html
    assert 'aria-describedby="id_quarter_help id_quarter_error"' in html


def test_patterns_page_future_quarter(en_client):
    response = en_client.get(reverse("quarterly:patterns"), {"quarter": str(Quarter.last_complete().shift(2))})
    assert response.status_code == 400
    assert "has not started yet" in response.content.decode()


def test_near_repeat_page_form_then_result(en_client, analyst):
    url = reverse("quarterly:near_repeat")
    response = en_client.get(url)
    assert response.status_code == 200
    assert "knox-table" not in response.content.decode()
    q = Quarter.last_complete()
    near_repeat_reports(analyst, q)
    response = en_client.get(url, {"category": "stold", "from": q.first_day.isoformat(), "to": q.last_day.isoformat(),
                                   "space_band": "100", "time_band": "7", "permutations": "99"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "knox-table" in html and "is-significant" in html and "★" in html
    assert "the risk of another within 100 m is raised for" in html


@pytest.mark.parametrize(("params", "message"), [
    ({"space_band": "0"}, "The space band must be between 1 and 10000."),
    ({"time_band": "a week"}, "The time band must be a whole number, for example 7."),
    ({"permutations": "3"}, "The number of permutations must be between 19 and 999."),
    ({"from": "yesterday"}, "The start date must be a date like"),
    ({"to": "2020-01-01"}, "The end date is before the start date."),
    ({"to": "2999-01-01"}, "The end date is in the future."),
    ({"category": "nope"}, "Category “nope” does not exist."),
    ({}, "Only 0 reports of “Stöld och inbrott” in this period"),
])
def test_near_repeat_bad_input(en_client, params, message):
    query = {"category": "stold", "from": "2025-01-01", "to": "2025-03-31", **params}
    response = en_client.get(reverse("quarterly:near_repeat"), query)
    assert response.status_code == 400
    assert message in response.content.decode()


@pytest.mark.parametrize("name", ["quarterly:patterns", "quarterly:near_repeat"])
def test_reporters_are_refused(client, org, name):
    client.force_login(UserFactory(role="reporter", organization=org))
    assert client.get(reverse(name)).status_code == 403
