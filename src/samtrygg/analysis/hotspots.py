"""Grid hotspot analysis: counts, quartic kernel density, Getis-Ord Gi*, FDR q-values, hotspot stability.

Pure numpy / scipy / shapely, no Django. Every coordinate is SWEREF 99 TM (EPSG:3006) metres.

The grid
    Square cells of ``cell`` metres whose corners are multiples of ``cell`` (so two analyses with the same
    cell size share cells and can be compared quarter to quarter). The grid covers the bounding box of the
    selected polygons; arrays have shape ``(rows, cols)`` with row 0 the southernmost row. ``mask`` marks
    the cells that intersect the polygons: only those are *study cells*. Cells outside the polygons (the
    corners of the bounding box, a lake outside the municipality) are not observations: they would add
    zeros that pull the mean down and make every populated cell look "hot". Study cells with zero reports
    are included — they are the background a hotspot stands out from.

Gi* (Getis & Ord 1992; Ord & Getis 1995)
    Binary weights over a distance band on cell centres, the cell itself included (star). The default band
    is ``cell × √2``: the 8 neighbouring cells plus the cell itself. Neighbours are study cells only. With
    ``L_i`` the sum of the counts in the band around ``i``, ``W_i`` the number of study cells in the band,
    ``n`` the number of study cells, ``x̄`` and ``s² = Σx²/n − x̄²`` the mean and variance over study cells:

        z_i = (L_i − x̄ W_i) / (s √(W_i (n − W_i) / (n − 1)))

    which is algebraically the analytical z of PySAL ``esda.G_Local(y, w, transform="B", star=True)``
    (checked against esda to 1e-6 in the tests). ``L_i`` and ``W_i`` are 2-D correlations of the grid with
    the band's footprint (``scipy.ndimage.correlate``, zero outside the grid), so the cost is
    O(cells × footprint) with no sparse weights matrix: milliseconds for a 200 × 200 grid where esda needs
    seconds (``benchmarks/hotspots_vs_esda.py``).

p-values and q-values
    **Two-sided** normal p-values, ``p = 2·Φ(−|z|)``, so the 90/95/99 % classes use the critical values
    ±1.645 / ±1.960 / ±2.576 that ArcGIS "Hot Spot Analysis" and the literature use for hot *and* cold
    spots. (esda's ``p_norm`` is the one-sided ``Φ(−|z|)``; ours is exactly twice it.) With tens of
    thousands of cells, ~5 % would pass p < 0.05 by chance alone, so the hot/cold classes use the
    Benjamini–Hochberg q-values (false discovery rate) by default; ``correction="none"`` classes by p.
    q-values come from ``scipy.stats.false_discovery_control(method="bh")``: scipy's maintained
    implementation, no reason to hand-roll it.

Kernel density
    Quartic (biweight) kernel, ``K(d) = 3/(π h²) · (1 − d²/h²)²`` for ``d < h``, evaluated at every cell centre
    from the exact report positions; reported as incidents per km². Bandwidth rule when none is given: the
    spatial variant of Silverman's rule of thumb that ArcGIS Pro's Kernel Density uses,
    ``h = 0.9 · min(SD, √(1/ln 2) · Dm) · n^(−0.2)`` with SD the standard distance and Dm the median distance
    to the mean centre; never below one cell. The rule's value is returned so the page can show it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

DEFAULT_CELL = 200.0
MAX_CELLS = 4_000_000
#: Beyond this many (point × kernel-window cell) evaluations the density is computed on the binned counts
#: with an FFT convolution (each report at its cell centre: an error of at most half a cell).
EXACT_KDE_WORK = 30_000_000
MAX_BANDWIDTH_CELLS = 100  # the kernel density's bandwidth, in cells (as the distance band's limit)
# Cells (and bandwidths, bands) between 1 cm and 100 km: outside, floating point loses the points or the kernel's
# normalisation divides by zero (found by the property tests).
MIN_METRES, MAX_CELL_SIZE = 0.01, 100_000.0
LEVELS = (0.99, 0.95, 0.90)
Z_EPS = 1e-9  # relative slack so "distance ≤ band" is not lost to floating point (e.g. 200·√2)


class HotspotError(ValueError):
    """Input the analysis cannot run on (the message says what and why)."""


@dataclass(frozen=True)
class Grid:
    x0: float  # lower-left corner of the grid (a multiple of cell)
    y0: float
    cell: float
    cols: int
    rows: int

    @property
    def shape(self) -> tuple[int, int]:
        return (self.rows, self.cols)

    @property
    def size(self) -> int:
        return self.rows * self.cols

    def x_min(self) -> np.ndarray:
        """Lower-left x of every cell, shape (rows, cols)."""
        return np.broadcast_to(self.x0 + self.cell * np.arange(self.cols), self.shape)

    def y_min(self) -> np.ndarray:
        return np.broadcast_to((self.y0 + self.cell * np.arange(self.rows))[:, None], self.shape)

    def centres(self) -> tuple[np.ndarray, np.ndarray]:
        return self.x_min() + self.cell / 2, self.y_min() + self.cell / 2


def check_positive(value: float, what: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise HotspotError(f"{what} must be a number of metres, not {value!r}") from None
    if not math.isfinite(number) or number <= 0:
        raise HotspotError(f"{what} must be more than 0 metres (got {value})")
    if number < MIN_METRES:
        raise HotspotError(f"{what} must be at least {MIN_METRES:g} metres (got {value})")
    return number


def check_cell(value) -> float:
    cell = check_positive(value, "The cell size")
    if cell > MAX_CELL_SIZE:
        raise HotspotError(f"The cell size must be at most {MAX_CELL_SIZE:g} metres (got {value})")
    return cell


def make_grid(bounds: tuple[float, float, float, float], cell: float = DEFAULT_CELL, *,
              max_cells: int = MAX_CELLS) -> Grid:
    """The grid of ``cell``-metre squares aligned to multiples of ``cell`` that covers ``bounds``
    (minx, miny, maxx, maxy). The upper edge is strictly beyond ``maxx``/``maxy`` so every point of the
    bounds falls in a cell. Refuses grids of more than ``max_cells`` cells, naming the size."""
    cell = check_cell(cell)
    minx, miny, maxx, maxy = (float(b) for b in bounds)
    if not all(math.isfinite(b) for b in (minx, miny, maxx, maxy)) or maxx < minx or maxy < miny:
        raise HotspotError(f"invalid bounds {bounds!r}")
    c0, r0 = math.floor(minx / cell), math.floor(miny / cell)
    cols = math.floor(maxx / cell) - c0 + 1
    rows = math.floor(maxy / cell) - r0 + 1
    if cols * rows > max_cells:
        raise HotspotError(
            f"A grid of {cols:,} × {rows:,} = {cols * rows:,} cells of {cell:g} m is too large to compute "
            f"(at most {max_cells:,} cells). Choose a larger cell size or a smaller area.")
    return Grid(x0=c0 * cell, y0=r0 * cell, cell=cell, cols=cols, rows=rows)


def polygon_mask(grid: Grid, polygons) -> np.ndarray:
    """Boolean (rows, cols): the cells whose square intersects any of ``polygons`` (shapely geometries)."""
    import shapely

    geoms = [g for g in (polygons or []) if g is not None and not g.is_empty]
    if not geoms:
        return np.ones(grid.shape, dtype=bool)
    union = shapely.union_all(geoms)
    shapely.prepare(union)
    x, y = grid.x_min().ravel(), grid.y_min().ravel()
    # Centres inside are the cheap, common case; only the rest need the box test (cells cut by the edge).
    inside = shapely.contains_xy(union, x + grid.cell / 2, y + grid.cell / 2)
    rest = np.flatnonzero(~inside)
    if rest.size:
        boxes = shapely.box(x[rest], y[rest], x[rest] + grid.cell, y[rest] + grid.cell)
        # overlap with positive area: a cell that only touches the edge is not in the study area
        inside[rest] = shapely.intersects(union, boxes) & ~shapely.touches(union, boxes)
    return inside.reshape(grid.shape)


def cell_index(grid: Grid, x, y) -> np.ndarray:
    """Flat cell index of every point, −1 for points outside the grid."""
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    # floor(v / cell) as make_grid computes the grid's extent: (v - x0) / cell can round up to the next cell
    # for a point just below a cell edge and lose it (found by the property tests).
    with np.errstate(invalid="ignore"):
        col = np.floor(x / grid.cell) - round(grid.x0 / grid.cell)
        row = np.floor(y / grid.cell) - round(grid.y0 / grid.cell)
    ok = np.isfinite(col) & np.isfinite(row) & (col >= 0) & (col < grid.cols) & (row >= 0) & (row < grid.rows)
    return np.where(ok, row * grid.cols + col, -1).astype(np.int64)


def bin_counts(grid: Grid, x, y, weights=None) -> np.ndarray:
    """Sum of ``weights`` (default 1 per point) per cell, shape (rows, cols); points outside are dropped."""
    idx = cell_index(grid, x, y)
    keep = idx >= 0
    w = None if weights is None else np.asarray(weights, dtype=float)[keep]
    return np.bincount(idx[keep], weights=w, minlength=grid.size).astype(float).reshape(grid.shape)


# --------------------------------------------------------------------------------------------- Gi*

def band_footprint(cell: float, band: float) -> np.ndarray:
    """Binary footprint of the cells whose centres are within ``band`` of the centre cell's (inclusive)."""
    cell = check_positive(cell, "The cell size")
    band = check_positive(band, "The distance band")
    reach = band / cell
    k = int(math.floor(reach * (1 + Z_EPS)))
    off = np.arange(-k, k + 1)
    d2 = off[:, None] ** 2 + off[None, :] ** 2
    return (d2 <= reach * reach * (1 + Z_EPS)).astype(float)


