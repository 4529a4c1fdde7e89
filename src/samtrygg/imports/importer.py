"""Writing validated rows as reports: one transaction, idempotent on (organization, external_id).

Per chunk of rows: one query finds the reports that already exist for the chunk's external ids, new reports
are inserted with multi-row `INSERT … RETURNING id`, changed ones written with one `executemany` UPDATE, and
the area/place links computed during validation are inserted with `executemany`, so the cost is a handful of
statements per chunk and no per-row query. An error anywhere rolls the whole file back.

Why not `bulk_create`/`bulk_update`: they were measured at about 160 µs per report (Django prepares every
value of every field through the field API, and `bulk_update` builds CASE expressions), which was most of
the import time. Here the values come already typed from validation, so only datetimes and JSON go through
the backend's adapters; every other column of Report gets its model default, so a column added to the model
later is still filled.

Decisions:
- A row whose (organization, external_id) matches a report updates it; a row that is identical to the stored
  report counts as unchanged. Rows without external_id always create.
- A matched report that was soft-deleted is updated but stays deleted: someone removed it on purpose, and a
  nightly re-import of the partner's export must not bring it back. It is counted in `deleted_matched`.
- `created_by` and `source` of an existing report are kept; the import fills them for new reports.
- One "import" audit entry per file with the counts, not one per row.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import asdict, dataclass

import numpy as np
from django.db import connection, transaction
from django.utils import timezone

from samtrygg.audit import log
from samtrygg.reports import aggregates
from samtrygg.reports.events import reports_created
from samtrygg.reports.models import Report, ReportArea, ReportPlace

from .validation import Validated

CHUNK = 5000
UPDATE_FIELDS = ("occurred_at", "category_id", "quantity", "description", "lat", "lon", "x", "y", "place_id",
                 "attributes")


@dataclass
class Outcome:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted_matched: int = 0
    skipped: int = 0  # rows not imported (bad rows, or skipped by the police importer)

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def import_validated(v: Validated, *, actor=None, source: str = "import", batch=None,
                     progress: Callable[[int], None] | None = None, summary: str = "") -> Outcome:
    """Write every valid row of `v` in one transaction and record one audit entry. Returns the counts."""
    outcome = Outcome(skipped=len(v.errors) + v.skipped_total)
    created_by_id = actor.pk if getattr(actor, "is_authenticated", False) else None
    weeks: set = set()  # the weeks the import touched: their cache versions are raised once, at the end
    with transaction.atomic():
        for start in range(0, v.valid, CHUNK):
            _import_chunk(v, start, min(start + CHUNK, v.valid), outcome, created_by_id, source, weeks)
            if progress is not None:
                progress(min(start + CHUNK, v.valid) - start)
        aggregates.touch(weeks)
        if batch is not None:
            batch.created_count, batch.updated_count = outcome.created, outcome.updated
            batch.unchanged_count = outcome.unchanged
            batch.status = batch.Status.IMPORTED
            batch.imported_at = timezone.now()
            batch.save()
        log.record(actor, "import", batch, object_type="" if batch else "imports.file",
                   summary=summary or (batch.original_name if batch else ""),
                   changes={**outcome.as_dict(), "rows": v.total})
    return outcome


def _import_chunk(v: Validated, start: int, end: int, outcome: Outcome, created_by_id, source: str,
                  weeks: set) -> None:
    now = timezone.now()
    existing = _existing(v, start, end)
    new: list[Report] = []
    new_rows: list[int] = []
    changed: list[Report] = []
    moved_rows: list[int] = []
    moved_ids: list[int] = []
    for i in range(start, end):
        values = {
            "occurred_at": v.occurred_at[i], "category_id": v.category_ids[i], "quantity": v.quantities[i],
            "description": v.descriptions[i], "lat": float(v.lat[i]), "lon": float(v.lon[i]),
            "x": float(v.x[i]), "y": float(v.y[i]), "place_id": v.place_ids[i], "attributes": v.attributes[i],
        }
        report = existing.get((v.organization_ids[i], v.external_ids[i])) if v.external_ids[i] else None
        if report is None:
            new.append(Report(organization_id=v.organization_ids[i], external_id=v.external_ids[i],
                              created_by_id=created_by_id, source=source, **values))
            new_rows.append(i)
            continue
        if report.deleted_at is not None:
            outcome.deleted_matched += 1
        if all(getattr(report, k) == val for k, val in values.items()):
            outcome.unchanged += 1
            continue
        moved = (report.x, report.y) != (values["x"], values["y"])
        for k, val in values.items():
            setattr(report, k, val)
        report.updated_at = now  # bulk_update does not run auto_now
        changed.append(report)
        if moved:
            moved_rows.append(i)
            moved_ids.append(report.pk)
    with aggregates.tracking([r.pk for r in changed], weeks=weeks):
        _write_chunk(v, new, new_rows, changed, moved_rows, moved_ids, outcome, now)
    if new:
        # The new reports' contributions come from the validated rows (no query): one row per area link.
        link_rows, area_ids = v.area_links  # sorted by row
        lo, hi = np.searchsorted(link_rows, [start, end])
        index = {row: report for row, report in zip(new_rows, new, strict=True)}
        aggregates.apply(aggregates.tally(
            (area, r.category_id, r.occurred_at, r.quantity)
            for row, area in zip(link_rows[lo:hi].tolist(), area_ids[lo:hi].tolist(), strict=True)
            if (r := index.get(row)) is not None))
        weeks.update(aggregates.week_of_moment(r.occurred_at) for r in new)
        reports_created.send(sender=Report, report_ids=[r.pk for r in new])


def _write_chunk(v: Validated, new: list[Report], new_rows: list[int], changed: list[Report], moved_rows: list[int],
                 moved_ids: list[int], outcome: Outcome, now) -> None:
    if new:
        for report, pk in zip(new, _insert_reports(new, now), strict=True):
            report.pk = pk
        outcome.created += len(new)
    if changed:
        _update_reports(changed, now)
        outcome.updated += len(changed)
    if moved_ids:
        ReportArea.objects.filter(report_id__in=moved_ids).delete()
        ReportPlace.objects.filter(report_id__in=moved_ids).delete()
    rows = np.array(new_rows + moved_rows, dtype=np.intp)
    ids = np.array([r.pk for r in new] + moved_ids, dtype=np.int64)
    _insert_links(ReportArea, "area_id", v.area_links, rows, ids)
    _insert_links(ReportPlace, "place_id", v.place_links, rows, ids)


def _db_value(field, value):
    return field.get_db_prep_save(value, connection)


def _rows_for(reports: list[Report], names: list[str], now) -> list[tuple]:
    """The reports' values for the given attnames, ready for the database cursor."""
    ops = connection.ops
    by_attname = {f.attname: f for f in Report._meta.concrete_fields}
    columns = []
    for name in names:
        field = by_attname[name]
        if name in ("created_at", "updated_at"):
            columns.append([ops.adapt_datetimefield_value(now)] * len(reports))
        elif name == "occurred_at":
            columns.append([ops.adapt_datetimefield_value(getattr(r, name)) for r in reports])
        elif name == "attributes":
            columns.append([_db_value(field, r.attributes) for r in reports])
        elif name in ROW_FIELDS:
            columns.append([getattr(r, name) for r in reports])
        else:
            default = _db_value(field, field.get_default())
            columns.append([default] * len(reports))
    return list(zip(*columns, strict=True))


