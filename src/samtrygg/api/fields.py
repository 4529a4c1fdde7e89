"""Serializer fields that take JSON types as they are: DRF's own coerce ``5`` to ``"5"`` and ``"5"`` to ``5``,
which hides a partner's bug and contradicts the schema. These refuse the wrong JSON type instead."""

from __future__ import annotations

import copy
import math

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers


class StrictCharField(serializers.CharField):
    default_error_messages = {"type": _("Must be a string.")}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("type")
        return super().to_internal_value(data)


class StrictFloatField(serializers.FloatField):
    default_error_messages = {"type": _("Must be a number.")}

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, (int, float)) or not math.isfinite(data):
            self.fail("type")
        return super().to_internal_value(data)


class StrictIntegerField(serializers.IntegerField):
    default_error_messages = {"type": _("Must be a whole number.")}

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            if not (isinstance(data, float) and data.is_integer()):
                self.fail("type")
            data = int(data)
        return super().to_internal_value(data)


class StrictBooleanField(serializers.BooleanField):
    default_error_messages = {"type": _("Must be true or false.")}

    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("type")
        return data


class CopiedFieldsMixin:
    """Each instance's fields are shallow copies of the class's declared fields, copied deeply once per class.

    DRF deep-copies every declared field for every serializer instance (its validators and all); for a report
    submitted that was a sixth of the request's Python (benchmarks/scale.py, (c)). A shallow copy is enough
    for fields that are bound (``bind`` sets attributes on the copy) and then only read, as plain fields are;
    a nested serializer, which keeps state of its own, is refused.
    """

    def get_fields(self):
        cls = type(self)
        declared = cls.__dict__.get("_declared_copies")
        if declared is None:
            declared = copy.deepcopy(self._declared_fields)
            nested = [name for name, field in declared.items() if isinstance(field, serializers.BaseSerializer)]
            if nested:
                raise TypeError(f"{cls.__name__}: nested serializers ({', '.join(nested)}) need DRF's deep copy")
            cls._declared_copies = declared
        return {name: copy.copy(field) for name, field in declared.items()}


class StrictSerializer(serializers.Serializer):
    """Refuses keys it does not know, naming each one (a typo must not be silently ignored)."""

    def to_internal_value(self, data):
        unknown_errors = {}
        if isinstance(data, dict):
            known = {name for name, field in self.fields.items() if not field.read_only}
            message = str(_("Unknown field. Known fields: %(known)s.") % {"known": ", ".join(sorted(known))})
            unknown_errors = {str(k): [serializers.ErrorDetail(message, code="unknown_field")]
                              for k in sorted(data, key=str) if k not in known}
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as exc:
            if unknown_errors and isinstance(exc.detail, dict):
                raise serializers.ValidationError({**exc.detail, **unknown_errors}) from None
            raise
        if unknown_errors:
            raise serializers.ValidationError(unknown_errors)
        return value
