"""Tests of the signal detector (samtrygg.analysis.signals); no R needed: R's output is stored in
tests/analysis/data/farrington_reference.json (made by benchmarks/signals_vs_farrington.py
--write-reference, which runs benchmarks/r/farrington.R)."""

import json
from pathlib import Path

import numpy as np
import pytest

from samtrygg.analysis.signals import detect
from samtrygg.analysis.simulate import SCENARIOS, Scenario, negative_binomial, simulate

REFERENCE = json.loads((Path(__file__).parent / "data" / "farrington_reference.json").read_text())
B = REFERENCE["settings"]["b"]
ALPHA = REFERENCE["settings"]["alpha"]
TEST_START = REFERENCE["test_start"]


def _reference_arrays():
    series = REFERENCE["series"]
    counts = np.array([s["counts"] for s in series])
    r_expected = np.array([s["r_expected"] for s in series])
    r_upper = np.array([[np.nan if u is None else u for u in s["r_upperbound"]] for s in series])
    r_alarm = np.array([s["r_alarm"] for s in series], dtype=bool)
    outbreak = np.array([s["outbreak_cases"] for s in series]) > 0
    return series, counts, r_expected, r_upper, r_alarm, outbreak


def _no_nan_no_negative(result):
    for name in ("count", "expected", "threshold", "score", "p_value", "dispersion", "trend",
                 "count_two_weeks", "expected_two_weeks", "threshold_two_weeks"):
        value = np.asarray(getattr(result, name), float)
        assert np.all(np.isfinite(value)), name
        if name != "score":
            assert np.all(value >= 0), name


# --- (1) against R's farringtonFlexible -------------------------------------------------------------


def test_farrington_method_reproduces_r():
    """method="farrington" is the same model as R's: same expected counts, thresholds and alarms."""
    _series, counts, r_expected, r_upper, r_alarm, _ = _reference_arrays()
    ours = detect(counts, slice(TEST_START, None), alpha=ALPHA, years=B, method="farrington")
    np.testing.assert_allclose(ours.expected, r_expected, rtol=1e-4, atol=1e-6)
    shown = ~np.isnan(r_upper)  # R hides the threshold when there were < 5 cases in 4 weeks
    assert shown.sum() > 500
    np.testing.assert_array_equal(ours.threshold[shown], r_upper[shown])
    np.testing.assert_array_equal(ours.alarm, r_alarm)


def test_default_method_detects_at_least_as_many_outbreaks_as_r_without_more_false_alarms():
    series, counts, _, _, r_alarm, outbreak = _reference_arrays()
    ours = detect(counts, slice(TEST_START, None), alpha=ALPHA, years=B)
    ours_hits = r_hits = total = 0
    for i, s in enumerate(series):
        for weeks in s["test_outbreak_weeks"]:
            cols = np.asarray(weeks) - TEST_START
            total += 1
            ours_hits += bool(ours.alarm[i, cols].any())
            r_hits += bool(r_alarm[i, cols].any())
    quiet = ~outbreak[:, TEST_START:]
    assert total >= 60
    assert ours_hits >= r_hits
    assert ours.alarm[quiet].sum() <= r_alarm[quiet].sum()


# --- (2) behaviour on planted outbreaks, flat series and seasonality -----------------------------


def test_big_planted_outbreak_is_detected_and_explained():
    rng = np.random.default_rng(1)
    counts = rng.poisson(4.0, size=260).astype(float)
    counts[-1] = 25
    result = detect(counts)
    assert result.alarm[0]
    assert result.status[0] == "alarm"
    assert result.trigger[0] == "week"
    info = result.explain(0)
    assert info["count"] == 25
    assert 3.0 < info["expected"] < 5.0
    assert info["expected"] < info["threshold"] < 25
    assert info["score"] > 1
    assert info["p_value"] < 1e-6
    assert info["method"] in ("seasonal", "seasonal_trend")


def test_flat_series_false_alarm_rate_near_alpha():
    rng = np.random.default_rng(2)
    counts = rng.poisson(6.0, size=(40, 5 * 52 + 52)).astype(float)
    result = detect(counts, slice(5 * 52, None), alpha=0.01)
    rate = result.alarm.mean()
    assert rate <= 0.02  # 2080 series-weeks; nominal 0.01
    assert (result.status == "normal").mean() > 0.95


