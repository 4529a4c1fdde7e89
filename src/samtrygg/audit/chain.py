"""The audit log's hash chain: each entry's ``hash`` is SHA-256 over a canonical serialisation of its fields
and the previous entry's hash, so a row altered, deleted or inserted directly in the database breaks the chain
from that point on, and :func:`verify` names the first entry where it breaks.

The serialisation is JSON with sorted keys, no whitespace and UTF-8 text, over: id, time (UTC, microseconds),
the actor's username, action, object type, object id, summary, changes and the previous hash. The actor is
hashed by name, not by id, because deleting a user empties the foreign key (``SET_NULL``).

Appends are serialised so two writers cannot both link to the same previous entry (a fork): on PostgreSQL a
transaction-level advisory lock, held until the surrounding transaction ends; SQLite lets one writer at a time
anyway (``transaction_mode = IMMEDIATE`` in settings). The chain proves the log was not changed *after* it was
written by someone without the code; to guard against someone rewriting the whole chain, keep the last hash
that ``samtrygg audit-verify`` prints somewhere else (the operations log, a ticket) now and then.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection

GENESIS = "0" * 64
# Any constant: the key of the PostgreSQL advisory lock that serialises appends ("SAMTRYGG" as hex digits).
ADVISORY_LOCK_KEY = 0x53414D5452594747


def _time(at: datetime | str) -> str:
    if isinstance(at, str):  # from a raw query on SQLite
        at = datetime.fromisoformat(at)
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical(fields: dict[str, Any], prev_hash: str) -> bytes:
    """The bytes an entry's hash covers. ``fields`` holds the model's field values by attribute name."""
    changes = fields.get("changes") or {}
    if isinstance(changes, str):
        changes = json.loads(changes)
    data = {
        "id": int(fields["id"]),
        "at": _time(fields["at"]),
        "actor": fields.get("actor_name") or "",
        "action": fields.get("action") or "",
        "object_type": fields.get("object_type") or "",
        "object_id": fields.get("object_id") or "",
        "summary": fields.get("summary") or "",
        "changes": changes,
        "prev": prev_hash,
    }
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"),
                      cls=DjangoJSONEncoder).encode("utf-8")


def entry_hash(fields: dict[str, Any], prev_hash: str) -> str:
    return hashlib.sha256(canonical(fields, prev_hash)).hexdigest()


def json_safe(changes: dict | None) -> dict:
    """Changes as they will read back from the database (so the hash written equals the hash verified)."""
    return json.loads(json.dumps(changes or {}, cls=DjangoJSONEncoder))


def lock() -> None:
    """Hold the append lock until the current transaction ends (PostgreSQL; a no-op on SQLite)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_LOCK_KEY])


def last_hash(model) -> str:
    # Written out: appended to under the lock by every submission, where compiling the ORM's query took longer
    # than running it.
    q = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {q('hash')} FROM {q(model._meta.db_table)} ORDER BY {q('id')} DESC LIMIT 1")
        row = cursor.fetchone()
    return (row[0] if row else None) or GENESIS


HASHED = ("id", "at", "actor_name", "action", "object_type", "object_id", "summary", "changes",
          "prev_hash", "hash")


@dataclass
class Verdict:
    ok: bool
    count: int
    last_hash: str = GENESIS
    broken_id: int | None = None
    broken_at: datetime | None = None
    reason: str = ""


def verify(model=None) -> Verdict:
    """Walk the chain in id order; the first entry whose link or hash is wrong is the verdict."""
    if model is None:
        from .models import AuditEntry as model
    prev = GENESIS
    count = 0
    rows = model.objects.order_by("id").values(*HASHED)
    for row in rows.iterator(chunk_size=2000):
        if row["prev_hash"] != prev:
            return Verdict(False, count, prev, row["id"], row["at"],
                           "does not link to the entry before it (an entry before it was removed or inserted)")
        if entry_hash(row, prev) != row["hash"]:
            return Verdict(False, count, prev, row["id"], row["at"], "its content does not match its hash")
        prev = row["hash"]
        count += 1
    return Verdict(True, count, prev)
