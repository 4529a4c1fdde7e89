from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class QuarterlyAnalysis(models.Model):
    """A saved quarterly ranking of areas: the weights the analyst chose, the analyst's conclusions, and a
    snapshot of every computed number at the time of saving, so re-opening it later shows what was decided
    on even if reports were edited since."""

    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(_("quarter"))
    title = models.CharField(_("title"), max_length=200, blank=True)
    weights = models.JSONField(_("component weights"), default=dict)
    snapshot = models.JSONField(_("computed results at saving"), default=dict)
    conclusions = models.TextField(_("conclusions"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-year", "-quarter", "-created_at"]
        verbose_name = _("quarterly analysis")
        verbose_name_plural = _("quarterly analyses")
        constraints = [models.CheckConstraint(condition=models.Q(quarter__gte=1, quarter__lte=4),
                                              name="quarterlyanalysis_quarter_1_4")]

    def __str__(self) -> str:
        return self.title or f"{self.year}-Q{self.quarter}"