ROW_FIELDS = {"organization_id", "external_id", "created_by_id", "source", "occurred_at", "category_id",
              "quantity", "description", "lat", "lon", "x", "y", "place_id", "attributes", "id"}


def _max_params() -> int:
    if connection.vendor == "sqlite":
        import sqlite3

        connection.ensure_connection()
        try:
            return connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
        except (AttributeError, sqlite3.Error):
            return 999
    return 30000


def _insert_values(table: str, names: list[str], rows: list[tuple], returning: str | None = None) -> list:
    """Insert rows; returns the `returning` column (the new ids) in row order.

    PostgreSQL: ids are taken from the table's sequence first and the rows written with COPY (the fastest
    way in, and the ids are ours, so no reliance on RETURNING order). Elsewhere (SQLite): multi-row INSERT …
    RETURNING in statements as large as the database allows, as Django's bulk_create does.
    """
    if connection.vendor == "postgresql":
        return _copy_postgresql(table, names, rows, returning)
    qn = connection.ops.quote_name
    per = max(1, min(1000, _max_params() // len(names)))
    head = f"INSERT INTO {qn(table)} ({', '.join(qn(n) for n in names)}) VALUES "
    one = "(" + ", ".join(["%s"] * len(names)) + ")"
    tail = f" RETURNING {qn(returning)}" if returning else ""
    out: list = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), per):
            part = rows[start:start + per]
            params = [value for row in part for value in row]
            cursor.execute(head + ", ".join([one] * len(part)) + tail, params)
            if returning:
                out.extend(r[0] for r in cursor.fetchall())
    return out