@dataclass
class GiStar:
    z: np.ndarray  # NaN outside the mask
    p: np.ndarray  # two-sided
    q: np.ndarray  # Benjamini–Hochberg over the study cells
    neighbours: np.ndarray  # W_i (cells in the band, the cell itself included)


def gi_star(values: np.ndarray, footprint: np.ndarray, mask: np.ndarray | None = None) -> GiStar:
    """Getis-Ord Gi* z-scores of a 2-D grid with binary weights given by ``footprint`` (self included).

    Equal to ``esda.G_Local(values[mask], DistanceBand(centres, band, binary=True), transform="B",
    star=True).Zs``. Where every study cell is a neighbour or the values do not vary, z is 0 (no evidence
    either way) instead of esda's NaN/inf."""
    from scipy import ndimage, stats

    values = np.asarray(values, dtype=float)
    mask = np.ones(values.shape, dtype=bool) if mask is None else np.asarray(mask, dtype=bool)
    if values.shape != mask.shape:
        raise HotspotError("values and mask differ in shape")
    y = np.where(mask, values, 0.0)
    m = mask.astype(float)
    n = int(mask.sum())
    z = np.full(values.shape, np.nan)
    p = np.full(values.shape, np.nan)
    q = np.full(values.shape, np.nan)
    if n == 0:
        return GiStar(z, p, q, np.zeros(values.shape))
    kwargs = {"mode": "constant", "cval": 0.0}
    local = ndimage.correlate(y, footprint, **kwargs)
    weights = np.rint(ndimage.correlate(m, footprint, **kwargs))
    mean = y.sum() / n
    s = math.sqrt(max((y * y).sum() / n - mean * mean, 0.0))
    denom = s * np.sqrt(np.maximum(weights * (n - weights), 0.0) / max(n - 1, 1))
    with np.errstate(divide="ignore", invalid="ignore"):
        zz = np.where(denom > 0, (local - mean * weights) / np.where(denom > 0, denom, 1.0), 0.0)
    z[mask] = zz[mask]
    p[mask] = 2 * stats.norm.sf(np.abs(zz[mask]))
    q[mask] = bh_qvalues(p[mask])
    return GiStar(z=z, p=p, q=q, neighbours=np.where(mask, weights, 0.0))


