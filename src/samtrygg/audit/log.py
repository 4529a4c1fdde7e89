"""Writing the audit log. Callers pass plain values; the log never stores model instances.

Every entry is appended to the hash chain (:mod:`samtrygg.audit.chain`) under a lock, in the caller's
transaction when there is one: if the change is rolled back, so is its entry.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from . import chain
from .models import AuditEntry


def record(actor, action: str, obj=None, *, object_type: str = "", object_id: str = "", summary: str = "",
           changes: dict[str, Any] | None = None) -> AuditEntry:
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    user = actor if getattr(actor, "is_authenticated", False) else None
    entry = AuditEntry(
        actor=user,
        actor_name=user.get_username() if user else "",
        action=action,
        object_type=object_type[:50],
        object_id=str(object_id)[:50],
        summary=summary[:300],
        changes=chain.json_safe(changes),
    )
    # No savepoint: if appending fails, the caller's change must not commit without its entry, and without a
    # savepoint Django marks the caller's transaction for rollback. Outside one, this opens the transaction
    # the lock is held in.
    with transaction.atomic(savepoint=False):
        chain.lock()
        entry.prev_hash = chain.last_hash(AuditEntry)
        entry.save()
        entry.hash = chain.entry_hash(entry.__dict__, entry.prev_hash)
        AuditEntry.objects.filter(pk=entry.pk).update(hash=entry.hash)
    return entry


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """Fields whose value changed, as {field: [old, new]} with JSON-safe values."""
    return {key: [_plain(before.get(key)), _plain(after.get(key))]
            for key in sorted(set(before) | set(after)) if before.get(key) != after.get(key)}


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)
