"""Small builders for import files."""

from __future__ import annotations

import csv
import io
import json

from samtrygg.analysis import geo
from tests.factories import CENTRE_X, CENTRE_Y

LON, LAT = (float(v[0]) for v in geo.sweref_to_wgs84([CENTRE_X], [CENTRE_Y]))
HEADER = ["external_id", "occurred_at", "category", "lat", "lon", "x", "y", "place", "description",
          "organization", "quantity"]


def row(**cells) -> dict:
    base = {"external_id": "", "occurred_at": "2025-05-01T12:00", "category": "klotter",
            "lat": f"{LAT:.6f}", "lon": f"{LON:.6f}"}
    base.update(cells)
    return base


def csv_bytes(rows: list[dict], header: list[str] | None = None, delimiter: str = ",",
              bom: bool = False) -> bytes:
    columns = header or HEADER
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, delimiter=delimiter, extrasaction="ignore",
                            lineterminator="\n")
    writer.writeheader()
    for r in rows:
        writer.writerow({k: r.get(k, "") for k in columns})
    return (("\ufeff" if bom else "") + out.getvalue()).encode("utf-8")


def police_event(i: int, *, type_: str = "Skadegörelse", gps: str | None = None,
                 when: str = "2025-11-24 21:14:07 +01:00") -> dict:
    return {"id": 500000 + i, "datetime": when, "name": f"24 november 21.14, {type_}, Uppsala",
            "summary": "Skadegörelse på en bil.", "url": f"/aktuellt/handelser/2025/november/{i}/",
            "type": type_, "location": {"name": "Uppsala", "gps": gps or f"{LAT:.6f},{LON:.6f}"}}


def police_bytes(events: list[dict]) -> bytes:
    return json.dumps(events, ensure_ascii=False).encode("utf-8")
