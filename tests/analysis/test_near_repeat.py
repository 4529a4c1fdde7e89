"""The Knox near-repeat table (samtrygg.analysis.near_repeat) against independent references:

* a brute-force O(n²) numpy count written here from the band definitions (observed table, and the
  permutation expected counts and p-values recomputed with the same random shuffles);
* the published Burkitt's lymphoma example (Williams et al. 1978; the standard Knox example in PySAL:
  ``pointpats.Knox(..., delta=20, tau=5)`` gives the 2 × 2 table [[13, 3416], [39, 14110]] and the
  analytical expected 10.1438 for the close-close cell — pointpats' test suite), read from libpysal's
  copy of the data;
* statistical behaviour: p-values roughly uniform under no interaction, and planted near-repeats found.
"""

from __future__ import annotations

import numpy as np
import pytest

from samtrygg.analysis import near_repeat as nr


def brute_force_table(x, y, t, b, n_space, d, n_time):
    """Every pair, from the definitions: rows same location, (0,b], …, ((n-1)b, nb], > nb;
    columns [0,d], (d,2d], …, > n_time·d."""
    n = len(x)
    iu, ju = np.triu_indices(n, k=1)
    dist = np.sqrt((x[iu] - x[ju]) ** 2 + (y[iu] - y[ju]) ** 2)
    dt = np.abs(t[iu] - t[ju])
    table = np.zeros((n_space + 2, n_time + 1), dtype=np.int64)
    for r in range(n_space + 2):
        if r == 0:
            in_row = dist == 0
        elif r <= n_space:
            in_row = (dist > (r - 1) * b) & (dist <= r * b)
        else:
            in_row = dist > n_space * b
        for c in range(n_time + 1):
            if c == 0:
                in_col = dt <= d
            elif c < n_time:
                in_col = (dt > c * d) & (dt <= (c + 1) * d)
            else:
                in_col = dt > n_time * d
            table[r, c] = int(np.sum(in_row & in_col))
    return table


def random_events(n, seed, side=2000.0, days=365):
    rng = np.random.default_rng(seed)
    x = np.round(rng.uniform(0, side, n), 0)
    y = np.round(rng.uniform(0, side, n), 0)
    t = rng.integers(0, days, n).astype(float)
    # some exact repeats at the same address, and pairs exactly on a band edge (100 m, 7 days)
    x[1], y[1] = x[0], y[0]
    x[3], y[3] = x[2] + 100.0, y[2]
    t[3] = t[2] + 7
    return x, y, t


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_observed_table_equals_brute_force(seed):
    x, y, t = random_events(400, seed)
    result = nr.knox_test(x, y, t, space_band=100, time_band=7, n_space=5, n_time=4, permutations=19)
    expected = brute_force_table(x, y, t, 100, 5, 7, 4)
    np.testing.assert_array_equal(result.observed, expected)
    assert result.observed.sum() == 400 * 399 // 2 == result.n_pairs
    assert result.observed[0].sum() >= 1  # the planted same-location pair is in the first row


