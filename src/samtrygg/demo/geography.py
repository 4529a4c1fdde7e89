"""The demo city's geography: a rough Uppsala, built from approximate real coordinates.

Pure Python (shapely/pyproj, no Django), so the generator and the tests can use it without a database.

- The municipality outline is a rough 12-corner polygon around Uppsala kommun.
- The districts (stadsdelar) are the Voronoi cells of approximate real WGS84 centre points of each
  district, clipped to a rough outline of the built-up town. The names are real; the shapes are NOT
  the real district boundaries, only in roughly the right relative places.
- Places (parks, squares, centres, the station) are small round polygons (60–150 m radius) at their
  approximate real position; their district is the one whose cell contains them.

`python -m samtrygg.demo.geography` rewrites the GeoJSON files in `data/` (EPSG:3006 with a `crs`
member, the format `samtrygg import-areas` reads; one file per level, so e.g.
`samtrygg import-areas uppsala-stadsdelar.geojson --kind district --parent uppsala
--population-field population` works); a test checks that they match this module.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import mapping

from samtrygg.analysis import geo

DATA_DIR = Path(__file__).parent / "data"
MUNICIPALITY_FILE = DATA_DIR / "uppsala-kommun.geojson"
DISTRICTS_FILE = DATA_DIR / "uppsala-stadsdelar.geojson"
PLACES_FILE = DATA_DIR / "uppsala-platser.geojson"

MUNICIPALITY_CODE = "uppsala"
MUNICIPALITY_NAME = "Uppsala kommun"
MUNICIPALITY_POPULATION = 245_000

# Rough outline of Uppsala kommun, (lon, lat).
MUNICIPALITY_OUTLINE = [
    (17.25, 59.95), (17.40, 60.10), (17.65, 60.17), (17.90, 60.10), (18.10, 60.00), (18.20, 59.88),
    (18.10, 59.75), (17.85, 59.72), (17.70, 59.77), (17.55, 59.73), (17.30, 59.75), (17.18, 59.85),
]

# Rough outline of the built-up town; district cells are clipped to it. (lon, lat)
TOWN_OUTLINE = [
    (17.540, 59.835), (17.555, 59.855), (17.585, 59.870), (17.600, 59.888), (17.620, 59.905),
    (17.645, 59.910), (17.670, 59.895), (17.695, 59.885), (17.705, 59.870), (17.715, 59.850),
    (17.730, 59.825), (17.725, 59.805), (17.690, 59.795), (17.665, 59.780), (17.640, 59.778),
    (17.620, 59.790), (17.595, 59.800), (17.585, 59.815), (17.565, 59.825),
]


@dataclass(frozen=True)
class DistrictSpec:
    code: str
    name: str
    lat: float
    lon: float
    population: int
    hot: float  # relative incident rate per resident (1 = ordinary)


# Approximate real centre points; populations are plausible round numbers, not official statistics.
DISTRICTS = [
    DistrictSpec("centrum", "Centrum (Innerstaden)", 59.8586, 17.6389, 12_000, 3.0),
    DistrictSpec("falhagen", "Fålhagen", 59.853, 17.655, 6_500, 1.1),
    DistrictSpec("kungsgardet", "Kungsgärdet", 59.852, 17.618, 5_000, 0.9),
    DistrictSpec("luthagen", "Luthagen", 59.866, 17.627, 14_000, 0.9),
    DistrictSpec("svartbacken", "Svartbäcken", 59.871, 17.645, 9_500, 1.2),
    DistrictSpec("granby", "Gränby", 59.877, 17.675, 8_500, 1.8),
    DistrictSpec("loten", "Löten", 59.877, 17.632, 5_500, 0.8),
    DistrictSpec("eriksberg", "Eriksberg", 59.846, 17.608, 6_000, 0.9),
    DistrictSpec("stenhagen", "Stenhagen", 59.846, 17.567, 8_500, 1.8),
    DistrictSpec("gottsunda", "Gottsunda", 59.808, 17.614, 11_000, 2.2),
    DistrictSpec("savja", "Sävja", 59.815, 17.706, 8_000, 1.3),
    DistrictSpec("valsatra", "Valsätra", 59.822, 17.628, 4_500, 1.4),
    DistrictSpec("sunnersta", "Sunnersta", 59.791, 17.650, 7_000, 0.7),
    DistrictSpec("arsta", "Årsta", 59.860, 17.690, 9_000, 1.0),
    DistrictSpec("salabacke", "Salabacke", 59.870, 17.683, 4_500, 1.1),
    DistrictSpec("rosendal", "Rosendal", 59.840, 17.640, 6_500, 0.8),
    DistrictSpec("flogsta", "Flogsta", 59.851, 17.589, 8_000, 1.3),
    DistrictSpec("norby", "Norby", 59.840, 17.620, 4_000, 0.7),
    DistrictSpec("kvarngardet", "Kvarngärdet", 59.866, 17.657, 6_500, 1.1),
    DistrictSpec("gamla-uppsala", "Gamla Uppsala", 59.898, 17.633, 4_500, 0.8),
    DistrictSpec("bolanderna", "Boländerna (Industristaden)", 59.853, 17.673, 800, 6.0),
    DistrictSpec("ultuna", "Ultuna", 59.816, 17.657, 1_500, 0.8),
    DistrictSpec("nyby", "Nyby", 59.882, 17.657, 3_500, 1.0),
    DistrictSpec("libroback", "Librobäck", 59.878, 17.608, 3_000, 0.8),
    DistrictSpec("kabo", "Kåbo", 59.848, 17.630, 3_500, 0.6),
]


@dataclass(frozen=True)
class PlaceSpec:
    code: str
    name: str
    kind: str  # areas.models.PlaceKind
    lat: float
    lon: float
    radius: float  # metres


PLACES = [
    PlaceSpec("mikaelsparken", "Mikaelsparken", "park", 59.8668, 17.6438, 80),
    PlaceSpec("stora-torget", "Stora torget", "square", 59.8586, 17.6389, 60),
    PlaceSpec("forumtorget", "Forumtorget", "square", 59.8591, 17.6428, 60),
    PlaceSpec("vaksala-torg", "Vaksala torg", "square", 59.8604, 17.6478, 70),
    PlaceSpec("resecentrum", "Resecentrum (Uppsala C)", "station", 59.8583, 17.6466, 110),
    PlaceSpec("stadsparken", "Stadsparken", "park", 59.8520, 17.6440, 90),
    PlaceSpec("gottsunda-centrum", "Gottsunda centrum", "centre", 59.8085, 17.6150, 120),
    PlaceSpec("granby-centrum", "Gränby centrum", "centre", 59.8770, 17.6740, 140),
    PlaceSpec("stenhagens-centrum", "Stenhagens centrum", "centre", 59.8455, 17.5665, 90),
    PlaceSpec("savja-centrum", "Sävja centrum", "centre", 59.8155, 17.7055, 80),
    PlaceSpec("valsatra-centrum", "Valsätra centrum", "centre", 59.8218, 17.6275, 70),
    PlaceSpec("flogsta-centrum", "Flogsta centrum", "centre", 59.8508, 17.5895, 70),
]


@dataclass(frozen=True)
class District:
    spec: DistrictSpec
    polygon: shapely.Polygon  # EPSG:3006

    @property
    def code(self) -> str:
        return self.spec.code


@dataclass(frozen=True)
class Place:
    spec: PlaceSpec
    polygon: shapely.Polygon  # EPSG:3006
    x: float
    y: float
    district: int  # index into Geography.districts

    @property
    def code(self) -> str:
        return self.spec.code


@dataclass(frozen=True)
class Geography:
    municipality: shapely.Polygon
    town: shapely.Polygon
    districts: list[District]
    places: list[Place]


def _polygon_wgs84_to_sweref(lonlat) -> shapely.Polygon:
    lon, lat = np.array(lonlat, float).T
    x, y = geo.wgs84_to_sweref(lon, lat)
    return shapely.Polygon(np.column_stack([x, y]))


def _round(geometry):
    """Whole metres: plenty for rough shapes, and keeps the data files small and stable."""
    return shapely.set_precision(geometry, 1.0)


@lru_cache(maxsize=1)
def build() -> Geography:
    municipality = _round(_polygon_wgs84_to_sweref(MUNICIPALITY_OUTLINE))
    town = _round(_polygon_wgs84_to_sweref(TOWN_OUTLINE))
    cx, cy = geo.wgs84_to_sweref([d.lon for d in DISTRICTS], [d.lat for d in DISTRICTS])
    centres = shapely.points(cx, cy)
    if not shapely.contains(town, centres).all():
        raise ValueError("a district centre lies outside the town outline")
    cells = shapely.get_parts(
        shapely.voronoi_polygons(shapely.multipoints(centres), extend_to=town, ordered=True)
    )
    districts = [
        District(spec, _round(shapely.intersection(cell, town)))
        for spec, cell in zip(DISTRICTS, cells, strict=True)
    ]
    for district, centre in zip(districts, centres, strict=True):
        if not district.polygon.contains(centre):  # ordered=True should guarantee this
            raise ValueError(f"Voronoi cell of {district.code} does not contain its centre")
    px, py = geo.wgs84_to_sweref([p.lon for p in PLACES], [p.lat for p in PLACES])
    places = []
    for spec, x, y in zip(PLACES, px, py, strict=True):
        polygon = _round(shapely.Point(x, y).buffer(spec.radius, quad_segs=4))
        home = [i for i, d in enumerate(districts) if d.polygon.contains(shapely.Point(x, y))]
        if not home:
            raise ValueError(f"place {spec.code} lies outside every district")
        places.append(Place(spec, polygon, float(x), float(y), home[0]))
    return Geography(municipality, town, districts, places)


# ---- GeoJSON -------------------------------------------------------------------------------------

CRS_MEMBER = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3006"}}


def _collection(name: str, features: list[dict]) -> dict:
    return {"type": "FeatureCollection", "name": name, "crs": CRS_MEMBER, "features": features}


def municipality_geojson(geography: Geography) -> dict:
    return _collection("uppsala-kommun", [{
        "type": "Feature",
        "properties": {"code": MUNICIPALITY_CODE, "name": MUNICIPALITY_NAME, "kind": "municipality",
                       "population": MUNICIPALITY_POPULATION},
        "geometry": mapping(geography.municipality),
    }])


def districts_geojson(geography: Geography) -> dict:
    return _collection("uppsala-stadsdelar", [{
        "type": "Feature",
        "properties": {"code": d.code, "name": d.spec.name, "kind": "district", "parent": MUNICIPALITY_CODE,
                       "population": d.spec.population},
        "geometry": mapping(d.polygon),
    } for d in geography.districts])


def places_geojson(geography: Geography) -> dict:
    return _collection("uppsala-platser", [{
        "type": "Feature",
        "properties": {"code": p.code, "name": p.spec.name, "kind": p.spec.kind,
                       "area": geography.districts[p.district].code},
        "geometry": mapping(p.polygon),
    } for p in geography.places])


FILES = {
    MUNICIPALITY_FILE: municipality_geojson,
    DISTRICTS_FILE: districts_geojson,
    PLACES_FILE: places_geojson,
}


def dumps(collection: dict) -> str:
    return json.dumps(collection, ensure_ascii=False, indent=1) + "\n"


def write_files() -> None:
    geography = build()
    for path, make in FILES.items():
        path.write_text(dumps(make(geography)), encoding="utf-8")


if __name__ == "__main__":
    write_files()
    print("wrote", ", ".join(str(path) for path in FILES))
