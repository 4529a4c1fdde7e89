"""The evaluation statistics against published worked examples and a Poisson GLM."""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pytest

from samtrygg.analysis import evaluation as ev


def test_rate_ratio_matches_wheeler_example_of_wilsons_relative_irr():
    """Worked example: A. P. Wheeler, "Comparing the WDD vs the Wilson log IRR estimator"
    (andrewpwheeler.com, 2021), for Wilson (2022, J. Quant. Criminol. 38) relative incident rate ratio:
    treated 50 -> 30, control 60 -> 55 gives log IRR = -0.4238142 and IRR = 0.6545455 (a 35 % fall)."""
    rr = ev.rate_ratio(50, 30, 60, 55)
    assert rr["log_rr"] == pytest.approx(-0.4238142, abs=1e-7)
    assert rr["rr"] == pytest.approx(0.6545455, abs=1e-7)
    assert rr["change_pct"] == pytest.approx(-34.54545, abs=1e-4)
    # Var(log RR) = 1/50 + 1/30 + 1/60 + 1/55 (Farrington & Welsh's relative effect size variance).
    assert rr["se"] == pytest.approx(math.sqrt(1 / 50 + 1 / 30 + 1 / 60 + 1 / 55))
    assert not rr["corrected"]


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("cells", [(50, 30, 60, 55), (120, 70, 400, 390), (12, 20, 30, 25), (7, 3, 900, 1100)])
def test_rate_ratio_and_ci_equal_poisson_glm_interaction(cells):
    """exp(interaction coefficient) of a Poisson GLM with group × period is the RR, with the same Wald CI."""
    import statsmodels.api as sm

    tb, ta, cb, ca = cells
    y = np.array([tb, ta, cb, ca], float)
    treated = np.array([1, 1, 0, 0])
    after = np.array([0, 1, 0, 1])
    X = sm.add_constant(np.column_stack([treated, after, treated * after]).astype(float))
    fit = sm.GLM(y, X, family=sm.families.Poisson()).fit()
    low, high = np.exp(fit.conf_int()[3])
    rr = ev.rate_ratio(tb, ta, cb, ca)
    assert rr["rr"] == pytest.approx(math.exp(fit.params[3]), rel=1e-6)
    assert rr["se"] == pytest.approx(fit.bse[3], rel=1e-6)
    assert rr["ci_low"] == pytest.approx(low, rel=1e-6)
    assert rr["ci_high"] == pytest.approx(high, rel=1e-6)


def test_significance_reads_the_interval():
    assert ev.rate_ratio(100, 50, 1000, 1000)["significant"] is True   # CI well below 1
    assert ev.rate_ratio(12, 10, 100, 100)["significant"] is False


def test_wdq_guerette_appendix_b_formulas_and_readings():
    """Guerette (2009), Analyzing Crime Displacement and Diffusion, POP Center Tool Guide 10, appendix B:
    success measure = Ra/Ca − Rb/Cb, buffer displacement measure = Da/Ca − Db/Cb, WDQ = their quotient,
    TNE = [Rb(Ca/Cb) − Ra] + [Db(Ca/Cb) − Da]; appendix C gives the reading table.

    Worked numbers (response 100 -> 50, buffer 80 -> 60, control 200 -> 200):
    success = 50/200 − 100/200 = −0.25; buffer = 60/200 − 80/200 = −0.10; WDQ = 0.4 (diffusion of
    benefit); TNE = (100 − 50) + (80 − 60) = 70 incidents prevented."""
    out = ev.wdq(100, 50, 80, 60, 200, 200)
    assert out["success_measure"] == pytest.approx(-0.25)
    assert out["buffer_measure"] == pytest.approx(-0.10)
    assert out["wdq"] == pytest.approx(0.4)
    assert out["reading"] == ev.WDQ_DIFFUSION
    assert ev.total_net_effect(100, 50, 80, 60, 200, 200) == pytest.approx(70)
    # Complete displacement: what left the place turned up in the buffer (WDQ = −1 exactly).
    full = ev.wdq(100, 50, 100, 150, 100, 100)
    assert full["wdq"] == pytest.approx(-1.0)
    assert full["reading"] == ev.WDQ_DISPLACEMENT
    assert ev.total_net_effect(100, 50, 100, 150, 100, 100) == pytest.approx(0)


@pytest.mark.parametrize(("value", "reading"), [
    (1.5, ev.WDQ_DIFFUSION_GREATER), (1.0, ev.WDQ_DIFFUSION), (0.2, ev.WDQ_DIFFUSION), (0.0, ev.WDQ_NONE),
    (-0.3, ev.WDQ_DISPLACEMENT), (-1.0, ev.WDQ_DISPLACEMENT), (-1.2, ev.WDQ_BACKFIRE)])
