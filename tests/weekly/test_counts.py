"""weekly.counts against a direct Python computation (IsoWeek.of on every report)."""

from collections import Counter
from datetime import datetime, timedelta

import numpy as np
import pytest

from samtrygg.reports import services
from samtrygg.weekly import counts
from samtrygg.weekly.weeks import STOCKHOLM, IsoWeek
from tests.factories import AreaFactory, OrganizationFactory, category
from tests.weekly.weekly_data import bulk_reports


def local(*args):
    return datetime(*args, tzinfo=STOCKHOLM)


# Week boundaries in winter, in summer and around both DST changes of 2026 (29 March, 25 October).
BOUNDARY_TIMES = [
    local(2026, 1, 11, 23, 59), local(2026, 1, 12, 0, 0), local(2026, 1, 11, 23, 0), local(2026, 1, 12, 0, 59),
    local(2026, 3, 29, 23, 59), local(2026, 3, 30, 0, 0), local(2026, 3, 29, 3, 30), local(2026, 3, 23, 0, 0),
    local(2026, 6, 14, 23, 59, 59), local(2026, 6, 15, 0, 0), local(2026, 6, 14, 23, 30), local(2026, 6, 15, 0, 30),
    local(2026, 10, 25, 23, 59), local(2026, 10, 26, 0, 0), local(2026, 10, 25, 2, 30), local(2026, 10, 19, 0, 0),
]


@pytest.fixture
def world(db):
    org = OrganizationFactory(code="parker")
    other = OrganizationFactory(code="polisen")
    city = AreaFactory(code="stad", name="Staden", kind="municipality")
    north = AreaFactory(code="norr", name="Norr", parent=city)
    south = AreaFactory(code="soder", name="Söder", parent=city)
    return {"org": org, "other": other, "city": city, "north": north, "south": south}


def python_counts(reports, area_of):
    """The reference: {(area_id, category_id, week)} by IsoWeek.of on each live report."""
    ref = Counter()
    for r in reports:
        if r.deleted_at is None:
            for a in area_of(r):
                ref[(a, r.category_id, IsoWeek.of(r.occurred_at))] += 1
    return ref


def as_counter(wc):
    out = Counter()
    for s, key in enumerate(wc.keys):
        for w, week in enumerate(wc.weeks):
            if wc.counts[s, w]:
                out[(key[0], key[1], week)] = int(wc.counts[s, w])
    return out


def test_week_boundaries_and_dst_match_python(world):
    north, city = world["north"], world["city"]
    items = [(t, "klotter") for t in BOUNDARY_TIMES] + [(t + timedelta(minutes=1), "brand") for t in BOUNDARY_TIMES]
    reports = bulk_reports(items, organization=world["org"], areas=[north, city])
    wc = counts.weekly_counts(IsoWeek(2026, 1), IsoWeek(2026, 45))
    assert as_counter(wc) == python_counts(reports, lambda r: [north.pk, city.pk])
    # The Sunday 23:59 / Monday 00:00 pairs fall in different weeks, in winter and in summer time.
    idx = wc.index()[(north.pk, category("klotter").pk)]
    assert wc.counts[idx, wc.weeks.index(IsoWeek(2026, 24))] == 2  # Sun 14 June 23:30 and 23:59:59
    assert wc.counts[idx, wc.weeks.index(IsoWeek(2026, 25))] == 2  # Mon 15 June 00:00 and 00:30
    assert wc.counts[idx, wc.weeks.index(IsoWeek(2026, 13))] == 3  # DST week: 23 Mar, 29 Mar 03:30, 23:59


def test_first_week_in_summer_time_keeps_its_monday_night(world):
    north = world["north"]
    reports = bulk_reports([(local(2026, 6, 15, 0, 10), "klotter"), (local(2026, 6, 14, 23, 50), "klotter")],
                           organization=world["org"], areas=[north])
    wc = counts.weekly_counts(IsoWeek(2026, 25), IsoWeek(2026, 25))
    assert wc.counts.tolist() == [[1]]
    assert reports


def test_soft_deleted_reports_do_not_count(world):
    north = world["north"]
    reports = bulk_reports([(local(2026, 5, 5, 12), "klotter")] * 3, organization=world["org"], areas=[north])
    services.delete_report(None, reports[0])
    wc = counts.weekly_counts(IsoWeek(2026, 19), IsoWeek(2026, 19))
    assert wc.counts.tolist() == [[2]]
    assert counts.reports_in_week(IsoWeek(2026, 19)).count() == 2


