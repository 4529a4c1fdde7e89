from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportBatch(models.Model):
    """One uploaded report file, from upload through preview to import."""

    class Status(models.TextChoices):
        VALIDATED = "validated", _("Checked, waiting for decision")
        IMPORTED = "imported", _("Imported")
        CANCELLED = "cancelled", _("Cancelled")

    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT)
    file = models.FileField(upload_to="imports/")
    original_name = models.CharField(max_length=255)
    crs = models.CharField(max_length=30, default="EPSG:3006")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.VALIDATED)
    total_rows = models.PositiveIntegerField(default=0)
    valid_rows = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    imported_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
