"""An object's history from the audit log, as people read it (used by every page that shows one)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.formats import date_format

from .models import AuditEntry


def show_value(value: Any) -> str:
    """A value stored in the audit log, for reading: times in local time, dates as dates, lists joined."""
    if value is None or value == "":
        return "–"
    if isinstance(value, list):
        return ", ".join(show_value(v) for v in value) or "–"
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:
            return date_format(datetime.strptime(value, "%Y-%m-%d").date(), "Y-m-d")
        except ValueError:
            return value
    if isinstance(value, str) and len(value) >= 19 and value[4] == "-" and value[10] in " T":
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return value
        if timezone.is_aware(moment):
            return date_format(timezone.localtime(moment), "Y-m-d H:i")
    return str(value)


def field_label(model, name: str, extra: dict | None = None) -> str:
    if extra and name in extra:
        return str(extra[name])
    try:
        return str(model._meta.get_field(name).verbose_name)
    except Exception:  # a field that no longer exists on the model: show its stored name
        return name


def history(obj, *, labels: dict | None = None,
            show: Callable[[str, Any], str] | None = None) -> list[dict]:
    """Every audit entry of ``obj``, newest first, each with its changed fields as {field, old, new}."""
    show = show or (lambda name, value: show_value(value))
    entries = (AuditEntry.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))
               .select_related("actor").order_by("-at", "-id"))
    out = []
    for entry in entries:
        changes = []
        if entry.action != AuditEntry.Action.CREATE:
            for name, pair in sorted((entry.changes or {}).items()):
                old, new = pair if isinstance(pair, list) and len(pair) == 2 else (None, pair)
                changes.append({"field": field_label(type(obj), name, labels),
                                "old": show(name, old), "new": show(name, new)})
        out.append({"entry": entry, "changes": changes})
    return out