def bh_qvalues(p) -> np.ndarray:
    """Benjamini–Hochberg adjusted p-values (q-values)."""
    from scipy import stats

    p = np.asarray(p, dtype=float)
    if p.size == 0:
        return p.copy()
    return stats.false_discovery_control(p, method="bh")


def classify(z: np.ndarray, significance: np.ndarray) -> np.ndarray:
    """"hot99" / "hot95" / "hot90" / "cold99" / … / "" by the sign of z and the (two-sided) p or q value."""
    out = np.full(np.shape(z), "", dtype=object)
    sig = np.nan_to_num(np.asarray(significance, dtype=float), nan=1.0)
    zz = np.nan_to_num(np.asarray(z, dtype=float), nan=0.0)
    for level in reversed(LEVELS):  # 90 first, overwritten by 95 and 99
        hit = sig < 1 - level + 1e-12
        tag = str(round(level * 100))
        out[hit & (zz > 0)] = "hot" + tag
        out[hit & (zz < 0)] = "cold" + tag
    return out


def is_hot(classes: np.ndarray, level: float = 0.95) -> np.ndarray:
    """Cells hot at ``level`` or stronger."""
    wanted = {"hot" + str(round(lv * 100)) for lv in LEVELS if lv >= level}
    return np.isin(classes, list(wanted))


