"""Ranking areas by need: normalise each component across areas, combine with the analyst's weights.

Pure numpy/scipy (no Django). The quarterly ranking service gathers one value per area and component
from the database and hands them here; this module does the arithmetic and returns everything the
pages need to explain a rank in words and numbers.

Method (documented for the analyst on the page and in the document):

1. **Normalisation: rank percentile.** For each component, the areas that have a value are ranked
   (ties share the average rank, ``scipy.stats.rankdata(method="average")``) and the rank is mapped
   to 0–100: ``score = 100 × (rank − 1) / (n − 1)``, so the area with the highest value (the most need)
   scores 100 and the lowest 0; with a single area it scores 50. Percentiles rather than z-scores
   because they are robust to one extreme area, are on the same scale for every component, and read
   plainly ("higher than 80 % of the areas").
2. **Missing values.** An area without a value for a component (e.g. no population, no history to
   compare with) has no score for it; its composite is the weighted mean of the components it *does*
   have, and the result says which components were left out. A component no area has (the residents'
   sense of safety before any questionnaire exists) is ignored together with its weight.
3. **Combination: weighted mean.** ``composite = Σ wᵢ·scoreᵢ / Σ wᵢ`` over the components the area
   has and whose weight is above zero; 0–100. Each component's *contribution* ``wᵢ·scoreᵢ / Σ wᵢ``
   is returned too, so the parts add up to the composite.
4. **Ranks.** Rank 1 = the highest value ("1st of 25"), ties share the best rank (competition
   ranking, "1, 2, 2, 4"). Areas without any usable component get no composite and no rank.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.stats import rankdata

MAX_WEIGHT = 100.0


class WeightError(ValueError):
    """Weights that cannot be used; ``errors`` maps a component key (or ``""``) to the reason."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" if k else v for k, v in errors.items()))
        self.errors = errors


def percentile_scores(values: Sequence[float]) -> np.ndarray:
    """0–100 by rank among the finite values (highest = 100); NaN where the value is missing."""
    v = np.asarray(values, dtype=float)
    out = np.full(v.shape, np.nan)
    ok = np.isfinite(v)
    n = int(ok.sum())
    if n == 1:
        out[ok] = 50.0
    elif n > 1:
        out[ok] = 100.0 * (rankdata(v[ok], method="average") - 1.0) / (n - 1.0)
    return out


def descending_ranks(values: Sequence[float]) -> np.ndarray:
    """1 = the highest finite value, ties share the best rank; NaN where the value is missing."""
    v = np.asarray(values, dtype=float)
    out = np.full(v.shape, np.nan)
    ok = np.isfinite(v)
    if ok.any():
        out[ok] = rankdata(-v[ok], method="min")
    return out


def check_weights(weights: Mapping[str, float], keys: Sequence[str], available: Sequence[str]) -> dict[str, float]:
    """Weights as floats for every key (missing ones are errors); refuses negative, non-finite, over
    ``MAX_WEIGHT`` and the case where every *available* component weighs zero."""
    errors: dict[str, str] = {}
    clean: dict[str, float] = {}
    for key in keys:
        raw = weights.get(key)
        try:
            w = float(raw)
        except (TypeError, ValueError):
            errors[key] = "not a number"
            continue
        if not math.isfinite(w):
            errors[key] = "not a number"
        elif w < 0:
            errors[key] = "negative"
        elif w > MAX_WEIGHT:
            errors[key] = f"larger than {MAX_WEIGHT:g}"
        else:
            clean[key] = w
    if not errors and not any(clean.get(k, 0) > 0 for k in available):
        errors[""] = "all zero"
    if errors:
        raise WeightError(errors)
    return clean


@dataclass
class ComponentResult:
    key: str
    weight: float
    values: np.ndarray  # raw values (NaN = missing)
    scores: np.ndarray  # 0-100 percentile (NaN = missing)
    ranks: np.ndarray  # 1 = highest value (NaN = missing)
    available: bool  # at least one area has a value
    n: int  # areas with a value


