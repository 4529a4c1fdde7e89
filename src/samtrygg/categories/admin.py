from django.contrib import admin, messages
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from .models import Category


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "severity", "sensitivity", "retain_text_months", "retain_photos_months",
                    "is_active", "report_count")
    list_editable = ("is_active",)
    list_filter = ("is_active", "sensitivity")
    search_fields = ("name", "code", "name_en")
    actions = ["deactivate", "activate"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_report_count=Count("reports"))

    @admin.display(description=_("reports"), ordering="_report_count")
    def report_count(self, obj):
        return obj._report_count

    def get_readonly_fields(self, request, obj=None):
        # Codes are a contract with imports and scripts: fixed once reports use them.
        if obj is not None and obj.reports.exists():
            return ("code",)
        return ()

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.reports.exists():
            return False
        return super().has_delete_permission(request, obj)

    def delete_queryset(self, request, queryset):
        used = queryset.filter(reports__isnull=False).distinct()
        if used.exists():
            names = ", ".join(str(c) for c in used)
            self.message_user(
                request, _("Categories in use cannot be deleted, deactivate them instead: %s") % names,
                messages.ERROR,
            )
            queryset = queryset.exclude(pk__in=used)
        super().delete_queryset(request, queryset)

    @admin.action(description=_("Deactivate selected categories"))
    def deactivate(self, request, queryset):
        queryset.update(is_active=False)

    @admin.action(description=_("Activate selected categories"))
    def activate(self, request, queryset):
        queryset.update(is_active=True)
