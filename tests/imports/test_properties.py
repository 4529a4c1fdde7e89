"""Property-based tests (hypothesis) of reading and validating report files: any bytes, text, encoding,
delimiter, zip or JSON gives a table or the documented FileProblem, never another exception; any cell gives a
valid row or a row error; valid rows round-trip through CSV, XLSX and GeoJSON; times obey Swedish DST."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation
from hypothesis import assume, example, given
from hypothesis import strategies as st

from samtrygg.analysis import geo
from samtrygg.categories.models import Category
from samtrygg.imports import parsing, services
from samtrygg.imports.validation import parse_when
from tests.factories import CENTRE_X, CENTRE_Y
from tests.imports.helpers import HEADER, csv_bytes

STOCKHOLM = ZoneInfo("Europe/Stockholm")
FILENAMES = st.sampled_from(["r.csv", "r.xlsx", "r.geojson", "r.json", "r", "r.txt", "r.tsv", "r.pdf", ""])


def _read(data: bytes, name: str):
    try:
        return parsing.read_table(data, name)
    except parsing.FileProblem as exc:
        assert str(exc)  # the message says something
        return None


# ---- reading: never anything but FileProblem ---------------------------------------------------------------

@given(st.binary(max_size=400), FILENAMES)
@example(b"PK\x03\x04garbage", "r.xlsx")
@example(b"\x00\x00", "r.csv")
@example(b"\xef\xbb\xbf", "r.csv")
def test_any_bytes_give_a_table_or_a_file_problem(data, name):
    table = _read(data, name)
    if table is not None:
        assert len(table.rows) == len(table.lines)
        assert all(set(r) <= set(table.columns) | {"__geometry_error__"} for r in table.rows)


CELL = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=12)
# A cell as csv.writer can write it back (it does not quote a lone carriage return, which then ends the line).
ONE_LINE_CELL = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"], exclude_characters="\r\n"),
                        max_size=12)


@given(st.lists(st.lists(CELL, min_size=1, max_size=5), min_size=1, max_size=6),
       st.sampled_from([",", ";", "\t", "|"]),
       st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "latin-1", "cp1252"]),
       st.sampled_from(["\n", "\r\n", "\r"]))
def test_any_text_in_any_encoding_and_delimiter(records, delimiter, encoding, newline):
    text = newline.join(delimiter.join(r) for r in records)
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        assume(False)
    table = _read(data, "r.csv")
    if table is not None and encoding in ("utf-8", "utf-8-sig"):
        assert table.columns  # a header was read


@st.composite
def zip_files(draw):
    buf = io.BytesIO()
    names = draw(st.lists(st.sampled_from([
        "[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels",
        "xl/worksheets/sheet1.xml", "xl/sharedStrings.xml", "xl/styles.xml", "docProps/app.xml"]),
        unique=True, max_size=8))
    with zipfile.ZipFile(buf, "w") as z:
        for name in names:
            body = draw(st.one_of(st.binary(max_size=60), st.sampled_from([
                b"<?xml version='1.0'?><x/>", b"<Types xmlns='http://schemas.openxmlformats.org/package/2006/"
                b"content-types'><Override PartName='/xl/workbook.xml' ContentType='application/vnd.openxml"
                b"formats-officedocument.spreadsheetml.sheet.main+xml'/></Types>", b"<not closed", b""])))
            z.writestr(name, body)
    return buf.getvalue()


@given(zip_files())
def test_broken_workbooks_are_a_file_problem(data):
    _read(data, "r.xlsx")


JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner,
                                                                                  max_size=4), max_leaves=12)


@given(st.lists(st.one_of(JSON, st.fixed_dictionaries({"type": st.just("Feature"), "properties": JSON,
                                                          "geometry": JSON})), max_size=5),
       st.one_of(st.none(), JSON, st.just({"properties": {"name": "urn:ogc:def:crs:EPSG::3006"}})))
def test_any_geojson_gives_a_table_or_a_file_problem(features, crs):
    doc = {"type": "FeatureCollection", "features": features}
    if crs is not None:
        doc["crs"] = crs
    table = _read(json.dumps(doc).encode(), "r.geojson")
    if table is not None:
        assert table.lines == list(range(1, len(features) + 1))


# ---- validating: every row valid or with a reason -----------------------------------------------------------

NUMBERISH = st.one_of(st.floats(allow_nan=True, allow_infinity=True).map(repr), st.integers().map(str),
                      st.sampled_from(["", "59,85", "1e400", "-0", "nan", "  17.6 ", "١٢", "0x10"]), ONE_LINE_CELL)
WHEN = st.one_of(st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31, 23, 59)).map(
    lambda d: d.isoformat()), st.sampled_from([
        "0001-01-01T00:30", "9999-12-31T23:59-01:00", "2025-03-30T02:30", "2025-10-26T02:30", "2025-13-01",
        "2025-05-01T12:00+14:00", "2025-05-01", "24:00", ""]), ONE_LINE_CELL)


@pytest.mark.django_db
@given(st.lists(st.fixed_dictionaries({
    "external_id": ONE_LINE_CELL, "occurred_at": WHEN,
    "category": st.one_of(st.sampled_from(["klotter", "KLOTTER", "Klotter", "brand", "okänd", ""]),
                          ONE_LINE_CELL),
    "lat": NUMBERISH, "lon": NUMBERISH, "x": st.sampled_from(["", "647800", "1e308"]), "y": st.just(""),
    "quantity": NUMBERISH, "description": ONE_LINE_CELL, "place": st.sampled_from(["", "Ingen sådan plats"])}),
    min_size=1, max_size=6))
def test_any_cells_give_valid_rows_or_reasons(area, rows):
    v = _check(csv_bytes(rows), "r.csv")
    assert v.valid + len(v.errors) == v.total == len(rows)
    assert all(reason for _line, reason in v.errors)
    assert all(-90 <= la <= 90 for la in v.lat) and all(-180 <= lo <= 180 for lo in v.lon)
    assert all(1 <= q for q in v.quantities)


_CONTEXTS: dict = {}


def _check(data: bytes, name: str):
    """services.check_file for the command line, with the categories and areas read once per test run (the
    examples of one test share its database state)."""
    from django.db import connection

    from samtrygg.imports.validation import load_context, validate
    from tests.factories import OrganizationFactory

    table = parsing.read_table(data, name)
    crs = table.crs or geo.SWEREF
    key = (connection.vendor, id(connection.connection), crs, Category.objects.count())
    if key not in _CONTEXTS:
        _CONTEXTS.clear()
        _CONTEXTS[key] = load_context(default_organization=OrganizationFactory(code="parker"),
                                      allowed_organizations=None, crs=crs)
    return validate(table, _CONTEXTS[key])


def test_check_matches_the_service(db, area):
    """The cached shortcut above gives what services.check_file gives."""
    from tests.factories import OrganizationFactory

    data = csv_bytes([{"occurred_at": "2025-05-01T12:00", "category": "klotter", "lat": "59.858", "lon": "17.64"},
                      {"occurred_at": "2025-05-01T12:00", "category": "nej", "lat": "99", "lon": "17.64"}])
    a = services.check_file(data, "r.csv", user=None, organization=OrganizationFactory(code="parker"))
    b = _check(data, "r.csv")
    assert (a.errors, a.lines, a.occurred_at, a.category_ids) == (b.errors, b.lines, b.occurred_at, b.category_ids)


@pytest.mark.django_db
@given(st.floats(allow_nan=False, allow_infinity=False), st.floats(allow_nan=False, allow_infinity=False))
def test_out_of_range_coordinates_are_row_errors(area, lat, lon):
    assume(not (-90 <= lat <= 90 and -180 <= lon <= 180))
    rows = [{"occurred_at": "2025-05-01T12:00", "category": "klotter", "lat": repr(lat), "lon": repr(lon)}]
    with translation.override("en"):
        v = _check(csv_bytes(rows), "r.csv")
    assert v.valid == 0 and "out of range" in v.errors[0][1]


# ---- valid rows round-trip -----------------------------------------------------------------------------------

TEXT = st.text(st.characters(categories=["L", "N", "P", "Zs"], exclude_characters="\u2028\u2029\x85"),
               max_size=40).map(str.strip)


@st.composite
def valid_rows(draw):
    n = draw(st.integers(1, 8))
    out = []
    for i in range(n):
        dx, dy = draw(st.floats(-900, 900)), draw(st.floats(-900, 900))
        lon, lat = (float(v[0]) for v in geo.sweref_to_wgs84([CENTRE_X + dx], [CENTRE_Y + dy]))
        moment = draw(st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2025, 12, 31),
                                   timezones=st.sampled_from([UTC, STOCKHOLM, ZoneInfo("America/New_York")])))
        category = draw(st.sampled_from(["klotter", "Klotter", "KLOTTER", "brand", "Brand"]))
        out.append({"external_id": f"id-{i}", "occurred_at": moment.isoformat(), "category": category,
                    "lat": repr(lat), "lon": repr(lon), "quantity": str(draw(st.integers(1, 500))),
                    "description": draw(TEXT), "_moment": moment, "_lat": lat, "_lon": lon})
    return out


def _xlsx(rows) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(HEADER)
    for r in rows:
        ws.append([r.get(c, "") for c in HEADER])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _geojson(rows) -> bytes:
    features = [{"type": "Feature", "geometry": {"type": "Point", "coordinates": [r["_lon"], r["_lat"]]},
                 "properties": {k: v for k, v in r.items() if k in HEADER and k not in ("lat", "lon")}}
                for r in rows]
    return json.dumps({"type": "FeatureCollection", "features": features}).encode()


@pytest.mark.django_db
@given(valid_rows(), st.sampled_from(["csv,", "csv;", "csv-bom", "xlsx", "geojson"]))
def test_valid_rows_round_trip(area, rows, fmt):
    if fmt == "xlsx":
        data, name = _xlsx(rows), "r.xlsx"
    elif fmt == "geojson":
        data, name = _geojson(rows), "r.geojson"
    else:
        data, name = csv_bytes(rows, delimiter=";" if fmt == "csv;" else ",", bom=fmt == "csv-bom"), "r.csv"
    v = _check(data, name)
    assert v.errors == [] and v.valid == len(rows)
    klotter, brand = (Category.objects.get(code=c).pk for c in ("klotter", "brand"))
    for i, r in enumerate(rows):
        assert v.occurred_at[i] == r["_moment"].astimezone(UTC).replace(microsecond=r["_moment"].microsecond)
        assert v.category_ids[i] == (klotter if r["category"].lower() == "klotter" else brand)
        assert v.lat[i] == pytest.approx(r["_lat"], abs=1e-9) and v.lon[i] == pytest.approx(r["_lon"], abs=1e-9)
        assert v.quantities[i] == int(r["quantity"])
        assert v.descriptions[i] == r["description"]
        assert v.external_ids[i] == r["external_id"]
    rows_idx, _areas = v.area_links
    assert sorted(set(rows_idx.tolist())) == list(range(len(rows)))  # every point lies in the area


# ---- time zones and summer time --------------------------------------------------------------------------------

@given(st.datetimes(min_value=datetime(1980, 1, 1), max_value=datetime(2037, 12, 31)))
def test_local_times_are_stockholm_and_gaps_are_refused(local):
    text = local.isoformat()
    first = local.replace(tzinfo=STOCKHOLM, fold=0)  # the text carries no fold: the first occurrence
    exists = first.astimezone(UTC).astimezone(STOCKHOLM).replace(tzinfo=None) == local
    if not exists:  # in the hour the clocks jump forward
        with pytest.raises(ValueError, match="svensk tid|Swedish time"):
            parse_when(text)
        return
    utc = parse_when(text)
    assert utc.tzinfo is UTC or utc.utcoffset() == timedelta(0)
    assert utc.astimezone(STOCKHOLM).replace(tzinfo=None) == local
    assert utc == first.astimezone(UTC)  # a repeated autumn hour is its first occurrence (fold=0)


@given(st.datetimes(min_value=datetime(1900, 1, 2), max_value=datetime(9999, 12, 30),
                    timezones=st.timezones()))
def test_times_with_an_offset_keep_their_instant(moment):
    try:
        result = parse_when(moment.isoformat())
    except ValueError as exc:  # only the documented messages
        assert "outside the dates" in str(exc) or "utanför" in str(exc) or "1900" in str(exc)
        return
    # Compared as the offset the text carries: an aware time in a DST gap never equals one in another zone.
    assert result == datetime.fromisoformat(moment.isoformat())


@pytest.mark.parametrize("text", ["0001-01-01T00:30", "0001-01-01T00:00+01:00", "9999-12-31T23:59-01:00"])
def test_regression_dates_at_the_ends_of_the_calendar_are_row_errors_not_crashes(text):
    """Found by the property tests: these raised OverflowError (a 500 on upload, a traceback in the CLI)."""
    with pytest.raises(ValueError):
        parse_when(text)


def test_regression_a_workbook_with_broken_xml_is_a_file_problem():
    """Found by the property tests: an XLSX whose [Content_Types].xml is empty raised ParseError (a 500)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", b"")
    with pytest.raises(parsing.FileProblem, match="Excel"), translation.override("en"):
        parsing.read_table(buf.getvalue(), "r.xlsx")
