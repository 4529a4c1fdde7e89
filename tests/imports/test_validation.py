"""The parser and validator: each format, and each kind of bad input with its exact line number."""

import io
import json
from datetime import UTC, datetime

import pytest
from openpyxl import Workbook

from samtrygg.categories.models import Category
from samtrygg.imports.parsing import FileProblem
from samtrygg.imports.services import check_file
from samtrygg.imports.validation import parse_when
from tests.factories import CENTRE_X, CENTRE_Y, OrganizationFactory, PlaceFactory, UserFactory

from .helpers import LAT, LON, csv_bytes, row

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(area, org):
    return org


def check(data: bytes, org, name="reports.csv", **kwargs):
    return check_file(data, name, organization=org, **kwargs)


def errors(result) -> dict[int, str]:
    return dict(result.errors)


# ---- formats -----------------------------------------------------------------------------------------

def test_csv_comma_with_all_columns(setup):
    data = csv_bytes([
        {**row(quantity="3", description="Tags", extra="x"), "External ID": "a1", "Category": "klotter"},
        {**row(), "External ID": "a2", "Category": "Klotter", "lat": "", "lon": "",
         "x": str(CENTRE_X + 10), "y": str(CENTRE_Y - 10)},
    ], header=["External ID", "occurred_at", "Category", "lat", "lon", "x", "y", "description", "quantity",
               "extra"])
    v = check(data, setup)
    assert v.errors == []
    assert v.valid == 2
    assert v.quantities == [3, 1]
    assert v.attributes == [{"extra": "x"}, {}]
    assert v.external_ids == ["a1", "a2"]
    assert v.x[1] == pytest.approx(CENTRE_X + 10)
    assert v.lat[0] == pytest.approx(LAT, abs=1e-6)
    # both rows are in the one area
    assert v.area_links[0].tolist() == [0, 1]


def test_csv_semicolon_bom_decimal_comma_and_extra_columns(setup):
    text = ("\ufeffoccurred_at;category;lat;lon;Källa\n"
            f"2025-05-01 10:00;KLOTTER;{LAT:.6f};{LON:.6f};Fastighetssystem\n").replace(".", ",", 0)
    text = text.replace(f"{LAT:.6f}", f"{LAT:.6f}".replace(".", ","))
    v = check(text.encode("utf-8"), setup)
    assert v.errors == []
    assert v.lat[0] == pytest.approx(LAT, abs=1e-6)
    assert v.attributes == [{"källa": "Fastighetssystem"}]


def test_local_time_without_offset_is_stockholm(setup):
    v = check(csv_bytes([row(occurred_at="2025-07-01T12:00"), row(occurred_at="2025-01-10T12:00:00+00:00")]),
              setup)
    assert v.occurred_at[0] == datetime(2025, 7, 1, 10, 0, tzinfo=UTC)  # CEST = UTC+2
    assert v.occurred_at[1] == datetime(2025, 1, 10, 12, 0, tzinfo=UTC)


def test_dst_gap_is_an_error_and_repeated_hour_is_summer_time():
    with pytest.raises(ValueError, match="finns inte i svensk tid"):
        parse_when("2025-03-30T02:30")
    assert parse_when("2025-10-26T02:30") == datetime(2025, 10, 26, 0, 30, tzinfo=UTC)  # first (CEST)


def test_xlsx(setup):
    wb = Workbook()
    ws = wb.active
    ws.append(["external_id", "occurred_at", "category", "lat", "lon", "quantity"])
    ws.append(["x1", datetime(2025, 5, 1, 12, 0), "brand", LAT, LON, 2])
    ws.append(["x2", "2025-05-01 13:00", "nope", LAT, LON, 1])
    buf = io.BytesIO()
    wb.save(buf)
    v = check(buf.getvalue(), setup, name="reports.xlsx")
    assert v.valid == 1 and v.quantities == [2]
    assert v.occurred_at[0] == datetime(2025, 5, 1, 10, 0, tzinfo=UTC)
    assert list(errors(v)) == [3]
    assert "okänd kategori ”nope”" in errors(v)[3]