# --------------------------------------------------------------------------------------------- KDE

def quartic_bandwidth(x, y, cell: float = DEFAULT_CELL) -> float:
    """Rule-of-thumb bandwidth in metres (see the module docstring); at least one cell, at most
    ``MAX_BANDWIDTH_CELLS`` cells."""
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    n = x.size
    if n < 2:
        return float(cell)
    dx, dy = x - x.mean(), y - y.mean()
    sd = math.sqrt(float((dx * dx).sum() + (dy * dy).sum()) / n)
    dm = float(np.median(np.hypot(dx, dy)))
    h = 0.9 * min(sd, math.sqrt(1 / math.log(2)) * dm) * n ** -0.2
    return float(min(max(h, cell), MAX_BANDWIDTH_CELLS * cell))


def quartic_kde(grid: Grid, x, y, bandwidth: float, weights=None) -> np.ndarray:
    """Quartic kernel density at every cell centre, in incidents per km² (shape (rows, cols)).

    Exact (each report at its own position) unless that would take more than ``EXACT_KDE_WORK`` kernel
    evaluations; then each report is placed at its cell centre and the grid is FFT-convolved."""
    h = check_positive(bandwidth, "The bandwidth")
    if h > MAX_BANDWIDTH_CELLS * grid.cell:
        # The kernel window grows with (bandwidth / cell)²: an unbounded bandwidth ran out of memory
        # (found by the property tests).
        raise HotspotError(f"A bandwidth of {h:g} m is too wide for {grid.cell:g} m cells (at most "
                           f"{MAX_BANDWIDTH_CELLS} cells, {MAX_BANDWIDTH_CELLS * grid.cell:g} m).")
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    w = np.ones(x.size) if weights is None else np.asarray(weights, dtype=float)
    k = int(math.ceil(h / grid.cell)) + 1
    window = (2 * k + 1) ** 2
    norm = 3.0 / (math.pi * h * h) * 1e6  # per m² → per km²
    if x.size * window <= EXACT_KDE_WORK:
        out = np.zeros(grid.size)
        col = np.floor((x - grid.x0) / grid.cell).astype(np.int64)
        row = np.floor((y - grid.y0) / grid.cell).astype(np.int64)
        for dr in range(-k, k + 1):
            rr = row + dr
            cy = grid.y0 + (rr + 0.5) * grid.cell
            for dc in range(-k, k + 1):
                cc = col + dc
                ok = (rr >= 0) & (rr < grid.rows) & (cc >= 0) & (cc < grid.cols)
                cx = grid.x0 + (cc + 0.5) * grid.cell
                u2 = ((x - cx) ** 2 + (y - cy) ** 2) / (h * h)
                ok &= u2 < 1
                if ok.any():
                    out += np.bincount((rr * grid.cols + cc)[ok], weights=w[ok] * (1 - u2[ok]) ** 2,
                                       minlength=grid.size)
        return (out * norm).reshape(grid.shape)
    from scipy import signal

    counts = bin_counts(grid, x, y, w)
    off = np.arange(-k, k + 1) * grid.cell
    u2 = (off[:, None] ** 2 + off[None, :] ** 2) / (h * h)
    kernel = np.where(u2 < 1, (1 - u2) ** 2, 0.0)
    dens = signal.fftconvolve(counts, kernel, mode="same")
    return np.clip(dens, 0, None) * norm


