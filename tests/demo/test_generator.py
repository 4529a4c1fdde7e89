"""The demo generator (pure numpy, no database): deterministic, inside the districts, with the
patterns the demo is meant to show."""

import datetime as dt

import numpy as np
import pytest
import shapely

from samtrygg.analysis import geo
from samtrygg.demo import generator as g
from samtrygg.demo.geography import build
from samtrygg.privacy import pii

END = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def geography():
    return build()


@pytest.fixture(scope="module")
def data(geography):
    return g.generate(geography, seed=7, years=2, end=END)


@pytest.fixture(scope="module")
def local(data):
    return data.local_times()


def test_same_seed_same_reports_and_another_seed_differs(geography):
    a = g.generate(geography, seed=3, years=0.5, end=END)
    b = g.generate(geography, seed=3, years=0.5, end=END)
    c = g.generate(geography, seed=4, years=0.5, end=END)
    for name in ("occurred_at", "category", "x", "y", "organization", "quantity", "description"):
        assert np.array_equal(getattr(a, name), getattr(b, name)), name
    assert len(a) != len(c) or not np.array_equal(a.x, c.x)


def test_size_period_and_end(data):
    # about 350 a week plus outbreaks and near-repeats
    assert 30_000 < len(data) < 45_000
    assert data.occurred_at.max() <= np.datetime64("2026-11-25T12:00:00")
    assert data.occurred_at.min() < np.datetime64("2024-11-27")
    assert np.all(np.diff(data.occurred_at.astype("int64")) >= 0)


def test_every_report_lies_inside_a_district_and_its_own(data, geography):
    polygons = [d.polygon for d in geography.districts]
    covered = np.zeros(len(data), bool)
    for hits in geo.assign_points(data.x, data.y, polygons):
        covered[hits] = True
    assert covered.all()
    for i, d in enumerate(geography.districts):
        rows = data.district == i
        assert shapely.contains_xy(d.polygon, data.x[rows], data.y[rows]).all(), d.code


def test_wgs84_matches_sweref(data):
    x, y = geo.wgs84_to_sweref(data.lon[:500], data.lat[:500])
    assert np.abs(x - data.x[:500]).max() < 0.2 and np.abs(y - data.y[:500]).max() < 0.2


def _weekly(mask, local, first, weeks):
    day = local.astype("datetime64[D]")
    start = np.datetime64(first)
    inside = (day >= start) & (day < start + 7 * weeks)
    return mask & inside, mask & ~inside


def test_planted_graffiti_wave_is_visible(data, geography, local):
    outbreak = next(o for o in g.OUTBREAKS if o.name == "graffiti wave")
    first, stop = g.outbreak_window(outbreak, END)
    district = next(d for d in geography.districts if d.code == outbreak.district)
    in_district = shapely.contains_xy(district.polygon, data.x, data.y) & (data.category == "klotter")
    during, other = _weekly(in_district, local, first, outbreak.weeks)
    weeks_total = (data.occurred_at.max() - data.occurred_at.min()) / np.timedelta64(7, "D")
    usual = other.sum() / (weeks_total - outbreak.weeks)
    assert during.sum() / outbreak.weeks >= 5 * usual
    assert first == dt.date(2026, 10, 5) and stop == dt.date(2026, 10, 26)  # weeks 41–43 for week 48


def test_car_fires_and_park_disorder_outbreaks(data, geography, local):
    for name, codes, factor in (("car-fire series", ["brand"], 4),
                                ("disorder in Mikaelsparken", ["ordningsstorning", "folksamling"], 4)):
        outbreak = next(o for o in g.OUTBREAKS if o.name == name)
        first, _ = g.outbreak_window(outbreak, END)
        if outbreak.place:
            polygon = next(p.polygon for p in geography.places if p.code == outbreak.place)
        else:
            polygon = next(d.polygon for d in geography.districts if d.code == outbreak.district)
        mask = shapely.contains_xy(polygon, data.x, data.y) & np.isin(data.category, codes)
        during, other = _weekly(mask, local, first, outbreak.weeks)
        usual = other.sum() / (104 - outbreak.weeks)
        assert during.sum() / outbreak.weeks >= factor * max(usual, 0.5), name


def test_disorder_on_friday_and_saturday_nights_not_tuesday_mornings(data, local):
    disorder = data.category == "ordningsstorning"
    weekday = (local.astype("datetime64[D]").view("int64") - 4) % 7  # Monday = 0
    hour = (local.astype("datetime64[h]").view("int64")) % 24
    weekend_nights = disorder & (((weekday == 4) | (weekday == 5)) & (hour >= 21)
                                 | ((weekday == 5) | (weekday == 6)) & (hour < 3))
    tuesday_mornings = disorder & (weekday == 1) & (hour >= 6) & (hour < 12)
    # 12 hours a week each
    assert weekend_nights.sum() >= 8 * tuesday_mornings.sum()
    litter = data.category == "nedskrapning"
    assert (litter & (hour >= 8) & (hour < 16)).sum() > 5 * (litter & ((hour >= 22) | (hour < 6))).sum()


