from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportBatch(models.Model):
    """One report file, from upload through preview to import (the command line records one too)."""

    class Status(models.TextChoices):
        VALIDATED = "validated", _("Checked, waiting for decision")
        IMPORTED = "imported", _("Imported")
        CANCELLED = "cancelled", _("Cancelled")

    class Kind(models.TextChoices):
        REPORTS = "reports", _("Report file (CSV, XLSX, GeoJSON)")
        POLICE = "police", _("Police events (JSON)")

    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.REPORTS)
    file = models.FileField(upload_to="imports/", blank=True)
    original_name = models.CharField(max_length=255)
    crs = models.CharField(max_length=30, default="EPSG:3006")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.VALIDATED)
    unit = models.CharField(max_length=20, default="line")  # how rows are numbered: line, feature, event
    total_rows = models.PositiveIntegerField(default=0)
    valid_rows = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)  # [[line, reason], …]
    warnings = models.JSONField(default=list, blank=True)  # [[line, reason], …]
    skipped = models.JSONField(default=dict, blank=True)  # {reason: count} (police feed: unmapped types…)
    preview = models.JSONField(default=list, blank=True)  # the first valid rows, as they will be imported
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    unchanged_count = models.PositiveIntegerField(default=0)
    imported_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def error_count(self) -> int:
        return len(self.errors)
