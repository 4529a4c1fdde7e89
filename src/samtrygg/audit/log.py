"""Writing the audit log. Callers pass plain values; the log never stores model instances.

Every entry is appended to the hash chain (:mod:`samtrygg.audit.chain`) under a lock, in the caller's
transaction when there is one: if the change is rolled back, so is its entry.
"""

from __future__ import annotations

from typing import Any

from django.db import connection, transaction

from . import chain
from .models import AuditEntry


def entry(actor, action: str, obj=None, *, object_type: str = "", object_id: str = "", summary: str = "",
          changes: dict[str, Any] | None = None) -> AuditEntry:
    """An entry not yet written: :func:`append` writes it (with others)."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    user = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEntry(
        actor=user,
        actor_name=user.get_username() if user else "",
        action=action,
        object_type=object_type[:50],
        object_id=str(object_id)[:50],
        summary=summary[:300],
        changes=chain.json_safe(changes),
    )


def record(actor, action: str, obj=None, *, object_type: str = "", object_id: str = "", summary: str = "",
           changes: dict[str, Any] | None = None) -> AuditEntry:
    return append([entry(actor, action, obj, object_type=object_type, object_id=object_id, summary=summary,
                         changes=changes)])[0]


def append(entries: list[AuditEntry]) -> list[AuditEntry]:
    """Append entries to the chain in this order, under one lock: three statements however many they are."""
    if not entries:
        return []
    # No savepoint: if appending fails, the caller's change must not commit without its entry, and without a
    # savepoint Django marks the caller's transaction for rollback. Outside one, this opens the transaction
    # the lock is held in.
    with transaction.atomic(savepoint=False):
        chain.lock()
        prev = chain.last_hash(AuditEntry)
        AuditEntry.objects.bulk_create(entries)  # ids in this order (RETURNING, PostgreSQL and SQLite)
        for written in sorted(entries, key=lambda e: e.pk):  # the chain runs in id order
            written.prev_hash = prev
            written.hash = prev = chain.entry_hash(written.__dict__, prev)
        _write_hashes(entries)
    return entries


def _write_hashes(entries: list[AuditEntry]) -> None:
    # Written out: bulk_update's CASE WHEN … per row took Django longer to compile than the database to run,
    # under the lock every submission waits for.
    q = connection.ops.quote_name
    table = q(AuditEntry._meta.db_table)
    rows = [(e.pk, e.prev_hash, e.hash) for e in entries]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            ids, prevs, hashes = (list(column) for column in zip(*rows, strict=True))
            cursor.execute(f"UPDATE {table} SET prev_hash = v.prev, hash = v.hash "
                           "FROM unnest(%s::bigint[], %s::text[], %s::text[]) AS v(id, prev, hash) "
                           f"WHERE {table}.id = v.id", [ids, prevs, hashes])
        else:
            cursor.executemany(f"UPDATE {table} SET prev_hash = %s, hash = %s WHERE id = %s",
                               [(prev, hash_, pk) for pk, prev, hash_ in rows])


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """Fields whose value changed, as {field: [old, new]} with JSON-safe values."""
    return {key: [_plain(before.get(key)), _plain(after.get(key))]
            for key in sorted(set(before) | set(after)) if before.get(key) != after.get(key)}


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)
