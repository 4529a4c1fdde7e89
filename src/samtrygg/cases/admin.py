from django.contrib import admin

from .models import CasePartner, CauseAnalysis, Hypothesis, JournalEntry, PlaceCase


class PartnerInline(admin.TabularInline):
    model = CasePartner
    extra = 0


class JournalInline(admin.TabularInline):
    model = JournalEntry
    extra = 0
    readonly_fields = ("created_by", "created_at")


class HypothesisInline(admin.TabularInline):
    model = Hypothesis
    extra = 0


@admin.register(PlaceCase)
class PlaceCaseAdmin(admin.ModelAdmin):
    list_display = ("title", "place", "status", "opened_on", "follow_up_on", "coordinator")
    list_filter = ("status",)
    search_fields = ("title", "problem")
    exclude = ("geometry_sweref",)
    readonly_fields = ("created_by", "created_at", "updated_at", "follow_up_reminder_sent_at")
    inlines = [PartnerInline, HypothesisInline, JournalInline]


@admin.register(CauseAnalysis)
class CauseAnalysisAdmin(admin.ModelAdmin):
    list_display = ("case", "updated_at", "updated_by")
    readonly_fields = ("updated_at", "updated_by")
