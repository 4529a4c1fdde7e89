"""Writing the audit log. Callers pass plain values; the log never stores model instances."""

from __future__ import annotations

from typing import Any

from .models import AuditEntry


def record(actor, action: str, obj=None, *, object_type: str = "", object_id: str = "", summary: str = "",
           changes: dict[str, Any] | None = None) -> AuditEntry:
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    return AuditEntry.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        object_type=object_type,
        object_id=object_id,
        summary=summary[:300],
        changes=changes or {},
    )


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """Fields whose value changed, as {field: [old, new]} with JSON-safe values."""
    return {key: [_plain(before.get(key)), _plain(after.get(key))]
            for key in sorted(set(before) | set(after)) if before.get(key) != after.get(key)}


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)