def test_recurring_seasonal_peaks_are_not_flagged():
    """A peak that comes back every year in the same weeks (e.g. fireworks at New Year) is expected."""
    scenario = Scenario("strong season", theta=1.5, gamma1=1.2, gamma2=0.6, m=1, phi=1.0)
    n_weeks = 6 * 52
    rng = np.random.default_rng(3)
    mu = scenario.mean(n_weeks)
    counts = negative_binomial(rng, np.broadcast_to(mu, (30, n_weeks)), 1.0).astype(float)
    last_year = slice(5 * 52, None)
    result = detect(counts, last_year)
    peak = mu[last_year] > np.quantile(mu, 0.8)
    assert peak.sum() >= 8
    assert result.alarm[:, peak].mean() < 0.03
    # a method without seasonality would flag them: the peak is far above the yearly mean
    assert np.all(counts[:, last_year][:, peak].mean(axis=0) > 2 * mu.mean() * 0.7)
    assert np.all(result.expected[:, peak].mean(axis=0) > 1.5 * mu.mean())


def test_two_week_outbreak_is_detected_through_the_two_week_sum():
    rng = np.random.default_rng(4)
    counts = rng.poisson(8.0, size=(200, 5 * 52 + 2)).astype(float)
    counts[:, -2] += 8
    counts[:, -1] += 8
    two = detect(counts, -1)
    week_only = detect(counts, -1, method="farrington", years=5)
    assert two.alarm.sum() > week_only.alarm.sum()
    assert "two_weeks" in set(two.trigger[two.alarm])
    i = int(np.flatnonzero((two.trigger == "two_weeks") & two.alarm)[0])
    info = two.explain(i)
    assert info["count_two_weeks"] > info["threshold_two_weeks"] > info["expected_two_weeks"] > 0


def test_simulation_matches_its_parameters():
    sim = simulate(SCENARIOS[2], 50, n_weeks=300, n_test_outbreaks=0, history_ks=(), seed=5)
    assert sim.outbreak_cases.sum() == 0
    mean = sim.counts.mean()
    assert abs(mean - np.exp(1.5)) < 0.3
    assert 1.6 < sim.counts.var() / mean < 2.4  # phi = 2


# --- (3) edge cases ------------------------------------------------------------------------------


def test_all_zero_series_gives_no_alarm_and_no_nan():
    result = detect(np.zeros((3, 260)), slice(200, None))
    _no_nan_no_negative(result)
    assert not result.alarm.any()
    assert np.all(result.expected < 1e-3)


def test_all_zero_history_then_a_burst_is_a_signal():
    counts = np.zeros(260)
    counts[-1] = 7
    result = detect(counts)
    assert result.alarm[0]
    assert result.expected[0] < 1e-3


def test_four_weeks_of_history_gives_no_judgement():
    result = detect(np.array([[3, 4, 2, 5, 30]], float))
    assert result.status[0] == "no_history"
    assert result.method[0] == "none"
    assert not result.alarm[0]
    assert result.expected[0] == 0 and result.threshold[0] == 0
    _no_nan_no_negative(result)


def test_short_history_uses_the_mean_model():
    rng = np.random.default_rng(6)
    counts = rng.poisson(5.0, size=30).astype(float)
    counts[-1] = 20
    result = detect(counts)
    assert result.method[0] == "mean"
    assert 3 < result.expected[0] < 7
    assert result.alarm[0]


def test_history_start_ignores_weeks_before_a_boundary_change():
    rng = np.random.default_rng(7)
    before = rng.poisson(30.0, size=200)  # the old, larger area
    after = rng.poisson(3.0, size=60)  # the new, smaller one
    counts = np.concatenate([before, after]).astype(float)
    counts[-1] = 14
    naive = detect(counts)
    aware = detect(counts, history_start=200)
    assert not naive.alarm[0]  # the old level hides the rise
    assert aware.alarm[0]
    assert aware.method[0] == "mean"
    assert aware.baseline_weeks[0] <= 60
    assert 2 < aware.expected[0] < 4.5
    # per series: only the second series had its boundary changed
    both = detect(np.vstack([counts, counts]), history_start=[0, 200])
    assert list(both.alarm) == [naive.alarm[0], aware.alarm[0]]


