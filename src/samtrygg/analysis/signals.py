"""Signals: is this week's count for an area x category unusually high?

This is the statistical core behind the weekly picture's signals ("Graffiti in Gottsunda: 14, expected
4.1, threshold 9"). It is pure numpy/scipy and judges hundreds of series at once.

Method ("samtrygg", the default)
--------------------------------
It is the Farrington flexible algorithm with the improvements of Noufaily et al. (2013) -- the reference
detector of public-health surveillance, ``surveillance::farringtonFlexible`` in R -- changed in the
places marked *(changed)* below, each of which our benchmark against R on simulated series with
planted outbreaks showed to help (``benchmarks/signals_vs_farrington.py``):

1. **Baseline model** *(changed)*. For the current week ``k`` of every series, a quasi-Poisson
   regression (log link) is fitted to the series' own past: up to ``years`` years back, *leaving out
   the last 26 weeks* so that an outbreak that is going on does not raise its own baseline. The model
   has a linear time trend and a smooth seasonal pattern of two annual harmonics (sin/cos of 1 and 2
   cycles a year). Farrington/Noufaily use a 10-level "period of the year" factor instead; harmonics
   need 4 instead of 9 parameters and estimate this week's level from the whole year instead of a
   7-week window, so the expected count is less noisy and the over-dispersion is not inflated by a
   step-shaped fit.
2. **Past outbreaks are down-weighted** as in Noufaily: after a first fit, weeks whose Anscombe residual
   exceeds 2.58 get weight ``s^-2`` and the model is refitted. The over-dispersion ``phi``
   (variance / mean, at least 1) comes from the reweighted fit.
3. **Seasonality only when it is real** *(new)*: a Wald F test of the four harmonic coefficients
   together (in the model with trend, quasi-likelihood dispersion); where it is not significant at
   ``season_p`` (5 %) the baseline is refitted without seasonal terms. In a flat series, above all a
   sparse one, the harmonics otherwise fit noise and move the expected count by up to a factor two over
   the year (benchmark, sparse flat series: more outbreaks found at fewer false alarms).
   **Trend only when it is real** *(changed)*: kept if significant at 5 % (a correct quasi-likelihood
   t-test; R's version uses a mis-scaled dispersion here), if the baseline covers at least ``trend_min_weeks``
   weeks and if the prediction does not exceed the largest count seen; otherwise the model is refitted
   without trend.
4. **Threshold** *(changed)*. The count is compared with the ``1 - alpha`` quantile of a negative
   binomial with the expected count as mean (Noufaily's "NB plug-in" threshold), whose variance also
   includes the uncertainty of the expected count itself (``phi*mu + mu^2 var(log mu)``): a trend extrapolated
   half a year ahead is uncertain, and the threshold says so.
5. **Two-week test** *(new)*. Incidents of one outbreak spread over one to three weeks, so the sum of this and
   last week is also tested against its own threshold. The false-alarm budget ``alpha`` is split in
   half between the two tests, and the two-week test needs this week itself to be above expected (so a
   past outbreak cannot raise a signal in a normal week) and is left out when last week alone was already
   above its weekly threshold (judged with this week's model): the sum would only repeat last week's
   signal in a week that may well be normal. The two weeks share the error of the expected level, so the
   sum's threshold counts that uncertainty for both weeks together (``phi + mu2 var(log mu)``). For
   sparse series (fewer than ``two_week_min_expected`` = 4 expected incidents in two weeks), where counts
   are so discrete that halving ``alpha`` costs more than the sum gains, the whole ``alpha`` goes to the weekly test.
6. **Too few cases.** As in Farrington, no alarm unless there were at least ``min_cases[0]`` incidents
   in the last ``min_cases[1]`` weeks (default 5 in 4): one or two reports are not a "signal". Such
   weeks get status ``few_cases``.

A year is 52 weeks here (as in R with ``freq = 52``); after an ISO year with 53 weeks the seasonal
pattern is one week off, which the smooth seasonal terms barely notice. ``years`` (default 5) is an
upper bound: a series with 3 years of history uses its 3 years.

Short or changed histories: a series is judged by the seasonal model when at least
``min_seasonal_weeks`` (104) weeks of its history fall in the baseline window; with less (a new area or
category, or a boundary change -- pass ``history_start`` so earlier weeks are ignored), by the mean of up
to the last 104 weeks (without seasonality or trend, leaving out the last 2 weeks), down-weighted and
thresholded the same way; with fewer than ``min_history`` (8) weeks there is no judgement
(status ``no_history``). All-zero histories give an expected count of (nearly) 0 and a threshold of 0,
so only the "too few cases" rule stands between them and an alarm.

``method="farrington"`` reproduces ``farringtonFlexible`` with the Noufaily settings exactly (10 periods,
``w = 3``, weekly NB plug-in threshold only, R's trend test): the tests check it against R's output and
the benchmark uses it as the reference.

Speed: the fits of all series -- and, for a range of weeks, of all (series, week) pairs -- are done
in batches (:mod:`samtrygg.analysis._glm`), one judged week per batch, spread over a few threads, with
BLAS on one thread. Each week's batch is computed exactly as a call for that week alone would (same
iterations, same rounding), so a range gives bit for bit the per-week results. A municipality (450
series, 5 years) takes about 0.1 s for one week (CPU time), where R needs more than a second per series.

Reference: Noufaily A, Enki DG, Farrington P, Garthwaite P, Andrews N, Charlett A (2013). An improved
algorithm for outbreak detection in multiple surveillance systems. Statistics in Medicine 32:1206-1222.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
from scipy import stats
from threadpoolctl import ThreadpoolController

from samtrygg.analysis._glm import (
    anscombe_residuals,
    fit_quasipoisson,
    group_bounds,
    matmul_by_group,
    noufaily_weights,
)

WEEKS_PER_YEAR = 52

#: ``method`` codes in :class:`SignalResult`.
METHODS = ("none", "mean", "seasonal", "seasonal_trend")
#: ``status`` codes in :class:`SignalResult`.
STATUSES = ("alarm", "normal", "few_cases", "no_history")


@dataclass(frozen=True)
class SignalResult:
    """The detector's verdict for each series and evaluated week.

    Every array has shape ``(series, weeks)`` for a range of current weeks, or ``(series,)`` when
    :func:`detect` was given a single week. No field is ever NaN or negative.

    ``week``            the evaluated week indexes (0-based columns of ``counts``), shape ``(weeks,)``;
                        a plain int for a single week
    ``count``           the observed count
    ``expected``        the expected count from the series' own history (0 when there is none)
    ``threshold``       the upper threshold: the count is unusual when it is *above* this number
    ``score``           ``(count - expected) / (threshold - expected)`` (the denominator at least 0.5);
                        above 1 means above threshold. For a two-week alarm, the same ratio for the
                        two-week sum when that is larger.
    ``p_value``         ``P(count or more | the baseline model)``; 1 where there is no model
    ``alarm``           the signal: ``count > threshold`` and enough recent cases (see ``min_cases``)
    ``status``          ``alarm`` | ``normal`` | ``few_cases`` (above threshold but too few cases in the
                        last weeks to call it a signal) | ``no_history`` (too little history to judge)
    ``trigger``         ``week`` (this week's count above ``threshold``), ``two_weeks`` (this and last
                        week together above ``threshold_two_weeks``) or empty when neither
    ``count_two_weeks``, ``expected_two_weeks``, ``threshold_two_weeks``: the two-week test (0 where the
                        series is too sparse for it or it is not used)
    ``method``          ``seasonal_trend`` | ``seasonal`` | ``mean`` | ``none``: which baseline was used
    ``dispersion``      variance / mean of the distribution the threshold comes from (at least 1): the
                        baseline's over-dispersion plus, in the default method, the uncertainty of
                        ``expected`` itself
    ``trend``           the fitted change of the expected count per year (1.10 = +10 % a year; 1 = none)
    ``baseline_weeks``  the number of past weeks the baseline was estimated from
    """

    week: np.ndarray
    count: np.ndarray
    expected: np.ndarray
    threshold: np.ndarray
    score: np.ndarray
    p_value: np.ndarray
    alarm: np.ndarray
    status: np.ndarray
    trigger: np.ndarray
    count_two_weeks: np.ndarray
    expected_two_weeks: np.ndarray
    threshold_two_weeks: np.ndarray
    method: np.ndarray
    dispersion: np.ndarray
    trend: np.ndarray
    baseline_weeks: np.ndarray

    def explain(self, series: int, week_position: int | None = None) -> dict:
        """Plain values for one series (and one position in ``week`` for a range): what the interface
        needs to say "Graffiti in Gottsunda: 14, expected 4.1, threshold 9"."""
        if self.count.ndim == 1:
            index = (series,)
        else:
            index = (series, -1 if week_position is None else week_position)
        out = {}
        for name in ("count", "expected", "threshold", "score", "p_value", "dispersion", "trend",
                     "count_two_weeks", "expected_two_weeks", "threshold_two_weeks"):
            out[name] = float(getattr(self, name)[index])
        for name in ("count", "threshold", "count_two_weeks", "threshold_two_weeks"):
            out[name] = int(round(out[name]))
        out["trigger"] = str(self.trigger[index])
        out["alarm"] = bool(self.alarm[index])
        out["status"] = str(self.status[index])
        out["method"] = str(self.method[index])
        out["baseline_weeks"] = int(self.baseline_weeks[index])
        out["week"] = int(self.week if self.count.ndim == 1 else self.week[index[1]])
        return out


def _blocks(lag_offset: np.ndarray, w: int, n_periods: int) -> np.ndarray:
    """Seasonal period of each week, from ``(t - current) mod 52``: 0 = the ``2w+1``-week window around
    the current week's position in the year; 1..n_periods-1 = the rest of the year cut in equal blocks,
    the first ones one week longer when it does not divide evenly (as ``surveillance:::blocks``)."""
    o = np.mod(lag_offset, WEEKS_PER_YEAR)
    rest = WEEKS_PER_YEAR - (2 * w + 1)
    n_other = n_periods - 1
    lengths = np.full(n_other, rest // n_other)
    lengths[: rest % n_other] += 1
    edges = np.cumsum(lengths)  # end (exclusive) of each block, counted from o = w + 1
    block = np.searchsorted(edges, o - (w + 1), side="right") + 1
    return np.where((o <= w) | (o >= WEEKS_PER_YEAR - w), 0, block)


def _nb_upper(mu: np.ndarray, phi: np.ndarray, alpha: float) -> np.ndarray:
    """The ``1 - alpha`` quantile of a negative binomial with mean ``mu`` and variance ``phi * mu``
    (Poisson when ``phi == 1``): Noufaily et al.'s "negative binomial plug-in" threshold."""
    poisson = phi <= 1 + 1e-9
    size = mu / np.where(poisson, 1.0, phi - 1)
    q_nb = stats.nbinom.ppf(1 - alpha, size, 1 / np.where(poisson, 2.0, phi))
    q_po = stats.poisson.ppf(1 - alpha, mu)
    return np.where(poisson, q_po, q_nb)