def _copy_postgresql(table: str, names: list[str], rows: list[tuple], returning: str | None) -> list:
    qn = connection.ops.quote_name
    ids: list = []
    with connection.cursor() as cursor:
        if returning:
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                           [table, returning, len(rows)])
            ids = [r[0] for r in cursor.fetchall()]
            names = [returning, *names]
            rows = [(pk, *row) for pk, row in zip(ids, rows, strict=True)]
        raw = cursor.cursor  # the psycopg cursor under Django's wrapper
        with raw.copy(f"COPY {qn(table)} ({', '.join(qn(n) for n in names)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    return ids


def _insert_reports(reports: list[Report], now) -> list[int]:
    """INSERT … RETURNING id (SQLite ≥ 3.35 and PostgreSQL); ids in the order of `reports`, as Django's own
    bulk_create relies on."""
    names = [f.attname for f in Report._meta.concrete_fields if not f.primary_key]
    ids = _insert_values(Report._meta.db_table, names, _rows_for(reports, names, now), returning="id")
    if len(ids) != len(reports):  # pragma: no cover - a database that does not return every id
        raise RuntimeError("the database did not return the new reports' ids")
    return ids


def _update_reports(reports: list[Report], now) -> None:
    names = list(UPDATE_FIELDS)
    rows = _rows_for(reports, [*names, "updated_at", "id"], now)
    qn = connection.ops.quote_name
    sql = (f"UPDATE {qn(Report._meta.db_table)} SET "
           + ", ".join(f"{qn(n)} = %s" for n in [*names, "updated_at"]) + f" WHERE {qn('id')} = %s")
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _existing(v: Validated, start: int, end: int) -> dict[tuple[int, str], Report]:
    """The stored reports for the chunk's (organization, external_id) pairs: one query per organisation."""
    wanted: dict[int, list[str]] = defaultdict(list)
    for i in range(start, end):
        if v.external_ids[i]:
            wanted[v.organization_ids[i]].append(v.external_ids[i])
    found: dict[tuple[int, str], Report] = {}
    for org_id, ext_ids in wanted.items():
        for report in Report.objects.filter(organization_id=org_id, external_id__in=ext_ids).only(
            "id", "organization_id", "external_id", "deleted_at", *UPDATE_FIELDS
        ):
            found[(org_id, report.external_id)] = report
    return found


def _insert_links(model, column: str, links: tuple[np.ndarray, np.ndarray], rows: np.ndarray,
                  report_ids: np.ndarray) -> None:
    """Insert (report, polygon) links for the given valid-row indices, whose reports have `report_ids`."""
    link_rows, polygon_ids = links
    if not len(rows) or not len(link_rows):
        return
    order = np.argsort(rows)
    rows, report_ids = rows[order], report_ids[order]
    pos = np.searchsorted(rows, link_rows)
    pos_clipped = np.minimum(pos, len(rows) - 1)
    mask = rows[pos_clipped] == link_rows
    params = list(zip(report_ids[pos_clipped[mask]].tolist(), polygon_ids[mask].tolist(), strict=True))
    if not params:
        return
    _insert_values(model._meta.db_table, ["report_id", column], params)


def existing_count(v: Validated) -> int:
    """How many valid rows would update an existing report (for a dry run)."""
    total = 0
    for start in range(0, v.valid, CHUNK):
        total += len(_existing(v, start, min(start + CHUNK, v.valid)))
    return total
