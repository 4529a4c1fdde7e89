"""Coordinates and point-in-polygon assignment (SWEREF 99 TM = EPSG:3006 for analysis, WGS84 for display)."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import shapely
from pyproj import CRS, Transformer
from shapely.geometry import mapping, shape

SWEREF = "EPSG:3006"
WGS84 = "EPSG:4326"


@lru_cache(maxsize=32)
def transformer(source: str, target: str) -> Transformer:
    # always_xy: (lon, lat) / (easting, northing) order whatever the CRS's axis order says.
    return Transformer.from_crs(CRS.from_user_input(source), CRS.from_user_input(target), always_xy=True)


def check_crs(crs: str) -> str:
    """Return the CRS string if pyproj knows it, else raise ValueError with a readable message."""
    try:
        CRS.from_user_input(crs)
    except Exception as exc:  # pyproj raises CRSError, a plain Exception subclass
        raise ValueError(f"unknown coordinate reference system {crs!r}") from exc
    return crs


def wgs84_to_sweref(lon, lat) -> tuple[np.ndarray, np.ndarray]:
    return transformer(WGS84, SWEREF).transform(np.asarray(lon, float), np.asarray(lat, float))


def sweref_to_wgs84(x, y) -> tuple[np.ndarray, np.ndarray]:
    """Returns (lon, lat)."""
    return transformer(SWEREF, WGS84).transform(np.asarray(x, float), np.asarray(y, float))


def project_to_sweref(x, y, crs: str) -> tuple[np.ndarray, np.ndarray]:
    return transformer(crs, SWEREF).transform(np.asarray(x, float), np.asarray(y, float))


def transform_geometry(geometry, source: str, target: str):
    t = transformer(source, target)
    return shapely.transform(geometry, lambda xy: np.column_stack(t.transform(xy[:, 0], xy[:, 1])))


def to_wkb(geometry) -> bytes:
    return shapely.to_wkb(geometry)


def sweref_to_wgs84_geojson(geometry) -> dict:
    wgs = transform_geometry(geometry, SWEREF, WGS84)
    wgs = shapely.set_precision(wgs, 1e-7)
    return mapping(wgs)


def geojson_to_geometry(geojson: dict):
    return shape(geojson)


def assign_points(x, y, polygons) -> list[np.ndarray]:
    """For each polygon, the indices of the points (x, y) it contains (boundary included).

    Vectorised with shapely 2: the points go into an STRtree once and each polygon queries it with
    `intersects`, which counts a point on the shared border of two areas as in both.
    """
    x = np.asarray(x, float)
    y = np.asarray(y, float)
    if len(x) == 0:
        return [np.empty(0, dtype=np.intp) for _ in polygons]
    points = shapely.points(x, y)
    tree = shapely.STRtree(points)
    return [np.sort(tree.query(polygon, predicate="intersects")) for polygon in polygons]


def contains_point(polygons, x: float, y: float) -> list[int]:
    """Indices of the polygons that contain the point."""
    point = shapely.Point(x, y)
    return [i for i, polygon in enumerate(polygons) if polygon.intersects(point)]


def distance_within(x, y, cx: float, cy: float, radius: float) -> np.ndarray:
    """Boolean mask of the points within `radius` metres of (cx, cy)."""
    x = np.asarray(x, float)
    y = np.asarray(y, float)
    return (x - cx) ** 2 + (y - cy) ** 2 <= radius * radius