@dataclass
class Ranking:
    """The combined ranking. Arrays are per area in the order given."""

    components: list[ComponentResult]
    composite: np.ndarray  # 0-100, NaN when the area has no usable component
    rank: np.ndarray  # 1 = most need, NaN when no composite
    contributions: np.ndarray  # (areas, components): wᵢ·scoreᵢ / Σw, 0 where not used
    used: np.ndarray  # (areas, components) bool: the component counted for the area
    weight_total: np.ndarray  # Σw over the area's used components
    order: list[int] = field(default_factory=list)  # area indices, rank 1 first, unranked last

    def explain(self, i: int) -> dict:
        """One area's numbers: composite, rank and per component value/score/rank/contribution."""
        parts = []
        for j, c in enumerate(self.components):
            parts.append({
                "key": c.key, "weight": c.weight, "value": _num(c.values[i]), "score": _num(c.scores[i]),
                "rank": _int(c.ranks[i]), "of": c.n, "contribution": float(self.contributions[i, j]),
                "used": bool(self.used[i, j]),
            })
        return {"composite": _num(self.composite[i]), "rank": _int(self.rank[i]),
                "of": int(np.isfinite(self.rank).sum()), "components": parts}


def _num(x) -> float | None:
    return float(x) if np.isfinite(x) else None


def _int(x) -> int | None:
    return int(x) if np.isfinite(x) else None


def combine(values: Mapping[str, Sequence[float]], weights: Mapping[str, float]) -> Ranking:
    """Normalise every component in ``values`` ({key: one value per area, NaN = missing}) and combine
    them with ``weights`` ({key: weight ≥ 0}). Call :func:`check_weights` first for user input."""
    keys = list(values)
    n_areas = len(next(iter(values.values()))) if keys else 0
    comps: list[ComponentResult] = []
    for key in keys:
        v = np.asarray(values[key], dtype=float)
        if v.shape != (n_areas,):
            raise ValueError(f"component {key!r} has {v.size} values, expected {n_areas}")
        n = int(np.isfinite(v).sum())
        comps.append(ComponentResult(key=key, weight=float(weights.get(key, 0.0)), values=v,
                                     scores=percentile_scores(v), ranks=descending_ranks(v), available=n > 0,
                                     n=n))
    if not comps:
        empty = np.zeros((0,))
        return Ranking(comps, empty, empty, np.zeros((0, 0)), np.zeros((0, 0), bool), empty)
    scores = np.column_stack([c.scores for c in comps])  # (areas, components)
    w = np.array([c.weight for c in comps])
    used = np.isfinite(scores) & (w > 0)[None, :]
    weight_total = (used * w[None, :]).sum(axis=1)
    weighted = np.where(used, scores * w[None, :], 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        composite = np.where(weight_total > 0, weighted.sum(axis=1) / weight_total, np.nan)
        contributions = np.where(weight_total[:, None] > 0, weighted / weight_total[:, None], 0.0)
    rank = descending_ranks(composite)
    order = sorted(range(n_areas), key=lambda i: (rank[i] if np.isfinite(rank[i]) else math.inf, i))
    return Ranking(comps, composite, rank, contributions, used, weight_total, order)


def ratio(current: Sequence[float], baseline: Sequence[float]) -> np.ndarray:
    """``current / baseline`` per area; NaN where the baseline is zero or missing (nothing to compare with),
    or the quotient is not a finite number."""
    c = np.asarray(current, dtype=float)
    b = np.asarray(baseline, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        out = np.where(np.isfinite(b) & (b > 0), c / b, np.nan)
    # A tiny baseline can overflow the quotient (found by the property tests): no number to compare either.
    return np.where(np.isfinite(out), out, np.nan)


def per_thousand(harm: Sequence[float], population: Sequence[float]) -> np.ndarray:
    """Harm per 1 000 inhabitants; NaN where the population is missing or zero."""
    h = np.asarray(harm, dtype=float)
    p = np.asarray(population, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        out = np.where(np.isfinite(p) & (p > 0), h / p * 1000.0, np.nan)
    return np.where(np.isfinite(out), out, np.nan)
