"""Near-repeat analysis: the Knox test over space × time bands, as in Ratcliffe's Near Repeat Calculator.

Every pair of events (i, j) has a distance ``d`` (Euclidean, metres) and a time difference ``dt``
(days). The pairs are counted in a table of space bands × time bands, following the Near Repeat
Calculator (Ratcliffe 2009; Ratcliffe & Rengert 2008):

* space bands: "same location" (``d == 0``), then ``(0, b]``, ``(b, 2b]``, … ``((k-1)b, kb]`` — shown as
  "1–b m", "b+1–2b m" — and "more than kb";
* time bands: ``[0, t]``, ``(t, 2t]``, … ``((m-1)t, mt]`` days — "0–t", "t+1–2t" — and "more than mt".
  With whole-day times (the service passes local calendar days) these are exactly the calculator's bands.

The expected count of a cell is the mean over ``permutations`` Monte-Carlo shuffles of the event times
among the events (locations fixed: Mantel's permutation, which keeps both marginal distributions), the
Knox ratio is observed / expected, and the one-sided p-value is ``(1 + #{permuted >= observed}) /
(1 + permutations)`` — the calculator's rank-based significance. The calculator offers 20 to 1 000
iterations; we default to 99, the smallest number for which p can reach 0.01, and say so on the page.

Speed: pairs closer than the largest finite space band come from ``scipy.spatial.cKDTree.query_pairs``;
the "more than" row is every pair minus those, and the per-time-band totals of *all* n(n-1)/2 pairs are
counted from the sorted times with ``searchsorted`` (O(n log n)). Shuffling times does not change the
multiset of all pairwise time differences, so the totals are the same in every permutation and only the
near pairs are re-binned (vectorised ``bincount`` per permutation). No O(n²) loop or matrix anywhere.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.spatial import cKDTree

MIN_EVENTS = 20
MAX_EVENTS = 20_000
MAX_NEAR_PAIRS = 20_000_000  # memory guard: ~12 bytes per near pair and permutation step
DEFAULT_PERMUTATIONS = 99
MAX_PERMUTATIONS = 999
SIGNIFICANCE = 0.05


class KnoxError(ValueError):
    """Input the Knox test cannot be run on; the message says why in plain words."""


@dataclass(frozen=True)
class Band:
    """One band of the table. ``low``/``high`` in metres or days; ``high`` None for "more than";
    ``same`` True for the "same location" space band."""

    low: float
    high: float | None
    same: bool = False

    @property
    def more_than(self) -> bool:
        return self.high is None


@dataclass
class KnoxResult:
    """The table: rows are space bands, columns time bands. ``expected`` is the permutation mean."""

    space_bands: list[Band]
    time_bands: list[Band]
    observed: np.ndarray  # (S, T) int
    expected: np.ndarray  # (S, T) float
    p_value: np.ndarray  # (S, T)
    n_events: int
    n_pairs: int
    permutations: int
    seed: int
    alpha: float = SIGNIFICANCE
    extra: dict = field(default_factory=dict)

    @property
    def ratio(self) -> np.ndarray:
        """Knox ratio observed / expected (NaN where nothing is expected)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(self.expected > 0, self.observed / np.where(self.expected > 0, self.expected, 1), np.nan)

    @property
    def significant(self) -> np.ndarray:
        """Cells with significantly MORE pairs than chance (p <= alpha and ratio > 1)."""
        return (self.p_value <= self.alpha) & (self.observed > self.expected)

    def reading(self) -> Reading | None:
        return near_repeat_reading(self)


@dataclass(frozen=True)
class Reading:
    """What the table says in words: repeat risk raised up to ``distance`` metres (0 = same place only)
    for ``days`` days after an event, with Knox ratios up to ``max_ratio`` in that block."""

    distance: float
    days: float
    max_ratio: float
    same_location_only: bool


def space_bands(bandwidth: float, n_bands: int) -> list[Band]:
    return ([Band(0, 0, same=True)] + [Band(i * bandwidth, (i + 1) * bandwidth) for i in range(n_bands)]
            + [Band(n_bands * bandwidth, None)])


def time_bands(bandwidth: float, n_bands: int) -> list[Band]:
    return [Band(i * bandwidth, (i + 1) * bandwidth) for i in range(n_bands)] + [Band(n_bands * bandwidth, None)]


def _space_index(d: np.ndarray, bandwidth: float, n_bands: int) -> np.ndarray:
    """Row of each distance: 0 same location, 1..n for (0,b]...((n-1)b,nb], n+1 beyond."""
    idx = np.ceil(d / bandwidth).astype(np.int64)
    return np.minimum(idx, n_bands + 1)


def _time_index(dt: np.ndarray, bandwidth: float, n_bands: int) -> np.ndarray:
    """Column of each time difference: 0 for [0,t], j for (jt,(j+1)t], n beyond nt."""
    idx = np.ceil(dt / bandwidth).astype(np.int64) - 1
    return np.clip(idx, 0, n_bands)


def _pairs_by_time_band(t_sorted: np.ndarray, bandwidth: float, n_bands: int) -> np.ndarray:
    """Number of ALL pairs per time band, from sorted times in O(n log n) (no pair list)."""
    n = t_sorted.size
    start = np.arange(n)
    # pairs with dt <= limit: for each i, the j > i with t_j <= t_i + limit
    within = [int((np.searchsorted(t_sorted, t_sorted + k * bandwidth, side="right") - start - 1).sum())
              for k in range(1, n_bands + 1)]
    total = n * (n - 1) // 2
    cumulative = np.array([*within, total], dtype=np.int64)
    return np.diff(cumulative, prepend=0)


