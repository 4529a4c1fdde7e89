"""The personal-data warning on free-text forms: blocks the first save, shows "Save anyway", then saves."""

import pytest

from samtrygg.cases.forms import JournalForm
from samtrygg.privacy import forms as pii_forms

TEXT = "Ring Kalle på 070-123 45 67 om nycklarna."


@pytest.mark.django_db
def test_personal_data_blocks_until_save_anyway_is_ticked_for_that_text():
    data = {"happened_on": "2026-05-04", "kind": "note", "text": TEXT}
    form = JournalForm(data)
    assert not form.is_valid()
    assert "telefonnummer" in " ".join(form.errors["text"])
    html = str(form["text"])
    assert 'name="text__save_anyway"' in html and pii_forms.digest(TEXT) in html

    confirmed = JournalForm({**data, "text__save_anyway": pii_forms.digest(TEXT)})
    assert confirmed.is_valid(), confirmed.errors

    other = "Mejla kalle@example.se i stället."
    changed = JournalForm({**data, "text": other, "text__save_anyway": pii_forms.digest(TEXT)})
    assert not changed.is_valid() and "e-postadress" in " ".join(changed.errors["text"])


@pytest.mark.django_db
def test_clean_text_saves_without_any_box():
    form = JournalForm({"happened_on": "2026-05-04", "kind": "note", "text": "Möte med fastighetsägaren."})
    assert form.is_valid(), form.errors
    assert "save_anyway" not in str(form["text"])
