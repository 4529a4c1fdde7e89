"""Before/after evaluation of a place-based measure against a control area, with displacement to a buffer.

Pure numbers, no Django. Three areas are counted in two equal periods before and after the intervention
date: the place itself (treatment, T), a buffer ring around it (B) and a control area (C).

**Rate ratio (relative effect).** ``RR = (T_after / T_before) / (C_after / C_before)``: how the place
changed relative to the control, i.e. the difference-in-differences on the log scale
(``log RR = (log Ta - log Tb) - (log Ca - log Cb)``). Its 95 % confidence interval is
``exp(log RR ± 1.96·sqrt(1/Ta + 1/Tb + 1/Ca + 1/Cb))``: the variance of the log of a 2×2 ratio of Poisson
counts, used as the "relative effect size" in crime-prevention meta-analysis (Farrington & Welsh 2002,
*Effects of improved street lighting on crime*, Campbell review; Welsh & Farrington 2009) and named the
relative incident rate ratio by Wilson (2022, *J. Quant. Criminol.* 38, "The relative incident rate ratio
effect size for count-based impact evaluations"). It is exactly the Wald interval of the group × period
interaction in a Poisson GLM of the four counts (checked in the tests with statsmodels).
When a count is zero the log is undefined: 0.5 is added to all four counts (the Haldane-Anscombe
continuity correction) and the result says so.

**Weighted Displacement Quotient** (Bowers & Johnson 2003, *J. Quant. Criminol.* 19(3) 275-301; the
formulas as restated by Guerette 2009, *Analyzing Crime Displacement and Diffusion*, POP Center Tool
Guide 10, appendix B):
``WDQ = (Ba/Ca - Bb/Cb) / (Ta/Ca - Tb/Cb)``; the denominator is the success measure (negative when the
place improved against the control), the numerator the buffer displacement measure (positive: possible
displacement, negative: possible diffusion of benefit). The quotient is only read when the success
measure is negative.

**Weighted Displacement Difference** (Wheeler & Ratcliffe 2018, *Crime Science* 7:11, "A simple weighted
displacement difference test to evaluate place based crime interventions"): the number of incidents
prevented, ``WDD = ΔT − ΔCt + ΔD − ΔCd`` (Δ = after − before; D the buffer, Ct and Cd the controls of the
place and of the buffer), with the Poisson variance ``Var = ΣT + ΣCt + ΣD + ΣCd`` (every count once) and a
normal-approximation z and confidence interval. Areas of different size are compared per unit of area
(Wheeler 2021, "The WDD test with different area sizes", the ``area_weights`` of his R package ptools):
each count is divided by its area's weight and the variance by the weight squared. Samtrygg has one control
area for both the place and the buffer; :func:`wdd_one_control` weights it by area so that its change is
read as "what the place (and the buffer) would have seen at the control's pace per square metre", and
counts its variance once for the two uses it has (they are the same incidents).

Periods and caveats (small numbers, seasonality, regression to the mean) are also decided here; the
service turns the codes into sentences.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from datetime import date, timedelta

Z95 = 1.959963984540054
CONTINUITY = 0.5
SMALL_COUNT = 10
MAX_WEEKS = 52
# Regression to the mean: the before period's weekly rate is this many times the longer-run rate.
RTM_FACTOR = 1.5
RTM_MIN_WEEKS = 8


@dataclass(frozen=True)
class Counts:
    """Incidents before and after at the place (t), in the buffer (b) and in the control area (c)."""

    t_before: int
    t_after: int
    b_before: int
    b_after: int
    c_before: int
    c_after: int

    def as_dict(self) -> dict:
        return asdict(self)


def check_counts(*counts: float) -> None:
    """Incident counts are finite and not negative; anything else is a ValueError naming the first bad one
    (found by the property tests: a negative count crashed in math.log, a NaN gave a NaN "result")."""
    for value in counts:
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise ValueError(f"a count must be a number, not {value!r}") from None
        if not math.isfinite(number) or number < 0:
            raise ValueError(f"a count must be a finite number of at least 0, not {value!r}")


def rate_ratio(t_before: float, t_after: float, c_before: float, c_after: float, *, z: float = Z95) -> dict:
    """The place's change relative to the control's, with a Wald CI on the log scale.

    Returns ``computable`` False (and why) when there is nothing to compare: no incidents at the place in
    either period, or none in the control in either period. With a zero in one cell the 0.5 continuity
    correction is used for all four cells and ``corrected`` is True.
    """
    out = {"computable": False, "corrected": False, "rr": None, "ci_low": None, "ci_high": None,
           "log_rr": None, "se": None, "change_pct": None, "ci_low_pct": None, "ci_high_pct": None,
           "significant": None, "reason": None}
    check_counts(t_before, t_after, c_before, c_after)
    if t_before + t_after == 0:
        out["reason"] = "no_place_incidents"
        return out
    if c_before + c_after == 0:
        out["reason"] = "no_control_incidents"
        return out
    cells = [t_before, t_after, c_before, c_after]
    if min(cells) == 0:
        cells = [v + CONTINUITY for v in cells]
        out["corrected"] = True
    tb, ta, cb, ca = cells
    log_rr = (math.log(ta) - math.log(tb)) - (math.log(ca) - math.log(cb))
    se = math.sqrt(1 / ta + 1 / tb + 1 / ca + 1 / cb)
    rr = math.exp(log_rr)
    low, high = math.exp(log_rr - z * se), math.exp(log_rr + z * se)
    out.update(computable=True, rr=rr, ci_low=low, ci_high=high, log_rr=log_rr, se=se,
               change_pct=100 * (rr - 1), ci_low_pct=100 * (low - 1), ci_high_pct=100 * (high - 1),
               significant=bool(high < 1 or low > 1))
    return out


# WDQ readings (Bowers & Johnson 2003, table 1; Guerette 2009, appendix C).
WDQ_DIFFUSION_GREATER = "diffusion_greater"      # WDQ > 1
WDQ_DIFFUSION = "diffusion"                      # 0 < WDQ <= 1
WDQ_NONE = "no_displacement"                     # WDQ = 0
WDQ_DISPLACEMENT = "displacement"                # -1 <= WDQ < 0
WDQ_BACKFIRE = "displacement_greater"            # WDQ < -1


def classify_wdq(value: float, *, tolerance: float = 1e-9) -> str:
    if abs(value) <= tolerance:
        return WDQ_NONE
    if value > 1:
        return WDQ_DIFFUSION_GREATER
    if value > 0:
        return WDQ_DIFFUSION
    if value >= -1:
        return WDQ_DISPLACEMENT
    return WDQ_BACKFIRE


def wdq(t_before: float, t_after: float, b_before: float, b_after: float, c_before: float,
        c_after: float) -> dict:
    """The Weighted Displacement Quotient with its two parts; never divides by zero.

    ``meaningful`` is True only when the success measure is negative (the place improved against the
    control); otherwise ``reason`` says why the quotient is not read.
    """
    out = {"computable": False, "meaningful": False, "success_measure": None, "buffer_measure": None,
           "wdq": None, "reading": None, "reason": None}
    check_counts(t_before, t_after, b_before, b_after, c_before, c_after)
    if c_before == 0 or c_after == 0:
        out["reason"] = "control_zero"
        return out
    success = t_after / c_after - t_before / c_before
    buffer = b_after / c_after - b_before / c_before
    out.update(success_measure=success, buffer_measure=buffer)
    if success >= 0:
        out["reason"] = "no_success"
        return out
    value = buffer / success
    out.update(computable=True, meaningful=True, wdq=value, reading=classify_wdq(value))
    return out


def total_net_effect(t_before, t_after, b_before, b_after, c_before, c_after) -> float | None:
    """Guerette (2009) eq. 4: incidents prevented at the place plus in the buffer, given the control's
    trend (positive: fewer incidents than expected). None when the control had none before."""
    check_counts(t_before, t_after, b_before, b_after, c_before, c_after)
    if c_before == 0:
        return None
    trend = c_after / c_before
    return (t_before * trend - t_after) + (b_before * trend - b_after)


def wdd(treated: tuple[float, float], control: tuple[float, float],
        disp_treated: tuple[float, float] = (0, 0), disp_control: tuple[float, float] = (0, 0), *,
        area_weights: tuple[float, float, float, float] = (1, 1, 1, 1), z: float = Z95) -> dict:
    """The Weighted Displacement Difference of Wheeler & Ratcliffe (2018), with Wheeler's area weights.

    Each argument is ``(before, after)``; ``area_weights`` are ``(control, treated, disp_control,
    disp_treated)`` as in ptools' ``wdd()``. Estimates are in incidents (per unit of area when weighted);
    negative means fewer incidents than the controls' development predicts.
    """
    wc, wt, wdc, wdt = area_weights
    if min(area_weights) <= 0:
        raise ValueError("area weights must be positive")
    local = (treated[1] - treated[0]) / wt - (control[1] - control[0]) / wc
    var_local = (treated[0] + treated[1]) / wt ** 2 + (control[0] + control[1]) / wc ** 2
    displace = (disp_treated[1] - disp_treated[0]) / wdt - (disp_control[1] - disp_control[0]) / wdc
    var_displace = (disp_treated[0] + disp_treated[1]) / wdt ** 2 + (disp_control[0] + disp_control[1]) / wdc ** 2
    return _wdd_result(local, var_local, displace, var_displace, local + displace, var_local + var_displace, z)


def net_effect(t_before: float, t_after: float, b_before: float, b_after: float, c_before: float,
               c_after: float, *, z: float = Z95) -> dict:
    """Incidents prevented at the place and in the buffer, with a confidence interval; one control for both.

    The estimate is the WDD with the control scaled to the place's (and the buffer's) level in the before
    period — ptools' area weights set to ``c_before / t_before`` (and ``c_before / b_before``) — so the
    counterfactual is the same proportional one the rate ratio uses, and the total equals minus Guerette's
    total net effect: ``prevented = (Tb + Bb)·Ca/Cb − Ta − Ba``. Because those weights come from the data, the
    variance is the delta method's for that expression under Poisson counts (checked by simulation in the
    tests) rather than the fixed-weight WDD variance:
    ``Var = Ta + Ba + r²(Tb + Bb) + S²·Ca/Cb² + S²·Ca²/Cb³`` with ``r = Ca/Cb`` and ``S = Tb + Bb``.
    ``local``, ``displacement`` and ``total`` follow the WDD's sign (negative: fewer incidents than expected).
    """
    if c_before <= 0:
        return {"computable": False, "reason": "control_zero"}
    r = c_after / c_before

    def part(before, after):
        estimate = after - before * r
        variance = after + r * r * before + before ** 2 * c_after / c_before ** 2 + \
            before ** 2 * c_after ** 2 / c_before ** 3
        return estimate, variance

    local, var_local = part(t_before, t_after)
    displace, var_displace = part(b_before, b_after)
    total, var_total = part(t_before + b_before, t_after + b_after)
    out = _wdd_result(local, var_local, displace, var_displace, total, var_total, z)
    # The same numbers counted as incidents prevented (Guerette's sign): positive is good.
    out.update(prevented=-total, prevented_ci_low=-out["ci_high"], prevented_ci_high=-out["ci_low"],
               prevented_place=-local, prevented_buffer=-displace)
    return out


def _wdd_result(local, var_local, displace, var_displace, total, var_total, z) -> dict:
    se_total = math.sqrt(var_total)
    out = {"local": local, "se_local": math.sqrt(var_local), "displacement": displace,
           "se_displacement": math.sqrt(var_displace), "total": total, "se_total": se_total,
           "z": None, "ci_low": total - z * se_total, "ci_high": total + z * se_total, "significant": None,
           "computable": var_total > 0}
    if var_total > 0:
        out["z"] = total / se_total
        out["significant"] = bool(out["ci_high"] < 0 or out["ci_low"] > 0)
    return out


@dataclass(frozen=True)
class Periods:
    intervention: date
    weeks: int
    before_start: date
    after_end: date  # exclusive

    @property
    def before_end(self) -> date:
        return self.intervention

    def as_dict(self) -> dict:
        return {"intervention": self.intervention.isoformat(), "weeks": self.weeks,
                "before_start": self.before_start.isoformat(), "before_end": self.intervention.isoformat(),
                "after_start": self.intervention.isoformat(), "after_end": self.after_end.isoformat()}


class PeriodError(ValueError):
    """Too little history before or after the intervention date. ``code`` is "before" or "after"."""

    def __init__(self, code: str, available_before: int, available_after: int):
        super().__init__(code)
        self.code = code
        self.available_before = available_before
        self.available_after = available_after


def choose_periods(intervention: date, *, data_start: date | None, data_end: date, weeks: int | None = None,
                   max_weeks: int = MAX_WEEKS) -> tuple[Periods, bool]:
    """Equal before/after periods of whole weeks around ``intervention``.

    ``data_start`` is the first day with data, ``data_end`` the day after the last one to use (exclusive).
    Without ``weeks``: as many whole weeks as both sides have, up to ``max_weeks``. With ``weeks`` larger
    than what is available the periods are shortened, and the second value returned is True.
    Raises PeriodError when one side has less than a whole week.
    """
    before_days = (intervention - data_start).days if data_start else 0
    after_days = (data_end - intervention).days
    available_before = max(0, before_days // 7)
    available_after = max(0, after_days // 7)
    if available_before < 1:
        raise PeriodError("before", available_before, available_after)
    if available_after < 1:
        raise PeriodError("after", available_before, available_after)
    available = min(available_before, available_after)
    wanted = weeks if weeks else min(available, max_weeks)
    shortened = wanted > available
    n = min(wanted, available)
    return Periods(intervention, n, intervention - timedelta(weeks=n), intervention + timedelta(weeks=n)), shortened


def caveats(counts: Counts, periods: Periods, *, place_history_weeks: int = 0, place_history_count: int = 0,
            control_overlap: bool = False, control_swallowed: bool = False, corrected: bool = False) -> list[dict]:
    """The caveats that apply, as ``{"code": ..., **numbers}``; the wording is the caller's.

    ``place_history_*``: incidents at the place in the time before the before period (for regression
    to the mean).
    """
    out = []
    values = counts.as_dict()
    small = {k: v for k, v in values.items() if v < SMALL_COUNT}
    if small:
        out.append({"code": "small_numbers", "smallest": min(values.values()), "threshold": SMALL_COUNT,
                    "cells": sorted(small)})
    if corrected:
        out.append({"code": "continuity_correction", "added": CONTINUITY})
    if periods.weeks < 52:
        out.append({"code": "seasonality", "weeks": periods.weeks})
    if place_history_weeks >= RTM_MIN_WEEKS:
        long_rate = place_history_count / place_history_weeks
        before_rate = counts.t_before / periods.weeks
        if counts.t_before >= 5 and before_rate > RTM_FACTOR * long_rate:
            out.append({"code": "regression_to_mean", "before_rate": before_rate, "long_rate": long_rate,
                        "history_weeks": place_history_weeks})
    if control_overlap:
        out.append({"code": "control_overlap"})
    if control_swallowed:
        out.append({"code": "buffer_swallows_control"})
    return out


def weekly_series(days_since_start, weeks: int) -> list[int]:
    """Counts per week from day offsets (floats or ints, days since the before period's start)."""
    import numpy as np

    idx = np.floor(np.asarray(days_since_start, float) / 7).astype(int)
    idx = idx[(idx >= 0) & (idx < 2 * weeks)]
    return np.bincount(idx, minlength=2 * weeks).astype(int).tolist()