# --------------------------------------------------------------------------------------------- all

@dataclass
class HotspotGrid:
    grid: Grid
    mask: np.ndarray
    count: np.ndarray  # incidents per cell
    harm: np.ndarray  # severity × quantity per cell
    kde: np.ndarray  # incidents per km²
    gi: GiStar
    hot_class: np.ndarray
    bandwidth: float
    bandwidth_rule: bool  # True when chosen by the rule of thumb
    band: float
    correction: str
    outside: int = 0  # points outside the grid or outside the study cells
    notes: list[str] = field(default_factory=list)

    @property
    def n_cells(self) -> int:
        return int(self.mask.sum())

    def hot_cells(self, level: float = 0.95) -> np.ndarray:
        return is_hot(self.hot_class, level) & self.mask


def analyse(x, y, *, polygons=None, bounds=None, cell: float = DEFAULT_CELL, bandwidth: float | None = None,
            band: float | None = None, harm=None, correction: str = "fdr", only_polygon_cells: bool = True,
            max_cells: int = MAX_CELLS) -> HotspotGrid:
    """Counts, kernel density, Gi* and hot/cold classes for points ``x, y`` (EPSG:3006 metres).

    The grid covers ``bounds`` or the bounds of ``polygons`` (or of the points). ``harm`` (severity ×
    quantity per point) is summed per cell for the stability measures. ``band`` defaults to cell × √2."""
    cell = check_cell(cell)
    if bandwidth is not None:
        bandwidth = check_positive(bandwidth, "The bandwidth")
    band = cell * math.sqrt(2) if band is None else check_positive(band, "The distance band")
    if correction not in ("fdr", "none"):
        raise HotspotError("correction must be 'fdr' or 'none'")
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if bounds is None:
        geoms = [g for g in (polygons or []) if g is not None and not g.is_empty]
        if geoms:
            import shapely

            bounds = shapely.union_all(geoms).bounds
        elif x.size:
            bounds = (x.min(), y.min(), x.max(), y.max())
        else:
            raise HotspotError("no areas and no reports: nothing to put a grid on")
    grid = make_grid(bounds, cell, max_cells=max_cells)
    footprint = band_footprint(cell, band)
    if footprint.size > 201 * 201:
        raise HotspotError(f"A distance band of {band:g} m is too wide for {cell:g} m cells (at most 100 cells).")
    mask = polygon_mask(grid, polygons) if (polygons and only_polygon_cells) else np.ones(grid.shape, bool)
    idx = cell_index(grid, x, y)
    in_study = (idx >= 0) & mask.ravel()[np.clip(idx, 0, None)]
    xs, ys = x[in_study], y[in_study]
    count = bin_counts(grid, xs, ys)
    harm_values = np.ones(x.size) if harm is None else np.asarray(harm, dtype=float)
    harm_grid = bin_counts(grid, xs, ys, harm_values[in_study])
    rule = bandwidth is None
    h = quartic_bandwidth(xs, ys, cell) if rule else bandwidth
    kde = np.where(mask, quartic_kde(grid, xs, ys, h), 0.0)
    gi = gi_star(count, footprint, mask)
    sig = gi.q if correction == "fdr" else gi.p
    classes = np.where(mask, classify(gi.z, sig), "")
    notes = []
    if xs.size == 0:
        notes.append("no reports in the study cells")
    return HotspotGrid(grid=grid, mask=mask, count=count, harm=harm_grid, kde=kde, gi=gi, hot_class=classes,
                       bandwidth=float(h), bandwidth_rule=rule, band=float(band), correction=correction,
                       outside=int((~in_study).sum()), notes=notes)


