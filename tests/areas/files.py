"""Writers for test area files (GeoJSON by hand, GeoPackage and Shapefile through pyogrio)."""

import json
import zipfile
from pathlib import Path

import numpy as np
import pyogrio.raw
import shapely
from shapely.geometry import mapping

from tests.factories import CENTRE_X, CENTRE_Y, square

SWEREF_CRS = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3006"}}


def box(dx=0.0, dy=0.0, half=1000.0):
    """A square around central Uppsala (EPSG:3006), shifted by (dx, dy) metres."""
    return square(CENTRE_X + dx, CENTRE_Y + dy, half)


def geojson(path: Path, rows: list[dict], *, crs=SWEREF_CRS) -> Path:
    """rows: dicts of properties plus 'geometry' (shapely, already in the file's CRS)."""
    features = []
    for row in rows:
        props = {k: v for k, v in row.items() if k != "geometry"}
        geom = row["geometry"]
        features.append({"type": "Feature", "properties": props, "geometry": mapping(geom) if geom else None})
    data = {"type": "FeatureCollection", "features": features}
    if crs is not None:
        data["crs"] = crs
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def ogr(path: Path, rows: list[dict], *, crs="EPSG:3006", driver="GPKG", geometry_type="Polygon") -> Path:
    names = [k for k in rows[0] if k != "geometry"]
    field_data = []
    for name in names:
        values = [row[name] for row in rows]
        kind = object if any(isinstance(v, str) for v in values) else np.int64
        field_data.append(np.array(values, dtype=kind))
    pyogrio.raw.write(
        str(path), geometry=np.array([shapely.to_wkb(r["geometry"]) for r in rows], dtype=object),
        field_data=field_data, fields=names, crs=crs, geometry_type=geometry_type, driver=driver,
    )
    return path


def zipped(shp: Path) -> Path:
    target = shp.with_suffix(".zip")
    with zipfile.ZipFile(target, "w") as z:
        for part in shp.parent.glob(shp.stem + ".*"):
            if part.suffix != ".zip":
                z.write(part, part.name)
    return target
