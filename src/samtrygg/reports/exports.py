"""Exporting filtered reports as CSV, XLSX or GeoJSON.

Columns: the canonical report file (DESIGN.md, "Data contract") first, so an export re-imports through the
importer unchanged, then `id` and `areas` (which an import keeps as extra attributes):

    external_id, occurred_at, category, lat, lon, x, y, place, description, organization, quantity, id, areas

Choices, deliberately:
- `occurred_at` is ISO 8601 in Europe/Stockholm local time with its offset (`2024-05-01T14:30:00+02:00`),
  a text cell also in XLSX, so no spreadsheet reinterprets it.
- CSV and XLSX fill `lat`/`lon` (WGS84) and leave `x`/`y` empty: the importer takes exactly one coordinate
  pair per row. GeoJSON fills all four properties (its importer takes the position from the Point geometry).
- CSV is UTF-8 with a byte-order mark and comma separators: Excel then shows å, ä, ö correctly, and the
  importer skips the mark.
- Text cells that a spreadsheet would run as a formula (starting with = + - @, tab or CR) get a leading
  apostrophe in CSV (OWASP "CSV injection"); XLSX stores every text as a string, never a formula.
- Rows are read from the database in batches (`.iterator()` over `values_list`) and CSV/GeoJSON are
  streamed, so 100 000 rows never sit in memory as model instances.
"""

from __future__ import annotations

import csv
import json
import tempfile
from collections import defaultdict
from collections.abc import Iterable, Iterator
from itertools import islice
from zoneinfo import ZoneInfo

from .models import ReportArea

STOCKHOLM = ZoneInfo("Europe/Stockholm")
CANONICAL = ("external_id", "occurred_at", "category", "lat", "lon", "x", "y", "place", "description",
             "organization", "quantity")
COLUMNS = CANONICAL + ("id", "areas")
FORMATS = {
    "csv": ("text/csv; charset=utf-8", "csv"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "geojson": ("application/geo+json", "geojson"),
}
BATCH = 2000
_VALUES = ("id", "external_id", "occurred_at", "category__code", "lat", "lon", "x", "y", "place__name",
           "description", "organization__code", "quantity")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def iter_rows(queryset, *, batch: int = BATCH) -> Iterator[dict]:
    """One plain dict per report (keys = COLUMNS), in chronological order, read in batches."""
    values = queryset.order_by("occurred_at", "id").values_list(*_VALUES).iterator(chunk_size=batch)
    while True:
        chunk = list(islice(values, batch))
        if not chunk:
            return
        areas: dict[int, list[str]] = defaultdict(list)
        links = (ReportArea.objects.filter(report_id__in=[r[0] for r in chunk])
                 .order_by("area__code").values_list("report_id", "area__code"))
        for report_id, code in links:
            areas[report_id].append(code)
        for (pk, external_id, occurred_at, category, lat, lon, x, y, place, description, organization,
             quantity) in chunk:
            yield {
                "external_id": external_id or "",
                "occurred_at": occurred_at.astimezone(STOCKHOLM).isoformat(),
                "category": category,
                "lat": round(lat, 7),
                "lon": round(lon, 7),
                "x": round(x, 2),
                "y": round(y, 2),
                "place": place or "",
                "description": description or "",
                "organization": organization,
                "quantity": quantity,
                "id": pk,
                "areas": ",".join(areas.get(pk, ())),
            }


def _safe_text(value):
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


class _Echo:
    """A file-like object whose write returns the line, so csv.writer can feed a streaming response."""

    def write(self, value: str) -> str:
        return value


def csv_chunks(rows: Iterable[dict]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(COLUMNS)
    for row in rows:
        row = dict(row, x="", y="")
        yield writer.writerow([_safe_text(row[c]) for c in COLUMNS])


def geojson_chunks(rows: Iterable[dict]) -> Iterator[str]:
    yield '{"type": "FeatureCollection", "features": [\n'
    first = True
    for row in rows:
        feature = {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [row["lon"], row["lat"]]},
            "properties": {c: row[c] for c in COLUMNS},
        }
        yield ("" if first else ",\n") + json.dumps(feature, ensure_ascii=False)
        first = False
    yield "\n]}\n"


def xlsx_file(rows: Iterable[dict]):
    """The rows as an XLSX workbook in a temporary file (openpyxl write-only mode), rewound to the start."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("reports")
    ws.append(list(COLUMNS))

    def cell(value):
        c = WriteOnlyCell(ws)
        if isinstance(value, str):
            # Assigning a string that starts with "=" makes openpyxl write a formula: set the type after.
            c.value = ILLEGAL_CHARACTERS_RE.sub("", value)
            c.data_type = "s"
        else:
            c.value = value
        return c

    for row in rows:
        row = dict(row, x=None, y=None)
        ws.append([cell(row[c]) for c in COLUMNS])
    out = tempfile.TemporaryFile()
    wb.save(out)
    out.seek(0)
    return out


def xlsx_bytes(rows: Iterable[dict]) -> bytes:
    with xlsx_file(rows) as f:
        return f.read()


def csv_text(rows: Iterable[dict]) -> str:
    return "".join(csv_chunks(rows))


def geojson_text(rows: Iterable[dict]) -> str:
    return "".join(geojson_chunks(rows))

