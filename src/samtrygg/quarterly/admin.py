from django.contrib import admin

from .models import QuarterlyAnalysis


@admin.register(QuarterlyAnalysis)
class QuarterlyAnalysisAdmin(admin.ModelAdmin):
    """Saved analyses are snapshots: the admin may correct the text or delete one, never the numbers."""

    list_display = ("__str__", "year", "quarter", "created_by", "created_at")
    list_filter = ("year", "quarter")
    search_fields = ("title", "conclusions")
    readonly_fields = ("year", "quarter", "weights", "snapshot", "created_by", "created_at", "updated_at")
    fields = ("title", "conclusions", *readonly_fields)

    def has_add_permission(self, request):
        return False
