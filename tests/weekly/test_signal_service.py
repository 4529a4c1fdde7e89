"""signal_service on a planted outbreak in two years of weekly reports."""

from datetime import timedelta

import numpy as np
import pytest
from django.utils import translation

from samtrygg.weekly import signal_service
from samtrygg.weekly.weeks import IsoWeek
from tests.factories import AreaFactory, OrganizationFactory, category
from tests.weekly.weekly_data import bulk_reports

WEEK = IsoWeek(2026, 20)


@pytest.fixture
def outbreak(db):
    """Two years of ~4 graffiti reports a week in Gottsunda and ~3 fires in Gränby, then 20 graffiti
    reports in WEEK. Plus a new area with only 3 weeks of history."""
    org = OrganizationFactory(code="parker")
    gottsunda = AreaFactory(code="gottsunda", name="Gottsunda")
    granby = AreaFactory(code="granby", name="Gränby")
    new = AreaFactory(code="nytt", name="Nya området")
    rng = np.random.default_rng(3)
    g_items, b_items, n_items = [], [], []
    for i in range(104, 0, -1):
        start = WEEK.shift(-i).start()
        g_items += [(start + timedelta(hours=int(h)), "klotter") for h in rng.integers(0, 160, rng.poisson(4))]
        b_items += [(start + timedelta(hours=int(h)), "brand") for h in rng.integers(0, 160, rng.poisson(3))]
    g_items += [(WEEK.start() + timedelta(hours=5 + i), "klotter") for i in range(20)]
    b_items += [(WEEK.start() + timedelta(hours=10), "brand")] * 3
    for i in range(3, -1, -1):
        n_items += [(WEEK.shift(-i).start() + timedelta(hours=30), "klotter")] * 2
    bulk_reports(g_items, organization=org, areas=[gottsunda])
    bulk_reports(b_items, organization=org, areas=[granby])
    bulk_reports(n_items, organization=org, areas=[new])
    return {"gottsunda": gottsunda, "granby": granby, "new": new}


def test_planted_outbreak_is_the_only_alarm(outbreak):
    with translation.override("en"):
        rows = signal_service.signals_for_weeks(WEEK, WEEK)
    alarms = [r for r in rows if r.alarm]
    assert [(r.area.code, r.category.code) for r in alarms] == [("gottsunda", "klotter")]
    a = alarms[0]
    assert a.count == 20 and 2.5 < a.expected < 6 and a.threshold < 20 and a.week == WEEK
    assert a.method in ("mean", "seasonal", "seasonal_trend")
    assert a.explanation == (f"Klotter in Gottsunda: 20, expected {a.expected:.1f}, threshold {a.threshold}")


def test_the_sentence_in_swedish():
    e = {"status": "alarm", "count": 14, "expected": 4.12, "threshold": 9, "trigger": "week"}
    with translation.override("sv"):
        assert signal_service.explanation("Klotter", "Gottsunda", e) == "Klotter i Gottsunda: 14, väntat 4,1, tröskel 9"
        two = dict(e, trigger="two_weeks", count_two_weeks=20, threshold_two_weeks=15)
        assert signal_service.explanation("Klotter", "Gottsunda", two) == (
            "Klotter i Gottsunda: 14, väntat 4,1, tröskel 9 (den här och förra veckan tillsammans: 20, tröskel 15)")


def test_every_active_series_gets_a_row(outbreak):
    rows = signal_service.signals_for_weeks(WEEK, WEEK)
    from samtrygg.categories.models import Category
    n_cats = Category.objects.filter(is_active=True).count()
    assert len(rows) == 3 * n_cats
    fire = next(r for r in rows if r.area.code == "granby" and r.category.code == "brand")
    assert fire.status == "normal" and fire.count == 3 and fire.expected > 1


def test_new_area_has_short_history(outbreak):
    lookup = signal_service.signal_lookup(WEEK)
    row = lookup[(outbreak["new"].pk, category("klotter").pk)]
    assert row.status == "no_history" and row.count == 2 and not row.alarm
    assert "för kort historik" in row.explanation


def test_inactive_areas_and_categories_are_left_out(outbreak):
    outbreak["granby"].is_active = False
    outbreak["granby"].save()
    cat = category("brand")
    cat.is_active = False
    cat.save()
    rows = signal_service.signals_for_weeks(WEEK, WEEK)
    assert {r.area.code for r in rows} == {"gottsunda", "nytt"}
    assert "brand" not in {r.category.code for r in rows}


def test_range_of_weeks_and_narrowing(outbreak):
    g = outbreak["gottsunda"]
    rows = signal_service.signals_for_weeks(WEEK.shift(-2), WEEK, areas=[g], categories=[category("klotter")])
    assert [str(r.week) for r in rows] == [str(WEEK.shift(-2)), str(WEEK.shift(-1)), str(WEEK)]
    assert [r.alarm for r in rows] == [False, False, True]
    assert signal_service.alarms(WEEK)[0].area.code == "gottsunda"
    d = rows[-1].as_dict()
    assert d["week"] == str(WEEK) and d["area"]["code"] == "gottsunda" and d["alarm"] is True


def test_a_report_in_the_judged_week_rereads_that_week_only_and_one_in_the_history_all(outbreak):
    """The five years of history are cached under their own weeks' versions: a new report in the judged week
    (this week, all week long) reads one week of counts again; a back-dated one reads the history again.
    Either way the result is what a computation from scratch gives."""
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def compute():
        with CaptureQueriesContext(connection) as ctx:
            rows = signal_service.compute(WEEK, WEEK).rows
        reads = [q["sql"] for q in ctx.captured_queries if "reports_reportcount" in q["sql"]]
        return {(r.area.code, r.category.code): (r.count, r.expected, r.alarm) for r in rows}, len(reads)

    def from_scratch():
        cache.clear()
        return compute()[0]

    from samtrygg.accounts.models import Organization

    parks = Organization.objects.get(code="parker")  # a new organisation would change the reference data
    compute()
    bulk_reports([(WEEK.start() + timedelta(hours=50), "brand")], organization=parks, areas=[outbreak["granby"]])
    after_new, reads = compute()
    assert reads == 1 and after_new[("granby", "brand")][0] == 4
    assert after_new == from_scratch()
    bulk_reports([(WEEK.shift(-30).start() + timedelta(hours=50), "brand")] * 6, organization=parks,
                 areas=[outbreak["granby"]])
    after_old, reads = compute()
    assert reads == 2 and after_old[("granby", "brand")][1] != after_new[("granby", "brand")][1]
    assert after_old == from_scratch()
