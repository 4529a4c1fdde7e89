"""The grid hotspot core against independent references: PySAL esda (Gi*), a direct sum (KDE),
scipy/statsmodels-free hand examples (BH q-values, PAI)."""

import math
import warnings

import numpy as np
import pytest
import shapely

from samtrygg.analysis import hotspots as hs

esda = pytest.importorskip("esda")
libpysal = pytest.importorskip("libpysal")


def esda_z(values, mask, cell, band):
    """esda's Gi* z on the study cells of a grid, with libpysal DistanceBand (binary) on cell centres."""
    from esda.getisord import G_Local
    from libpysal.weights import DistanceBand

    rows, cols = values.shape
    rr, cc = np.nonzero(mask)
    coords = np.column_stack([(cc + 0.5) * cell, (rr + 0.5) * cell])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        w = DistanceBand(coords, threshold=band * (1 + 1e-9), binary=True, silence_warnings=True)
        g = G_Local(values[mask], w, transform="B", star=True, permutations=0)
    return g.Zs, g.p_norm


def our_z(values, mask, cell, band):
    return hs.gi_star(values, hs.band_footprint(cell, band), mask)


@pytest.mark.parametrize("shape,seed,band_cells", [
    ((5, 7), 1, math.sqrt(2)),     # small: most cells are edge or corner cells
    ((20, 20), 2, math.sqrt(2)),
    ((13, 31), 3, 2.0),            # a wider band (a disc of 13 cells)
    ((25, 18), 4, 3.5),
])
def test_gi_star_equals_esda(shape, seed, band_cells):
    rng = np.random.default_rng(seed)
    values = rng.poisson(0.8, size=shape).astype(float)  # many zeros
    values[0, 0] = 9  # a corner hotspot
    values[-1, -1] = 0
    mask = np.ones(shape, dtype=bool)
    cell = 200.0
    ours = our_z(values, mask, cell, band_cells * cell)
    ref_z, ref_p = esda_z(values, mask, cell, band_cells * cell)
    assert np.max(np.abs(ours.z[mask] - ref_z)) < 1e-6
    # our p-values are two-sided: exactly twice esda's one-sided p_norm
    assert np.allclose(ours.p[mask], 2 * ref_p, atol=1e-12)


def test_gi_star_equals_esda_with_irregular_mask():
    """Cells outside the polygons are not observations: not neighbours, not in n."""
    rng = np.random.default_rng(7)
    values = rng.poisson(1.5, size=(30, 40)).astype(float)
    grid = hs.Grid(x0=0, y0=0, cell=100, cols=40, rows=30)
    poly = shapely.Polygon([(150, 120), (3900, 300), (3000, 2900), (400, 2500)]).difference(
        shapely.Point(2000, 1500).buffer(500))
    mask = hs.polygon_mask(grid, [poly])
    assert 0 < mask.sum() < mask.size
    ours = our_z(values, mask, 100, 100 * math.sqrt(2))
    ref_z, _ = esda_z(values, mask, 100, 100 * math.sqrt(2))
    assert np.max(np.abs(ours.z[mask] - ref_z)) < 1e-6
    assert np.isnan(ours.z[~mask]).all()


def test_default_band_is_queen_neighbourhood_plus_self():
    fp = hs.band_footprint(200, 200 * math.sqrt(2))
    assert fp.shape == (3, 3) and fp.sum() == 9
    assert hs.band_footprint(200, 200).sum() == 5  # rook + self
    assert hs.band_footprint(200, 400).sum() == 13


def test_constant_values_give_zero_z_not_nan():
    g = hs.gi_star(np.full((4, 4), 3.0), hs.band_footprint(1, math.sqrt(2)))
    assert np.all(g.z == 0) and np.all(g.p == 1)


def test_bh_qvalues_hand_example():
    # Hand computation: sorted p (0.01, 0.02, 0.03, 0.04, 0.5), m=5: p·m/rank = .05 .05 .05 .05 .5;
    # cumulative minimum from the top gives the same.
    p = np.array([0.04, 0.01, 0.5, 0.03, 0.02])
    q = hs.bh_qvalues(p)
    assert np.allclose(q, [0.05, 0.05, 0.5, 0.05, 0.05])
    # monotonicity step: p = (0.01, 0.04, 0.045) → 0.03, 0.045, 0.045
    assert np.allclose(hs.bh_qvalues(np.array([0.01, 0.04, 0.045])), [0.03, 0.045, 0.045])


def test_classes_are_two_sided_levels():
    z = np.array([3.0, 2.0, 1.7, 0.5, -1.7, -2.0, -3.0])
    from scipy import stats
    p = 2 * stats.norm.sf(np.abs(z))
    assert list(hs.classify(z, p)) == ["hot99", "hot95", "hot90", "", "cold90", "cold95", "cold99"]
    assert list(hs.is_hot(hs.classify(z, p), 0.95)) == [True, True, False, False, False, False, False]


def test_grid_aligned_to_cell_multiples():
    g = hs.make_grid((647_310.0, 6_636_050.0, 648_001.0, 6_636_400.0), 200)
    assert (g.x0, g.y0) == (647_200.0, 6_636_000.0)
    assert g.x0 % 200 == 0 and g.y0 % 200 == 0
    assert g.cols == 5 and g.rows == 3  # 647200..648200 covers 648001; 6636000..6636600 covers 6636400
    # a point exactly on the upper bound still falls in a cell
    assert hs.cell_index(g, [648_001.0], [6_636_400.0])[0] >= 0
    g2 = hs.make_grid((0, 0, 400, 400), 200)
    assert (g2.cols, g2.rows) == (3, 3)
    counts = hs.bin_counts(g, [647_250, 647_399.9, 647_400, 648_100], [6_636_010, 6_636_199, 6_636_000, 6_636_599])
    assert counts[0, 0] == 2 and counts[0, 1] == 1 and counts[2, 4] == 1 and counts.sum() == 4


