"""The files shipped in samtrygg/demo/data: the demo geography and the sample import files."""

import csv
import datetime as dt
import json

import numpy as np
import shapely

from samtrygg.analysis import geo
from samtrygg.areas.loader import read_features
from samtrygg.categories.defaults import DEFAULT_CATEGORIES
from samtrygg.demo import generator, geography
from samtrygg.privacy import pii

DATA = geography.DATA_DIR


def test_geojson_files_match_the_geography_module():
    built = geography.build()
    for path, make in geography.FILES.items():
        assert path.read_text(encoding="utf-8") == geography.dumps(make(built)), (
            f"{path.name} is stale: run python -m samtrygg.demo.geography")


def test_districts_tile_the_town_inside_the_municipality():
    built = geography.build()
    assert 20 <= len(built.districts) <= 30
    union = shapely.union_all([d.polygon for d in built.districts])
    assert abs(union.area - built.town.area) < 1e-3 * built.town.area
    assert sum(a.polygon.intersection(b.polygon).area
               for i, a in enumerate(built.districts) for b in built.districts[i + 1:]) < 1
    assert built.municipality.contains(built.town)
    for place in built.places:
        assert built.districts[place.district].polygon.contains(place.polygon), place.code
        assert 60 <= place.spec.radius <= 150


def test_relative_positions_are_roughly_right():
    c = {d.code: d.polygon.centroid for d in geography.build().districts}
    assert c["gottsunda"].y < c["centrum"].y < c["gamla-uppsala"].y  # south … north
    assert c["stenhagen"].x < c["centrum"].x < c["savja"].x  # west … east
    assert 6_600_000 < c["centrum"].y < 6_650_000 and 640_000 < c["centrum"].x < 655_000


def test_the_area_importer_reads_the_district_file():
    result = read_features(geography.DISTRICTS_FILE, population_field="population")
    assert len(result.features) == len(geography.DISTRICTS)
    gottsunda = next(f for f in result.features if f.code == "gottsunda")
    assert gottsunda.population == 11_000
    assert gottsunda.geometry.equals_exact(
        next(d.polygon for d in geography.build().districts if d.code == "gottsunda"), 0.01)


def test_sample_report_csv_is_valid_canonical_data():
    with (DATA / "exempel-rapporter.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 20
    assert list(rows[0]) == ["external_id", "occurred_at", "category", "lat", "lon", "place", "description",
                             "quantity"]
    known = {code for code, *_ in DEFAULT_CATEGORIES} | {name.lower() for _, name, *_ in DEFAULT_CATEGORIES}
    places = {p.name for p in geography.PLACES}
    districts = [d.polygon for d in geography.build().districts]
    x, y = geo.wgs84_to_sweref([float(r["lon"]) for r in rows], [float(r["lat"]) for r in rows])
    inside = np.zeros(len(rows), bool)
    for hits in geo.assign_points(x, y, districts):
        inside[hits] = True
    assert inside.all(), [rows[i]["external_id"] for i in np.flatnonzero(~inside)]
    assert len({r["external_id"] for r in rows}) == 20
    for row in rows:
        assert row["category"].lower() in known, row
        assert not row["place"] or row["place"] in places, row
        assert not pii.scan(row["description"]), row
        assert int(row["quantity"]) >= 1
        assert dt.datetime.fromisoformat(row["occurred_at"]).date() < dt.date(2026, 11, 20)


def test_sample_police_events_file_has_the_feed_format():
    events = json.loads((DATA / "polisens-handelser-exempel.json").read_text(encoding="utf-8"))
    assert len(events) >= 10
    municipality = geography.build().municipality
    for event in events:
        assert set(event) == {"id", "datetime", "name", "summary", "url", "type", "location"}
        assert dt.datetime.strptime(event["datetime"], "%Y-%m-%d %H:%M:%S %z").tzinfo is not None
        lat, lon = (float(v) for v in event["location"]["gps"].split(","))
        x, y = geo.wgs84_to_sweref(lon, lat)
        assert municipality.contains(shapely.Point(x, y)), event["id"]
        assert not pii.scan(event["summary"]), event["summary"]
    assert len({e["id"] for e in events}) == len(events)


def test_the_sensitive_category_is_police_only():
    code, *_rest = generator.SENSITIVE_CATEGORY
    assert generator.CATEGORIES[code].orgs == {"polisen-uppsala": 1}
