"""The form an organisation administrator makes an API token with."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import TOKEN_ROLES

MAX_YEARS = 5


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100,
                           help_text=_("What the key is for, e.g. “Uppsalahem fault reports”."))
    role = forms.ChoiceField(
        label=_("Role"), choices=[(r.value, r.label) for r in TOKEN_ROLES], initial=TOKEN_ROLES[0].value,
        help_text=_("The key acts as a user of your organisation with this role. Reporter: create and read "
                    "reports. Viewer: read only. Analyst and coordinator: as those users on the web."))
    expires_on = forms.DateField(
        label=_("Expires (optional)"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("The key stops working at the end of this day. Empty: until it is revoked."),
        error_messages={"invalid": _("Enter a date as YYYY-MM-DD.")})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            field.widget.attrs["aria-describedby"] = f"id_{name}_help"

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                attrs["aria-invalid"] = "true"
                attrs["aria-describedby"] = f"id_{name}_error id_{name}_help"

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("Give the key a name."))
        return name

    def clean_expires_on(self):
        day = self.cleaned_data.get("expires_on")
        if day is None:
            return None
        today = timezone.localdate()
        if day < today:
            raise forms.ValidationError(_("The date has already passed."))
        if day > today + timedelta(days=366 * MAX_YEARS):
            raise forms.ValidationError(_("At most %(n)d years ahead.") % {"n": MAX_YEARS})
        return day

    def expires_at(self) -> datetime | None:
        day = self.cleaned_data.get("expires_on")
        if day is None:
            return None
        return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))