def test_wdq_interpretation_table(value, reading):
    assert ev.classify_wdq(value) == reading


def test_wdq_not_read_when_the_place_did_not_improve():
    out = ev.wdq(50, 60, 10, 5, 100, 100)
    assert out["success_measure"] == pytest.approx(0.1)
    assert out["meaningful"] is False and out["wdq"] is None and out["reason"] == "no_success"


def test_zero_counts_never_divide_by_zero():
    assert ev.wdq(10, 5, 3, 4, 0, 20)["reason"] == "control_zero"
    assert ev.total_net_effect(10, 5, 3, 4, 0, 20) is None
    none = ev.rate_ratio(0, 0, 10, 12)
    assert none["computable"] is False and none["reason"] == "no_place_incidents"
    assert ev.rate_ratio(4, 5, 0, 0)["reason"] == "no_control_incidents"
    corrected = ev.rate_ratio(6, 0, 40, 42)
    assert corrected["computable"] and corrected["corrected"]
    assert corrected["rr"] == pytest.approx((0.5 / 6.5) / (42.5 / 40.5))


def test_periods_whole_weeks_up_to_52_and_errors():
    periods, shortened = ev.choose_periods(date(2025, 6, 2), data_start=date(2023, 1, 1), data_end=date(2025, 8, 4))
    assert periods.weeks == 9 and not shortened
    assert periods.before_start == date(2025, 3, 31) and periods.after_end == date(2025, 8, 4)
    long, _ = ev.choose_periods(date(2025, 6, 2), data_start=date(2020, 1, 1), data_end=date(2028, 1, 1))
    assert long.weeks == 52
    cut, shortened = ev.choose_periods(date(2025, 6, 2), data_start=date(2023, 1, 1),
                                       data_end=date(2025, 8, 4), weeks=20)
    assert cut.weeks == 9 and shortened
    with pytest.raises(ev.PeriodError) as err:
        ev.choose_periods(date(2025, 6, 2), data_start=date(2025, 5, 30), data_end=date(2025, 8, 4))
    assert err.value.code == "before"
    with pytest.raises(ev.PeriodError) as err:
        ev.choose_periods(date(2025, 6, 2), data_start=date(2024, 1, 1), data_end=date(2025, 6, 6))
    assert err.value.code == "after"


def test_caveats():
    periods = ev.Periods(date(2025, 6, 2), 10, date(2025, 3, 24), date(2025, 8, 11))
    counts = ev.Counts(40, 12, 30, 28, 300, 310)
    codes = {c["code"]: c for c in ev.caveats(counts, periods, place_history_weeks=100, place_history_count=100,
                                              control_overlap=True, control_swallowed=True)}
    assert codes["seasonality"]["weeks"] == 10
    assert codes["regression_to_mean"]["before_rate"] == pytest.approx(4.0)
    assert codes["regression_to_mean"]["long_rate"] == pytest.approx(1.0)
    assert "small_numbers" not in codes
    assert {"control_overlap", "buffer_swallows_control"} <= set(codes)
    year = ev.Periods(date(2025, 6, 2), 52, date(2024, 6, 3), date(2026, 6, 1))
    calm = {c["code"]: c for c in ev.caveats(ev.Counts(40, 30, 8, 9, 300, 310), year,
                                             place_history_weeks=100, place_history_count=80)}
    assert set(calm) == {"small_numbers"}
    assert calm["small_numbers"]["smallest"] == 8 and calm["small_numbers"]["cells"] == ["b_after", "b_before"]


def test_weekly_series():
    assert ev.weekly_series([0, 0.5, 6.9, 7, 13.99, 14, 27.9, 28, -1], 2) == [3, 2, 1, 1]


def test_wdd_matches_wheeler_and_ratcliffe_2018_worked_example():
    """Wheeler & Ratcliffe (2018), Crime Science 7:11, the worked example of the paper (also the test of
    Wheeler's R package ptools): treated 207 -> 110, its control 308 -> 318, displacement area 178 -> 157,
    its control 150 -> 140. The paper gives WDD = -118, variance 1568 (every count once), z = -2.98 and the
    95 % confidence interval -196 to -40."""
    out = ev.wdd((207, 110), (308, 318), (178, 157), (150, 140))
    assert out["local"] == pytest.approx(-107)
    assert out["displacement"] == pytest.approx(-11)
    assert out["total"] == pytest.approx(-118)
    assert out["se_total"] == pytest.approx(math.sqrt(1568))
    assert round(out["z"], 2) == -2.98
    assert (round(out["ci_low"]), round(out["ci_high"])) == (-196, -40)
    assert out["significant"] is True