def _nb_sf(y: np.ndarray, mu: np.ndarray, phi: np.ndarray) -> np.ndarray:
    """``P(Y >= y)`` under the same distribution."""
    poisson = phi <= 1 + 1e-9
    size = mu / np.where(poisson, 1.0, phi - 1)
    p_nb = stats.nbinom.sf(y - 1, size, 1 / np.where(poisson, 2.0, phi))
    p_po = stats.poisson.sf(y - 1, mu)
    return np.where(poisson, p_po, p_nb)


def _fit_reweighted(X, y, w, weights_threshold, groups):
    """Noufaily's two-pass fit: fit, down-weight weeks with large Anscombe residuals, refit."""
    first = fit_quasipoisson(X, y, w, groups=groups)
    phi = np.maximum(first.dispersion, 1.0)
    s = anscombe_residuals(y, first, phi)
    omega = noufaily_weights(s, w, weights_threshold)
    return fit_quasipoisson(X, y, omega, groups=groups)


def _seasonal(y, valid, groups, lag_first, *, w, n_periods, exclude_recent, weights_threshold,
              trend_min_weeks, trend_p, harmonics=0, season_p=1.0, r_trend_test=False):
    """Fit the seasonal baseline of the current week ``k`` for every row of ``y`` (R, n): the counts of
    weeks ``k + lag_first .. k - exclude_recent - 1`` of one series (rows may belong to different series
    and current weeks; ``groups`` tells which rows were fitted together, see :func:`fit_quasipoisson`).
    Fits with and without trend, then keeps the trend where it passes the checks. Seasonality is
    ``harmonics`` annual harmonics, or (``harmonics=0``) Noufaily's ``n_periods``-level factor.
    Returns, per row, the log expected count ``eta0``, the dispersion, the variance of ``eta0``, the
    yearly trend factor, whether the trend was kept, the number of baseline weeks, and the log expected
    count of week ``k - 1``."""
    lag = np.arange(lag_first, -exclude_recent)  # t - k of each column
    valid = valid.astype(float)

    def season(lags):
        if harmonics:
            angle = 2 * np.pi * np.atleast_1d(lags) / WEEKS_PER_YEAR
            cols = [f(j * angle) - f(0.0) for j in range(1, harmonics + 1) for f in (np.cos, np.sin)]
            return np.column_stack(cols)
        b = _blocks(np.atleast_1d(lags), w, n_periods)
        return (b[:, None] == np.arange(1, n_periods)[None, :]).astype(float)

    dummies = season(lag)
    prev = season(-1)[0]
    trend_col = lag / WEEKS_PER_YEAR
    X_trend = np.column_stack([np.ones(len(lag)), trend_col, dummies])
    X_flat = np.column_stack([np.ones(len(lag)), dummies])
    n_used = valid.sum(axis=1)

    y_max = np.max(np.where(valid > 0, y, 0), axis=1)
    bounds = group_bounds(groups)

    def choose(X_trend, X_flat, prev):
        """Fit with and without trend; keep the trend where it passes the checks."""
        fit_t = _fit_reweighted(X_trend, y, valid, weights_threshold, groups)
        fit_f = _fit_reweighted(X_flat, y, valid, weights_threshold, groups)
        dispersion = fit_t.dispersion
        if r_trend_test:
            # surveillance (1.20) overwrites the model's working weights with the prior weights before
            # summary.glm() tests the trend, so its dispersion there is sum(w (y-mu)^2 / mu^2) / df.
            dispersion = np.sum(fit_t.prior_weights * (y - fit_t.mu) ** 2 / fit_t.mu**2, axis=1) / fit_t.df
        se = np.sqrt(np.maximum(dispersion * fit_t.cov_unscaled[:, 1, 1], 1e-300))
        p = 2 * stats.t.sf(np.abs(fit_t.beta[:, 1]) / se, fit_t.df)
        eta_t = fit_t.beta[:, 0]
        use_trend = (n_used >= trend_min_weeks) & (p < trend_p) & (np.exp(eta_t) <= y_max) & fit_t.converged
        eta0 = np.where(use_trend, eta_t, fit_f.beta[:, 0])
        phi = np.maximum(np.where(use_trend, fit_t.dispersion, fit_f.dispersion), 1.0)
        var_eta = phi * np.where(use_trend, fit_t.cov_unscaled[:, 0, 0], fit_f.cov_unscaled[:, 0, 0])
        trend = np.where(use_trend, np.exp(fit_t.beta[:, 1]), 1.0)
        x_prev_t = np.concatenate([[1.0, -1.0 / WEEKS_PER_YEAR], prev])
        x_prev_f = np.concatenate([[1.0], prev])
        eta_prev = np.where(use_trend, matmul_by_group(fit_t.beta, x_prev_t, bounds),
                            matmul_by_group(fit_f.beta, x_prev_f, bounds))
        return [eta0, phi, var_eta, trend, use_trend, eta_prev], fit_t

    seasonal, fit_t = choose(X_trend, X_flat, prev)
    if harmonics and season_p < 1:
        # Seasonality only when it is real: a Wald test of all harmonic coefficients together in the
        # model with trend (F test with the quasi-likelihood dispersion). Where it is not significant
        # the seasonal terms would only fit noise -- in a sparse series they move the expected count
        # by a factor two over the year -- so the baseline is refitted without them.
        k = dummies.shape[1]
        b = fit_t.beta[:, 2:]
        V = fit_t.cov_unscaled[:, 2:, 2:]
        wald = np.einsum("ri,ri->r", b, np.linalg.solve(V, b[:, :, None])[:, :, 0])
        phi_t = np.maximum(fit_t.dispersion, 1.0)
        p_season = stats.f.sf(wald / (k * phi_t), k, fit_t.df)
        flat_season = ~(p_season < season_p)
        if flat_season.any():
            plain, _ = choose(X_trend[:, :2], X_flat[:, :1], np.zeros(0))
            seasonal = [np.where(flat_season, p0, s0) for s0, p0 in zip(seasonal, plain, strict=True)]
    eta0, phi, var_eta, trend, use_trend, eta_prev = seasonal
    return eta0, phi, var_eta, trend, use_trend, n_used, eta_prev


