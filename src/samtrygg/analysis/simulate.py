"""Synthetic weekly count series with planted outbreaks, after Noufaily et al. (2013).

Used by the signal benchmark (``benchmarks/signals_vs_farrington.py``) and by the tests to check that
:mod:`samtrygg.analysis.signals` finds planted outbreaks and stays quiet otherwise.

The simulation follows Noufaily, Enki, Farrington, Garthwaite, Andrews & Charlett (2013), "An improved
algorithm for outbreak detection in multiple surveillance systems", Statistics in Medicine 32:1206-1222:

* **Baseline.** Week ``t`` (1-based) has mean
  ``mu(t) = exp(theta + beta*t + sum_{j=1..m} [gamma1*cos(2*pi*j*t/52) + gamma2*sin(2*pi*j*t/52)])``
  and the count is negative binomial with variance ``phi * mu`` (Poisson when ``phi == 1``).
* **Outbreaks.** An outbreak starting in week ``s`` has ``Poisson(k * sd(s))`` cases, where
  ``sd(s) = sqrt(phi * mu(s))`` is the baseline standard deviation at the start week and ``k`` the
  outbreak strength. Each case falls in week ``s + d`` where ``d`` is drawn from a discretised lognormal
  distribution with log-mean 0 and log-sd 0.5 (``P(d) = F(d+1) - F(d)``, the same discretisation as
  ``surveillance::lognormDiscrete``), so most outbreaks last one to three weeks.
* Four outbreaks with ``k`` in {2, 3, 5, 10} are planted in the history (to test robustness against
  past outbreaks, as in the paper) and ``n_test_outbreaks`` with ``k`` drawn uniformly from
  ``k_range`` in the test weeks (the paper plants one per series; we plant a few, spaced apart, so a
  benchmark needs fewer series for the same number of outbreaks).

Everything is numpy and seeded: the same arguments give the same series.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

WEEKS_PER_YEAR = 52


@dataclass(frozen=True)
class Scenario:
    """Parameters of one baseline model (see the module docstring)."""

    name: str
    theta: float
    beta: float = 0.0
    gamma1: float = 0.0
    gamma2: float = 0.0
    m: int = 0
    phi: float = 1.0

    def mean(self, n_weeks: int) -> np.ndarray:
        """Baseline mean ``mu(t)`` for weeks ``t = 1..n_weeks``."""
        t = np.arange(1, n_weeks + 1, dtype=float)
        eta = self.theta + self.beta * t
        for j in range(1, self.m + 1):
            eta = eta + self.gamma1 * np.cos(2 * np.pi * j * t / 52) + self.gamma2 * np.sin(
                2 * np.pi * j * t / 52
            )
        return np.exp(eta)


#: Scenarios spanning what a municipality sees per area x category: sparse to busy, flat to strongly
#: seasonal, with and without trend, Poisson to strongly over-dispersed. Modelled on Noufaily et al.'s
#: Table 1 (same parametrisation), shifted towards the low counts typical of local incident reports.
SCENARIOS: tuple[Scenario, ...] = (
    Scenario("sparse, flat", theta=-0.5, phi=1.0),
    Scenario("low, seasonal", theta=0.5, gamma1=0.6, gamma2=0.6, m=1, phi=1.5),
    Scenario("medium, flat, overdispersed", theta=1.5, phi=2.0),
    Scenario("medium, seasonal, trend up", theta=1.2, beta=0.003, gamma1=0.6, gamma2=0.6, m=1, phi=1.5),
    Scenario("medium, two harmonics", theta=2.0, gamma1=0.3, gamma2=0.5, m=2, phi=2.0),
    Scenario("high, seasonal, phi 3", theta=3.0, gamma1=0.5, gamma2=0.5, m=1, phi=3.0),
    Scenario("high, trend down, phi 5", theta=3.5, beta=-0.002, gamma1=0.2, gamma2=0.4, m=1, phi=5.0),
)


@dataclass
class Simulated:
    """Counts and the truth about where outbreaks were planted.

    ``counts``: int array (series x weeks). ``baseline_mean``: float array (weeks,), the mean without
    outbreaks. ``outbreak_cases``: int array (series x weeks), the planted cases in each week.
    ``test_outbreaks``: list per series of ``(start, weeks)`` for the outbreaks planted in the test
    range, ``weeks`` being the 0-based week indexes that received at least one case.
    ``test_start``: first (0-based) test week; the test range is ``test_start .. n_weeks - 1``.
    """

    scenario: Scenario
    counts: np.ndarray
    baseline_mean: np.ndarray
    outbreak_cases: np.ndarray
    test_start: int
    test_outbreaks: list[list[tuple[int, np.ndarray]]] = field(default_factory=list)

    @property
    def outbreak_week(self) -> np.ndarray:
        """Boolean (series x weeks): the week received planted outbreak cases."""
        return self.outbreak_cases > 0


def lognormal_delay_probabilities(d_max: int = 20, sigma: float = 0.5) -> np.ndarray:
    """``P(delay = d)`` for ``d = 0..d_max-1``, the discretised lognormal(0, sigma) of the paper."""
    from math import erf, log, sqrt

    def cdf(x: float) -> float:
        return 0.0 if x <= 0 else 0.5 * (1 + erf(log(x) / (sigma * sqrt(2))))

    cdfs = np.array([cdf(d) for d in range(d_max + 1)])
    return np.diff(cdfs) / cdfs[-1]


def negative_binomial(rng: np.random.Generator, mu: np.ndarray, phi: float) -> np.ndarray:
    """Counts with mean ``mu`` and variance ``phi * mu`` (Poisson when ``phi <= 1``)."""
    mu = np.asarray(mu, float)
    if phi <= 1.0:
        return rng.poisson(mu)
    size = mu / (phi - 1.0)
    return rng.negative_binomial(size, size / (size + mu))


def _plant(rng, cases_row, start, n_cases, delays_p):
    offsets = rng.choice(len(delays_p), size=n_cases, p=delays_p)
    weeks = start + offsets
    weeks = weeks[weeks < len(cases_row)]
    np.add.at(cases_row, weeks, 1)
    return np.unique(weeks)


def simulate(
    scenario: Scenario,
    n_series: int,
    n_weeks: int = 5 * WEEKS_PER_YEAR + 5,
    test_weeks: int = WEEKS_PER_YEAR,
    n_test_outbreaks: int = 3,
    k_range: tuple[int, int] = (1, 10),
    history_ks: tuple[int, ...] = (2, 3, 5, 10),
    seed: int = 0,
) -> Simulated:
    """Simulate ``n_series`` series of ``n_weeks`` weeks for ``scenario`` with planted outbreaks.

    History outbreaks start at random weeks before the test range (not in the last 26 weeks before it,
    as in Noufaily et al., who place them in the baseline years). Test outbreaks start in the test range,
    at least 12 weeks apart, the last one at least 3 weeks before the end, so their cases fall inside
    the range.
    """
    rng = np.random.default_rng(seed)
    mu = scenario.mean(n_weeks)
    sd = np.sqrt(max(scenario.phi, 1.0) * mu)
    counts = negative_binomial(rng, np.broadcast_to(mu, (n_series, n_weeks)), scenario.phi).astype(np.int64)
    cases = np.zeros((n_series, n_weeks), dtype=np.int64)
    delays_p = lognormal_delay_probabilities()
    test_start = n_weeks - test_weeks
    test_outbreaks: list[list[tuple[int, np.ndarray]]] = []
    for s in range(n_series):
        hist_end = max(1, test_start - 26 - 5)
        for k in history_ks:
            start = int(rng.integers(0, hist_end))
            _plant(rng, cases[s], start, int(rng.poisson(k * sd[start])), delays_p)
        starts: list[int] = []
        for _ in range(200):  # rejection sampling of well separated starts
            if len(starts) == n_test_outbreaks:
                break
            start = int(rng.integers(test_start, n_weeks - 3))
            if all(abs(start - other) >= 12 for other in starts):
                starts.append(start)
        planted = []
        for start in sorted(starts):
            k = int(rng.integers(k_range[0], k_range[1] + 1))
            before = cases[s].copy()
            _plant(rng, cases[s], start, int(rng.poisson(k * sd[start])), delays_p)
            weeks = np.flatnonzero(cases[s] != before)
            if weeks.size:  # an outbreak of zero cases cannot be detected and is not counted
                planted.append((start, weeks))
        test_outbreaks.append(planted)
    return Simulated(scenario, counts + cases, mu, cases, test_start, test_outbreaks)
