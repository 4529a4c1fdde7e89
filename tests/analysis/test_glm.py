"""Tests of the batched quasi-Poisson IRLS (samtrygg.analysis._glm)."""

import numpy as np
import pytest

from samtrygg.analysis._glm import fit_quasipoisson, group_bounds, matmul_by_group


def _design(n):
    t = np.arange(n)
    angle = 2 * np.pi * t / 52
    return np.column_stack([np.ones(n), t / 52, np.cos(angle) - 1, np.sin(angle)])


def test_groups_fitted_together_equal_groups_fitted_alone():
    """One call with several groups gives, for each group, exactly (bit for bit) the fit of a call with
    that group only: the same number of iterations (a group stops when all its rows converged) and the
    same rounding."""
    rng = np.random.default_rng(1)
    X = _design(150)
    y = rng.poisson(rng.gamma(1.0, 3.0, size=(70, 1)), size=(70, 150)).astype(float)
    y[3] = 0  # needs many iterations: its group iterates longer than the others
    y[40, 7] = 1
    w = (rng.random((70, 150)) > 0.1).astype(float)
    sizes = [1, 2, 7, 30, 30]
    groups = np.repeat(np.arange(len(sizes)), sizes)
    together = fit_quasipoisson(X, y, w, groups=groups)
    start = 0
    for size in sizes:
        rows = slice(start, start + size)
        alone = fit_quasipoisson(X, y[rows], w[rows])
        for name in ("beta", "cov_unscaled", "mu", "hat", "dispersion", "df", "converged"):
            np.testing.assert_array_equal(getattr(together, name)[rows], getattr(alone, name), err_msg=name)
        start += size
    assert together.converged.all()


def test_fit_recovers_a_known_rate():
    rng = np.random.default_rng(2)
    X = np.ones((400, 1))
    y = rng.poisson(5.0, size=(3, 400)).astype(float)
    fit = fit_quasipoisson(X, y, np.ones_like(y))
    np.testing.assert_allclose(np.exp(fit.beta[:, 0]), y.mean(axis=1), rtol=1e-9)
    assert np.all(np.abs(fit.dispersion - 1) < 0.25)


def test_groups_must_be_sorted():
    with pytest.raises(ValueError):
        fit_quasipoisson(np.ones((5, 1)), np.ones((3, 5)), np.ones((3, 5)), groups=[1, 0, 1])


def test_matmul_by_group():
    rng = np.random.default_rng(3)
    a, b = rng.random((9, 4)), rng.random((4, 3))
    bounds = group_bounds(np.array([0, 0, 1, 1, 1, 2, 5, 5, 5]))
    assert bounds == [(0, 2), (2, 5), (5, 6), (6, 9)]
    np.testing.assert_allclose(matmul_by_group(a, b, bounds), a @ b, rtol=1e-14)
    assert group_bounds(np.array([])) == []
