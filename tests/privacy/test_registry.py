"""Every free-text field of the project is scanned for personal data, or deliberately listed as not free text."""

import importlib

import pytest
from django.apps import apps
from django.db import models

from samtrygg.privacy import registry
from samtrygg.privacy.forms import PiiWarningMixin


def project_text_fields() -> set[str]:
    return {f"{m._meta.label_lower}.{f.name}" for m in apps.get_models() if m.__module__.startswith("samtrygg.")
            for f in m._meta.concrete_fields if isinstance(f, models.TextField)}


def test_every_text_field_is_scanned_or_listed_as_not_free_text():
    undecided = project_text_fields() - set(registry.SCANNED) - set(registry.NOT_FREE_TEXT)
    assert not undecided, f"text fields nobody decided about (samtrygg.privacy.registry): {sorted(undecided)}"
    gone = (set(registry.SCANNED) | set(registry.NOT_FREE_TEXT)) - project_text_fields() - {"walks.answer.value"}
    assert not gone, f"listed fields that no longer exist: {sorted(gone)}"


@pytest.mark.parametrize("key", sorted(k for k, v in registry.SCANNED.items() if " " not in v))
def test_the_named_form_really_scans_the_field(key):
    path = registry.SCANNED[key]
    module, name = path.rsplit(".", 1)
    form = getattr(importlib.import_module(module), name)
    if isinstance(form, type) and issubclass(form, PiiWarningMixin):
        assert key.rsplit(".", 1)[1] in form.pii_fields
    else:
        assert callable(form)