def _mean_model(y, valid, groups, *, weights_threshold):
    """Expected value (log scale) and dispersion from the mean of each row's weeks (no seasonality)."""
    valid = valid.astype(float)
    X = np.ones((y.shape[1], 1))
    fit = _fit_reweighted(X, y, valid, weights_threshold, groups)
    return fit.beta[:, 0], np.maximum(fit.dispersion, 1.0), valid.sum(axis=1)


#: Threads at most for the fits of a range of weeks.
_MAX_WORKERS = 8

#: Rows (series x judged weeks) fitted in one batch at most (a week with more series is one batch):
#: several small weeks share a batch, but a municipality's week (hundreds of series) is a batch of its
#: own, which keeps the working arrays small enough for the CPU cache (measured: faster than 1024+).
_BATCH_ROWS = 512


def _batches(use, weeks, first, last):
    """The (series, week position) pairs where ``use`` (S, T) is set, cut into batches that share a
    window: week ``k = weeks[j]`` uses columns ``first[j] .. last[j]``, and pairs with the same
    ``first - k`` and ``last - k`` have the same design matrix. Whole weeks go into one batch, as
    each week's series are one group of the IRLS (see :func:`fit_quasipoisson`). Yields the window
    ``(first - k, last - k)``, the series and week position of each row, and the group of each row."""
    active = np.flatnonzero(use.any(axis=0))
    keys = np.stack([first[active] - weeks[active], last[active] - weeks[active]], axis=1)
    for key in np.unique(keys, axis=0):
        week_pos = active[np.all(keys == key, axis=1)]
        per_week = use[:, week_pos].sum(axis=0)
        start = 0
        while start < len(week_pos):
            stop = start + 1
            rows = per_week[start]
            while stop < len(week_pos) and rows + per_week[stop] <= _BATCH_ROWS:
                rows += per_week[stop]
                stop += 1
            chunk = week_pos[start:stop]
            j_idx, s_idx = np.nonzero(use[:, chunk].T)  # week by week, series in order within a week
            yield (int(key[0]), int(key[1])), s_idx, chunk[j_idx], j_idx
            start = stop


