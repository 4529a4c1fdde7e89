"""``CopiedFieldsMixin``: serializers whose fields are shallow copies behave as with DRF's deep copies."""

import pytest
from rest_framework import serializers

from samtrygg.api.fields import CopiedFieldsMixin
from samtrygg.api.serializers import ReportPatchSerializer, ReportSerializer, ReportWriteSerializer
from tests.factories import make_report

BODY = {"external_id": "x-1", "occurred_at": "2026-11-27T21:30:00+01:00", "category": "klotter",
        "lat": 59.8, "lon": 17.6, "description": "Klotter på väggen", "quantity": 2}


class DeepWrite(ReportWriteSerializer):
    """The same serializer with DRF's own deep copy of the fields."""

    def get_fields(self):
        return serializers.Serializer.get_fields(self)


class DeepRead(ReportSerializer):
    def get_fields(self):
        return serializers.Serializer.get_fields(self)


def test_each_instance_has_its_own_bound_fields():
    one, two = ReportWriteSerializer(data=BODY), ReportWriteSerializer(data=BODY)
    for name in ("category", "lat", "quantity"):
        assert one.fields[name] is not two.fields[name]
        assert one.fields[name].parent is one and two.fields[name].parent is two
    # The patch serializer makes its fields optional without touching the write serializer's.
    assert not any(field.required for field in ReportPatchSerializer(data={}).fields.values())
    assert ReportWriteSerializer(data=BODY).fields["category"].required


@pytest.mark.parametrize("body", [
    BODY,
    {**BODY, "lat": 95, "quantity": 0, "category": 7, "colour": "red"},  # out of range, wrong type, unknown key
    {"occurred_at": "igår"},  # the category missing
])
def test_validation_is_the_same_as_with_deep_copies(body):
    mine, deep = ReportWriteSerializer(data=body), DeepWrite(data=body)
    assert mine.is_valid() == deep.is_valid()
    assert mine.errors == deep.errors
    assert dict(mine.validated_data) == dict(deep.validated_data)
    patch, deep_patch = ReportPatchSerializer(data={"quantity": 0}), DeepWrite(data={"quantity": 0}, partial=True)
    assert not patch.is_valid() and not deep_patch.is_valid() and patch.errors == deep_patch.errors


@pytest.mark.django_db
def test_a_report_reads_the_same_as_with_deep_copies():
    report = make_report(description="Sprayad tagg", quantity=3)
    context = {"areas": {report.pk: ["centrum"]}}
    assert ReportSerializer(report, context=context).data == DeepRead(report, context=context).data
    assert ReportSerializer(report, context=context).data["areas"] == ["centrum"]


def test_a_nested_serializer_is_refused():
    class Child(serializers.Serializer):
        name = serializers.CharField()

    class Parent(CopiedFieldsMixin, serializers.Serializer):
        child = Child()

    with pytest.raises(TypeError, match="nested serializers"):
        Parent(data={}).fields  # noqa: B018
