from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Action(models.Model):
    """Something a partner does (insats, åtgärd): short-term from the weekly meeting, or long-term from a
    place case's cause analysis. One model for both, so every action is followed up the same way."""

    class Kind(models.TextChoices):
        SHORT_TERM = "short_term", _("Short-term (weekly meeting)")
        LONG_TERM = "long_term", _("Long-term (measure)")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        ONGOING = "ongoing", _("Ongoing")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    title = models.CharField(_("what"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.SHORT_TERM)
    # Where: an area, a place, or a point on the map (any combination may be empty but one is expected).
    area = models.ForeignKey("areas.Area", verbose_name=_("area"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="actions")
    place = models.ForeignKey("areas.Place", verbose_name=_("place"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="actions")
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    responsible = models.ForeignKey("accounts.Organization", verbose_name=_("responsible organisation"),
                                    on_delete=models.PROTECT, related_name="actions")
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("to"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PLANNED)
    follow_up = models.TextField(_("follow-up note"), blank=True)
    cost = models.DecimalField(_("cost (SEK)"), max_digits=12, decimal_places=2, null=True, blank=True)
    # The weekly meeting that decided it (ISO year and week), if any.
    decided_year = models.PositiveSmallIntegerField(_("decided in ISO year"), null=True, blank=True)
    decided_week = models.PositiveSmallIntegerField(_("decided in ISO week"), null=True, blank=True)
    # A measure of a place case (long-term actions usually are).
    case = models.ForeignKey("cases.PlaceCase", verbose_name=_("place case"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="measures")
    # When the end-date reminder was e-mailed, so it goes out once.
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Optimistic locking (samtrygg.core.locking): bumped by every save through the edit forms.
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-start_date", "-id"]
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        indexes = [models.Index(fields=["decided_year", "decided_week"]), models.Index(fields=["status"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True) | models.Q(end_date__gte=models.F("start_date")),
                name="action_end_after_start",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.PLANNED, self.Status.ONGOING)


def action_photo_path(instance, filename: str) -> str:
    return f"actions/{instance.action_id}/{filename}"


class ActionPhoto(models.Model):
    """A photo of a measure, before or after it was carried out."""

    class When(models.TextChoices):
        BEFORE = "before", _("Before")
        AFTER = "after", _("After")

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(_("photo"), upload_to=action_photo_path)
    when = models.CharField(_("before or after"), max_length=10, choices=When.choices, default=When.BEFORE)
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    uploaded_at = models.DateTimeField(auto_now_add=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    def __str__(self) -> str:
        return self.image.name
