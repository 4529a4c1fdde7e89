"""Time patterns: weekday × hour intensity, month-of-year seasonality, and the trend with its uncertainty.

Pure numpy/scipy; the counts come from aggregate SQL in ``samtrygg.quarterly.patterns_service``.

The trend is a quasi-Poisson GLM (log link) of the monthly counts on time in years plus, with two years
or more of data, a month-of-year factor (January the reference), fitted by IRLS with the project's GLM
routine (``analysis._glm``, the one the signals use). Standard errors are the model-based ones scaled by
the Pearson dispersion ``phi = X² / (n - p)`` (McCullagh & Nelder's quasi-Poisson; ``statsmodels``
``GLM(...).fit(scale="X2")``), floored at 1 so an under-dispersed series never gets narrower intervals
than plain Poisson. Confidence intervals are Wald intervals on the log scale (normal quantile, as
statsmodels' ``conf_int``), so the yearly change ``exp(12 b) - 1`` and the band around the line are
asymmetric on the count scale and never negative. The tests check the coefficients, standard errors and
dispersion against statsmodels to 1e-6.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.stats import norm

from ._glm import fit_quasipoisson

MIN_TREND_MONTHS = 6
SEASONAL_MONTHS = 24  # a month-of-year term needs every calendar month at least twice


def intensity_levels(matrix, levels: int = 5) -> np.ndarray:
    """Shade levels 0..levels of a count matrix: 0 for zero, then by equal fractions of the maximum
    (the weekly page's rule, so the two pages' tables read alike)."""
    m = np.asarray(matrix, dtype=np.int64)
    top = int(m.max()) if m.size else 0
    if top <= 0:
        return np.zeros_like(m)
    return np.where(m == 0, 0, np.minimum(levels, 1 + (levels * m - 1) // top))


def month_index(year: int, month: int) -> int:
    return year * 12 + month - 1


@dataclass
class Seasonality:
    """Counts per calendar month over the years: ``table[y, m]`` for ``years[y]`` and month m+1 (None
    where the month is outside the period), and the average of each calendar month over the years it
    was observed, plus its share of an average year (1.0 = an average month)."""

    years: list[int]
    table: list[list[int | None]]
    average: list[float | None]
    index: list[float | None]


def seasonality(first: tuple[int, int], counts) -> Seasonality:
    """``counts`` per consecutive month starting at ``first`` = (year, month)."""
    counts = np.asarray(counts, dtype=float)
    start = month_index(*first)
    years = list(range(first[0], (start + len(counts) - 1) // 12 + 1)) if len(counts) else []
    table: list[list[int | None]] = [[None] * 12 for _ in years]
    sums = np.zeros(12)
    seen = np.zeros(12)
    for k, value in enumerate(counts):
        idx = start + k
        y, m = idx // 12, idx % 12
        table[y - first[0]][m] = int(value)
        sums[m] += value
        seen[m] += 1
    average = [float(sums[m] / seen[m]) if seen[m] else None for m in range(12)]
    observed = [a for a in average if a is not None]
    mean = float(np.mean(observed)) if observed else 0.0
    index = [(a / mean if mean > 0 else None) if a is not None else None for a in average]
    return Seasonality(years=years, table=table, average=average, index=index)


def design(first: tuple[int, int], n_months: int, seasonal: bool) -> np.ndarray:
    """Columns: intercept, time in years from the first month, and 11 month-of-year dummies (Feb..Dec)."""
    k = np.arange(n_months)
    cols = [np.ones(n_months), k / 12.0]
    if seasonal:
        moy = (month_index(*first) + k) % 12
        cols += [(moy == m).astype(float) for m in range(1, 12)]
    return np.column_stack(cols)


@dataclass
class Trend:
    """The fitted trend of monthly counts.

    ``fitted`` the model's mean per month (with season); ``line``/``lower``/``upper`` the deseasonalised
    trend (an average month at each time) with its pointwise 95 % band; ``yearly_change`` and its CI as
    fractions (+0.08 = 8 % more per year); ``p_value`` two-sided for "no trend".
    """

    months: int
    seasonal: bool
    beta: np.ndarray
    se: np.ndarray
    dispersion: float
    fitted: np.ndarray
    line: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    yearly_change: float
    change_low: float
    change_high: float
    p_value: float
    converged: bool

    @property
    def direction(self) -> str:
        """"up", "down" or "flat" (the 95 % interval of the change includes zero)."""
        if self.change_low > 0:
            return "up"
        if self.change_high < 0:
            return "down"
        return "flat"


def fit_trend(first: tuple[int, int], counts, *, level: float = 0.95, floor_dispersion: bool = True,
              seasonal: bool | None = None) -> Trend | None:
    """Fit the trend of consecutive monthly ``counts`` from ``first``; None if there are too few months
    (fewer than :data:`MIN_TREND_MONTHS`) or no events at all."""
    y = np.asarray(counts, dtype=float)
    n = y.size
    if n < MIN_TREND_MONTHS or y.sum() <= 0:
        return None
    if seasonal is None:
        seasonal = n >= SEASONAL_MONTHS
    X = design(first, n, seasonal)
    fit = fit_quasipoisson(X, y[None, :], np.ones((1, n)), tol=1e-14, max_iter=100, ridge=0.0)
    beta = fit.beta[0]
    p = X.shape[1]
    phi = float(np.sum((y - fit.mu[0]) ** 2 / fit.mu[0]) / (n - p))
    scale = max(phi, 1.0) if floor_dispersion else phi
    cov = fit.cov_unscaled[0] * scale
    se = np.sqrt(np.diag(cov))
    z = float(norm.ppf(0.5 + level / 2))
    # the deseasonalised line: intercept + slope * t + the average of the 12 month effects (Jan = 0)
    c = np.zeros((n, p))
    c[:, 0] = 1.0
    c[:, 1] = X[:, 1]
    if seasonal:
        c[:, 2:] = 1.0 / 12.0
    eta = c @ beta
    eta_se = np.sqrt(np.einsum("ij,jk,ik->i", c, cov, c))
    b, sb = beta[1], se[1]
    p_value = float(2 * norm.sf(abs(b / sb))) if sb > 0 else float("nan")
    return Trend(months=n, seasonal=seasonal, beta=beta, se=se, dispersion=phi, fitted=fit.mu[0],
                 line=np.exp(eta), lower=np.exp(eta - z * eta_se), upper=np.exp(eta + z * eta_se),
                 yearly_change=float(np.expm1(b)), change_low=float(np.expm1(b - z * sb)),
                 change_high=float(np.expm1(b + z * sb)), p_value=p_value, converged=bool(fit.converged[0]))