def validate(n_events: int, space_band: float, time_band: float, n_space: int, n_time: int,
             permutations: int) -> None:
    if not np.isfinite(space_band) or space_band <= 0:
        raise KnoxError(f"The space band must be a positive number of metres, not {space_band:g}.")
    if not np.isfinite(time_band) or time_band <= 0:
        raise KnoxError(f"The time band must be a positive number of days, not {time_band:g}.")
    if not 1 <= n_space <= 20 or not 1 <= n_time <= 30:
        raise KnoxError("Use 1 to 20 space bands and 1 to 30 time bands.")
    if not 19 <= permutations <= MAX_PERMUTATIONS:
        raise KnoxError(f"The number of permutations must be between 19 and {MAX_PERMUTATIONS}, not {permutations}.")
    if n_events < MIN_EVENTS:
        raise KnoxError(f"Only {n_events} events: the Knox test needs at least {MIN_EVENTS}.")
    if n_events > MAX_EVENTS:
        raise KnoxError(f"{n_events} events is more than the {MAX_EVENTS} the Knox test is run on; "
                        "choose a shorter period or one category.")


def knox_test(x, y, t, *, space_band: float = 100.0, time_band: float = 7.0, n_space: int = 5,
              n_time: int = 5, permutations: int = DEFAULT_PERMUTATIONS, seed: int = 20240601,
              alpha: float = SIGNIFICANCE) -> KnoxResult:
    """Knox table for events at ``(x, y)`` metres and times ``t`` days (1-D arrays of equal length)."""
    x = np.asarray(x, float)
    y = np.asarray(y, float)
    t = np.asarray(t, float)
    if not (x.shape == y.shape == t.shape) or x.ndim != 1:
        raise KnoxError("x, y and t must be 1-D arrays of the same length.")
    if not (np.isfinite(x).all() and np.isfinite(y).all() and np.isfinite(t).all()):
        raise KnoxError("Some events have no coordinates or time.")
    validate(x.size, space_band, time_band, n_space, n_time, permutations)
    n = x.size
    S, T = n_space + 2, n_time + 1
    tree = cKDTree(np.column_stack([x, y]))
    pairs = tree.query_pairs(r=n_space * space_band, output_type="ndarray")
    if len(pairs) > MAX_NEAR_PAIRS:
        raise KnoxError(f"{len(pairs)} pairs of events lie within {n_space * space_band:g} m of each other, more "
                        f"than the {MAX_NEAR_PAIRS} that can be computed; use fewer or narrower space bands.")
    i, j = pairs[:, 0].astype(np.intp), pairs[:, 1].astype(np.intp)
    d = np.hypot(x[i] - x[j], y[i] - y[j])
    row = _space_index(d, space_band, n_space)
    # query_pairs uses <= r; a rounding hair above r would land in the last row: keep it in the finite rows
    row = np.minimum(row, n_space)
    cell_base = row * T
    totals = _pairs_by_time_band(np.sort(t), time_band, n_time)

    def table(times: np.ndarray) -> np.ndarray:
        col = _time_index(np.abs(times[i] - times[j]), time_band, n_time)
        near = np.bincount(cell_base + col, minlength=(S - 1) * T)[: (S - 1) * T].reshape(S - 1, T)
        return np.vstack([near, totals - near.sum(axis=0)])

    observed = table(t)
    rng = np.random.default_rng(seed)
    at_least = np.zeros((S, T), dtype=np.int64)
    total = np.zeros((S, T), dtype=np.float64)
    for _ in range(permutations):
        sim = table(rng.permutation(t))
        total += sim
        at_least += sim >= observed
    expected = total / permutations
    p = (1 + at_least) / (1 + permutations)
    return KnoxResult(space_bands=space_bands(space_band, n_space), time_bands=time_bands(time_band, n_time),
                      observed=observed, expected=expected, p_value=p, n_events=n, n_pairs=n * (n - 1) // 2,
                      permutations=permutations, seed=seed, alpha=alpha)


def near_repeat_reading(result: KnoxResult) -> Reading | None:
    """The block of raised risk next to the origin of the table, or None if there is none.

    Space: starting from the nearest band (the "same location" row may be empty and is then skipped),
    the run of consecutive finite space bands with a significant raised cell in the first time band.
    Time: the run of consecutive finite time bands, from the first, in which any of those space bands
    has a significant raised cell. This is how the calculator's output is read ("the risk is raised
    within 200 m for 14 days"): cells far from the origin that happen to be significant are not a
    near-repeat pattern and are not put into words.
    """
    sig = result.significant
    n_rows, n_cols = len(result.space_bands) - 1, len(result.time_bands) - 1  # finite bands only
    rows: list[int] = []
    for r in range(n_rows):
        if sig[r, 0]:
            rows.append(r)
        elif rows or r > 0:  # the run ended, or neither same location nor the first band is raised
            break
    if not rows:
        return None
    cols = 0
    while cols < n_cols and sig[rows, cols].any():
        cols += 1
    block = result.ratio[np.ix_(rows, range(cols))]
    last = result.space_bands[rows[-1]]
    return Reading(distance=float(last.high or 0.0), days=float(result.time_bands[cols - 1].high),
                   max_ratio=float(np.nanmax(block)), same_location_only=rows == [0])
