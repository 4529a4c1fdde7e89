"""The quarterly ranking service on factory data (see tests/quarterly/data.py for the numbers)."""

from types import SimpleNamespace

import pytest
from django.utils import translation

from samtrygg.quarterly import ranking_service as rs
from samtrygg.quarterly.quarters import Quarter
from samtrygg.weekly.weeks import IsoWeek
from tests.quarterly import data
from tests.quarterly.data import build_quarter

# Shared fixtures (tests/quarterly/data.py), assigned rather than imported so their use as parameters reads plainly.
analyst = data.analyst
clear_signal_cache = data.clear_signal_cache
world = data.world
english = data.english

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def by_code(snapshot):
    return {a["code"]: a for a in snapshot["areas"]}


def test_harm_per_thousand_trend_and_signal_weeks(world):
    s = rs.compute(world["quarter"])
    areas = by_code(s)
    assert set(areas) == {"alfa", "beta", "gamma"}  # districts only, not the municipality
    alfa, beta, gamma = areas["alfa"], areas["beta"], areas["gamma"]
    # harm: Σ severity × quantity; the deleted threat does not count
    assert (alfa["harm"], alfa["incidents"]) == (10, 3)
    assert alfa["components"]["harm"]["value"] == pytest.approx(10.0)
    assert beta["components"]["harm"]["value"] == pytest.approx(2.0)
    # no population: raw harm kept, no rate, not in the harm percentile
    assert gamma["harm"] == 5 and gamma["components"]["harm"]["value"] is None
    assert gamma["components"]["harm"]["used"] is False and alfa["components"]["harm"]["of"] == 2
    # trend against the mean of the four previous quarters (1 + 0 + 0 + 4) / 4 and against last year (1)
    assert alfa["harm_previous_mean"] == pytest.approx(1.25)
    assert alfa["components"]["trend"]["value"] == pytest.approx(8.0)
    assert alfa["components"]["year"]["value"] == pytest.approx(10.0)
    assert beta["components"]["trend"]["value"] is None  # nothing before: no basis to compare
    # signal weeks: distinct weeks with an alarm
    assert (alfa["signal_weeks"], beta["signal_weeks"], gamma["signal_weeks"]) == (2, 0, 1)
    # composite with the default weights (harm 2, trend 1, year 0.5, signals 1):
    # Alfa (2·100 + 1·50 + 0.5·50 + 1·100) / 4.5, Beta 0, Gamma only signals: 50
    assert alfa["composite"] == pytest.approx(83.3)
    assert (beta["composite"], gamma["composite"]) == (0, 50)
    assert [a["code"] for a in s["areas"]] == ["alfa", "gamma", "beta"]
    assert [a["rank"] for a in s["areas"]] == [1, 2, 3]
    assert s["totals"] == {"incidents": 5, "harm": 19, "areas": 3, "areas_without_population": 1}
    assert s["empty"] is False and s["weeks"]["count"] == 13
    safety = next(c for c in s["components"] if c["key"] == "safety")
    assert safety["available"] is False and all(a["components"]["safety"]["used"] is False for a in s["areas"])


def test_weights_change_the_order(world):
    s = rs.compute(world["quarter"], weights={"harm": 1, "trend": 0, "year": 0, "signals": 0})
    assert [a["code"] for a in s["areas"]] == ["alfa", "beta", "gamma"]
    assert by_code(s)["gamma"]["rank"] is None  # no weighted component: not ranked
    assert s["weights"]["signals"] == 0


def test_other_area_kind(world):
    s = rs.compute(world["quarter"], kind="municipality")
    assert [a["code"] for a in s["areas"]] == ["kommun"]
    assert s["areas"][0]["harm"] == 19
    assert s["areas"][0]["components"]["harm"]["value"] == pytest.approx(19 / 5000 * 1000)
    with pytest.raises(rs.RankingError):
        rs.compute(world["quarter"], kind="deso")


