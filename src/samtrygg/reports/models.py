from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Source(models.TextChoices):
    WEB = "web", _("Web form")
    IMPORT = "import", _("File import")
    POLICE_FEED = "police_feed", _("Police events feed")
    API = "api", _("API")
    DEMO = "demo", _("Demo data")


class ReportQuerySet(models.QuerySet):
    def alive(self):
        return self.filter(deleted_at__isnull=True)


class Report(models.Model):
    """One observed incident or unsafe condition, with time, place and category."""

    organization = models.ForeignKey(
        "accounts.Organization", verbose_name=_("organisation"), on_delete=models.PROTECT,
        related_name="reports",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("reported by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="reports",
    )
    # NULL, not "", for "no external id": the unique constraint applies only to reports that have one.
    external_id = models.CharField(_("external id"), max_length=200, null=True, blank=True)  # noqa: DJ001
    source = models.CharField(_("source"), max_length=20, choices=Source.choices, default=Source.WEB)

    occurred_at = models.DateTimeField(_("occurred at"), db_index=True)
    occurred_until = models.DateTimeField(_("occurred until"), null=True, blank=True)
    category = models.ForeignKey(
        "categories.Category", verbose_name=_("category"), on_delete=models.PROTECT, related_name="reports"
    )
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    description = models.TextField(_("description"), blank=True)

    lat = models.FloatField(_("latitude"))
    lon = models.FloatField(_("longitude"))
    x = models.FloatField(_("x (SWEREF 99 TM)"))
    y = models.FloatField(_("y (SWEREF 99 TM)"))
    place = models.ForeignKey(
        "areas.Place", verbose_name=_("named place"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="named_reports", help_text=_("The place the reporter picked, if any."),
    )
    areas = models.ManyToManyField("areas.Area", through="ReportArea", related_name="reports", blank=True)
    places = models.ManyToManyField("areas.Place", through="ReportPlace", related_name="reports", blank=True)
    attributes = models.JSONField(_("other attributes"), default=dict, blank=True)

    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    deleted_at = models.DateTimeField(_("deleted"), null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ReportQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "external_id"],
                condition=models.Q(external_id__isnull=False),
                name="report_unique_external_id_per_organization",
            ),
            models.CheckConstraint(condition=models.Q(quantity__gte=1), name="report_quantity_positive"),
        ]
        indexes = [
            models.Index(fields=["category", "occurred_at"]),
            models.Index(fields=["x", "y"]),
            models.Index(fields=["updated_at"], name="report_updated_at"),  # the ranking cache's fingerprint
        ]

    def __str__(self) -> str:
        return f"{self.category} {self.occurred_at:%Y-%m-%d %H:%M}"


class ReportArea(models.Model):
    """Every area that contains a report (areas nest, so a report is in several)."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE)
    area = models.ForeignKey("areas.Area", on_delete=models.CASCADE)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["report", "area"], name="reportarea_unique")]
        indexes = [models.Index(fields=["area", "report"])]

    def __str__(self) -> str:
        return f"{self.report_id} in area {self.area_id}"


class ReportPlace(models.Model):
    """Every registered place whose polygon contains a report."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE)
    place = models.ForeignKey("areas.Place", on_delete=models.CASCADE)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["report", "place"], name="reportplace_unique")]
        indexes = [models.Index(fields=["place", "report"])]

    def __str__(self) -> str:
        return f"{self.report_id} in place {self.place_id}"


def photo_path(instance, filename: str) -> str:
    return f"reports/{instance.report_id}/{filename}"


class ReportPhoto(models.Model):
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(_("photo"), upload_to=photo_path)
    uploaded_at = models.DateTimeField(auto_now_add=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)

    def __str__(self) -> str:
        return self.image.name


class SubmissionToken(models.Model):
    """A one-time token handed out with the report form, so a double tap or a resubmit saves only once.

    The unique token column is the lock: two concurrent posts of the same form cannot both insert it.
    """

    token = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    report = models.ForeignKey(Report, null=True, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return f"token for report {self.report_id}"


class ReportCount(models.Model):
    """Pre-aggregated incidents per area × category × local ISO week × local month.

    One row per (area, category, week, month): ``n`` live reports (incidents) and the sum of
    their ``quantity``. ``week`` is the Monday of the Europe/Stockholm ISO week, ``month`` the first day of
    the local calendar month; a week that straddles two months has two rows, so weekly readers sum over
    ``week`` and quarterly readers over ``month``. Kept up to date in the same transaction by every write
    path through :mod:`samtrygg.reports.aggregates`; ``samtrygg rebuild-counts`` recomputes it.
    """

    area = models.ForeignKey("areas.Area", on_delete=models.CASCADE, related_name="+")
    category = models.ForeignKey("categories.Category", on_delete=models.CASCADE, related_name="+")
    week = models.DateField()
    month = models.DateField()
    n = models.IntegerField(default=0)
    quantity = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["area", "category", "week", "month"],
                                    name="reportcount_unique_bucket"),
        ]
        indexes = [
            models.Index(fields=["week", "area", "category"], name="reportcount_week"),
            models.Index(fields=["month", "area"], name="reportcount_month"),
        ]

    def __str__(self) -> str:
        return f"{self.area_id}/{self.category_id} {self.week}: {self.n}"


class CountVersion(models.Model):
    """A counter per local ISO week (its Monday), raised in the same transaction as every change to that
    week's reports or counts; the row of :data:`~samtrygg.reports.aggregates.EPOCH` is raised when counts
    change wholesale (a rebuild, an area's new outline). A cache of results computed from a range of weeks
    keys on the counters of that range (:func:`~samtrygg.reports.aggregates.fingerprint`), so a report
    arriving this week leaves last week's picture and last quarter's ranking cached."""

    week = models.DateField(unique=True)
    version = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.week}: {self.version}"
