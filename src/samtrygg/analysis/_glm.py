"""Batched quasi-Poisson GLM (log link) fitted by IRLS on many series at once, numpy only.

statsmodels fits one GLM at a time (about a millisecond each plus Python overhead); a municipality has
hundreds of series and a backtest hundreds of weeks, so we fit them all in one go: every series shares
the design matrix ``X`` (weeks x parameters) and differs in its counts ``y`` and prior weights ``w``
(zero for weeks that do not count, e.g. before the series' history starts). Each IRLS step is one
batched ``X' W X`` product and one batched ``solve``. Rows can be split into groups (e.g. the series of one
judged week each) that are computed exactly as separate calls would be (see :func:`fit_quasipoisson`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

_ETA_MIN, _ETA_MAX = np.log(1e-8), np.log(1e9)


@dataclass
class GLMFit:
    """Result of :func:`fit_quasipoisson` for S series and p parameters.

    ``beta`` (S, p); ``cov_unscaled`` (S, p, p) = (X'WX)^-1; ``mu`` (S, n) fitted means; ``hat`` (S, n)
    leverages; ``dispersion`` (S,) Pearson estimate sum(w (y-mu)^2/mu)/(n-p) (not floored at 1);
    ``df`` (S,) residual degrees of freedom; ``converged`` (S,) bool.
    """

    beta: np.ndarray
    cov_unscaled: np.ndarray
    mu: np.ndarray
    hat: np.ndarray
    dispersion: np.ndarray
    df: np.ndarray
    converged: np.ndarray
    prior_weights: np.ndarray


def group_bounds(groups: np.ndarray) -> list[tuple[int, int]]:
    """``[(start, stop), ...]`` of the runs of equal labels in ``groups`` (rows sorted by group)."""
    groups = np.asarray(groups)
    if not groups.size:
        return []
    cuts = np.flatnonzero(groups[1:] != groups[:-1]) + 1
    edges = [0, *cuts.tolist(), groups.size]
    return list(zip(edges[:-1], edges[1:], strict=True))


def matmul_by_group(
    a: np.ndarray, b: np.ndarray, bounds: list[tuple[int, int]], out: np.ndarray | None = None
) -> np.ndarray:
    """``a @ b`` computed separately for each row block ``a[start:stop]`` of ``bounds``.

    OpenBLAS rounds a row of a matrix product differently depending on how many rows the product has
    (it picks other kernels for small or ragged sizes), so a row's result depends on which other rows
    share the call. Multiplying each group on its own makes every group's numbers exactly those of a
    call with that group alone, whatever else is in the batch.
    """
    if len(bounds) <= 1:
        return np.matmul(a, b, out=out)
    if out is None:
        out = np.empty(a.shape[:1] + b.shape[1:])
    for start, stop in bounds:
        np.matmul(a[start:stop], b, out=out[start:stop])
    return out


def fit_quasipoisson(
    X: np.ndarray, y: np.ndarray, w: np.ndarray, *, groups: np.ndarray | None = None, max_iter: int = 30,
    tol: float = 1e-8, ridge: float = 1e-8,
) -> GLMFit:
    """Fit ``log E[y] = X beta`` with prior weights ``w`` for every row of ``y`` (S, n).

    A tiny ridge term keeps the normal equations solvable when a parameter has no information (a
    seasonal period without any week in the history, or with only zeros, whose coefficient would run
    off to minus infinity); it changes well-determined fits by far less than their standard error.

    ``groups`` (S,), sorted, labels rows that form one batch: IRLS stops for a group at the first
    iteration where all its rows have converged (or after ``max_iter``), and its matrix products are
    computed on their own (:func:`matmul_by_group`). The result for each group is therefore exactly
    that of fitting the group's rows alone, so one call can hold the batches of many judged weeks and
    still give every week the same numbers as a call of its own. Without ``groups`` all rows are one
    group. Rows of finished groups drop out of the remaining iterations.
    """
    X = np.asarray(X, float)
    y = np.asarray(y, float)
    w = np.asarray(w, float)
    S, n = y.shape
    p = X.shape[1]
    has_info = (w > 0).astype(float) @ (X != 0).astype(float) > 0  # (S, p): parameter is estimable
    rank = has_info.sum(axis=1)
    if groups is None:
        group = np.zeros(S, dtype=np.intp)
    else:
        group = np.asarray(groups).reshape(S)
        if np.any(group[1:] < group[:-1]):
            raise ValueError("groups must be sorted")
        group = np.unique(group, return_inverse=True)[1].reshape(S)
    n_groups = int(group[-1]) + 1 if S else 0
    ridge_matrix = ridge * np.eye(p)
    # Row-wise outer products x_i x_i' flattened: X'WX for every series is then one matrix product
    # W @ XX (series x p*p), much faster than a batched einsum.
    XX = (X[:, :, None] * X[:, None, :]).reshape(n, p * p)
    beta_all = np.zeros((S, p))
    mu_all = np.ones((S, n))
    converged_all = np.zeros(S, bool)
    # The working arrays hold the rows still iterating (all of them at first).
    rows = np.arange(S)
    ya, wa, ga = y, w, group
    bounds = group_bounds(ga)
    y_pos = np.where(ya > 0, ya, 1.0)
    mu = np.where(wa > 0, ya + 0.1, 1.0)  # R's quasipoisson start: mustart = y + 0.1
    eta = np.log(mu)
    resid = ya - mu
    dev_old = np.full(S, np.inf)
    W, work = np.empty_like(mu), np.empty_like(mu)
    for iteration in range(max_iter):
        if not rows.size:
            break
        # In-place arithmetic on preallocated arrays: the same operations in the same order as the
        # textbook form (z = eta + (y - mu) / mu, ...), hence the same numbers, without new arrays.
        np.multiply(wa, mu, out=W)
        A = matmul_by_group(W, XX, bounds).reshape(-1, p, p)
        A += ridge_matrix
        np.divide(resid, mu, out=work)
        work += eta  # z = eta + (y - mu) / mu, the working response
        work *= W
        rhs = matmul_by_group(work, X, bounds)
        beta = np.linalg.solve(A, rhs[:, :, None])[:, :, 0]
        matmul_by_group(beta, X.T, bounds, out=eta)
        np.clip(eta, _ETA_MIN, _ETA_MAX, out=eta)
        np.exp(eta, out=mu)
        np.subtract(ya, mu, out=resid)
        # deviance terms y log(y/mu) - (y - mu); where y == 0 the first term is 0 * finite = 0
        np.divide(y_pos, mu, out=work)
        np.log(work, out=work)
        work *= ya
        work -= resid
        work *= wa
        dev = 2 * np.sum(work, axis=1)
        converged = np.abs(dev - dev_old) / (np.abs(dev) + 0.1) < tol
        dev_old = dev
        if iteration == max_iter - 1:
            done = np.ones(rows.size, bool)
        else:
            pending = np.bincount(ga, weights=~converged, minlength=n_groups)
            done = pending[ga] == 0
        if done.any():
            finished = rows[done]
            beta_all[finished] = beta[done]
            mu_all[finished] = mu[done]
            converged_all[finished] = converged[done]
            if done.all():
                break
            keep = ~done
            rows, ya, wa, ga, y_pos = rows[keep], ya[keep], wa[keep], ga[keep], y_pos[keep]
            mu, eta, resid, dev_old = mu[keep], eta[keep], resid[keep], dev_old[keep]
            bounds = group_bounds(ga)
            W, work = np.empty_like(mu), np.empty_like(mu)
    mu = mu_all
    bounds = group_bounds(group)
    W = w * mu
    A = matmul_by_group(W, XX, bounds).reshape(S, p, p) + ridge_matrix
    cov = np.linalg.inv(A)
    hat = W * matmul_by_group(cov.reshape(S, p * p), XX.T, bounds)  # w_i mu_i x_i' (X'WX)^-1 x_i
    df = np.maximum((w > 0).sum(axis=1) - rank, 1)
    dispersion = np.sum(w * (y - mu) ** 2 / mu, axis=1) / df
    return GLMFit(beta_all, cov, mu, hat, dispersion, df, converged_all, w)


def anscombe_residuals(y: np.ndarray, fit: GLMFit, phi: np.ndarray) -> np.ndarray:
    """Standardised Anscombe residuals of a Poisson-family fit, as ``surveillance::anscombe.residuals``."""
    mu = fit.mu
    a = 1.5 * (np.power(y, 2 / 3) * np.power(mu, -1 / 6) - np.sqrt(mu))
    return a / np.sqrt(phi[:, None] * np.clip(1 - fit.hat, 1e-6, None))


def noufaily_weights(s: np.ndarray, w: np.ndarray, threshold: float = 2.58) -> np.ndarray:
    """Down-weight weeks with Anscombe residual above ``threshold`` (weight ~ s^-2), rescaled so that the
    weights of the counted weeks (``w > 0``) sum to their number, as ``algo.farrington.assign.weights``."""
    valid = w > 0
    raw = np.where(s > threshold, 1.0 / np.maximum(s, 1e-12) ** 2, 1.0)
    raw = np.where(valid, raw, 0.0)
    gamma = valid.sum(axis=1) / np.maximum(raw.sum(axis=1), 1e-12)
    return raw * gamma[:, None]