def test_wdd_area_weights_match_wheelers_published_example():
    """A. P. Wheeler, "The WDD test with different area sizes" (2021), reproduced in ptools' tests: the same
    counts with areas control 0.9, treated 1.2, displacement control 1.6, displacement 1.5 give
    WDD -99.69444444, SE 35.4280755, z -2.813995483, 95 % CI -169.1321965 to -30.25669241 (local -91.9,
    SE 31.5)."""
    out = ev.wdd((207, 110), (308, 318), (178, 157), (150, 140), area_weights=(0.9, 1.2, 1.6, 1.5))
    assert out["total"] == pytest.approx(-99.69444444, abs=1e-7)
    assert out["se_total"] == pytest.approx(35.4280755, abs=1e-7)
    assert out["z"] == pytest.approx(-2.813995483, abs=1e-8)
    assert out["ci_low"] == pytest.approx(-169.1321965, abs=1e-6)
    assert out["ci_high"] == pytest.approx(-30.25669241, abs=1e-6)
    assert (round(out["local"], 1), round(out["se_local"], 1)) == (-91.9, 31.5)


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("cells", [(50, 30, 60, 55), (207, 110, 308, 318), (12, 20, 30, 25)])
def test_wdd_local_equals_identity_link_poisson_glm(cells):
    """Wheeler's reading of the WDD: the interaction of an identity-link Poisson regression of the four counts,
    with the same standard error."""
    import statsmodels.api as sm

    tb, ta, cb, ca = cells
    y = np.array([tb, ta, cb, ca], float)
    treated = np.array([1, 1, 0, 0])
    after = np.array([0, 1, 0, 1])
    X = sm.add_constant(np.column_stack([treated, after, treated * after]).astype(float))
    fit = sm.GLM(y, X, family=sm.families.Poisson(link=sm.families.links.Identity())).fit()
    out = ev.wdd((tb, ta), (cb, ca))
    assert out["local"] == pytest.approx(fit.params[3], rel=1e-6)
    assert out["se_local"] == pytest.approx(fit.bse[3], rel=1e-5)


def test_net_effect_is_the_wdd_with_the_control_scaled_to_the_place_and_equals_guerettes_tne():
    """One control for the place and the buffer: weighting it to each one's before-period level (ptools' area
    weights c_before / t_before) gives the WDD of that counterfactual, which is minus Guerette's (2009) total
    net effect, eq. 4."""
    counts = (60, 35, 80, 70, 400, 380)
    out = ev.net_effect(*counts)
    tb, ta, bb, ba, cb, ca = counts
    weighted = ev.wdd((tb, ta), (cb, ca), (bb, ba), (cb, ca), area_weights=(cb / tb, 1, cb / bb, 1))
    assert out["local"] == pytest.approx(weighted["local"])
    assert out["displacement"] == pytest.approx(weighted["displacement"])
    assert out["total"] == pytest.approx(weighted["total"])
    assert out["prevented"] == pytest.approx(ev.total_net_effect(*counts))
    assert out["prevented_place"] + out["prevented_buffer"] == pytest.approx(out["prevented"])
    assert (out["prevented_ci_low"], out["prevented_ci_high"]) == pytest.approx((-out["ci_high"], -out["ci_low"]))


@pytest.mark.parametrize("counts", [(60, 35, 80, 70, 400, 380), (25, 12, 40, 44, 90, 70), (200, 80, 150, 160,
                                                                                         1500, 1400)])
def test_net_effect_variance_matches_a_poisson_simulation(counts):
    """The delta-method standard error, against the spread of the estimate when all six counts are redrawn
    from Poisson distributions with the observed means (200 000 draws)."""
    rng = np.random.default_rng(11)
    draws = rng.poisson(counts, size=(200_000, 6)).astype(float)
    tb, ta, bb, ba, cb, ca = draws.T
    ok = cb > 0
    prevented = (tb + bb)[ok] * ca[ok] / cb[ok] - ta[ok] - ba[ok]
    local = tb[ok] * ca[ok] / cb[ok] - ta[ok]
    out = ev.net_effect(*counts)
    assert out["se_total"] == pytest.approx(prevented.std(), rel=0.03)
    assert out["se_local"] == pytest.approx(local.std(), rel=0.03)


def test_wdd_without_any_incident_is_not_computable():
    out = ev.wdd((0, 0), (0, 0))
    assert out["computable"] is False and out["z"] is None and out["total"] == 0
    assert ev.net_effect(5, 3, 2, 2, 0, 10) == {"computable": False, "reason": "control_zero"}
    none = ev.net_effect(0, 0, 0, 0, 10, 12)
    assert none["computable"] is False and none["prevented"] == 0
    with pytest.raises(ValueError):
        ev.wdd((1, 1), (1, 1), area_weights=(0, 1, 1, 1))
