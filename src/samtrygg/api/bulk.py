"""Bulk creation of reports through the file import's own validation and importer.

The JSON rows are the canonical report file's columns (DESIGN.md, "Data contract") as JSON members, so a
row is checked exactly as a line of a CSV file would be (:func:`samtrygg.imports.validation.validate`) and
written by the same importer: one transaction, idempotent on (organization, external_id), one audit entry.
Only the JSON types are checked here first, per member, so a wrong type is named by its path
(``reports[3].lat``); every other reason comes from the import validation, per row (``reports[3]``).
Rows are numbered by their index in the ``reports`` array, from 0.

By default nothing is written when any row is bad (every bad row is listed); ``valid_only`` imports the
valid rows and lists the skipped ones, as the web import's "import only the valid rows".
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from samtrygg.imports import importer
from samtrygg.imports.parsing import Table
from samtrygg.imports.services import may_import_for_any_organization
from samtrygg.imports.validation import KNOWN_COLUMNS, MAX_EXTERNAL_ID, Validated, load_context, validate
from samtrygg.reports.models import Report

from .errors import error

UNIT = "index"
TEXT = ("external_id", "occurred_at", "category", "place", "description", "organization")
NUMBERS = ("lat", "lon", "x", "y")
ATTRIBUTES = "attributes"
MAX_TEXT = {"external_id": MAX_EXTERNAL_ID, "occurred_at": 40, "category": 100, "place": 200,
            "description": 5000, "organization": 50}

_TEXT_HELP = {
    "external_id": "Your system's own id: sending it again updates the report, never duplicates it.",
    "occurred_at": "ISO 8601; without an offset it is Swedish time.",
    "category": "Category code (`klotter`) or name, any case.",
    "place": "A registered place's code or name.",
    "description": "Free text.",
    "organization": "Organisation code; your own by default (and the only one allowed unless you are an "
                    "administrator).",
}
#: One row of a bulk request, for the OpenAPI schema: exactly what `row_to_cells` accepts.
ROW_SCHEMA = {
    "type": "object", "additionalProperties": False, "required": ["occurred_at", "category"],
    "properties": {
        **{name: {"type": "string", "nullable": name not in ("occurred_at", "category"), "maxLength": MAX_TEXT[name],
                  "description": _TEXT_HELP[name]} for name in TEXT},
        "lat": {"type": "number", "nullable": True, "description": "WGS84 latitude (with lon)."},
        "lon": {"type": "number", "nullable": True, "description": "WGS84 longitude (with lat)."},
        "x": {"type": "number", "nullable": True, "description": "Easting in the request's `crs` (with y)."},
        "y": {"type": "number", "nullable": True, "description": "Northing in the request's `crs` (with x)."},
        "quantity": {"type": "integer", "nullable": True, "minimum": 1, "description": "Default 1."},
        "attributes": {"type": "object", "nullable": True, "additionalProperties": True,
                       "description": "Extra values kept with the report (as extra columns of a file)."},
    },
}


@dataclass
class BulkResult:
    total: int
    valid: int = 0
    errors: list[dict] = field(default_factory=list)
    warnings: list[dict] = field(default_factory=list)
    outcome: importer.Outcome | None = None
    would_update: int = 0
    ids: list[dict] = field(default_factory=list)


def _number_text(value: float | int) -> str:
    return repr(float(value)) if isinstance(value, float) else str(value)


def row_to_cells(index: int, row) -> tuple[dict[str, str] | None, list[dict]]:
    """A JSON row as the text cells a file line would have, or the type errors naming each member."""
    path = f"reports[{index}]"
    if not isinstance(row, dict):
        return None, [error(path, "type", _("Each report must be a JSON object."))]
    cells: dict[str, str] = {}
    problems: list[dict] = []
    for key, value in row.items():
        where = f"{path}.{key}"
        if key == ATTRIBUTES:
            if value is None:
                continue
            if not isinstance(value, dict):
                problems.append(error(where, "type", _("Must be an object of extra values.")))
                continue
            for name, extra in value.items():
                if name in KNOWN_COLUMNS or name == ATTRIBUTES:
                    problems.append(error(f"{where}.{name}", "invalid",
                                          _("“%(name)s” is a report field: give it as a member of the report, "
                                            "not as an attribute.") % {"name": name}))
                elif extra is not None:
                    cells[name] = (json.dumps(extra, ensure_ascii=False) if isinstance(extra, (dict, list))
                                   else str(extra).lower() if isinstance(extra, bool) else str(extra))
            continue
        if key not in KNOWN_COLUMNS:
            problems.append(error(where, "unknown_field", _("Unknown field. Known fields: %(known)s.")
                                  % {"known": ", ".join((*KNOWN_COLUMNS, ATTRIBUTES))}))
            continue
        if value is None:
            continue
        if key in TEXT:
            if not isinstance(value, str):
                problems.append(error(where, "type", _("Must be a string.")))
            elif len(value) > MAX_TEXT[key]:
                problems.append(error(where, "max_length", _("At most %(n)d characters.") % {"n": MAX_TEXT[key]}))
            else:
                cells[key] = value
        elif key in NUMBERS:
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
                problems.append(error(where, "type", _("Must be a number.")))
            else:
                cells[key] = _number_text(value)
        elif key == "quantity":
            if isinstance(value, bool) or not isinstance(value, int):
                problems.append(error(where, "type", _("Must be a whole number.")))
            else:
                cells[key] = str(value)
    for required in ("occurred_at", "category"):
        if required not in row or row[required] is None:
            problems.append(error(f"{path}.{required}", "required", _("This field is required.")))
    return (None if problems else cells), problems


def check_and_import(user, rows: list, *, valid_only: bool = False, dry_run: bool = False,
                     crs: str = "EPSG:3006", summary: str = "") -> BulkResult:
    """Validate every row; import them all (or only the valid ones) unless anything blocks it.

    Raises ValueError for an unknown CRS. Nothing is written when ``dry_run``, or when a row is bad and
    not ``valid_only``, or when no row is valid.
    """
    result = BulkResult(total=len(rows))
    cells, indices = [], []
    for index, row in enumerate(rows):
        row_cells, problems = row_to_cells(index, row)
        for problem in problems:
            result.errors.append({**problem, "index": index})
        if row_cells is not None:
            cells.append(row_cells)
            indices.append(index)
    names = {name for row in cells for name in row} | {"occurred_at", "category", "lat", "lon"}
    if names & {"x", "y"}:
        names |= {"x", "y"}  # the validator wants both columns of a pair (a row may still give only one)
    columns = sorted(names)
    table = Table(columns, cells, indices, UNIT)
    allowed = None if may_import_for_any_organization(user) else [user.organization]
    ctx = load_context(default_organization=user.organization, allowed_organizations=allowed, crs=crs)
    v = validate(table, ctx)
    for index, reason in v.errors:
        result.errors.append({**error(f"reports[{index}]", "invalid", reason), "index": index})
    result.errors.sort(key=lambda e: e["index"])
    result.warnings = [{**error(f"reports[{index}].description", "personal_data", reason), "index": index}
                       for index, reason in v.warnings]
    result.valid = v.valid
    if dry_run or v.valid == 0 or (result.errors and not valid_only):
        if dry_run:
            result.would_update = importer.existing_count(v)
        return result
    result.outcome = importer.import_validated(v, actor=user, source="api", summary=summary)
    result.ids = _ids(v)
    return result


def _ids(v: Validated) -> list[dict]:
    """The stored id of every imported row that has an external_id (one query per organisation)."""
    wanted: dict[int, list[tuple[int, str]]] = {}
    for index, org_id, ext in zip(v.lines, v.organization_ids, v.external_ids, strict=True):
        if ext:
            wanted.setdefault(org_id, []).append((index, ext))
    out = []
    for org_id, pairs in wanted.items():
        found = dict(Report.objects.filter(organization_id=org_id, external_id__in=[e for _i, e in pairs])
                     .values_list("external_id", "id"))
        out += [{"index": index, "external_id": ext, "id": found[ext]} for index, ext in pairs if ext in found]
    return sorted(out, key=lambda r: r["index"])