# --------------------------------------------------------------------------------------------- stability

def pai(hits: float, total: float, area: float, total_area: float) -> float | None:
    """Predictive Accuracy Index (Chainey, Tompson & Uhlig 2008): hit rate over area share,
    ``(n / N) / (a / A)``. None when it is undefined (no incidents, no area)."""
    if total <= 0 or area <= 0 or total_area <= 0:
        return None
    return (hits / total) / (area / total_area)


@dataclass(frozen=True)
class Capture:
    """How much of a period's incidents and harm a set of cells chosen beforehand captured."""

    cells: int
    area_share: float | None
    incidents: float
    incident_share: float | None
    harm: float
    harm_share: float | None
    pai: float | None
    harm_pai: float | None


def capture(selected: np.ndarray, mask: np.ndarray, count: np.ndarray, harm: np.ndarray) -> Capture:
    """The share of ``count`` / ``harm`` (this period, per cell) inside ``selected`` cells, and the PAI."""
    selected = np.asarray(selected, dtype=bool) & mask
    n_study = int(mask.sum())
    k = int(selected.sum())
    total_n, total_h = float(count[mask].sum()), float(harm[mask].sum())
    hit_n, hit_h = float(count[selected].sum()), float(harm[selected].sum())
    share = (k / n_study) if n_study else None
    return Capture(
        cells=k, area_share=share, incidents=hit_n, incident_share=(hit_n / total_n) if total_n else None,
        harm=hit_h, harm_share=(hit_h / total_h) if total_h else None,
        pai=pai(hit_n, total_n, k, n_study), harm_pai=pai(hit_h, total_h, k, n_study))


def top_cells(values: np.ndarray, mask: np.ndarray, k: int) -> np.ndarray:
    """The ``k`` study cells with the highest ``values`` (ties broken by position, deterministic);
    cells with zero are never chosen."""
    out = np.zeros(values.shape, dtype=bool)
    if k <= 0:
        return out
    flat = np.where(mask, values, -np.inf).ravel()
    order = np.argsort(-flat, kind="stable")[:k]
    order = order[flat[order] > 0]
    out.ravel()[order] = True
    return out


@dataclass(frozen=True)
class Stability:
    hotspot: Capture  # last period's Gi* hot cells (95 %)
    naive: Capture  # last period's top cells by count, as many as there were hot cells


def stability(previous: HotspotGrid, current: HotspotGrid, level: float = 0.95) -> Stability:
    """Last period's hotspot cells (Gi* hot at ``level``) against its top-count cells, scored on this
    period's incidents and harm. The two grids must be the same (same areas and cell size)."""
    if previous.grid != current.grid or previous.mask.shape != current.mask.shape:
        raise HotspotError("the two periods must use the same grid")
    hot = previous.hot_cells(level)
    naive = top_cells(previous.count, previous.mask, int(hot.sum()))
    return Stability(hotspot=capture(hot, current.mask, current.count, current.harm),
                     naive=capture(naive, current.mask, current.count, current.harm))
