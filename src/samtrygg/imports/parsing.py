"""Reading an import file into a table of text cells with their line numbers.

Three formats carry the canonical report file (DESIGN.md, "Data contract"): CSV (UTF-8, `,` or `;` or tab,
header row, a byte-order mark tolerated), XLSX (first worksheet, first non-empty row is the header) and
GeoJSON (a FeatureCollection of Points; the properties are the columns and the point is the position).

Whole-file problems (not UTF-8, not a spreadsheet, broken JSON) raise `FileProblem` with a message that says
what and where; row problems are the validator's business (`validation.py`).
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

from django.utils.translation import gettext as _

FORMATS = ("csv", "xlsx", "geojson")


class FileProblem(ValueError):
    """The file as a whole cannot be read. The message is meant for the person who sent it."""


@dataclass
class Table:
    """Rows of cells keyed by normalised column name, each with the number a person would look for.

    `unit` is "line" for CSV/XLSX (the header is line 1) and "feature" for GeoJSON (1 = first feature).
    For GeoJSON, `crs` is the file's own `crs` member if it has one, and a Point's coordinates are put in
    the columns `lon`/`lat` (WGS84) or `x`/`y` (any other CRS).
    """

    columns: list[str]
    rows: list[dict[str, str]]
    lines: list[int]
    unit: str = "line"
    crs: str | None = None
    original_columns: dict[str, str] = field(default_factory=dict)


def normalise_header(name) -> str:
    return re.sub(r"[\s\-]+", "_", str(name if name is not None else "").strip().lstrip("\ufeff")).lower()


def detect_format(filename: str, head: bytes) -> str:
    """The format from the content first (an XLSX is a zip file), then the file name."""
    suffix = Path(filename or "").suffix.lower()
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if suffix in (".geojson", ".json"):
        return "geojson"
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if suffix in (".csv", ".txt", ".tsv", ""):
        if stripped.startswith(b"{") and suffix == "":
            return "geojson"
        return "csv"
    if suffix in (".xlsx", ".xlsm"):
        raise FileProblem(_("The file is called .xlsx but is not an Excel workbook."))
    raise FileProblem(
        _("Files of type %(suffix)s cannot be imported. Use CSV, XLSX or GeoJSON.") % {"suffix": suffix}
    )


def read_table(data: bytes, filename: str) -> Table:
    fmt = detect_format(filename, data[:8])
    if fmt == "xlsx":
        return read_xlsx(data)
    if fmt == "geojson":
        return read_geojson(data)
    return read_csv(data)


def decode_utf8(data: bytes) -> str:
    """The text of a UTF-8 file (BOM removed), or FileProblem naming the first line that is not UTF-8."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise FileProblem(
            _("The file is not UTF-8 (line %(line)d). Save it as “CSV UTF-8” and try again.") % {"line": line}
        ) from None


def _columns(header: list, unit_label: str) -> tuple[list[str], dict[str, str]]:
    columns = [normalise_header(h) for h in header]
    while columns and columns[-1] == "":
        columns.pop()
    if not any(columns):
        raise FileProblem(_("The file has no header row."))
    seen: set[str] = set()
    for index, name in enumerate(columns, start=1):
        if not name:
            raise FileProblem(_("Column %(n)d of the header has no name.") % {"n": index})
        if name in seen:
            raise FileProblem(_("The column “%(name)s” appears twice in the header.") % {"name": name})
        seen.add(name)
    return columns, {c: str(h).strip().lstrip("\ufeff") for c, h in zip(columns, header, strict=False)}


def read_csv(data: bytes) -> Table:
    text = decode_utf8(data)
    if not text.strip():
        raise FileProblem(_("The file is empty."))
    first_line = text.split("\n", 1)[0]
    # The delimiter is decided from the header line alone: csv.Sniffer looks at the data rows too and is
    # easily fooled by commas in descriptions or decimal commas in semicolon files.
    delimiter = max((";", ",", "\t"), key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = next(reader)
        columns, original = _columns(header, "line")
        rows, lines = [], []
        width = len(columns)
        start = reader.line_num + 1
        for record in reader:
            line, start = start, reader.line_num + 1
            if not record or all(not cell.strip() for cell in record):
                continue
            if len(record) > width and any(cell.strip() for cell in record[width:]):
                raise FileProblem(
                    _("Line %(line)d has %(found)d fields but the header has %(width)d. "
                      "Check the separators and quotes on that line.")
                    % {"line": line, "found": len(record), "width": width}
                )
            rows.append(dict(zip(columns, record, strict=False)))
            lines.append(line)
    except csv.Error as exc:
        raise FileProblem(
            _("The file is not valid CSV near line %(line)d: %(error)s")
            % {"line": reader.line_num, "error": exc}
        ) from None
    return Table(columns, rows, lines, "line", None, original)


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)