def test_geojson_wgs84_and_crs_member(setup):
    fc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [LON, LAT]},
         "properties": {"occurred_at": "2025-05-01T12:00", "category": "klotter", "note": "n"}},
        {"type": "Feature", "geometry": {"type": "LineString", "coordinates": [[LON, LAT], [LON, LAT]]},
         "properties": {"occurred_at": "2025-05-01T12:00", "category": "klotter"}},
    ]}
    v = check(json.dumps(fc).encode(), setup, name="r.geojson")
    assert v.valid == 1 and v.unit == "feature"
    assert v.attributes == [{"note": "n"}]
    assert "inte en punkt (Point)" in errors(v)[2]

    fc3006 = {"type": "FeatureCollection",
              "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3006"}},
              "features": [{"type": "Feature",
                            "geometry": {"type": "Point", "coordinates": [CENTRE_X, CENTRE_Y]},
                            "properties": {"occurred_at": "2025-05-01T12:00", "category": "klotter"}}]}
    # the file's own crs wins over the one chosen at import
    v = check(json.dumps(fc3006).encode(), setup, name="r.geojson", crs="EPSG:3011")
    assert v.errors == [] and v.x[0] == pytest.approx(CENTRE_X)


def test_x_y_in_another_crs(setup):
    from samtrygg.analysis import geo

    x3011, y3011 = geo.transformer("EPSG:3006", "EPSG:3011").transform(CENTRE_X, CENTRE_Y)
    v = check(csv_bytes([row(lat="", lon="", x=f"{x3011:.2f}", y=f"{y3011:.2f}")]), setup, crs="EPSG:3011")
    assert v.errors == []
    assert v.x[0] == pytest.approx(CENTRE_X, abs=0.05) and v.y[0] == pytest.approx(CENTRE_Y, abs=0.05)


# ---- whole-file problems -------------------------------------------------------------------------------

def test_latin1_file_names_the_line(setup):
    data = ("occurred_at,category,lat,lon\n" f"2025-05-01,klotter,{LAT},{LON}\n"
            f"2025-05-01,Skadegörelse,{LAT},{LON}\n").encode("latin-1")
    with pytest.raises(FileProblem, match=r"inte i UTF-8 \(rad 3\)"):
        check(data, setup)


def test_missing_required_column_is_named(setup):
    data = f"occurred_at,lat,lon\n2025-05-01,{LAT},{LON}\n".encode()
    with pytest.raises(FileProblem, match="“category”"):
        check(data, setup)
    with pytest.raises(FileProblem, match="“lon”"):
        check(f"occurred_at,category,lat\n2025-05-01,klotter,{LAT}\n".encode(), setup)
    with pytest.raises(FileProblem, match="lat.*lon.*x.*y"):
        check(b"occurred_at,category\n2025-05-01,klotter\n", setup)


@pytest.mark.parametrize(("data", "name", "message"), [
    (b"", "r.csv", "Filen är tom"),
    (b'occurred_at,category,lat,lon\n"2025-05-01,klotter,1,2\n', "r.csv", "inte giltig CSV"),
    (b"occurred_at,category,lat,lon\n2025-05-01,klotter,1,2,3,4\n", "r.csv", "Rad 2 har 6 fält"),
    (b"PK\x03\x04 not really a zip", "r.xlsx", "ingen läsbar Excel-arbetsbok"),
    (b"hello", "r.xlsx", "heter .xlsx men är ingen Excel-arbetsbok"),
    (b'{"type": "FeatureCollection", "features": [', "r.geojson", r"inte giltig JSON \(rad 1"),
    (b'{"type": "Feature"}', "r.geojson", "FeatureCollection"),
    (b"abc", "r.pdf", "kan inte importeras"),
    (b"a,a\n1,2\n", "r.csv", "finns två gånger"),
])
def test_malformed_files(setup, data, name, message):
    with pytest.raises(FileProblem, match=message):
        check(data, setup, name=name)


