"""Creating and changing actions. Every change is written to the audit log in the same transaction."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from samtrygg.audit import log
from samtrygg.core import locking

from .models import Action

#: Fields a change may touch, in the order the history shows them.
FIELDS = ("title", "description", "kind", "area", "place", "lat", "lon", "responsible", "start_date",
          "end_date", "status", "follow_up", "cost", "decided_year", "decided_week")


def snapshot(action: Action) -> dict[str, Any]:
    """The action's fields as plain values (names for related objects) for the audit log."""
    out: dict[str, Any] = {}
    for name in FIELDS:
        value = getattr(action, name)
        if name in ("area", "place", "responsible"):
            value = str(value) if value is not None else None
        elif name in ("kind", "status"):
            value = str(value)
        elif value is not None and not isinstance(value, (str, int, float, bool)):
            value = str(value)
        out[name] = value
    return out


@transaction.atomic
def create_action(user, **fields) -> Action:
    action = Action(created_by=user if getattr(user, "is_authenticated", False) else None, **fields)
    action.full_clean()
    action.save()
    log.record(user, "create", action, summary=action.title, changes=log.diff({}, snapshot(action)))
    return action


@transaction.atomic
def update_action(user, action: Action, version: int | None = None, **fields) -> dict[str, list]:
    """Apply the changed fields; returns the diff (empty when nothing changed, and then nothing is written).
    With ``version`` (the one the form was loaded at) a change saved by someone else in between raises
    :class:`samtrygg.core.locking.EditConflict` and nothing is written."""
    before = snapshot(action)
    for name, value in fields.items():
        if name not in FIELDS:
            raise ValueError(f"unknown action field {name!r}")
        setattr(action, name, value)
    changes = log.diff(before, snapshot(action))
    if not changes:
        locking.check(action, version)
        return {}
    locking.claim(action, version)
    action.full_clean()
    action.save()
    log.record(user, "update", action, summary=action.title, changes=changes)
    return changes