def read_xlsx(data: bytes) -> Table:
    from openpyxl import load_workbook

    # openpyxl has no error type of its own for a malformed workbook: a broken part raises whatever its zip or
    # XML reading meets (BadZipFile, KeyError, ParseError, TypeError, IndexError…), so every exception while
    # opening or reading the workbook is the file's problem (found by the property tests: a 500 before).
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 – see above
        raise FileProblem(_("The file is not a readable Excel workbook (XLSX): %(error)s") % {"error": exc}) \
            from None
    try:
        sheet = workbook.worksheets[0]
        columns: list[str] | None = None
        original: dict[str, str] = {}
        rows, lines = [], []
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = [_cell_text(v).strip() for v in values]
            if not any(cells):
                continue
            if columns is None:
                columns, original = _columns(list(values), "line")
                continue
            rows.append(dict(zip(columns, cells, strict=False)))
            lines.append(number)
    except FileProblem:
        raise
    except Exception as exc:  # noqa: BLE001 – see above
        raise FileProblem(_("The file is not a readable Excel workbook (XLSX): %(error)s") % {"error": exc}) \
            from None
    finally:
        workbook.close()
    if columns is None:
        raise FileProblem(_("The file is empty."))
    return Table(columns, rows, lines, "line", None, original)


def geojson_crs(doc: dict) -> str | None:
    """The CRS named by a (pre-RFC 7946) `crs` member, e.g. urn:ogc:def:crs:EPSG::3006 → EPSG:3006."""
    crs = doc.get("crs")
    if not crs:
        return None
    name = (crs.get("properties") or {}).get("name") if isinstance(crs, dict) else None
    if not isinstance(name, str) or not name.strip():
        raise FileProblem(_("The GeoJSON “crs” member does not name a coordinate reference system."))
    name = name.strip()
    if re.search(r"CRS84$", name, re.IGNORECASE):
        return "EPSG:4326"
    match = re.search(r"EPSG:{1,2}(\d+)$", name, re.IGNORECASE)
    return f"EPSG:{match.group(1)}" if match else name


def load_json(data: bytes):
    text = decode_utf8(data)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise FileProblem(
            _("The file is not valid JSON (line %(line)d, column %(col)d): %(error)s")
            % {"line": exc.lineno, "col": exc.colno, "error": exc.msg}
        ) from None


def read_geojson(data: bytes) -> Table:
    doc = load_json(data)
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection" or not isinstance(
        doc.get("features"), list
    ):
        raise FileProblem(_("The GeoJSON file must be a FeatureCollection with a list of features."))
    crs = geojson_crs(doc)
    wgs84 = crs in (None, "EPSG:4326")
    rows, lines, columns = [], [], {}
    for number, feature in enumerate(doc["features"], start=1):
        row: dict[str, str] = {}
        if isinstance(feature, dict):
            props = feature.get("properties") or {}
            if isinstance(props, dict):
                for key, value in props.items():
                    name = normalise_header(key)
                    columns.setdefault(name, str(key))
                    row[name] = json.dumps(value, ensure_ascii=False) if isinstance(value, (dict, list)) \
                        else _cell_text(value).strip()
            geometry = feature.get("geometry")
            if isinstance(geometry, dict):
                coords = geometry.get("coordinates")
                if geometry.get("type") != "Point" or not isinstance(coords, list) or len(coords) < 2:
                    row["__geometry_error__"] = _("the geometry is not a Point")
                else:
                    # The point is the position; any coordinate properties are replaced by it.
                    for key in ("lat", "lon", "x", "y"):
                        row.pop(key, None)
                    a, b = (_cell_text(c) for c in coords[:2])
                    row.update({"lon": a, "lat": b} if wgs84 else {"x": a, "y": b})
        else:
            row["__geometry_error__"] = _("the feature is not a JSON object")
        rows.append(row)
        lines.append(number)
    names = set(columns) | {"lat", "lon"} if wgs84 else set(columns) | {"x", "y"}
    return Table(sorted(names), rows, lines, "feature", crs, columns)