def _windows(y_all, valid_all, s_idx, k_idx, lag_first, lag_last):
    """Rows ``y_all[s, k + lag_first .. k + lag_last]`` (and the same of ``valid_all``) per pair."""
    cols = k_idx[:, None] + np.arange(lag_first, lag_last + 1)[None, :]
    return y_all[s_idx[:, None], cols], valid_all[s_idx[:, None], cols]


_blas_controller: ThreadpoolController | None = None


def _blas_single_thread():
    """Run BLAS on one thread. The matrix products here are small (hundreds of rows, a few dozen
    columns): spreading each over threads costs more than it saves, and OpenBLAS's idle threads
    spin and steal the CPU from the rest of the computation (three to seven times slower on a busy
    two-core machine). One thread also gives the same rounding as the fits were checked with."""
    global _blas_controller
    if _blas_controller is None:
        _blas_controller = ThreadpoolController()
    return _blas_controller.limit(limits=1, user_api="blas")


def _workers() -> int:
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, _MAX_WORKERS))


def _run(jobs):
    """``[fit(batch) for fit, batch in jobs]``, the batches spread over a few threads (numpy and
    BLAS release the GIL; each batch is computed exactly as on its own, so the results do not depend
    on the number of threads), with BLAS itself on one thread (:func:`_blas_single_thread`)."""
    with _blas_single_thread():
        workers = min(_workers(), len(jobs))
        if workers <= 1:
            return [fit(batch) for fit, batch in jobs]
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="signals") as pool:
            return list(pool.map(lambda job: job[0](job[1]), jobs))