def test_future_quarter_and_empty_quarter(world):
    with pytest.raises(rs.RankingError):
        rs.compute(Quarter.last_complete().shift(2))
    s = rs.compute(world["quarter"].shift(-12))
    assert s["empty"] is True and s["totals"]["incidents"] == 0


def test_quarters_before_the_first_report_are_left_out(world):
    # One quarter after the first report: the previous-quarter mean uses only quarters with data.
    s = rs.compute(world["quarter"].shift(-3))
    alfa = by_code(s)["alfa"]
    assert s["history_from"] == str(world["quarter"].shift(-4))
    assert alfa["harm_previous_mean"] == pytest.approx(1.0)  # only Q-4 counts, not three empty quarters
    assert alfa["harm_last_year"] is None and alfa["components"]["year"]["value"] is None


def test_quarter_weeks_use_the_thursday_rule():
    assert rs.quarter_weeks(Quarter(2026, 3)) == (IsoWeek(2026, 27), IsoWeek(2026, 39))
    assert rs.quarter_weeks(Quarter(2026, 1)) == (IsoWeek(2026, 1), IsoWeek(2026, 13))
    assert rs.quarter_weeks(Quarter(2020, 4)) == (IsoWeek(2020, 40), IsoWeek(2020, 53))


def test_signal_weeks_are_cached_until_the_reports_change(world, monkeypatch):
    from samtrygg.weekly import signal_service

    calls = []
    alfa = world["areas"]["alfa"]

    def fake(first, last, areas=None, categories=None):
        calls.append((first, last))
        return [SimpleNamespace(week=first, area=SimpleNamespace(id=alfa.pk), alarm=True)]

    monkeypatch.setattr(signal_service, "signals_for_weeks", fake)
    first, last = rs.quarter_weeks(world["quarter"])
    assert rs.signal_weeks([alfa.pk], first, last) == {alfa.pk: 1}
    assert rs.signal_weeks([alfa.pk], first, last) == {alfa.pk: 1}
    assert len(calls) == 1
    from samtrygg.reports.services import update_report

    update_report(world["user"], world["reports"]["alfa_fire"], quantity=2)
    rs.signal_weeks([alfa.pk], first, last)
    assert len(calls) == 2


def test_real_signal_service_runs_on_the_factory_data(db, analyst, clear_signal_cache):
    w = build_quarter(analyst)
    s = rs.compute(w["quarter"])
    assert all(isinstance(a["signal_weeks"], int) for a in s["areas"])


def test_parse_weights():
    weights, errors = rs.parse_weights({"w_harm": "1,5", "w_trend": ""})
    assert errors == {} and weights["harm"] == 1.5 and weights["trend"] == rs.DEFAULT_WEIGHTS["trend"]
    _w, errors = rs.parse_weights({"w_harm": "-1"})
    assert set(errors) == {"harm"}
    _w, errors = rs.parse_weights({"w_harm": "0", "w_trend": "0", "w_year": "0", "w_signals": "0", "w_safety": "4"})
    assert set(errors) == {""}  # the safety component has no data: its weight alone cannot rank


def test_area_sentence(world):
    with translation.override("en"):
        s = rs.compute(world["quarter"])
        alfa = by_code(s)["alfa"]
        text = rs.area_sentence(s, alfa)
        assert text == ("Alfa is 1st of 3: harm 10.0 per 1 000 inhabitants (1st), up 700 % on the previous "
                        "quarters (1st), up 900 % on the same quarter last year (1st), signals in 2 of 13 weeks "
                        "(1st).")
        gamma = rs.area_sentence(s, by_code(s)["gamma"])
        assert gamma.startswith("Gamma is 2nd of 3: harm 5.0 (no population: not per inhabitant), no earlier data")
        ex = rs.explanation(s, "beta")
        assert ex["ranked"] == 3 and [p["key"] for p in ex["parts"]] == list(rs.COMPONENTS)
        assert rs.explanation(s, "nope") is None
