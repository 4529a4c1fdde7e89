"""Helpers for the quarterly tests (and the project-wide permission test): saved analyses on factory data."""

from __future__ import annotations

import pytest

from samtrygg.quarterly import ranking_service as rs
from samtrygg.quarterly.models import QuarterlyAnalysis
from samtrygg.quarterly.quarters import Quarter


def saved_analysis(user=None, quarter: Quarter | None = None, kind: str = "district", weights=None,
                   **fields) -> QuarterlyAnalysis:
    """Compute the ranking now and save it, as the "Save" button does."""
    quarter = quarter or Quarter.last_complete()
    snapshot = rs.compute(quarter, kind, weights)
    return QuarterlyAnalysis.objects.create(
        year=quarter.year, quarter=quarter.quarter, title=fields.pop("title", f"Analys {quarter}"),
        weights=snapshot["weights"], snapshot=snapshot, created_by=user, **fields)


# ---- a small world: three districts and a municipality --------------------------------------------------

def build_quarter(user, quarter: Quarter | None = None) -> dict:
    """Alfa (1 000 inhabitants), Beta (2 000) and Gamma (no population) side by side, inside Kommunen.

    In the quarter: Alfa harm 10 (a fire, severity 4, and two graffiti reports of 3 tags; a deleted
    threat does not count) → 10.0 per 1 000; Beta a fire → 4 → 2.0 per 1 000; Gamma 5 tags → raw 5.
    Before: Alfa 1 (graffiti) the same quarter last year and 4 (a fire) the previous quarter, so the mean
    of the four previous quarters is 1.25 (trend 8.0) and last year's ratio 10.0; Beta and Gamma nothing.
    """
    from datetime import timedelta

    from samtrygg.reports.services import delete_report
    from tests.factories import CENTRE_X, CENTRE_Y, AreaFactory, make_report, square

    q = quarter or Quarter.last_complete()
    xs = {"alfa": CENTRE_X - 5000, "beta": CENTRE_X, "gamma": CENTRE_X + 5000}
    areas = {
        "alfa": AreaFactory(code="alfa", name="Alfa", population=1000, geometry=square(xs["alfa"], CENTRE_Y, 1000)),
        "beta": AreaFactory(code="beta", name="Beta", population=2000, geometry=square(xs["beta"], CENTRE_Y, 1000)),
        "gamma": AreaFactory(code="gamma", name="Gamma", population=None,
                             geometry=square(xs["gamma"], CENTRE_Y, 1000)),
        "kommun": AreaFactory(code="kommun", name="Kommunen", kind="municipality", population=5000,
                              geometry=square(CENTRE_X, CENTRE_Y, 9000)),
    }

    def at(quarter_, days):
        return quarter_.start() + timedelta(days=days, hours=12)

    def report(where, code, when, quantity=1):
        return make_report(user, category_code=code, x=xs[where], y=CENTRE_Y, when=when, quantity=quantity)

    reports = {
        "alfa_fire": report("alfa", "brand", at(q, 10)),
        "alfa_tags1": report("alfa", "klotter", at(q, 20), 3),
        "alfa_tags2": report("alfa", "klotter", at(q, 30), 3),
        "beta_fire": report("beta", "brand", at(q, 15)),
        "gamma_tags": report("gamma", "klotter", at(q, 50), 5),
        "alfa_last_year": report("alfa", "klotter", at(q.shift(-4), 5)),
        "alfa_previous": report("alfa", "brand", at(q.shift(-1), 5)),
    }
    deleted = report("alfa", "hot_vald", at(q, 40))
    delete_report(user, deleted)
    return {"quarter": q, "areas": areas, "reports": reports, "deleted": deleted, "user": user}


def fake_signals(quarter: Quarter, alarms: dict[str, int], areas: dict) -> callable:
    """A stand-in for ``signal_service.signals_for_weeks``: ``alarms`` = {area code: weeks with a signal};
    the first of those weeks gets two signals (two categories), which must count as one week."""
    from types import SimpleNamespace

    from samtrygg.quarterly.ranking_service import quarter_weeks

    first, _last = quarter_weeks(quarter)

    def signals_for_weeks(first_, last_, areas=None, categories=None):
        rows = []
        for code, n in alarms.items():
            area = SimpleNamespace(id=areas_by_code[code].pk, code=code)
            for k in range(n):
                rows.append(SimpleNamespace(week=first.shift(k), area=area, alarm=True))
            if n:
                rows.append(SimpleNamespace(week=first, area=area, alarm=True))
            rows.append(SimpleNamespace(week=first.shift(n), area=area, alarm=False))
        return rows

    areas_by_code = areas
    return signals_for_weeks


# ---- fixtures (import them into a test module) ----------------------------------------------------------


@pytest.fixture
def clear_signal_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def analyst(user_factory):
    return user_factory("analyst", username="analytiker")


@pytest.fixture
def world(db, analyst, clear_signal_cache, monkeypatch):
    """:func:`build_quarter` with signals in 2 weeks in Alfa, 1 in Gamma, none in Beta."""
    from samtrygg.weekly import signal_service

    w = build_quarter(analyst)
    monkeypatch.setattr(signal_service, "signals_for_weeks",
                        fake_signals(w["quarter"], {"alfa": 2, "gamma": 1, "beta": 0}, w["areas"]))
    return w


@pytest.fixture
def english(settings):
    """The tests read English interface text (the Swedish catalogue translates it otherwise)."""
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield
