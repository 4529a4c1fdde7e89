"""Reading the audit log: the filter form, the filtered entries, and their CSV/XLSX export."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import datetime, time, timedelta

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import AuditEntry

COLUMNS = ("id", "at", "user", "action", "object_type", "object_id", "summary", "changes", "prev_hash", "hash")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class LogFilterForm(forms.Form):
    start = forms.DateField(label=_("From (date)"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To (date)"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    user = forms.ModelChoiceField(label=_("User"), required=False, queryset=get_user_model().objects.none(),
                                  empty_label=_("Every user"))
    action = forms.ChoiceField(label=_("Action"), required=False,
                               choices=[("", _("Every action"))] + list(AuditEntry.Action.choices))
    object_type = forms.ChoiceField(label=_("Object type"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = get_user_model().objects.order_by("username")
        types = AuditEntry.objects.order_by("object_type").values_list("object_type", flat=True).distinct()
        self.fields["object_type"].choices = [("", _("Every type"))] + [(t, t) for t in types if t]

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            self.add_error("end", _("The end date is before the start date."))
        return data


def filtered(form: LogFilterForm):
    qs = AuditEntry.objects.select_related("actor").order_by("-id")
    if not form.is_bound or not form.is_valid():
        return qs
    data = form.cleaned_data
    tz = timezone.get_current_timezone()
    if data.get("start"):
        qs = qs.filter(at__gte=datetime.combine(data["start"], time.min, tzinfo=tz))
    if data.get("end"):
        qs = qs.filter(at__lt=datetime.combine(data["end"] + timedelta(days=1), time.min, tzinfo=tz))
    if data.get("user"):
        qs = qs.filter(actor=data["user"])
    if data.get("action"):
        qs = qs.filter(action=data["action"])
    if data.get("object_type"):
        qs = qs.filter(object_type=data["object_type"])
    return qs


def rows(queryset) -> Iterator[list]:
    """One list per entry (COLUMNS), time in local time, changes as JSON text."""
    import json

    for e in queryset.iterator(chunk_size=2000):
        yield [e.id, timezone.localtime(e.at).isoformat(timespec="seconds"), e.actor_name, e.action,
               e.object_type, e.object_id, e.summary,
               json.dumps(e.changes, ensure_ascii=False, sort_keys=True) if e.changes else "",
               e.prev_hash, e.hash]


def _safe(value):
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def to_csv(queryset) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for row in rows(queryset):
        writer.writerow([_safe(v) for v in row])
    return "\ufeff" + out.getvalue()


def to_xlsx(queryset) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("audit")
    sheet.append(list(COLUMNS))
    for row in rows(queryset):
        # Strings stay strings: a text that looks like a formula is written as a text cell.
        sheet.append([_safe(v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
