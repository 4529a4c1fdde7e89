"""Range-partition the reports table by occurrence time on PostgreSQL (``samtrygg partition-reports``).

PostgreSQL's declarative partitioning has two rules that shape this conversion (README, "Scaling out"):

- every primary key and unique index of a partitioned table must contain the partition key, so the primary key
  becomes ``(id, occurred_at)`` and the unique "external id per organisation" index becomes
  ``(organization_id, external_id, occurred_at)``;
- a foreign key must reference a unique key of the referenced table, and ``id`` alone no longer is one, so the
  foreign keys that point *to* reports (areas and places a report lies in, photos, submission tokens, walk
  observations) are dropped. Their columns and indexes stay, and Django performs ``on_delete`` itself (it always
  has: the database constraints were a second line of defence, not the mechanism).

Foreign keys *from* reports to other tables, CHECK constraints, NOT NULL, defaults, the identity sequence, triggers
and every other index are kept. The Django model is unchanged: ``id`` stays unique because one sequence hands it out.

The statements are generated from the catalogue (not hard-coded), so indexes added by later migrations are carried
over too. They run in one transaction: a failure leaves the table as it was.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

TABLE = "reports_report"
NEW = "reports_report_partitioned"
KEY = "occurred_at"
ZONE = "Europe/Stockholm"  # partitions follow the local calendar year, as the app's weeks and quarters do


class PartitioningError(Exception):
    """The conversion cannot run; the message says why."""


@dataclass(frozen=True)
class Catalogue:
    indexes: list[tuple[str, str]]          # (name, CREATE INDEX statement) except the primary key
    inbound_fks: list[tuple[str, str]]      # (table, constraint) of foreign keys that reference reports
    outbound_fks: list[tuple[str, str]]     # (constraint, definition) of reports' own foreign keys
    triggers: list[str]                     # CREATE TRIGGER statements of user triggers on reports
    first_year: int | None
    last_year: int | None


def is_partitioned(cursor) -> bool:
    cursor.execute("SELECT 1 FROM pg_partitioned_table WHERE partrelid = to_regclass(%s)", [TABLE])
    return cursor.fetchone() is not None


def read_catalogue(cursor) -> Catalogue:
    cursor.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND schemaname = current_schema() "
        "AND indexname <> %s ORDER BY indexname", [TABLE, f"{TABLE}_pkey"])
    indexes = cursor.fetchall()
    cursor.execute(
        "SELECT conrelid::regclass::text, conname FROM pg_constraint "
        "WHERE contype = 'f' AND confrelid = to_regclass(%s) AND conrelid <> confrelid ORDER BY 1, 2", [TABLE])
    inbound = cursor.fetchall()
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE contype = 'f' AND conrelid = to_regclass(%s) ORDER BY 1", [TABLE])
    outbound = cursor.fetchall()
    cursor.execute("SELECT pg_get_triggerdef(oid) FROM pg_trigger WHERE tgrelid = to_regclass(%s) "
                   "AND NOT tgisinternal ORDER BY tgname", [TABLE])
    triggers = [row[0] for row in cursor.fetchall()]
    cursor.execute(f"SELECT extract(year FROM min({KEY}) AT TIME ZONE %s)::int, "
                   f"extract(year FROM max({KEY}) AT TIME ZONE %s)::int FROM {TABLE}", [ZONE, ZONE])
    first, last = cursor.fetchone()
    return Catalogue(indexes, inbound, outbound, triggers, first, last)


def with_partition_key(indexdef: str) -> str:
    """A UNIQUE index statement with the partition key added to its columns (PostgreSQL requires it)."""
    if " UNIQUE INDEX " not in indexdef:
        return indexdef
    start = indexdef.index("(", indexdef.index(" USING "))
    depth = 0
    for pos in range(start, len(indexdef)):
        depth += {"(": 1, ")": -1}.get(indexdef[pos], 0)
        if depth == 0:
            break
    columns = indexdef[start + 1:pos]
    if re.search(rf"\b{KEY}\b", columns):
        return indexdef
    return f"{indexdef[:pos]}, {KEY}{indexdef[pos:]}"


def year_bounds(year: int) -> tuple[str, str]:
    return f"{year}-01-01 00:00:00 {ZONE}", f"{year + 1}-01-01 00:00:00 {ZONE}"


def partition_statement(year: int, parent: str = TABLE) -> str:
    low, high = year_bounds(year)
    return (f"CREATE TABLE {TABLE}_y{year} PARTITION OF {parent} "
            f"FOR VALUES FROM ('{low}') TO ('{high}')")


def years_to_create(catalogue: Catalogue, *, first: int | None, last: int | None, today: date) -> range:
    """Yearly partitions from the first report's year (or ``first``) to next year (or ``last``); reports outside
    the range go to the default partition."""
    low = first or catalogue.first_year or today.year
    high = last or max(catalogue.last_year or today.year, today.year + 1)
    if high < low:
        raise PartitioningError(f"--last-year {high} is before the first year {low}.")
    if high - low > 100:
        raise PartitioningError(f"{high - low + 1} yearly partitions ({low}–{high}) is too many: give --first-year.")
    return range(low, high + 1)


def conversion_sql(catalogue: Catalogue, years: range) -> list[str]:
    """Every statement of the conversion, in order (run them in one transaction)."""
    # Deferred foreign-key checks still pending in this transaction would forbid altering the tables: run them now.
    sql = ["SET CONSTRAINTS ALL IMMEDIATE", f"LOCK TABLE {TABLE} IN ACCESS EXCLUSIVE MODE"]
    sql += [f"ALTER TABLE {table} DROP CONSTRAINT {name}" for table, name in catalogue.inbound_fks]
    sql.append(f"CREATE TABLE {NEW} (LIKE {TABLE} INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING IDENTITY "
               f"INCLUDING GENERATED INCLUDING STORAGE INCLUDING COMMENTS) PARTITION BY RANGE ({KEY})")
    sql += [partition_statement(year, NEW) for year in years]
    sql.append(f"CREATE TABLE {TABLE}_default PARTITION OF {NEW} DEFAULT")
    sql.append(f"INSERT INTO {NEW} OVERRIDING SYSTEM VALUE SELECT * FROM {TABLE}")
    sql.append(f"DROP TABLE {TABLE}")
    sql.append(f"ALTER TABLE {NEW} RENAME TO {TABLE}")
    sql.append(f"ALTER TABLE {TABLE} ADD CONSTRAINT {TABLE}_pkey PRIMARY KEY (id, {KEY})")
    sql += [with_partition_key(indexdef) for _name, indexdef in catalogue.indexes]
    sql += [f"ALTER TABLE {TABLE} ADD CONSTRAINT {name} {definition}" for name, definition in catalogue.outbound_fks]
    sql += catalogue.triggers  # e.g. counts kept up to date on write: row triggers work on partitioned tables
    sql.append(f"SELECT setval(pg_get_serial_sequence('{TABLE}', 'id'), "
               f"coalesce((SELECT max(id) FROM {TABLE}), 0) + 1, false)")
    sql.append(f"ANALYZE {TABLE}")
    return sql


def missing_partitions_sql(cursor, years: range) -> list[str]:
    """For a table already partitioned: the yearly partitions of ``years`` that do not exist yet (a yearly job
    adds next year's before it starts, so the default partition stays empty)."""
    cursor.execute("SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                   "WHERE i.inhparent = to_regclass(%s)", [TABLE])
    existing = {row[0] for row in cursor.fetchall()}
    return [partition_statement(year) for year in years if f"{TABLE}_y{year}" not in existing]