def test_fires_spike_at_new_year_easter_and_valborg(data, local):
    fire_days = g.fire_days([2024, 2025, 2026])
    day = local[data.category == "brand"].astype("datetime64[D]")
    special = np.isin(day, np.array(sorted(fire_days), dtype="datetime64[D]"))
    special_days = sum(1 for d in fire_days if dt.date(2024, 11, 26) <= d <= dt.date(2026, 11, 25))
    per_special_day = special.sum() / special_days
    per_other_day = (~special).sum() / (730 - special_days)
    assert per_special_day >= 3 * per_other_day


def test_summer_graffiti_and_winter_burglaries(data, local):
    month = local.astype("datetime64[M]").view("int64") % 12 + 1
    summer, winter = np.isin(month, [6, 7, 8]), np.isin(month, [12, 1, 2])
    graffiti, theft = data.category == "klotter", data.category == "stold"
    assert (graffiti & summer).sum() > 1.5 * (graffiti & winter).sum()
    assert (theft & winter).sum() > 1.5 * (theft & summer).sum()


def test_hot_districts_and_repeat_places(data, geography):
    per_capita = {}
    for i, d in enumerate(geography.districts):
        per_capita[d.code] = (data.district == i).sum() / d.spec.population
    assert per_capita["gottsunda"] > 2 * per_capita["kabo"]
    assert per_capita["centrum"] > 2 * per_capita["luthagen"]
    town_density = len(data) / geography.town.area
    park = next(p for p in geography.places if p.code == "mikaelsparken")
    in_park = shapely.contains_xy(park.polygon, data.x, data.y).sum()
    assert in_park / park.polygon.area > 30 * town_density


def test_plausible_organisations(data, geography, local):
    orgs = np.array([code for code, *_ in g.ORGS])[data.organization]
    assert set(orgs[data.category == "polis_iakttagelse"]) == {"polisen-uppsala"}
    assert "kommunledning" not in set(orgs)
    codes = np.array([d.code for d in geography.districts])[data.district]
    housing = orgs == "uppsalahem"
    assert np.isin(codes[housing], list(g.HOUSING_DISTRICTS)).mean() > 0.9
    hour = local.astype("datetime64[h]").view("int64") % 24
    guards = orgs == "securitas"
    assert ((hour[guards] >= 22) | (hour[guards] < 6)).mean() > 0.6
    schools = orgs == "utbildning"
    weekday = (local.astype("datetime64[D]").view("int64") - 4) % 7
    assert (weekday[schools] < 5).mean() > 0.9


def test_quantities_and_descriptions(data):
    assert data.quantity.min() >= 1
    assert (data.quantity[data.category == "klotter"] > 1).mean() > 0.2
    assert set(data.quantity[data.category == "stold"]) == {1}
    with_text = data.description != ""
    assert 0.25 < with_text.mean() < 0.45
    texts = set(data.description[with_text])
    assert all(not pii.scan(text) for text in texts), [t for t in texts if pii.scan(t)]


def test_every_description_template_is_free_of_personal_data():
    texts = [t for ts in g.DESCRIPTIONS.values() for t in ts] + [
        t for ts in g.OUTBREAK_DESCRIPTIONS.values() for t in ts]
    assert [t for t in texts if pii.scan(t)] == []


@pytest.mark.parametrize("year, easter", [(2024, dt.date(2024, 3, 31)), (2025, dt.date(2025, 4, 20)),
                                          (2026, dt.date(2026, 4, 5)), (2019, dt.date(2019, 4, 21))])
def test_easter(year, easter):
    assert g.easter_sunday(year) == easter


def test_midsummer_eve_is_the_friday_between_19_and_25_june():
    assert g.midsummer_eve(2025) == dt.date(2025, 6, 20)
    assert g.midsummer_eve(2026) == dt.date(2026, 6, 19)


def test_local_times_follow_daylight_saving(geography):
    data = g.generate(geography, seed=1, years=0.3, end=END)
    utc = np.array(["2026-07-01T10:00:00", "2026-01-01T10:00:00"], dtype="datetime64[s]")
    data.occurred_at = utc
    assert list(data.local_times().astype(str)) == ["2026-07-01T12:00:00", "2026-01-01T11:00:00"]
