"""Warning about personal data in any form's free-text fields, before saving.

A form lists its free-text fields in ``pii_fields`` and mixes in :class:`PiiWarningMixin`. When a field's text
seems to hold personal data (:func:`samtrygg.privacy.pii.scan`), the form is not valid: the field gets an
error naming what was found, and its widget shows a "Save anyway" box right under the text, tied to exactly
that text (a digest). Ticking it and sending again saves; changing the text to something else with personal
data in it warns again. The box is part of the widget, so every template that renders the field
(``as_field_group``, ``{{ field }}``) shows it without changes.
"""

from __future__ import annotations

import hashlib

from django.utils.html import format_html
from django.utils.translation import gettext as _


def kinds_found(text: str) -> list[str]:
    """The kinds of personal data in the text, as words for the user (the report form's labels)."""
    from samtrygg.reports.forms import pii_kinds

    return pii_kinds(text or "")


def digest(text: str) -> str:
    return hashlib.sha256((text or "").strip().encode("utf-8")).hexdigest()[:16]


def confirm_name(field_name: str) -> str:
    return f"{field_name}__save_anyway"


class _ConfirmingRender:
    """Mixed into a field's widget class: after the widget, the "Save anyway" box once the text was flagged."""

    pending_digest: str | None = None

    def render(self, name, value, attrs=None, renderer=None):
        html = super().render(name, value, attrs, renderer)
        if not self.pending_digest:
            return html
        box_id = f"id_{confirm_name(name)}"
        return format_html(
            '{}<label class="pii-save-anyway" for="{}"><input type="checkbox" name="{}" id="{}" value="{}"> {}'
            "</label>", html, box_id, confirm_name(name), box_id, self.pending_digest,
            _("Save anyway: the personal data is needed here"))


_CLASSES: dict[type, type] = {}


def _confirming(widget) -> None:
    cls = type(widget)
    if issubclass(cls, _ConfirmingRender):
        return
    if cls not in _CLASSES:
        _CLASSES[cls] = type(cls.__name__, (_ConfirmingRender, cls), {"__module__": cls.__module__})
    widget.__class__ = _CLASSES[cls]


class PiiWarningMixin:
    pii_fields: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.pii_fields:
            field = self.fields.get(name)
            if field is not None:
                _confirming(field.widget)

    def clean(self):
        data = super().clean()
        for name in self.pii_fields:
            text = (self.cleaned_data or {}).get(name)
            if not isinstance(text, str) or not text:
                continue
            kinds = kinds_found(text)
            if not kinds:
                continue
            if self.data.get(confirm_name(self.add_prefix(name))) == digest(text):
                continue
            self.fields[name].widget.pending_digest = digest(text)
            self.add_error(name, _("The text seems to contain personal data (%(kinds)s). Remove it if it is not "
                                   "needed, or tick “Save anyway” under the text and save again.")
                           % {"kinds": ", ".join(kinds)})
        return data