# ---- bad rows, each with its line ----------------------------------------------------------------------

def test_every_bad_row_has_its_line_and_reason(setup, area):
    Category.objects.filter(code="fordon").update(is_active=False)
    PlaceFactory(code="parken", name="Parken")
    OrganizationFactory(code="annan", name="Annan")
    rows = [
        row(external_id="ok1"),                                   # 2
        row(category="unicorns"),                                 # 3
        row(occurred_at="yesterday"),                             # 4
        row(occurred_at="2999-01-01T00:00"),                      # 5
        row(lat="59.0", lon="10.0"),                              # 6 outside every area
        row(lat="95", lon="17"),                                  # 7
        row(x="1", y="2"),                                        # 8 both pairs
        row(lat="", lon=""),                                      # 9 neither
        row(quantity="0"),                                        # 10
        row(quantity="2.5"),                                      # 11
        row(place="Nowhere"),                                     # 12
        row(organization="ghost"),                                # 13
        row(external_id="ok1"),                                   # 14 duplicate of line 2
        row(category="fordon"),                                   # 15 inactive
        row(place="parken", external_id="ok2", quantity="4"),     # 16 fine
        row(occurred_at="2025-03-30T02:30"),                      # 17 DST gap
        row(lat="abc"),                                           # 18
        row(occurred_at=""),                                      # 19
    ]
    v = check(csv_bytes(rows), setup)
    e = errors(v)
    assert sorted(e) == list(range(3, 16)) + [17, 18, 19]
    assert "okänd kategori ”unicorns”" in e[3]
    assert "”yesterday” är inte datum och tid enligt ISO 8601" in e[4]
    assert "ligger i framtiden" in e[5]
    assert "utanför alla områden" in e[6]
    assert "utanför tillåtna värden" in e[7]
    assert "inte båda" in e[8]
    assert "position saknas" in e[9]
    assert "quantity ”0”" in e[10] and "quantity ”2.5”" in e[11]
    assert "okänd plats ”Nowhere”" in e[12]
    assert "okänd aktör ”ghost”" in e[13]
    assert "används redan på rad 2" in e[14]
    assert "används inte längre" in e[15]
    assert "finns inte i svensk tid" in e[17]
    assert "är inte tal" in e[18]
    assert "occurred_at är tom" in e[19]
    assert v.lines == [2, 16]
    assert v.place_ids[1] is not None and v.quantities[1] == 4
    assert v.total == 18


def test_line_numbers_count_multiline_cells_and_blank_lines(setup):
    data = (f'occurred_at,category,lat,lon,description\n'
            f'2025-05-01,klotter,{LAT},{LON},"two\nlines"\n'
            f'\n'
            f'2025-05-01,unicorns,{LAT},{LON},x\n').encode()
    v = check(data, setup)
    assert errors(v) == {5: "okänd kategori ”unicorns”"}
    assert v.lines == [2]


def test_reporter_may_only_import_for_own_organisation(setup):
    OrganizationFactory(code="annan", name="Annan")
    reporter = UserFactory(role="reporter", organization=setup)
    data = csv_bytes([row(organization="annan"), row(organization="kommunen"), row()])
    v = check(data, setup, user=reporter)
    assert list(errors(v)) == [2] and "din egen aktör" in errors(v)[2]
    admin = UserFactory(role="admin", organization=setup)
    assert check(data, setup, user=admin).errors == []


def test_personal_data_in_description_is_a_warning_not_an_error(setup):
    v = check(csv_bytes([row(description="Ring 070-123 45 67"), row(description="Klotter på väggen")]), setup)
    assert v.errors == [] and v.valid == 2
    assert [line for line, _r in v.warnings] == [2]
    assert "personuppgifter (telefonnummer)" in v.warnings[0][1]