def test_expected_and_p_values_equal_a_brute_force_permutation_run():
    x, y, t = random_events(150, 7)
    perms, seed = 39, 99
    result = nr.knox_test(x, y, t, space_band=150, time_band=10, n_space=3, n_time=3, permutations=perms, seed=seed)
    observed = brute_force_table(x, y, t, 150, 3, 10, 3)
    rng = np.random.default_rng(seed)  # the documented procedure: shuffle the times, keep the places
    sims = np.array([brute_force_table(x, y, rng.permutation(t), 150, 3, 10, 3) for _ in range(perms)])
    np.testing.assert_allclose(result.expected, sims.mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(result.p_value, (1 + (sims >= observed).sum(axis=0)) / (1 + perms), rtol=1e-12)
    with np.errstate(invalid="ignore", divide="ignore"):
        np.testing.assert_allclose(result.ratio, np.where(sims.mean(axis=0) > 0, observed / sims.mean(axis=0),
                                                          np.nan), rtol=1e-12)


def _burkitt():
    libpysal = pytest.importorskip("libpysal")
    db = libpysal.io.open(libpysal.examples.get_path("burkitt.dbf"))
    return (np.array(db.by_col("X"), float), np.array(db.by_col("Y"), float), np.array(db.by_col("T"), float))


def test_burkitt_worked_example():
    x, y, t = _burkitt()
    assert len(x) == 188
    # one space band of 20 and one time band of 5: close = d <= 20 (incl. same place), dt <= 5
    result = nr.knox_test(x, y, t, space_band=20, time_band=5, n_space=1, n_time=1, permutations=999, seed=3)
    close_space = result.observed[:2].sum(axis=0)
    table = np.array([close_space, result.observed[2]])
    np.testing.assert_array_equal(table, [[13, 3416], [39, 14110]])
    expected_close = result.expected[:2, 0].sum()
    # analytical expectation under random labelling: n_s * n_t / N = 3429 * 52 / 17578 = 10.1438
    assert expected_close == pytest.approx(3429 * 52 / 17578, abs=0.4)
    # the whole close-close cell's permutation p lies near pointpats' Monte-Carlo 0.17-0.21 / Poisson 0.146
    sims_ge = result.p_value[1, 0]
    assert 0.05 < sims_ge < 0.4


def test_p_values_are_roughly_uniform_without_interaction():
    ps = []
    for seed in range(200):
        x, y, t = random_events(120, 1000 + seed, side=1500, days=200)
        r = nr.knox_test(x, y, t, space_band=250, time_band=20, n_space=1, n_time=1, permutations=99, seed=seed)
        ps.append(r.p_value[1, 0])
    ps = np.array(ps)
    assert 0.005 <= np.mean(ps <= 0.05) <= 0.11
    assert 0.35 <= np.mean(ps <= 0.5) <= 0.65
    assert 0.4 <= ps.mean() <= 0.6


def planted(seed=5):
    rng = np.random.default_rng(seed)
    n0 = 300
    x = rng.uniform(0, 3000, n0)
    y = rng.uniform(0, 3000, n0)
    t = rng.integers(0, 365, n0).astype(float)
    # a third of the events trigger a repeat within 80 m and 5 days
    k = n0 // 3
    angle = rng.uniform(0, 2 * np.pi, k)
    radius = rng.uniform(10, 80, k)
    x2 = x[:k] + radius * np.cos(angle)
    y2 = y[:k] + radius * np.sin(angle)
    t2 = t[:k] + rng.integers(1, 6, k)
    return np.r_[x, x2], np.r_[y, y2], np.r_[t, t2]


def test_planted_near_repeats_are_found_and_read():
    x, y, t = planted()
    result = nr.knox_test(x, y, t, space_band=100, time_band=7, n_space=4, n_time=4, permutations=99)
    assert result.significant[1, 0]
    assert result.ratio[1, 0] > 3
    assert result.p_value[1, 0] == pytest.approx(1 / 100)  # no shuffle reached the observed count
    reading = result.reading()
    assert reading is not None
    assert reading.distance == 100 and reading.days == 7 and not reading.same_location_only
    assert reading.max_ratio == pytest.approx(result.ratio[1, 0])


def test_random_events_rarely_get_a_reading():
    readings = [nr.knox_test(*random_events(150, 50 + seed), space_band=100, time_band=7, permutations=49,
                             seed=seed).reading() for seed in range(20)]
    assert sum(r is not None for r in readings) <= 6


def _result_with(sig_cells, shape=(5, 4)):
    S, T = shape
    observed = np.full(shape, 10)
    expected = np.full(shape, 10.0)
    p = np.full(shape, 0.5)
    for r, c in sig_cells:
        observed[r, c] = 20
        p[r, c] = 0.01
    return nr.KnoxResult(space_bands=nr.space_bands(100, S - 2), time_bands=nr.time_bands(7, T - 1),
                         observed=observed, expected=expected, p_value=p, n_events=50, n_pairs=1225,
                         permutations=99, seed=1)


def test_reading_rules():
    # same location skipped when empty; 1-100 and 101-200 raised in the first week, 1-100 also the second
    r = _result_with([(1, 0), (2, 0), (1, 1)]).reading()
    assert (r.distance, r.days, r.same_location_only) == (200, 14, False)
    # only the same location: "at the same place"
    r = _result_with([(0, 0)]).reading()
    assert (r.distance, r.days, r.same_location_only) == (0, 7, True)
    # a significant cell far from the origin is not a near-repeat pattern
    assert _result_with([(3, 2)]).reading() is None
    # nothing in the nearest band: no reading even if 201-300 m is raised
    assert _result_with([(2, 0)]).reading() is None
    # the "more than" column never counts as days
    r = _result_with([(1, 0), (1, 1), (1, 2)]).reading()
    assert r.days == 21


def test_same_seed_same_result_other_seed_other_p():
    x, y, t = random_events(200, 4)
    a = nr.knox_test(x, y, t, permutations=49, seed=1)
    b = nr.knox_test(x, y, t, permutations=49, seed=1)
    c = nr.knox_test(x, y, t, permutations=49, seed=2)
    np.testing.assert_array_equal(a.p_value, b.p_value)
    np.testing.assert_array_equal(a.observed, c.observed)
    assert not np.array_equal(a.expected, c.expected)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"space_band": 0}, "space band must be a positive"),
    ({"space_band": -5}, "space band must be a positive"),
    ({"time_band": 0}, "time band must be a positive"),
    ({"permutations": 5}, "permutations must be between"),
    ({"permutations": 100_000}, "permutations must be between"),
    ({"n_space": 0}, "space bands"),
])
def test_bad_parameters(kwargs, message):
    x, y, t = random_events(50, 1)
    with pytest.raises(nr.KnoxError, match=message):
        nr.knox_test(x, y, t, **kwargs)


def test_too_few_and_too_many_events(monkeypatch):
    x, y, t = random_events(50, 1)
    with pytest.raises(nr.KnoxError, match="Only 19 events"):
        nr.knox_test(x[:19], y[:19], t[:19])
    monkeypatch.setattr(nr, "MAX_EVENTS", 40)
    with pytest.raises(nr.KnoxError, match="50 events is more than the 40"):
        nr.knox_test(x, y, t)
    with pytest.raises(nr.KnoxError, match="same length"):
        nr.knox_test(x, y[:10], t)
    t2 = t.copy()
    t2[0] = np.nan
    with pytest.raises(nr.KnoxError, match="no coordinates or time"):
        nr.knox_test(x, y, t2)


def test_too_many_near_pairs_is_refused(monkeypatch):
    monkeypatch.setattr(nr, "MAX_NEAR_PAIRS", 10)
    x, y, t = random_events(100, 1)
    with pytest.raises(nr.KnoxError, match="pairs of events lie within"):
        nr.knox_test(x, y, t, space_band=500)
