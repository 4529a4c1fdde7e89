"""Time patterns (samtrygg.analysis.time_patterns); the trend GLM is checked against statsmodels."""

from __future__ import annotations

import numpy as np
import pytest

from samtrygg.analysis import time_patterns as tp

sm = pytest.importorskip("statsmodels.api")


def series(n, seed, slope=0.08, overdispersed=True):
    rng = np.random.default_rng(seed)
    k = np.arange(n)
    mu = 30 * np.exp(slope * k / 12 + 0.35 * np.sin(2 * np.pi * (k + 2) / 12))
    if overdispersed:
        return rng.negative_binomial(8, 8 / (8 + mu))
    return rng.poisson(mu)


@pytest.mark.parametrize(("n", "seasonal"), [(36, True), (30, True), (18, False), (8, False)])
def test_trend_matches_statsmodels_quasi_poisson(n, seasonal):
    y = series(n, n)
    first = (2023, 5)
    trend = tp.fit_trend(first, y, floor_dispersion=False)
    assert trend.seasonal is seasonal
    X = tp.design(first, n, seasonal)
    ref = sm.GLM(y, X, family=sm.families.Poisson()).fit(scale="X2")
    np.testing.assert_allclose(trend.beta, ref.params, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(trend.se, ref.bse, rtol=1e-6, atol=1e-9)
    assert trend.dispersion == pytest.approx(ref.scale, rel=1e-6)
    np.testing.assert_allclose(trend.fitted, ref.fittedvalues, rtol=1e-6)
    low, high = ref.conf_int(alpha=0.05)[1]
    assert trend.yearly_change == pytest.approx(np.expm1(ref.params[1]), rel=1e-6)
    assert trend.change_low == pytest.approx(np.expm1(low), rel=1e-6, abs=1e-9)
    assert trend.change_high == pytest.approx(np.expm1(high), rel=1e-6, abs=1e-9)
    assert trend.p_value == pytest.approx(ref.pvalues[1], rel=1e-5, abs=1e-12)
    assert trend.converged


def test_trend_line_band_matches_statsmodels_prediction_of_an_average_month():
    n = 36
    y = series(n, 3)
    trend = tp.fit_trend((2022, 1), y, floor_dispersion=False)
    X = tp.design((2022, 1), n, True)
    ref = sm.GLM(y, X, family=sm.families.Poisson()).fit(scale="X2")
    c = np.zeros_like(X)
    c[:, 0] = 1
    c[:, 1] = X[:, 1]
    c[:, 2:] = 1 / 12
    # statsmodels' mean-scale interval is the inverse link of the Wald interval of the linear predictor
    pred = ref.get_prediction(c).summary_frame(alpha=0.05)
    np.testing.assert_allclose(trend.line, pred["mean"], rtol=1e-6)
    np.testing.assert_allclose(trend.lower, pred["mean_ci_lower"], rtol=1e-6)
    np.testing.assert_allclose(trend.upper, pred["mean_ci_upper"], rtol=1e-6)
    assert np.all(trend.lower < trend.line) and np.all(trend.line < trend.upper)


def test_underdispersed_series_gets_at_least_poisson_uncertainty():
    y = np.array([20, 21, 20, 19, 20, 21, 20, 20, 19, 21, 20, 20, 21, 20, 19, 20], float)
    floored = tp.fit_trend((2024, 1), y)
    raw = tp.fit_trend((2024, 1), y, floor_dispersion=False)
    poisson = sm.GLM(y, tp.design((2024, 1), 16, False), family=sm.families.Poisson()).fit()
    assert raw.dispersion < 1
    np.testing.assert_allclose(floored.se, poisson.bse, rtol=1e-6)
    assert np.all(raw.se < floored.se)


def test_direction_and_strong_trend_detected():
    y = series(36, 9, slope=0.5, overdispersed=False)
    trend = tp.fit_trend((2023, 1), y)
    assert trend.direction == "up" and trend.change_low > 0.2
    flat = tp.fit_trend((2023, 1), np.full(36, 25))
    assert flat.direction == "flat" and flat.yearly_change == pytest.approx(0, abs=1e-9)
    down = tp.fit_trend((2023, 1), series(36, 9, slope=-0.7, overdispersed=False))
    assert down.direction == "down"


def test_no_trend_for_too_few_months_or_no_events():
    assert tp.fit_trend((2024, 1), [3, 4, 5, 6, 7]) is None
    assert tp.fit_trend((2024, 1), np.zeros(24)) is None
    assert tp.fit_trend((2024, 1), [3, 4, 5, 6, 7, 8]) is not None


def test_seasonality_table_and_average_month():
    # Nov 2023 .. Feb 2025: 16 months
    counts = np.arange(1, 17)
    s = tp.seasonality((2023, 11), counts)
    assert s.years == [2023, 2024, 2025]
    assert s.table[0][:10] == [None] * 10 and s.table[0][10:] == [1, 2]
    assert s.table[1] == list(range(3, 15))
    assert s.table[2][:2] == [15, 16] and s.table[2][2:] == [None] * 10
    # January seen twice (2024: 3, 2025: 15) -> 9; March only once (5)
    assert s.average[0] == 9 and s.average[2] == 5
    assert s.average[10] == (1 + 13) / 2
    mean = np.mean(s.average)
    assert s.index[0] == pytest.approx(9 / mean)


def test_intensity_levels_like_the_weekly_page():
    m = np.array([[0, 1, 5], [10, 3, 0]])
    levels = tp.intensity_levels(m)
    # 1 + (5n - 1) // max, capped at 5; zero stays 0
    assert levels.tolist() == [[0, 1, 3], [5, 2, 0]]
    assert tp.intensity_levels(np.zeros((7, 24))).max() == 0
