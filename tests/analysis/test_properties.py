"""Property-based tests (hypothesis) of the statistics' input validation: empty arrays, NaN, zeros, negative
and huge values give either the documented ValueError (or its subclass) or a valid result, never a
ZeroDivisionError, IndexError or a numpy warning; plus invariants (rate-ratio symmetry, percentages)."""

from __future__ import annotations

import math
import warnings
from datetime import date, timedelta

import numpy as np
import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from samtrygg.analysis import evaluation, hotspots, near_repeat, ranking, signals, survey

ANY_FLOAT = st.floats(allow_nan=True, allow_infinity=True)
COUNT = st.integers(0, 10**9)
BAD_COUNT = st.one_of(st.floats(max_value=-1e-9), st.just(math.nan), st.just(math.inf), st.just(-math.inf),
                      st.integers(max_value=-1))


def quietly(fn, *args, **kwargs):
    """Call with every warning turned into an error: a RuntimeWarning (overflow, division by zero, invalid
    value) escaping the statistics would be a crash under -W error and a silent NaN otherwise."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return fn(*args, **kwargs)


# ---- evaluation ---------------------------------------------------------------------------------------------

@given(COUNT, COUNT, COUNT, COUNT)
@example(0, 0, 0, 0)
@example(0, 5, 3, 0)
@example(10**9, 1, 1, 10**9)
def test_rate_ratio_is_symmetric(tb, ta, cb, ca):
    rr = quietly(evaluation.rate_ratio, tb, ta, cb, ca)
    if not rr["computable"]:
        assert rr["reason"] in ("no_place_incidents", "no_control_incidents")
        assert (tb + ta == 0) or (cb + ca == 0)
        return
    assert rr["ci_low"] <= rr["rr"] <= rr["ci_high"] and rr["rr"] > 0
    # Swapping before and after inverts the ratio and mirrors the interval.
    swapped = quietly(evaluation.rate_ratio, ta, tb, ca, cb)
    assert swapped["rr"] == pytest.approx(1 / rr["rr"], rel=1e-9)
    assert swapped["ci_low"] == pytest.approx(1 / rr["ci_high"], rel=1e-9)
    # Swapping the place and the control does the same.
    other = quietly(evaluation.rate_ratio, cb, ca, tb, ta)
    assert other["rr"] == pytest.approx(1 / rr["rr"], rel=1e-9)
    assert other["se"] == pytest.approx(rr["se"], rel=1e-12)
    assert rr["significant"] == (rr["ci_high"] < 1 or rr["ci_low"] > 1)


@given(st.lists(COUNT, min_size=4, max_size=4), st.integers(0, 3), BAD_COUNT)
def test_rate_ratio_refuses_negative_or_missing_counts(counts, where, bad):
    counts[where] = bad
    with pytest.raises(ValueError, match="count"):
        evaluation.rate_ratio(*counts)


@given(st.lists(COUNT, min_size=6, max_size=6))
def test_wdq_and_net_effect_never_divide_by_zero(counts):
    result = quietly(evaluation.wdq, *counts)
    if result["computable"]:
        assert math.isfinite(result["wdq"]) and result["success_measure"] < 0
        assert result["reading"] == evaluation.classify_wdq(result["wdq"])
    net = quietly(evaluation.total_net_effect, *counts)
    assert (net is None) == (counts[4] == 0)


@given(st.lists(COUNT, min_size=6, max_size=6), st.integers(0, 5), BAD_COUNT)
def test_wdq_refuses_bad_counts(counts, where, bad):
    counts[where] = bad
    with pytest.raises(ValueError, match="count"):
        evaluation.wdq(*counts)
    with pytest.raises(ValueError, match="count"):
        evaluation.total_net_effect(*counts)


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2030, 1, 1)), st.integers(-400, 400),
       st.integers(-400, 400), st.one_of(st.none(), st.integers(1, 300)))
def test_periods_are_equal_whole_weeks_or_a_period_error(intervention, start_off, end_off, weeks):
    try:
        periods, _short = evaluation.choose_periods(intervention, data_start=intervention - timedelta(start_off),
                                                    data_end=intervention + timedelta(end_off), weeks=weeks)
    except evaluation.PeriodError:
        assert start_off < 7 or end_off < 7
        return
    assert periods.weeks >= 1
    assert periods.intervention - periods.before_start == periods.after_end - periods.intervention
    assert periods.before_start >= intervention - timedelta(start_off)
    assert periods.after_end <= intervention + timedelta(end_off)


# ---- ranking -------------------------------------------------------------------------------------------------

WEIGHT = st.one_of(ANY_FLOAT, st.integers(-10, 10**6), st.text(max_size=5), st.none())


@given(st.dictionaries(st.sampled_from(["harm", "trend", "signals", "safety"]), WEIGHT),
       st.lists(st.sampled_from(["harm", "trend", "signals", "safety"]), unique=True))
def test_weights_are_clean_or_a_weight_error(weights, available):
    keys = ["harm", "trend", "signals", "safety"]
    try:
        clean = ranking.check_weights(weights, keys, available)
    except ranking.WeightError as exc:
        assert exc.errors
        return
    assert set(clean) == set(keys)
    assert all(0 <= w <= ranking.MAX_WEIGHT and math.isfinite(w) for w in clean.values())
    assert any(clean[k] > 0 for k in available)


@given(st.integers(0, 12).flatmap(lambda n: st.tuples(
    st.lists(hnp.arrays(float, n, elements=ANY_FLOAT), min_size=1, max_size=4),
    st.lists(st.floats(0, 100), min_size=4, max_size=4))))
def test_composite_scores_lie_between_0_and_100(data):
    arrays, weights = data
    values = {f"c{i}": a for i, a in enumerate(arrays)}
    result = quietly(ranking.combine, values, {f"c{i}": w for i, w in enumerate(weights)})
    finite = result.composite[np.isfinite(result.composite)]
    assert ((finite >= -1e-9) & (finite <= 100 + 1e-9)).all()
    assert sorted(result.order) == list(range(len(arrays[0])))
    for comp in result.components:
        s = comp.scores[np.isfinite(comp.scores)]
        assert ((s >= 0) & (s <= 100)).all()


@given(hnp.arrays(float, st.integers(0, 20), elements=ANY_FLOAT),
       hnp.arrays(float, st.integers(0, 20), elements=ANY_FLOAT))
def test_ratios_never_warn(a, b):
    n = min(a.size, b.size)
    a, b = a[:n], b[:n]
    r = quietly(ranking.ratio, a, b)
    p = quietly(ranking.per_thousand, a, b)
    assert r.shape == p.shape == (n,)
    assert np.isnan(r[~(np.isfinite(b) & (b > 0))]).all()


# ---- hotspots -------------------------------------------------------------------------------------------------

COORD = st.floats(-1e4, 1e4, allow_nan=False)


@given(st.lists(st.tuples(COORD, COORD), max_size=40),
       st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.sampled_from([0, -100, 1e-6, 200, 1e9])),
       st.one_of(st.none(), st.floats(allow_nan=True), st.just(0.0)))
def test_hotspot_analysis_refuses_bad_parameters_or_counts_every_point(points, cell, bandwidth):
    x = np.array([p[0] for p in points], dtype=float)
    y = np.array([p[1] for p in points], dtype=float)
    try:
        result = quietly(hotspots.analyse, x, y, cell=cell, bandwidth=bandwidth, max_cells=40_000)
    except hotspots.HotspotError as exc:
        assert str(exc)
        return
    assert result.count.sum() == len(points)  # every point in one cell (the grid covers the points)
    assert np.isfinite(result.kde).all() and (result.kde >= 0).all()
    assert np.isfinite(result.gi.z[result.mask]).all() or len(points) == 0


@given(hnp.arrays(float, st.integers(0, 50), elements=st.floats(0, 1)))
def test_bh_qvalues_are_probabilities_and_not_below_p(p):
    q = quietly(hotspots.bh_qvalues, p)
    assert q.shape == p.shape
    assert ((q >= p - 1e-12) & (q <= 1)).all()


# ---- near repeat ----------------------------------------------------------------------------------------------

@given(st.lists(st.tuples(st.floats(0, 2000), st.floats(0, 2000), st.floats(0, 365)), max_size=40),
       st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.just(100.0)),
       st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.just(7.0)),
       st.integers(-1, 25), st.sampled_from([0, 19, 20, 10**6]))
def test_knox_refuses_bad_input_or_gives_a_table(events, space, time_band, n_bands, permutations):
    x, y, t = (np.array([e[i] for e in events], dtype=float) for i in range(3))
    try:
        result = quietly(near_repeat.knox_test, x, y, t, space_band=space, time_band=time_band, n_space=n_bands,
                         n_time=max(n_bands, 1), permutations=permutations)
    except near_repeat.KnoxError as exc:
        assert str(exc)
        return
    n = len(events)
    assert result.observed.sum() == n * (n - 1) // 2  # every pair counted once
    assert ((result.p_value > 0) & (result.p_value <= 1)).all()


@given(st.lists(st.one_of(st.just(math.nan), st.floats()), min_size=1, max_size=5))
def test_knox_refuses_missing_coordinates(values):
    assume(not all(math.isfinite(v) for v in values))
    n = len(values)
    with pytest.raises(near_repeat.KnoxError):
        near_repeat.knox_test(values, [0.0] * n, [0.0] * n)


# ---- survey -----------------------------------------------------------------------------------------------------

ANSWER = st.one_of(st.none(), st.text(max_size=3), st.integers(-3, 9), st.floats(), st.sampled_from(["1", "5", ""]))


@given(st.lists(ANSWER, max_size=60), st.lists(st.text(max_size=3), max_size=5, unique=True))
def test_single_choice_percentages(values, options):
    dist = quietly(survey.single_choice, values, options)
    assert sum(o.count for o in dist.options) == dist.respondents
    if dist.respondents:
        assert abs(sum(o.pct for o in dist.options) - 100) <= 0.05 * len(dist.options) + 1e-9
    else:
        assert all(o.pct == 0 for o in dist.options)


@given(st.lists(st.one_of(st.none(), st.lists(st.text(max_size=2), max_size=4), ANSWER), max_size=40))
def test_multiple_choice_shares_are_per_respondent(values):
    dist = quietly(survey.multiple_choice, values, ["a", "b"])
    assert all(0 <= o.count <= dist.respondents and 0 <= o.pct <= 100 for o in dist.options)


@given(st.lists(ANSWER, max_size=60))
def test_likert_mean_on_the_scale(values):
    dist = quietly(survey.likert, values)
    assert dist.mean is None or 1 <= dist.mean <= 5
    safe, n = survey.share_safe(values)
    assert 0 <= safe <= n == dist.respondents


@given(st.integers(0, 10**6), st.integers(0, 10**6))
def test_in_tenths(count, total):
    assume(count <= total)
    assert 0 <= survey.in_tenths(count, total) <= 10


# ---- signals ----------------------------------------------------------------------------------------------------

@given(st.one_of(
    hnp.arrays(float, st.tuples(st.integers(1, 2), st.integers(0, 130)),
               elements=st.one_of(st.integers(0, 50).map(float), st.sampled_from([0.0, 1e6, 1e12]))),
    hnp.arrays(float, st.integers(0, 60), elements=ANY_FLOAT)),
    st.one_of(st.none(), st.integers(-200, 200)), st.floats(allow_nan=True))
@example(np.zeros((1, 120)), None, 0.01)
@example(np.full((1, 120), 1e12), None, 0.01)
def test_signals_refuse_bad_counts_or_give_finite_results(counts, current, alpha):
    try:
        result = quietly(signals.detect, counts, current, alpha=alpha)
    except ValueError as exc:
        assert str(exc)
        return
    assert np.isfinite(result.expected).all() and (result.expected >= 0).all()
    assert np.isfinite(result.threshold).all()
    assert result.alarm.dtype == bool


# ---- plain regression tests for what the properties found ---------------------------------------------------

def test_regression_a_negative_count_is_a_value_error_not_a_math_domain_error():
    with pytest.raises(ValueError, match="at least 0"):
        evaluation.rate_ratio(-1, 5, 3, 4)


def test_regression_a_missing_count_is_refused_not_a_nan_result():
    with pytest.raises(ValueError, match="finite"):
        evaluation.rate_ratio(math.nan, 5, 3, 4)
    with pytest.raises(ValueError, match="finite"):
        evaluation.total_net_effect(math.nan, 0, 0, 0, 0, 0)


def test_regression_a_tiny_baseline_gives_no_ratio_instead_of_an_overflow():
    assert np.isnan(quietly(ranking.ratio, [1.0], [5e-324])).all()
    assert np.isnan(quietly(ranking.per_thousand, [1e308], [1e-300])).all()


def test_regression_an_enormous_bandwidth_is_refused_instead_of_exhausting_memory():
    with pytest.raises(hotspots.HotspotError, match="too wide"):
        hotspots.analyse([0.0], [0.0], cell=1e6 / 10, bandwidth=3e15)


def test_regression_an_enormous_cell_is_refused_instead_of_losing_the_points():
    with pytest.raises(hotspots.HotspotError, match="at most"):
        hotspots.analyse([0.0], [-0.25], cell=2251799813685249.0)


def test_regression_absurd_counts_are_refused_instead_of_overflowing():
    with pytest.raises(ValueError, match="at most"):
        signals.detect(np.full((1, 120), 1e12))
    result = quietly(signals.detect, np.full((1, 120), 1e6))  # large but real-world-possible: fine
    assert result.expected[0] == pytest.approx(1e6)


def test_regression_a_microscopic_cell_or_bandwidth_is_refused_instead_of_dividing_by_zero():
    with pytest.raises(hotspots.HotspotError, match="at least 0.01 metres"):
        hotspots.analyse([0.0], [0.0], cell=1.0951656413878904e-257)
    with pytest.raises(hotspots.HotspotError, match="at least 0.01 metres"):
        hotspots.analyse([0.0], [0.0], cell=200, bandwidth=1e-200)


def test_regression_an_infinite_likert_value_is_ignored_like_any_non_answer():
    assert survey.likert([math.inf, "4", -math.inf]).mean == 4


def test_regression_a_point_just_below_a_cell_edge_stays_in_the_grid():
    result = hotspots.analyse([0.0], [-6.296824147449171e-210], cell=1.0)
    assert result.count.sum() == 1 and result.outside == 0


def test_regression_a_vanishing_alpha_is_refused_instead_of_an_infinite_threshold():
    with pytest.raises(ValueError, match="alpha"):
        signals.detect(np.zeros((1, 11)), alpha=1.708936426997484e-121)
    assert np.isfinite(quietly(signals.detect, np.zeros((1, 11)), alpha=1e-6).threshold).all()