#: The largest weekly count judged (far above any real series; the GLM's precision ends around 1e10).
MAX_COUNT = 1e9
#: The smallest false-alarm rate: one false signal per series in about 20 000 years of weeks.
MIN_ALPHA = 1e-6


def detect(
    counts,
    current: int | slice | None = None,
    *,
    alpha: float = 0.01,
    history_start=None,
    method: str = "samtrygg",
    years: int = 5,
    min_cases: tuple[int, int] = (5, 4),
    exclude_recent: int = 26,
    weights_threshold: float = 2.58,
    trend_p: float = 0.05,
    trend_min_weeks: int = 130,
    min_seasonal_weeks: int = 104,
    min_history: int = 8,
    short_window: int = 104,
    short_exclude_recent: int = 2,
    two_week_min_expected: float = 4.0,
    season_p: float = 0.05,
) -> SignalResult:
    """Decide, for every series, whether the count of the current week(s) is unusually high.

    ``counts``: weekly counts, shape ``(series, weeks)`` (or ``(weeks,)`` for one series), oldest week
    first, non-negative and finite (weeks without reports are 0, not missing).
    ``current``: the week(s) to judge, as column index(es) of ``counts``: an int (negative counts from
    the end), a slice or a sequence for a backtest over a range, or ``None`` for the last week. An int or
    ``None`` gives result arrays of shape ``(series,)``, otherwise ``(series, weeks)``.
    ``alpha``: the false-alarm rate aimed at per series and week (0.01: about one false signal per
    series in two years). ``history_start``: per series (or one int for all) the first week that
    belongs to the series, e.g. when an area's boundary changed or a category was introduced; earlier
    weeks are ignored. ``method``: ``"samtrygg"`` (default) or ``"farrington"`` (R's farringtonFlexible
    with Noufaily's settings, for comparison). ``years``: how far back the baseline reaches (Farrington's
    ``b``). The other parameters are described in the module docstring.

    Raises ``ValueError`` for counts that are not a finite non-negative 1-D/2-D array (or above
    ``MAX_COUNT``), a week out of range or an ``alpha`` outside [``MIN_ALPHA``, 0.5).
    """
    if method not in ("samtrygg", "farrington"):
        raise ValueError("method must be 'samtrygg' or 'farrington'")
    farrington = method == "farrington"
    harmonics = 0 if farrington else 2
    two_week = not farrington
    prediction_uncertainty = not farrington
    y_all = np.asarray(counts, dtype=float)
    if y_all.ndim == 1:
        y_all = y_all[None, :]
    if y_all.ndim != 2:
        raise ValueError("counts must be a 1-D or 2-D array (series x weeks)")
    if not np.all(np.isfinite(y_all)) or np.any(y_all < 0):
        raise ValueError("counts must be finite and non-negative")
    if np.any(y_all > MAX_COUNT):
        # Above this the fits lose precision and their exp() overflows (found by the property tests).
        raise ValueError(f"counts must be at most {MAX_COUNT:.0e} a week")
    if not MIN_ALPHA <= alpha < 0.5:
        # Below MIN_ALPHA the negative-binomial quantile is infinite (found by the property tests).
        raise ValueError(f"alpha must be between {MIN_ALPHA:g} and 0.5")
    S, n = y_all.shape
    single = current is None or np.isscalar(current)
    if current is None:
        weeks = np.array([n - 1])
    elif isinstance(current, slice):
        weeks = np.arange(n)[current]
    else:
        weeks = np.atleast_1d(np.asarray(current, dtype=int))
        weeks = np.where(weeks < 0, weeks + n, weeks)
    if weeks.size and (weeks.min() < 0 or weeks.max() >= n):
        raise ValueError(f"current week out of range 0..{n - 1}")
    hs = np.zeros(S, dtype=int) if history_start is None else np.broadcast_to(
        np.asarray(history_start, dtype=int), (S,)
    )
    valid_all = np.arange(n)[None, :] >= hs[:, None]

    T = len(weeks)
    shape = (S, T)
    expected = np.zeros(shape)
    expected_prev = np.zeros(shape)
    threshold = np.zeros(shape)
    phi_out = np.ones(shape)
    var_log = np.zeros(shape)  # variance of log(expected) counted in the threshold
    trend_out = np.ones(shape)
    model = np.zeros(shape, dtype=int)
    n_base = np.zeros(shape, dtype=int)
    count = y_all[:, weeks]

    # Which model judges each series in each week, from the number of counted weeks in each window.
    cum_valid = np.concatenate([np.zeros((S, 1), dtype=int), np.cumsum(valid_all, axis=1)], axis=1)

    def n_valid(lo, hi):  # counted weeks in columns lo..hi-1 per series and week, (S, T)
        return np.where(hi > lo, cum_valid[:, np.maximum(hi, lo)] - cum_valid[:, lo], 0)

    hist = n_valid(np.zeros_like(weeks), weeks)
    first_seasonal = np.maximum(weeks - years * WEEKS_PER_YEAR - 3, 0)
    seasonal = n_valid(first_seasonal, np.maximum(weeks - exclude_recent, 0)) >= min_seasonal_weeks
    first_short = np.maximum(weeks - short_window, 0)
    n_short = n_valid(first_short, np.maximum(weeks - short_exclude_recent, 0))
    short = ~seasonal & (n_short >= min_history) & (hist >= min_history)

    def fit_seasonal(batch):
        (lag_first, lag_last), s_idx, j_idx, group = batch
        y, valid = _windows(y_all, valid_all, s_idx, weeks[j_idx], lag_first, lag_last)
        return _seasonal(
            y, valid, group, lag_first, w=3, n_periods=10, exclude_recent=exclude_recent,
            weights_threshold=weights_threshold, trend_min_weeks=trend_min_weeks, trend_p=trend_p,
            harmonics=harmonics, season_p=season_p, r_trend_test=farrington,
        )

    def fit_mean(batch):
        (lag_first, lag_last), s_idx, j_idx, group = batch
        y, valid = _windows(y_all, valid_all, s_idx, weeks[j_idx], lag_first, lag_last)
        return _mean_model(y, valid, group, weights_threshold=weights_threshold)

    seasonal_batches = _batches(seasonal, weeks, first_seasonal, weeks - exclude_recent - 1)
    short_batches = _batches(short, weeks, first_short, weeks - short_exclude_recent - 1)
    jobs = [(fit_seasonal, batch) for batch in seasonal_batches] + [(fit_mean, batch) for batch in short_batches]
    for (fit, (_, s_idx, j_idx, _)), fitted in zip(jobs, _run(jobs), strict=True):
        if fit is fit_seasonal:
            eta0, phi, var_eta, trend, use_trend, used, eta_prev = fitted
            expected[s_idx, j_idx] = np.exp(eta0)
            expected_prev[s_idx, j_idx] = np.exp(eta_prev)
            phi_out[s_idx, j_idx] = phi
            if prediction_uncertainty:
                # predictive variance phi*mu + mu^2 var(eta0) as an NB with a larger dispersion
                var_log[s_idx, j_idx] = np.minimum(var_eta, 1.0)
                phi_out[s_idx, j_idx] = phi + np.exp(eta0) * var_log[s_idx, j_idx]
            trend_out[s_idx, j_idx] = trend
            model[s_idx, j_idx] = np.where(use_trend, 3, 2)
        else:
            eta0, phi, used = fitted
            expected[s_idx, j_idx] = np.exp(eta0)
            expected_prev[s_idx, j_idx] = np.exp(eta0)
            phi_out[s_idx, j_idx] = phi
            model[s_idx, j_idx] = 1
        n_base[s_idx, j_idx] = used

    judged = model > 0
    expected = np.where(judged, expected, 0.0)
    mu = np.maximum(expected, 1e-12)
    prev_ok = (weeks[None, :] - 1 >= hs[:, None]) & (weeks[None, :] >= 1)
    count2 = count + np.where(prev_ok, y_all[:, np.maximum(weeks - 1, 0)], 0)
    mu2 = mu + np.where(prev_ok, expected_prev, 0)
    two = judged & prev_ok & (mu2 >= two_week_min_expected) if two_week else np.zeros(shape, bool)
    alpha_week = np.where(two, alpha / 2, alpha)
    threshold = np.where(judged, _nb_upper(mu, phi_out, alpha_week), 0.0)
    # The two weeks share the error of the expected level, so the sum's variance is phi*mu2 + mu2^2 var:
    # its dispersion is phi + mu2 * var (not the weekly phi + mu * var).
    phi_two = phi_out + (mu2 - mu) * var_log
    threshold2 = np.where(two, _nb_upper(mu2, phi_two, alpha / 2), 0.0)
    p_value = np.where(judged, _nb_sf(count, mu, phi_out), 1.0)
    p_value = np.clip(np.nan_to_num(p_value, nan=1.0), 0.0, 1.0)
    score = np.where(judged, (count - expected) / np.maximum(threshold - expected, 0.5), 0.0)
    score2 = np.where(two, (count2 - mu2) / np.maximum(threshold2 - mu2, 0.5), -np.inf)
    # Cases in the last min_cases[1] weeks, the current one included (Farrington's "limit54").
    csum = np.concatenate([np.zeros((S, 1)), np.cumsum(y_all, axis=1)], axis=1)
    recent = csum[:, weeks + 1] - csum[:, np.maximum(weeks + 1 - min_cases[1], 0)]
    above_week = judged & (count > threshold) & (count > 0)
    # Last week alone above its weekly threshold (judged with this week's model): the sum would mostly
    # repeat last week's signal, so the two-week test is left out then.
    prev_count = count2 - count
    prev_above = prev_count > _nb_upper(np.maximum(mu2 - mu, 1e-12), phi_out, alpha_week)
    above_two = two & (count2 > threshold2) & (count > expected) & (count > 0) & ~prev_above
    above = above_week | above_two
    enough = recent >= min_cases[0]
    alarm = above & enough
    status = np.where(~judged, "no_history", np.where(alarm, "alarm", np.where(above, "few_cases", "normal")))
    trigger = np.where(above_week, "week", np.where(above_two, "two_weeks", ""))
    result = SignalResult(
        week=weeks, count=count, expected=expected, threshold=threshold,
        score=np.where(above_two & ~above_week, np.maximum(score, score2), score), p_value=p_value,
        alarm=alarm, status=status.astype(object), trigger=trigger.astype(object),
        count_two_weeks=np.where(two, count2, 0.0), expected_two_weeks=np.where(two, mu2, 0.0),
        threshold_two_weeks=np.where(two, threshold2, 0.0),
        method=np.asarray(METHODS, dtype=object)[model], dispersion=phi_out, trend=trend_out,
        baseline_weeks=n_base,
    )
    if single:
        result = SignalResult(**{
            name: (value[:, 0] if name != "week" else int(value[0])) for name, value in vars(result).items()
        })
    return result
