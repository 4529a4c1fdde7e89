from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class WeeklyPicture(models.Model):
    """The weekly meeting's record for one ISO week (whole municipality when area is empty):
    the coordinator's assessment, and when it was published to the partners."""

    iso_year = models.PositiveSmallIntegerField(_("ISO year"))
    iso_week = models.PositiveSmallIntegerField(_("ISO week"))
    area = models.ForeignKey("areas.Area", verbose_name=_("area"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="weekly_pictures")
    what_we_see = models.TextField(_("what do we see"), blank=True)
    what_it_means = models.TextField(_("what do we think it means"), blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    # Optimistic locking of the assessment (samtrygg.core.locking); 0 in a form means "not written yet".
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-iso_year", "-iso_week"]
        verbose_name = _("weekly picture")
        verbose_name_plural = _("weekly pictures")
        constraints = [
            models.UniqueConstraint(fields=["iso_year", "iso_week", "area"], name="weeklypicture_unique"),
            models.UniqueConstraint(fields=["iso_year", "iso_week"], condition=models.Q(area__isnull=True),
                                    name="weeklypicture_unique_municipality"),
        ]

    def __str__(self) -> str:
        return f"{self.iso_year}-W{self.iso_week:02d}"


class Subscription(models.Model):
    """A user's wish to be e-mailed about signals in some areas/categories and about published pictures."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="subscription")
    areas = models.ManyToManyField("areas.Area", blank=True, verbose_name=_("areas"),
                                   help_text=_("None selected means every area."))
    categories = models.ManyToManyField("categories.Category", blank=True, verbose_name=_("categories"),
                                        help_text=_("None selected means every category."))
    on_signal = models.BooleanField(_("e-mail me when a signal fires"), default=True)
    on_publish = models.BooleanField(_("e-mail me when the weekly picture is published"), default=True)

    def __str__(self) -> str:
        return f"subscription of {self.user}"


class SignalNotice(models.Model):
    """That a signal (week × area × category) was already e-mailed to a user, so it is sent once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    iso_year = models.PositiveSmallIntegerField()
    iso_week = models.PositiveSmallIntegerField()
    area = models.ForeignKey("areas.Area", on_delete=models.CASCADE, related_name="+")
    category = models.ForeignKey("categories.Category", on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "iso_year", "iso_week", "area", "category"],
                                               name="signalnotice_once")]

    def __str__(self) -> str:
        return f"{self.user} {self.iso_year}-W{self.iso_week:02d} {self.area_id}/{self.category_id}"
