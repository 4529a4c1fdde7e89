"""What the API reads and writes. Input serializers refuse unknown keys and wrong JSON types
(:mod:`samtrygg.api.fields`); output serializers name related objects by their stable codes."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from samtrygg.imports.validation import MAX_EXTERNAL_ID, MAX_QUANTITY

from .bulk import ROW_SCHEMA
from .fields import (
    CopiedFieldsMixin,
    StrictBooleanField,
    StrictCharField,
    StrictFloatField,
    StrictIntegerField,
    StrictSerializer,
)

MAX_DESCRIPTION = 5000
MAX_BULK_ROWS = 10_000


# ---- errors --------------------------------------------------------------------------------------------

class ErrorSerializer(serializers.Serializer):
    field = serializers.CharField(allow_null=True, help_text="The input at fault (`reports[3].lat`), or null.")
    code = serializers.CharField(help_text="A stable word for scripts: invalid, required, unknown_field, …")
    message = serializers.CharField(help_text="What is wrong, for people.")
    index = serializers.IntegerField(required=False, help_text="Bulk import: the index of the bad report.")


class ErrorsSerializer(serializers.Serializer):
    errors = ErrorSerializer(many=True)


# ---- reference data ------------------------------------------------------------------------------------

class OrganizationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()


class CategorySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    name_en = serializers.CharField()
    severity = serializers.FloatField()
    sensitive = serializers.BooleanField(source="is_sensitive")
    description = serializers.CharField()
    is_active = serializers.BooleanField()


class AreaSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()
    parent = serializers.CharField(source="parent.code", allow_null=True, help_text="The parent area's code.")
    population = serializers.IntegerField(allow_null=True)
    is_active = serializers.BooleanField()
    bbox = serializers.SerializerMethodField(help_text="[min x, min y, max x, max y] in SWEREF 99 TM (metres).")

    @extend_schema_field({"type": "array", "items": {"type": "number"}, "minItems": 4, "maxItems": 4})
    def get_bbox(self, obj):
        return [obj.min_x, obj.min_y, obj.max_x, obj.max_y]


class PlaceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()
    area = serializers.CharField(source="area.code", allow_null=True, help_text="The area it lies in (code).")
    is_active = serializers.BooleanField()
    bbox = serializers.SerializerMethodField(help_text="[min x, min y, max x, max y] in SWEREF 99 TM (metres).")

    @extend_schema_field({"type": "array", "items": {"type": "number"}, "minItems": 4, "maxItems": 4})
    def get_bbox(self, obj):
        return [obj.min_x, obj.min_y, obj.max_x, obj.max_y]


# ---- reports -------------------------------------------------------------------------------------------

class ReportSerializer(CopiedFieldsMixin, serializers.Serializer):
    id = serializers.IntegerField()
    external_id = serializers.CharField(allow_null=True)
    organization = serializers.CharField(source="organization.code")
    category = serializers.CharField(source="category.code")
    category_name = serializers.CharField(source="category.name")
    occurred_at = serializers.DateTimeField(help_text="ISO 8601 with the Swedish offset.")
    occurred_until = serializers.DateTimeField(allow_null=True)
    lat = serializers.FloatField()
    lon = serializers.FloatField()
    x = serializers.FloatField(help_text="SWEREF 99 TM (EPSG:3006), metres.")
    y = serializers.FloatField()
    place = serializers.CharField(source="place.code", allow_null=True,
                                  help_text="The place the reporter named (code), if any.")
    areas = serializers.SerializerMethodField(help_text="Codes of every area containing the report.")
    quantity = serializers.IntegerField()
    description = serializers.CharField()
    attributes = serializers.DictField(help_text="Extra values from an import.")
    source = serializers.CharField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    deleted_at = serializers.DateTimeField(allow_null=True)
    url = serializers.SerializerMethodField(help_text="The report's page in the web interface.")

    @extend_schema_field({"type": "array", "items": {"type": "string"}})
    def get_areas(self, obj):
        return self.context.get("areas", {}).get(obj.pk, [])

    @extend_schema_field(serializers.CharField())
    def get_url(self, obj):
        return reverse("reports:detail", args=[obj.pk])


class ReportWriteSerializer(CopiedFieldsMixin, StrictSerializer):
    """One report as the web form takes it: a position (lat/lon, x/y or a named place), time, category."""

    external_id = StrictCharField(required=False, allow_null=True, allow_blank=True, max_length=MAX_EXTERNAL_ID,
                                  help_text="Your system's own id: unique per organisation.")
    occurred_at = StrictCharField(max_length=40, help_text="ISO 8601; without an offset it is Swedish time.")
    occurred_until = StrictCharField(required=False, allow_null=True, allow_blank=True, max_length=40)
    category = StrictCharField(max_length=100, help_text="Category code (`klotter`) or name, any case.")
    lat = StrictFloatField(required=False, allow_null=True, min_value=-90, max_value=90)
    lon = StrictFloatField(required=False, allow_null=True, min_value=-180, max_value=180)
    x = StrictFloatField(required=False, allow_null=True, help_text="SWEREF 99 TM (EPSG:3006) metres.")
    y = StrictFloatField(required=False, allow_null=True)
    place = StrictCharField(required=False, allow_null=True, allow_blank=True, max_length=200,
                            help_text="A registered place's code or name. Without coordinates, the report is "
                                      "placed at the place.")
    quantity = StrictIntegerField(required=False, min_value=1, max_value=MAX_QUANTITY)
    description = StrictCharField(required=False, allow_blank=True, max_length=MAX_DESCRIPTION)
    allow_personal_data = StrictBooleanField(
        required=False, help_text="The description may hold personal data and that is intended (else a "
                                  "description that looks like it is refused, as in the web form).")


class ReportPatchSerializer(ReportWriteSerializer):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False


# ---- bulk ----------------------------------------------------------------------------------------------

@extend_schema_field({"type": "array", "minItems": 1, "maxItems": MAX_BULK_ROWS,
                      "items": ROW_SCHEMA})
class BulkRowsField(serializers.ListField):
    """The rows, each checked by `bulk.row_to_cells` (not a serializer per row: 10 000 of those are slow)."""


class BulkRequestSerializer(StrictSerializer):
    reports = BulkRowsField(child=serializers.JSONField(), min_length=1, max_length=MAX_BULK_ROWS)
    valid_only = StrictBooleanField(required=False, default=False,
                                    help_text="Import the valid rows and skip the bad ones (default: nothing is "
                                              "written when any row is bad).")
    dry_run = StrictBooleanField(required=False, default=False, help_text="Only check; write nothing.")
    crs = StrictCharField(required=False, max_length=30, default="EPSG:3006",
                          help_text="The CRS of x/y (default EPSG:3006, SWEREF 99 TM).")


class BulkResultRowSerializer(serializers.Serializer):
    index = serializers.IntegerField()
    external_id = serializers.CharField()
    id = serializers.IntegerField()


class BulkResultSerializer(serializers.Serializer):
    dry_run = serializers.BooleanField()
    total = serializers.IntegerField()
    valid = serializers.IntegerField()
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    deleted_matched = serializers.IntegerField(help_text="Matched reports that were deleted: updated, kept deleted.")
    skipped = serializers.IntegerField()
    errors = ErrorSerializer(many=True)
    warnings = ErrorSerializer(many=True)
    reports = BulkResultRowSerializer(many=True, help_text="The ids of the rows that have an external_id.")


# ---- weekly, quarterly ---------------------------------------------------------------------------------

class RefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()


@extend_schema_field({"oneOf": [{"type": "integer", "minimum": 0}, {"type": "string", "enum": ["<5"]}],
                      "description": 'A count; "<5" for 1–4 reports of a sensitive category the key may not see.'})
class SuppressibleCountField(serializers.Field):
    """A count, or "<5" where :mod:`samtrygg.weekly.disclosure` hid a small sensitive count."""

    def to_representation(self, value):
        return value


class SignalSerializer(serializers.Serializer):
    week = serializers.CharField()
    area = RefSerializer()
    category = RefSerializer()
    count = SuppressibleCountField()
    expected = serializers.FloatField()
    threshold = serializers.IntegerField()
    score = serializers.FloatField(allow_null=True)
    status = serializers.ChoiceField(choices=["alarm", "normal", "few_cases", "no_history"])
    method = serializers.CharField()
    trigger = serializers.CharField()
    alarm = serializers.BooleanField()
    p_value = serializers.FloatField(allow_null=True)
    count_two_weeks = SuppressibleCountField()
    threshold_two_weeks = serializers.IntegerField()
    baseline_weeks = serializers.IntegerField()
    trend = serializers.FloatField()
    explanation = serializers.CharField()


class SignalListSerializer(serializers.Serializer):
    week = serializers.CharField()
    signals = SignalSerializer(many=True)


class AnalysisSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    year = serializers.IntegerField()
    quarter = serializers.IntegerField()
    title = serializers.CharField()
    kind = serializers.CharField(source="snapshot.kind", allow_null=True, default=None)
    weights = serializers.DictField(child=serializers.FloatField())
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class AnalysisDetailSerializer(AnalysisSerializer):
    conclusions = serializers.CharField()
    snapshot = serializers.DictField(help_text="Every number computed when it was saved (see the ranking).")


# ---- actions, cases, feedback --------------------------------------------------------------------------

class ActionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    description = serializers.CharField()
    kind = serializers.CharField()
    status = serializers.CharField()
    responsible = serializers.CharField(source="responsible.code", help_text="Organisation code.")
    area = serializers.CharField(source="area.code", allow_null=True)
    place = serializers.CharField(source="place.code", allow_null=True)
    lat = serializers.FloatField(allow_null=True)
    lon = serializers.FloatField(allow_null=True)
    start_date = serializers.DateField()
    end_date = serializers.DateField(allow_null=True)
    follow_up = serializers.CharField()
    decided_week = serializers.SerializerMethodField()
    case = serializers.IntegerField(source="case_id", allow_null=True)
    is_open = serializers.BooleanField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_decided_week(self, obj):
        if obj.decided_year and obj.decided_week:
            return f"{obj.decided_year}-W{obj.decided_week:02d}"
        return None


class CasePartnerSerializer(serializers.Serializer):
    organization = serializers.CharField(source="organization.code")
    role = serializers.CharField()
    contact = serializers.CharField()


class CaseSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    problem = serializers.CharField()
    status = serializers.CharField()
    place = serializers.CharField(source="place.code", allow_null=True)
    opened_on = serializers.DateField()
    follow_up_on = serializers.DateField(allow_null=True)
    closed_on = serializers.DateField(allow_null=True)
    intervention_on = serializers.DateField(allow_null=True)
    control_area = serializers.CharField(source="control_area.code", allow_null=True)
    partners = CasePartnerSerializer(many=True)
    measures = serializers.SerializerMethodField(help_text="Ids of the case's actions (measures).")
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    @extend_schema_field({"type": "array", "items": {"type": "integer"}})
    def get_measures(self, obj):
        return sorted(m.pk for m in obj.measures.all())


class FeedbackSerializer(serializers.Serializer):
    questionnaire = serializers.CharField(source="questionnaire.slug", help_text="Use it in the results URL.")
    title = serializers.CharField(source="questionnaire.title")
    area = serializers.CharField(source="area.code", allow_null=True)
    published_at = serializers.DateTimeField()


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    organization = OrganizationSerializer(allow_null=True)
    role = serializers.CharField()
    token = serializers.DictField(allow_null=True, help_text="The token used: name, prefix, expires_at.")
