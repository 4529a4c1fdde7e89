"""A place's profile against its surroundings: rates, densities, the concentration ratio, repeat locations.

Pure numpy/scipy/shapely (no Django); the counts come from SQL aggregates in ``samtrygg.cases.datasheet``.

- **Zones**: the place (a polygon in SWEREF 99 TM metres), its *ring* (the place buffered by ``buffer_m``
  minus the place itself) and the whole municipality.
- **Rates**: incidents per month (the period's length in days / (365.25 / 12)) and per hectare per year.
- **Concentration ratio** (a "location quotient" of crime): the zone's share of the municipality's
  incidents divided by its share of the municipality's area. 1 = as many incidents as its size would give;
  20 = twenty times its share. None when the municipality has no incidents or no area.
- **Repeat locations**: the densest spot first: the point with the most other points within ``radius``
  metres becomes a centre and takes every remaining point within ``radius`` of it; repeat with what is
  left. (Single-linkage clustering, DBSCAN included, chains a busy park into one blob; this "leader"
  grouping keeps each group within ``radius`` of its centre.) Neighbours come from
  ``scipy.spatial.cKDTree``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import shapely
from scipy.sparse import csr_matrix
from scipy.spatial import cKDTree

DAYS_PER_MONTH = 365.25 / 12
M2_PER_HA = 10_000.0


def ring(place, buffer_m: float):
    """The band of ``buffer_m`` metres around the place, without the place."""
    if buffer_m <= 0:
        return shapely.Polygon()
    return place.buffer(float(buffer_m)).difference(place)  # as the evaluation service draws it


@dataclass
class Zone:
    """Incidents in a zone over a period of ``days`` days."""

    key: str
    count: int
    area_m2: float
    days: int

    @property
    def area_ha(self) -> float:
        return self.area_m2 / M2_PER_HA

    @property
    def per_month(self) -> float | None:
        return self.count / (self.days / DAYS_PER_MONTH) if self.days > 0 else None

    @property
    def per_ha_year(self) -> float | None:
        if self.days <= 0 or self.area_m2 <= 0:
            return None
        return self.count / self.area_ha / (self.days / 365.25)


def concentration_ratio(count: int, area_m2: float, total_count: int, total_area_m2: float) -> float | None:
    """(count / total_count) / (area / total_area); None when either share is undefined."""
    if total_count <= 0 or total_area_m2 <= 0 or area_m2 <= 0:
        return None
    return (count / total_count) / (area_m2 / total_area_m2)


def share(part: float, whole: float) -> float | None:
    return part / whole if whole > 0 else None


@dataclass
class RepeatGroup:
    """A group of points within the radius of each other (by chains of neighbours)."""

    indices: np.ndarray
    x: float  # centroid
    y: float
    spread_m: float  # the largest distance from the centroid to a member
    size: int = field(init=False)

    def __post_init__(self):
        self.size = int(len(self.indices))


def repeat_locations(x, y, radius: float = 25.0, min_size: int = 2, limit: int | None = None
                     ) -> list[RepeatGroup]:
    """Groups of at least ``min_size`` points within ``radius`` of a centre point, largest first (ties: the
    order the groups were found, then west to east)."""
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    n = len(x)
    if n < max(min_size, 1) or radius <= 0:
        return []
    xy = np.column_stack([x, y])
    pairs = cKDTree(xy).query_pairs(r=float(radius), output_type="ndarray").reshape(-1, 2)
    rows = np.concatenate([pairs[:, 0], pairs[:, 1], np.arange(n)])
    cols = np.concatenate([pairs[:, 1], pairs[:, 0], np.arange(n)])
    adjacency = csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n))  # neighbours, self included
    free = np.ones(n, dtype=bool)
    groups: list[RepeatGroup] = []
    while free.any():
        # the free point with the most free neighbours; lowest index on ties
        sizes = np.where(free, adjacency @ free.astype(float), -1.0)
        centre = int(np.argmax(sizes))
        if sizes[centre] < min_size:
            break
        row = adjacency.indices[adjacency.indptr[centre]:adjacency.indptr[centre + 1]]
        members = np.sort(row[free[row]])
        free[members] = False
        cx, cy = xy[members].mean(axis=0)
        spread = float(np.sqrt(((xy[members] - (cx, cy)) ** 2).sum(axis=1)).max())
        groups.append(RepeatGroup(indices=members, x=float(cx), y=float(cy), spread_m=spread))
        if limit is not None and len(groups) >= limit:
            break
    groups.sort(key=lambda g: -g.size)
    return groups