def test_bad_sizes_are_refused_with_a_message():
    with pytest.raises(hs.HotspotError, match="more than 0"):
        hs.make_grid((0, 0, 10, 10), 0)
    with pytest.raises(hs.HotspotError, match="more than 0"):
        hs.make_grid((0, 0, 10, 10), -5)
    with pytest.raises(hs.HotspotError, match=r"2,001 × 2,001 = 4,004,001 cells"):
        hs.make_grid((0, 0, 20_000, 20_000), 10)
    with pytest.raises(hs.HotspotError, match="bandwidth"):
        hs.analyse([1.0], [1.0], bounds=(0, 0, 100, 100), cell=10, bandwidth=0)


def test_kde_equals_direct_sum():
    rng = np.random.default_rng(3)
    x = rng.uniform(1000, 3000, 300)
    y = rng.uniform(500, 2500, 300)
    grid = hs.make_grid((1000, 500, 3000, 2500), 100)
    h = 350.0
    kde = hs.quartic_kde(grid, x, y, h)
    cx, cy = grid.centres()
    for r, c in [(0, 0), (5, 7), (10, 10), (grid.rows - 1, grid.cols - 1), (3, 15)]:
        d2 = (x - cx[r, c]) ** 2 + (y - cy[r, c]) ** 2
        u2 = d2 / h**2
        direct = (3 / (math.pi * h * h) * np.where(u2 < 1, (1 - u2) ** 2, 0)).sum() * 1e6
        assert kde[r, c] == pytest.approx(direct, rel=1e-10)
    # the kernel integrates to the number of points (far from the edges): per km² × cell area
    inner = hs.quartic_kde(hs.make_grid((-2000, -2000, 2000, 2000), 10), [0.0], [0.0], 500)
    assert inner.sum() * (10 * 10) / 1e6 == pytest.approx(1.0, rel=1e-3)


def test_kde_binned_path_is_close_to_exact(monkeypatch):
    rng = np.random.default_rng(4)
    x, y = rng.normal(0, 800, 500), rng.normal(0, 800, 500)
    grid = hs.make_grid((-3000, -3000, 3000, 3000), 50)
    exact = hs.quartic_kde(grid, x, y, 600)
    monkeypatch.setattr(hs, "EXACT_KDE_WORK", 0)
    binned = hs.quartic_kde(grid, x, y, 600)
    assert np.max(np.abs(binned - exact)) / exact.max() < 0.05


def test_bandwidth_rule():
    rng = np.random.default_rng(5)
    x, y = rng.normal(0, 1000, 1000), rng.normal(0, 1000, 1000)
    h = hs.quartic_bandwidth(x, y, 10)
    # standard distance ≈ 1000·√2/√2... SD = sqrt((var x + var y)) ≈ 1414; Dm ≈ 1177 → min(1414, 1.2011·1177=1414)
    assert 0.9 * 1300 * 1000 ** -0.2 < h < 0.9 * 1500 * 1000 ** -0.2
    assert hs.quartic_bandwidth([0.0], [0.0], 200) == 200  # at least one cell


def test_pai_hand_example():
    # 10 study cells; 2 chosen; this period 20 incidents of which 8 in the chosen cells:
    # PAI = (8/20) / (2/10) = 2.0
    assert hs.pai(8, 20, 2, 10) == pytest.approx(2.0)
    assert hs.pai(0, 0, 2, 10) is None
    mask = np.ones((2, 5), dtype=bool)
    count = np.array([[5, 3, 1, 1, 0], [2, 2, 2, 2, 2]], dtype=float)
    harm = count * np.array([[4, 1, 1, 1, 1], [1, 1, 1, 1, 1]])
    chosen = np.zeros((2, 5), dtype=bool)
    chosen[0, 0] = chosen[0, 1] = True
    cap = hs.capture(chosen, mask, count, harm)
    assert cap.cells == 2 and cap.incidents == 8 and cap.incident_share == pytest.approx(0.4)
    assert cap.pai == pytest.approx(2.0)
    assert cap.harm == 23 and cap.harm_share == pytest.approx(23 / 35)  # harm total 20+3+1+1+0+10
    assert cap.harm_pai == pytest.approx((23 / 35) / 0.2)


def test_top_cells_and_stability():
    mask = np.ones((1, 6), dtype=bool)
    prev = np.array([[0, 5, 1, 5, 2, 0]], dtype=float)
    assert hs.top_cells(prev, mask, 2).tolist() == [[False, True, False, True, False, False]]
    assert hs.top_cells(prev, mask, 9).sum() == 4  # zero cells are never "top"
    # the same strong cluster in both periods → last period's hotspot captures much this period
    def period(seed):
        r = np.random.default_rng(seed)
        x = np.concatenate([r.normal(1000, 120, 300), r.uniform(0, 4000, 300)])
        y = np.concatenate([r.normal(1000, 120, 300), r.uniform(0, 4000, 300)])
        return hs.analyse(x, y, bounds=(0, 0, 3999, 3999), cell=200, harm=np.ones(600))
    before, now = period(1), period(2)
    st = hs.stability(before, now)
    assert st.hotspot.cells > 0 and st.hotspot.cells == st.naive.cells
    assert st.hotspot.pai > 3
    assert st.hotspot.incident_share > 0.4
