from io import StringIO

import numpy as np
import pytest
import shapely
from django.core.management import CommandError, call_command
from pyproj import Transformer

from samtrygg.areas.models import Area, Place
from samtrygg.reports.models import ReportArea, ReportPlace
from tests.areas import files
from tests.factories import CENTRE_X, CENTRE_Y, AreaFactory, make_report

pytestmark = pytest.mark.django_db


def run(path, *args):
    out, err = StringIO(), StringIO()
    call_command("import_areas", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_geojson_in_sweref_with_crs_member(tmp_path):
    path = files.geojson(tmp_path / "a.geojson", [
        {"code": "centrum", "name": "Centrum", "population": 12000, "geometry": files.box()},
    ])
    out, _ = run(path)
    assert "1 created, 0 updated" in out
    area = Area.objects.get(code="centrum")
    assert area.population == 12000
    assert (area.min_x, area.min_y, area.max_x, area.max_y) == pytest.approx(
        (CENTRE_X - 1000, CENTRE_Y - 1000, CENTRE_X + 1000, CENTRE_Y + 1000))
    lon, lat = area.geometry_wgs84["coordinates"][0][0]
    assert 17.5 < lon < 17.8 and 59.8 < lat < 59.9


def test_geojson_without_crs_is_wgs84(tmp_path):
    to_wgs = Transformer.from_crs("EPSG:3006", "EPSG:4326", always_xy=True)
    wgs = shapely.transform(files.box(), lambda xy: np.column_stack(to_wgs.transform(xy[:, 0], xy[:, 1])))
    path = files.geojson(tmp_path / "w.geojson", [{"code": "w", "name": "W", "geometry": wgs}], crs=None)
    run(path)
    area = Area.objects.get(code="w")
    assert area.min_x == pytest.approx(CENTRE_X - 1000, abs=0.01)
    assert area.max_y == pytest.approx(CENTRE_Y + 1000, abs=0.01)


def test_geopackage_with_population_and_places_flag(tmp_path):
    gpkg = files.ogr(tmp_path / "a.gpkg", [
        {"code": "nord", "name": "Nord", "population": 5, "geometry": files.box(0, 3000)},
        {"code": "syd", "name": "Syd", "population": 7, "geometry": files.box(0, -3000)},
    ])
    out, _ = run(gpkg)
    assert "2 created" in out
    assert dict(Area.objects.values_list("code", "population")) == {"nord": 5, "syd": 7}
    parks = files.ogr(tmp_path / "p.gpkg", [
        {"code": "parken", "name": "Parken", "geometry": files.box(0, 3000, 50)},
    ])
    out, _ = run(parks, "--places", "--kind", "park")
    assert out.startswith("places: 1 created")
    place = Place.objects.get(code="parken")
    assert place.kind == "park"
    assert place.area.code == "nord"  # the smallest area containing it


def test_shapefile_and_zipped_shapefile_with_uppercase_fields(tmp_path):
    shp = files.ogr(tmp_path / "omr.shp", [{"KOD": "a1", "NAMN": "Första", "geometry": files.box()}],
                    driver="ESRI Shapefile")
    run(shp, "--code-field", "kod", "--name-field", "namn")
    assert Area.objects.get(code="a1").name == "Första"
    zipped = files.zipped(shp)
    out, _ = run(zipped, "--code-field", "KOD", "--name-field", "NAMN")
    assert "0 created, 0 updated, 1 unchanged" in out


def test_rt90_file_is_converted_like_pyproj_does(tmp_path):
    to_rt90 = Transformer.from_crs("EPSG:3006", "EPSG:3021", always_xy=True)
    corner_x, corner_y = to_rt90.transform(CENTRE_X - 1000, CENTRE_Y - 1000)
    far_x, far_y = to_rt90.transform(CENTRE_X + 1000, CENTRE_Y + 1000)
    rt90 = shapely.box(corner_x, corner_y, far_x, far_y)
    gpkg = files.ogr(tmp_path / "rt90.gpkg", [
        {"code": "rt", "name": "RT90", "geometry": rt90},
    ], crs="EPSG:3021")
    run(gpkg)
    area = Area.objects.get(code="rt")
    back = Transformer.from_crs("EPSG:3021", "EPSG:3006", always_xy=True)
    expected = back.transform(corner_x, corner_y)
    coords = shapely.get_coordinates(area.shape)
    nearest = coords[((coords - expected) ** 2).sum(axis=1).argmin()]
    assert nearest == pytest.approx(expected, abs=0.001)
    # RT90 and SWEREF 99 differ by hundreds of km in x: the file was really converted.
    assert abs(corner_x - expected[0]) > 1000


def test_crs_option_supplies_a_missing_crs(tmp_path):
    shp = files.ogr(tmp_path / "noprj.shp", [{"code": "x", "name": "X", "geometry": files.box()}],
                    driver="ESRI Shapefile")
    (tmp_path / "noprj.prj").unlink()
    with pytest.raises(CommandError, match="--crs"):
        run(shp)
    assert not Area.objects.exists()
    run(shp, "--crs", "EPSG:3006")
    assert Area.objects.filter(code="x").exists()


def test_wrong_crs_is_caught(tmp_path):
    path = files.geojson(tmp_path / "a.geojson", [
        {"code": "a", "name": "A", "geometry": files.box()},
    ], crs=None)
    with pytest.raises(CommandError, match="do not lie in Sweden"):
        run(path)


def test_points_are_refused_naming_the_feature(tmp_path):
    path = files.geojson(tmp_path / "p.geojson", [
        {"code": "ok", "name": "Ok", "geometry": files.box()},
        {"code": "pt", "name": "Pt", "geometry": shapely.Point(CENTRE_X, CENTRE_Y)},
    ])
    with pytest.raises(CommandError) as exc:
        run(path)
    assert "feature 2 (code pt): is a Point" in str(exc.value)
    assert not Area.objects.exists()  # nothing half-imported


def test_missing_code_field_is_named(tmp_path):
    path = files.geojson(tmp_path / "a.geojson", [{"id": "a", "name": "A", "geometry": files.box()}])
    with pytest.raises(CommandError, match=r"no field 'code' for the code \(the file has: id, name\)"):
        run(path)


def test_every_bad_feature_is_listed(tmp_path):
    path = files.geojson(tmp_path / "a.geojson", [
        {"code": "a", "name": "A", "population": "många", "geometry": files.box()},
        {"code": "a", "name": "B", "geometry": files.box(5000)},
        {"code": "", "name": "C", "geometry": files.box(10000)},
        {"code": "d", "name": "D", "geometry": None},
        {"code": "geojson", "name": "E", "geometry": files.box(20000)},
    ])
    with pytest.raises(CommandError) as exc:
        run(path)
    message = str(exc.value)
    assert "feature 1 (code a): population 'många' is not a whole number" in message
    assert "feature 2 (code a): code 'a' is also used by feature 1" in message
    assert "feature 3: empty 'code'" in message
    assert "feature 4 (code d): no geometry" in message
    assert "feature 5 (code geojson): code 'geojson' is reserved" in message
    assert not Area.objects.exists()


def test_unknown_parent_is_refused(tmp_path):
    path = files.geojson(tmp_path / "a.geojson", [{"code": "a", "name": "A", "geometry": files.box()}])
    with pytest.raises(CommandError, match="--parent: no area with code 'nowhere'"):
        run(path, "--parent", "nowhere")
    assert not Area.objects.exists()


def test_unreadable_file(tmp_path):
    path = tmp_path / "broken.geojson"
    path.write_text("{not json")
    with pytest.raises(CommandError, match="not a readable GeoJSON"):
        run(path)


def test_invalid_polygon_is_repaired_with_a_warning(tmp_path):
    x, y = CENTRE_X, CENTRE_Y
    bowtie = shapely.Polygon([(x, y), (x + 1000, y + 1000), (x + 1000, y), (x, y + 1000), (x, y)])
    assert not bowtie.is_valid
    path = files.geojson(tmp_path / "a.geojson", [{"code": "bow", "name": "Bow", "geometry": bowtie}])
    _, err = run(path)
    assert "feature 1 (code bow): invalid polygon (Self-intersection" in err
    shape = Area.objects.get(code="bow").shape
    assert shape.is_valid and shape.area == pytest.approx(500_000)


def test_reimport_updates_and_reassigns_reports(tmp_path, reporter):
    first = files.geojson(tmp_path / "a.geojson", [
        {"code": "a", "name": "A", "population": 1, "geometry": files.box()},
    ])
    run(first)
    area = Area.objects.get(code="a")
    inside_old = make_report(reporter, x=CENTRE_X, y=CENTRE_Y)
    outside_old = make_report(reporter, x=CENTRE_X + 3000, y=CENTRE_Y)
    assert set(ReportArea.objects.filter(area=area).values_list("report_id", flat=True)) == {inside_old.pk}

    moved = files.geojson(tmp_path / "b.geojson", [
        {"code": "a", "name": "A nytt", "population": 2, "geometry": files.box(3000)},
        {"code": "b", "name": "B", "geometry": files.box(-5000)},
    ])
    out, _ = run(moved)
    assert "1 created, 1 updated, 0 unchanged" in out
    area.refresh_from_db()
    assert (area.name, area.population, area.pk) == ("A nytt", 2, Area.objects.get(code="a").pk)
    assert set(ReportArea.objects.filter(area=area).values_list("report_id", flat=True)) == {outside_old.pk}


def test_dry_run_saves_nothing(tmp_path):
    path = files.geojson(tmp_path / "a.geojson", [{"code": "a", "name": "A", "geometry": files.box()}])
    out, _ = run(path, "--dry-run")
    assert "would have areas: 1 created" in out
    assert not Area.objects.exists()


def test_nesting_in_one_file_and_adopting_existing_areas(tmp_path):
    path = files.geojson(tmp_path / "a.geojson", [
        {"code": "d1", "name": "D1", "geometry": files.box(-1000, 0, 900)},
        {"code": "kommun", "name": "Kommun", "geometry": files.box(0, 0, 5000)},
        {"code": "d2", "name": "D2", "geometry": files.box(1000, 0, 900)},
    ])
    run(path, "--kind", "district")
    parents = dict(Area.objects.values_list("code", "parent__code"))
    assert parents == {"kommun": None, "d1": "kommun", "d2": "kommun"}
    # A smaller unit inside D1 nests under D1, not the municipality.
    deso = files.geojson(tmp_path / "deso.geojson", [
        {"code": "s1", "name": "S1", "geometry": files.box(-1000, 0, 100)},
    ])
    run(deso, "--kind", "deso")
    assert Area.objects.get(code="s1").parent.code == "d1"
    # A new unit slotted between the municipality and D2 adopts D2.
    middle = files.geojson(tmp_path / "m.geojson", [
        {"code": "ost", "name": "Öst", "geometry": files.box(1500, 0, 2000)},
    ])
    run(middle)
    assert Area.objects.get(code="ost").parent.code == "kommun"
    assert Area.objects.get(code="d2").parent.code == "ost"
    assert Area.objects.get(code="d1").parent.code == "kommun"


def test_explicit_parent_and_no_nest(tmp_path):
    AreaFactory(code="stor", geometry=files.box(0, 0, 5000))
    AreaFactory(code="annan", geometry=files.box(50_000, 0, 5000))
    path = files.geojson(tmp_path / "a.geojson", [
        {"code": "liten", "name": "Liten", "geometry": files.box()},
    ])
    run(path, "--parent", "annan")
    assert Area.objects.get(code="liten").parent.code == "annan"
    Area.objects.filter(code="liten").delete()
    run(path, "--no-nest")
    assert Area.objects.get(code="liten").parent is None


def test_places_get_reports_assigned(tmp_path, reporter):
    report = make_report(reporter, x=CENTRE_X, y=CENTRE_Y)
    path = files.geojson(tmp_path / "p.geojson", [
        {"code": "torget", "name": "Torget", "geometry": files.box(0, 0, 30)},
    ])
    run(path, "--kind", "square")
    place = Place.objects.get(code="torget")
    assert place.kind == "square"
    assert list(ReportPlace.objects.filter(place=place).values_list("report_id", flat=True)) == [report.pk]


def test_bad_kind_and_population_for_places(tmp_path):
    path = files.geojson(tmp_path / "a.geojson", [{"code": "a", "name": "A", "geometry": files.box()}])
    with pytest.raises(CommandError, match="unknown place kind 'district'"):
        run(path, "--places", "--kind", "district")
    with pytest.raises(CommandError, match="places have no population"):
        run(path, "--places", "--population-field", "pop")