def test_nested_areas_count_in_each_and_distinct_totals_once(world):
    north, south, city = world["north"], world["south"], world["city"]
    bulk_reports([(local(2026, 5, 5, 12), "klotter")] * 2, organization=world["org"], areas=[north, city])
    bulk_reports([(local(2026, 5, 6, 12), "brand")], organization=world["org"], areas=[south, city])
    week = IsoWeek(2026, 19)
    two = counts.area_category_two_weeks(week)
    kl, br = category("klotter").pk, category("brand").pk
    assert two[(north.pk, kl)][0] == 2 and two[(city.pk, kl)][0] == 2 and two[(south.pk, br)][0] == 1
    assert (south.pk, kl) not in two
    assert counts.distinct_counts(week, "category_id") == {kl: 2, br: 1}
    assert counts.distinct_area_counts(week, [north.pk, south.pk, city.pk]) == {north.pk: 2, south.pk: 1,
                                                                                city.pk: 3}
    assert counts.reports_in_week(week, area=north).count() == 2


def test_series_order_and_zero_rows(world):
    north, city = world["north"], world["city"]
    bulk_reports([(local(2026, 5, 5, 12), "klotter")], organization=world["org"], areas=[north])
    kl, br = category("klotter").pk, category("brand").pk
    wc = counts.weekly_counts(IsoWeek(2026, 18), IsoWeek(2026, 20), series=[(city.pk, br), (north.pk, kl)])
    assert wc.counts.tolist() == [[0, 0, 0], [0, 1, 0]]
    assert wc.weeks == [IsoWeek(2026, 18), IsoWeek(2026, 19), IsoWeek(2026, 20)]


def test_quantity_is_summed_but_incidents_are_counted(world):
    bulk_reports([{"when": local(2026, 5, 5, 12), "quantity": 12}, {"when": local(2026, 5, 5, 13)}],
                 organization=world["org"], areas=[world["north"]])
    wc = counts.weekly_counts(IsoWeek(2026, 19), IsoWeek(2026, 19))
    assert wc.counts.tolist() == [[2]] and wc.quantity.tolist() == [[13]]


def test_weekday_hour_matches_local_time(world):
    times = BOUNDARY_TIMES[8:12] + [local(2026, 6, 10, 17, 45), local(2026, 6, 10, 17, 5)]
    reports = bulk_reports([(t, "klotter") for t in times], organization=world["org"], areas=[world["north"]])
    week = IsoWeek(2026, 24)
    expected = np.zeros((7, 24), dtype=int)
    for r in reports:
        t = r.occurred_at.astimezone(STOCKHOLM)
        if IsoWeek.of(t) == week:
            expected[t.weekday(), t.hour] += 1
    got = counts.weekday_hour(week)
    assert (got == expected).all()
    assert got[2, 17] == 2 and got[6, 23] == 2 and got.sum() == 4


def test_weekday_hour_in_the_autumn_dst_week(world):
    times = [local(2026, 10, 25, 2, 30), local(2026, 10, 25, 4, 0), local(2026, 10, 25, 23, 59)]
    bulk_reports([(t, "klotter") for t in times], organization=world["org"], areas=[world["north"]])
    got = counts.weekday_hour(IsoWeek(2026, 43))
    assert got[6, 2] == 1 and got[6, 4] == 1 and got[6, 23] == 1 and got.sum() == 3


def test_by_organization_history(world):
    org, other = world["org"], world["other"]
    week = IsoWeek(2026, 19)
    items = []
    for i in range(1, 9):
        monday = week.shift(-i).start() + timedelta(hours=12)
        items += [(monday, "klotter")] * 3
    bulk_reports(items, organization=org, areas=[world["north"]])
    bulk_reports([(week.start() + timedelta(days=2), "brand")], organization=other, areas=[world["north"]])
    stats = {s["organization_id"]: s for s in counts.by_organization(week)}
    assert stats[org.pk] == {"organization_id": org.pk, "count": 0, "history": [3] * 8}
    assert stats[other.pk]["count"] == 1 and stats[other.pk]["history"] == [0] * 8


def test_filters_narrow_counts(world):
    org, other, north = world["org"], world["other"], world["north"]
    bulk_reports([(local(2026, 5, 5, 12), "klotter")], organization=org, areas=[north])
    bulk_reports([(local(2026, 5, 5, 12), "brand")], organization=other, areas=[north])
    week = IsoWeek(2026, 19)
    assert counts.weekly_counts(week, week, organization=org).counts.sum() == 1
    assert counts.weekly_counts(week, week, categories=[category("brand").pk]).keys == [
        (north.pk, category("brand").pk)]
    with pytest.raises(ValueError):
        counts.weekly_counts(week, week.previous())
