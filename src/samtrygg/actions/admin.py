from django.contrib import admin

from samtrygg.audit import log

from . import services
from .models import Action


@admin.register(Action)
class ActionAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "status", "responsible", "area", "place", "start_date", "end_date",
                    "decided_year", "decided_week")
    list_filter = ("status", "kind", "responsible", "area")
    search_fields = ("title", "description", "follow_up")
    date_hierarchy = "start_date"
    raw_id_fields = ("created_by",)
    readonly_fields = ("created_by", "created_at", "updated_at")
    list_select_related = ("responsible", "area", "place")

    def save_model(self, request, obj, form, change):
        """Changes made in the admin reach the audit log too."""
        if change:
            before = services.snapshot(Action.objects.get(pk=obj.pk))
            super().save_model(request, obj, form, change)
            changes = log.diff(before, services.snapshot(obj))
            if changes:
                log.record(request.user, "update", obj, summary=obj.title, changes=changes)
        else:
            obj.created_by = obj.created_by or request.user
            super().save_model(request, obj, form, change)
            log.record(request.user, "create", obj, summary=obj.title, changes=log.diff({}, services.snapshot(obj)))

    def delete_model(self, request, obj):
        snapshot = services.snapshot(obj)
        pk = obj.pk
        super().delete_model(request, obj)
        log.record(request.user, "delete", object_type=Action._meta.label_lower, object_id=str(pk),
                   summary=snapshot["title"], changes=log.diff(snapshot, {}))

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)
