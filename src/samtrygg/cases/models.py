from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class PlaceCase(models.Model):
    """A place-based collaboration (platssamverkan): a problem at a place, its cause analysis, the measures
    and the follow-up."""

    class Status(models.TextChoices):
        OPENED = "opened", _("Opened")
        ANALYSED = "analysed", _("Analysed")
        MEASURES = "measures", _("Measures under way")
        FOLLOW_UP = "follow_up", _("Follow-up")
        CLOSED = "closed", pgettext_lazy("place case status", "Closed")

    title = models.CharField(_("title"), max_length=200)
    place = models.ForeignKey("areas.Place", verbose_name=_("place"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="cases")
    # A drawn polygon when the case is not about a registered place (WGS84 GeoJSON; EPSG:3006 WKB).
    geometry_wgs84 = models.JSONField(_("drawn area (WGS84 GeoJSON)"), null=True, blank=True)
    geometry_sweref = models.BinaryField(_("drawn area (SWEREF 99 TM, WKB)"), null=True, blank=True)
    problem = models.TextField(_("the problem as stated"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPENED)
    opened_on = models.DateField(_("opened"))
    follow_up_on = models.DateField(_("follow-up date"), null=True, blank=True)
    closed_on = models.DateField(_("closed"), null=True, blank=True)
    # The evaluation's settings: when the measures started, which area is the control, how wide the buffer.
    intervention_on = models.DateField(_("intervention date"), null=True, blank=True)
    control_area = models.ForeignKey("areas.Area", verbose_name=_("control area"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    buffer_m = models.PositiveIntegerField(_("buffer zone (m)"), default=400)
    coordinator = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("coordinator"), null=True,
                                    blank=True, on_delete=models.SET_NULL, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    # When the follow-up reminder was e-mailed to the coordinator, so it goes out once per follow-up date.
    follow_up_reminder_sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Optimistic locking (samtrygg.core.locking): bumped by every save through the edit form.
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-opened_on", "-id"]
        verbose_name = _("place case")
        verbose_name_plural = _("place cases")

    def __str__(self) -> str:
        return self.title

    @property
    def shape(self):
        """The case's polygon in EPSG:3006: the drawn one, else the registered place's."""
        import shapely

        if self.geometry_sweref:
            return shapely.from_wkb(bytes(self.geometry_sweref))
        return self.place.shape if self.place_id else None


class CasePartner(models.Model):
    """An organisation taking part, with its role in the case and a functional contact (not a private person)."""

    case = models.ForeignKey(PlaceCase, on_delete=models.CASCADE, related_name="partners")
    organization = models.ForeignKey("accounts.Organization", verbose_name=_("organisation"),
                                     on_delete=models.PROTECT, related_name="+")
    role = models.CharField(_("role in the case"), max_length=200, blank=True)
    contact = models.CharField(_("contact (function, shared mailbox)"), max_length=200, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "organization"], name="casepartner_unique")]

    def __str__(self) -> str:
        return f"{self.organization} in {self.case}"


class JournalEntry(models.Model):
    """A meeting, decision or note in the case's journal."""

    class Kind(models.TextChoices):
        MEETING = "meeting", _("Meeting")
        DECISION = "decision", _("Decision")
        NOTE = "note", _("Note")

    case = models.ForeignKey(PlaceCase, on_delete=models.CASCADE, related_name="journal")
    happened_on = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.NOTE)
    text = models.TextField(_("text"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-happened_on", "-id"]

    def __str__(self) -> str:
        return f"{self.happened_on} {self.get_kind_display()}"


class CauseAnalysis(models.Model):
    """The problem analysis triangle (offender, target/victim, place) with who can influence each side
    (handlers, guardians, place managers), a situational checklist of the physical environment, and the
    conclusions. Hypotheses are their own rows."""

    case = models.OneToOneField(PlaceCase, on_delete=models.CASCADE, related_name="analysis")
    offenders = models.TextField(_("offenders: who, when, why here"), blank=True)
    targets = models.TextField(_("targets and victims"), blank=True)
    place_features = models.TextField(_("the place: what makes it work for the problem"), blank=True)
    handlers = models.TextField(_("handlers: who can influence the offenders"), blank=True)
    guardians = models.TextField(_("guardians: who can protect the targets"), blank=True)
    managers = models.TextField(_("place managers: who is responsible for the place"), blank=True)
    # {item_code: {"status": "ok" | "problem" | "unknown", "note": "..."}} for the situational checklist.
    checklist = models.JSONField(_("situational checklist"), default=dict, blank=True)
    conclusions = models.TextField(_("conclusions and chosen measures"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    version = models.PositiveIntegerField(default=1, editable=False)  # optimistic locking

    def __str__(self) -> str:
        return f"cause analysis of {self.case}"


class Hypothesis(models.Model):
    """A hypothesis of cause, linked to the data that supports or weakens it."""

    class Verdict(models.TextChoices):
        UNTESTED = "untested", _("Not yet tested")
        SUPPORTED = "supported", _("Supported by the data")
        WEAKENED = "weakened", _("Weakened by the data")

    case = models.ForeignKey(PlaceCase, on_delete=models.CASCADE, related_name="hypotheses")
    text = models.TextField(_("hypothesis"))
    evidence = models.TextField(_("what the data says"), blank=True)
    data_link = models.CharField(_("link to the data (a filtered report list, the data sheet…)"), max_length=500,
                                 blank=True)
    verdict = models.CharField(_("verdict"), max_length=20, choices=Verdict.choices, default=Verdict.UNTESTED)

    def __str__(self) -> str:
        return self.text[:60]
