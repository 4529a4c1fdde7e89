from django.db import models
from django.utils.translation import gettext_lazy as _


class Sensitivity(models.TextChoices):
    NORMAL = "normal", _("Normal")
    SENSITIVE = "sensitive", _("Sensitive")


class Category(models.Model):
    """A kind of incident. Codes are stable; names are the Swedish labels shown to users."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=100, unique=True)
    name_en = models.CharField(_("name in English"), max_length=100, blank=True)
    severity = models.DecimalField(_("severity weight"), max_digits=5, decimal_places=2, default=1)
    sensitivity = models.CharField(
        _("sensitivity"), max_length=20, choices=Sensitivity.choices, default=Sensitivity.NORMAL
    )
    description = models.CharField(_("description"), max_length=300, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=100)
    # Retention (GDPR art. 5.1 e): how long a report's free text and photos are kept after it occurred. Empty =
    # kept. The report itself (time, place, category, count) stays, so statistics do not change.
    retain_text_months = models.PositiveSmallIntegerField(
        _("keep free text (months)"), null=True, blank=True,
        help_text=_("Descriptions and other free text of reports older than this are removed by "
                    "`samtrygg apply-retention`. Empty: kept."))
    retain_photos_months = models.PositiveSmallIntegerField(
        _("keep photos (months)"), null=True, blank=True,
        help_text=_("Photos of reports older than this are removed by `samtrygg apply-retention`. Empty: kept."))

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return self.name

    @property
    def is_sensitive(self) -> bool:
        return self.sensitivity == Sensitivity.SENSITIVE
