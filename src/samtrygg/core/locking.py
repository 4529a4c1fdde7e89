"""Optimistic locking: two people editing the same thing at once never silently overwrite each other.

A locked model has an integer ``version`` column. Its edit form carries the version it was loaded at as a
hidden field (:class:`VersionedFormMixin`). The service that saves the change first runs, in its transaction,

    UPDATE … SET version = version + 1 WHERE id = %s AND version = %s

(:func:`claim`). No row updated means somebody saved in between: :class:`EditConflict` is raised, nothing is
written, and the view shows the form again with the user's own text, who changed it and when, and the values
now stored (:func:`conflict_details`). The form then carries the current version, so saving again re-applies
the user's version on purpose. The check lives in the database, so it holds across any number of app
processes; on PostgreSQL the UPDATE's row lock makes a concurrent second claim wait and then find the bumped
version, on SQLite the write transactions are serialised (``transaction_mode=IMMEDIATE``).

A post without a version (a script, an old form) is not checked: last write wins, as before. Every form of the
web interface sends it.

Django has no built-in optimistic locking; django-concurrency exists but patches ``Model.save`` globally and
keeps its own signal machinery, whereas this needs one conditional UPDATE and a way to show the conflict.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django import forms
from django.db.models import F, Model
from django.utils import formats, timezone
from django.utils.translation import gettext as _


class EditConflict(Exception):
    """The row changed since the form was loaded (its version is no longer the expected one)."""

    def __init__(self, model: type[Model], pk, expected: int | None, current: int | None):
        super().__init__(f"{model._meta.label} {pk}: expected version {expected}, stored {current}")
        self.model, self.pk, self.expected, self.current = model, pk, expected, current


def stored_version(model: type[Model], pk, field: str = "version") -> int | None:
    return model.objects.filter(pk=pk).values_list(field, flat=True).first()


def claim(instance: Model, expected: int | None, field: str = "version") -> int:
    """Bump the row's version if it is still ``expected``, in the caller's transaction; returns the new version
    (also set on ``instance``). ``expected=None`` (no version posted) bumps unconditionally."""
    model = type(instance)
    rows = model.objects.filter(pk=instance.pk)
    if expected is not None:
        rows = rows.filter(**{field: expected})
    if rows.update(**{field: F(field) + 1}) != 1:
        raise EditConflict(model, instance.pk, expected, stored_version(model, instance.pk, field))
    setattr(instance, field, stored_version(model, instance.pk, field))
    return getattr(instance, field)


def check(instance: Model, expected: int | None, field: str = "version") -> None:
    """Raise :class:`EditConflict` when the stored version is not ``expected`` (for a save that changes
    nothing: submitting an out-of-date form unchanged must not pass silently either)."""
    if expected is None:
        return
    current = stored_version(type(instance), instance.pk, field)
    if current != expected:
        raise EditConflict(type(instance), instance.pk, expected, current)


def posted_version(text) -> int | None:
    """A version from a plain POST field; None (not checked) when absent or not a number."""
    try:
        value = int(text)
    except (TypeError, ValueError):
        return None
    return value if value >= 0 else None


class VersionedFormMixin(forms.Form):
    """Adds the hidden ``version`` field, filled from the instance (or ``initial['version']``)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        instance = getattr(self, "instance", None)
        if "version" not in self.initial and instance is not None and instance.pk:
            self.initial["version"] = instance.version

    def expected_version(self) -> int | None:
        return self.cleaned_data.get("version") if hasattr(self, "cleaned_data") else None

    def carry_version(self, version: int | None) -> None:
        """After a conflict: the form keeps the user's input but now carries the stored version, so saving
        again is a deliberate overwrite of what is there now."""
        data = self.data.copy()
        data[self.add_prefix("version")] = "" if version is None else str(version)
        self.data = data


# ---- showing a conflict ----------------------------------------------------------------------------------

@dataclass
class Conflict:
    """What the person whose save was refused is shown."""

    by: str
    at: datetime | None
    rows: list[dict] = field(default_factory=list)  # {"label", "current", "yours"} per differing field

    @property
    def at_text(self) -> str:
        return formats.date_format(timezone.localtime(self.at), "Y-m-d H:i") if self.at else ""


def last_change(instance: Model) -> tuple[str, datetime | None]:
    """Who changed the object last and when, from the audit log (the model's ``updated_at`` as fallback)."""
    from samtrygg.audit.models import AuditEntry

    entry = (AuditEntry.objects.select_related("actor")
             .filter(object_type=instance._meta.label_lower, object_id=str(instance.pk),
                     action__in=["create", "update", "restore", "import"])
             .order_by("-at", "-id").first())
    if entry is not None:
        actor = entry.actor
        name = (actor.get_full_name() or actor.get_username()) if actor else _("someone else")
        return name, entry.at
    return _("someone else"), getattr(instance, "updated_at", None)


MAX_SHOWN = 300  # characters of one value in the conflict table (a drawn route is long GeoJSON)


def show(value) -> str:
    text = _show(value)
    return text if len(text) <= MAX_SHOWN else text[:MAX_SHOWN - 1] + "…"


def _show(value) -> str:
    if value is None or value == "" or value == []:
        return "–"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, datetime):
        return formats.date_format(timezone.localtime(value), "Y-m-d H:i")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, (list, tuple)):
        return ", ".join(_show(v) for v in value)
    return str(value)


def _display(bound: forms.BoundField, value) -> str:
    """A form value as the person saw it: the choice's label, the related object's name."""
    fld = bound.field
    if isinstance(fld, forms.ModelChoiceField) and value not in (None, ""):
        if isinstance(value, Model):
            return str(value)
        try:
            return str(fld.queryset.model._default_manager.get(pk=value))
        except (fld.queryset.model.DoesNotExist, ValueError, TypeError):
            return str(value)
    if isinstance(fld, forms.ChoiceField) and hasattr(fld, "choices"):
        labels = {str(k): v for k, v in fld.choices}
        if isinstance(value, (list, tuple)):
            return ", ".join(str(labels.get(str(v), v)) for v in value) or "–"
        if str(value) in labels and value not in (None, ""):
            return str(labels[str(value)])
    return show(value)


def differing_fields(form: forms.Form, current: forms.Form, skip=("version",)) -> list[dict]:
    """The fields where what is stored now (``current``, an unbound form on the fresh instance) differs from
    what the user submitted (``form``, bound); compared with each field's own ``has_changed``."""
    rows = []
    for name, fld in form.fields.items():
        if name in skip or isinstance(fld.widget, forms.HiddenInput):
            continue
        bound, now = form[name], current[name]
        stored = now.initial
        if not fld.has_changed(stored, bound.data):
            continue
        yours = form.cleaned_data.get(name, bound.data) if hasattr(form, "cleaned_data") else bound.data
        rows.append({"label": str(fld.label or name), "current": _display(now, stored),
                     "yours": _display(bound, yours)})
    return rows


def conflict_details(instance: Model, rows: list[dict]) -> Conflict:
    by, at = last_change(instance)
    return Conflict(by=by, at=at, rows=rows)