def test_sparse_series_without_outbreak_stay_quiet_and_clean():
    rng = np.random.default_rng(8)
    counts = rng.poisson(0.3, size=(50, 5 * 52)).astype(float)
    result = detect(counts, slice(4 * 52, None))
    _no_nan_no_negative(result)
    assert result.alarm.mean() < 0.005
    assert "no_history" not in set(result.status.ravel())
    assert (result.status == "normal").mean() > 0.98


def test_output_shapes_and_many_series():
    rng = np.random.default_rng(9)
    counts = rng.poisson(2.0, size=(120, 260)).astype(float)
    one = detect(counts)
    assert one.count.shape == (120,) and one.week == 259
    rng_result = detect(counts, slice(254, 260))
    assert rng_result.count.shape == (120, 6)
    assert list(rng_result.week) == list(range(254, 260))
    _no_nan_no_negative(one)
    _no_nan_no_negative(rng_result)
    # the single-week result equals the last column of the backtest
    np.testing.assert_allclose(one.expected, rng_result.expected[:, -1])


@pytest.mark.parametrize(
    "counts, kwargs",
    [
        (np.array([[1.0, -1.0, 2.0]]), {}),
        (np.array([[1.0, np.nan, 2.0]]), {}),
        (np.zeros((2, 2, 2)), {}),
        (np.zeros((1, 10)), {"current": 10}),
        (np.zeros((1, 10)), {"alpha": 0.0}),
        (np.zeros((1, 10)), {"method": "magic"}),
    ],
)
def test_bad_input_raises_a_clear_value_error(counts, kwargs):
    with pytest.raises(ValueError):
        detect(counts, **kwargs)


# --- (4) a range of weeks is judged exactly as each week on its own ------------------------------


FIELDS = ("count", "expected", "threshold", "score", "p_value", "alarm", "status", "trigger", "count_two_weeks",
          "expected_two_weeks", "threshold_two_weeks", "method", "dispersion", "trend", "baseline_weeks")


@pytest.mark.parametrize("method", ["samtrygg", "farrington"])
def test_a_range_of_weeks_equals_each_week_judged_alone(method):
    """detect() fits all (series, week) pairs of a range in one batch; every number must be exactly the
    one a call for that single week gives (same iterations, same rounding), for every kind of series:
    long seasonal histories, histories that start inside the range (no_history -> mean -> seasonal),
    all-zero and sparse series, and weeks early enough that the baseline window is cut short."""
    rng = np.random.default_rng(11)
    n_weeks = 4 * 52 + 40
    level = np.exp(rng.normal(0.5, 1.2, size=(24, 1)))
    season = 1 + 0.5 * np.sin(2 * np.pi * np.arange(n_weeks) / 52)
    counts = rng.poisson(level * season * rng.gamma(2.0, 0.5, size=(24, n_weeks))).astype(float)
    counts[0] = 0
    counts[1] = 0
    counts[1, [40, 170, 230]] = 1
    counts[2, 150:154] += 25  # a past outbreak to down-weight
    history_start = rng.integers(0, 120, size=24)
    history_start[:4] = 0
    history_start[4:8] = [n_weeks - 30, n_weeks - 12, n_weeks - 5, 100]
    first = n_weeks - 150
    weeks = list(range(first, n_weeks, 3)) + [n_weeks - 2, n_weeks - 1]
    together = detect(counts, weeks, history_start=history_start, method=method)
    assert {"none", "mean"} <= set(together.method.ravel())
    assert {"seasonal", "seasonal_trend"} & set(together.method.ravel())
    for j, k in enumerate(weeks):
        alone = detect(counts, k, history_start=history_start, method=method)
        assert alone.week == together.week[j] == k
        for name in FIELDS:
            np.testing.assert_array_equal(
                getattr(together, name)[:, j], getattr(alone, name), err_msg=f"{name} week {k}"
            )
