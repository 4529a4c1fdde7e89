"""Safety walks and citizen dialogue: questionnaires (versioned), anonymous answers, walk records with
observations, and the published feedback to residents."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Questionnaire(models.Model):
    """A questionnaire residents answer (on a safety walk, or from a link or QR code). Its questions live in
    versions: once a version has answers it is frozen, and editing makes a new version."""

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("address"), max_length=80, unique=True,
                            help_text=_("The questionnaire's public address: /svara/<address>/"))
    area = models.ForeignKey("areas.Area", verbose_name=_("area"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="questionnaires")
    intro_sv = models.TextField(_("introduction (Swedish)"), blank=True)
    intro_en = models.TextField(_("introduction (English)"), blank=True)
    is_open = models.BooleanField(_("open for answers"), default=False)
    opens_at = models.DateTimeField(_("opens"), null=True, blank=True)
    closes_at = models.DateTimeField(_("closes"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # Optimistic locking of the question builder (samtrygg.core.locking); not the questions' version number.
    edit_version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")

    def __str__(self) -> str:
        return self.title


class QuestionnaireVersion(models.Model):
    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["questionnaire", "-number"]
        constraints = [models.UniqueConstraint(fields=["questionnaire", "number"], name="qversion_unique")]

    def __str__(self) -> str:
        return f"{self.questionnaire} v{self.number}"


class Question(models.Model):
    class Kind(models.TextChoices):
        LIKERT = "likert", _("Scale 1–5")
        SINGLE = "single", _("Single choice")
        MULTIPLE = "multiple", _("Multiple choice")
        TEXT = "text", _("Free text")
        MAP_POINT = "map_point", _("Point on a map")

    version = models.ForeignKey(QuestionnaireVersion, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveIntegerField(_("order"))
    # A stable key across versions, so results can compare "the same question" asked again next year.
    key = models.SlugField(_("key"), max_length=60)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    text_sv = models.CharField(_("question (Swedish)"), max_length=400)
    text_en = models.CharField(_("question (English)"), max_length=400, blank=True)
    help_sv = models.CharField(_("help (Swedish)"), max_length=400, blank=True)
    help_en = models.CharField(_("help (English)"), max_length=400, blank=True)
    # [{"value": "a", "label_sv": "...", "label_en": "..."}]; for likert the scale's end labels.
    options = models.JSONField(_("options"), default=list, blank=True)
    required = models.BooleanField(_("required"), default=False)
    # Shown only when another question (by key) has one of these values: {"key": "...", "values": [...]}.
    condition = models.JSONField(_("condition"), default=dict, blank=True)
    # Marks the question that measures residents' sense of safety (feeds the quarterly ranking).
    measures_safety = models.BooleanField(_("measures the sense of safety"), default=False)

    class Meta:
        ordering = ["version", "position"]
        constraints = [models.UniqueConstraint(fields=["version", "key"], name="question_key_unique")]

    def __str__(self) -> str:
        return self.text_sv


class Response(models.Model):
    """One anonymous answer to a questionnaire version. No IP address, no name: a random token only guards
    against the same form being submitted twice."""

    class Channel(models.TextChoices):
        WEB = "web", _("Web")
        PAPER = "paper", _("Typed in from paper")

    version = models.ForeignKey(QuestionnaireVersion, on_delete=models.PROTECT, related_name="responses")
    area = models.ForeignKey("areas.Area", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    token = models.CharField(max_length=64, unique=True)
    language = models.CharField(max_length=5, default="sv")
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.WEB)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    submitted_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return f"response {self.pk} to {self.version}"


class Answer(models.Model):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    # likert: int; single: "value"; multiple: ["value", ...]; text: "..."; map_point: {"lat", "lon"} or
    # {"place": code}.
    value = models.JSONField()
    # Free text is published only after a coordinator approved it.
    approved = models.BooleanField(null=True, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["response", "question"], name="answer_once")]

    def __str__(self) -> str:
        return f"answer to {self.question_id}"


class SafetyWalk(models.Model):
    title = models.CharField(_("title"), max_length=200)
    area = models.ForeignKey("areas.Area", verbose_name=_("area"), on_delete=models.PROTECT, related_name="walks")
    walked_on = models.DateField(_("date"))
    route = models.JSONField(_("route (WGS84 GeoJSON LineString)"), null=True, blank=True)
    residents = models.PositiveIntegerField(_("number of residents"), default=0)
    notes = models.TextField(_("notes"), blank=True)
    questionnaire = models.ForeignKey(Questionnaire, verbose_name=_("questionnaire"), null=True, blank=True,
                                      on_delete=models.SET_NULL, related_name="walks")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1, editable=False)  # optimistic locking (core.locking)

    class Meta:
        ordering = ["-walked_on", "-id"]
        verbose_name = _("safety walk")
        verbose_name_plural = _("safety walks")

    def __str__(self) -> str:
        return self.title


class WalkParticipant(models.Model):
    """An organisation that took part and how many of its people (organisations and numbers, not names)."""

    walk = models.ForeignKey(SafetyWalk, on_delete=models.CASCADE, related_name="participants")
    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="+")
    people = models.PositiveIntegerField(_("people"), default=1)

    def __str__(self) -> str:
        return f"{self.organization} on {self.walk}"


def observation_photo_path(instance, filename: str) -> str:
    return f"walks/{instance.walk_id}/{filename}"


class Observation(models.Model):
    """Something noted on the walk, at a point. With one action it becomes a report, an action for a
    partner, or evidence in a place case (the links below record which)."""

    walk = models.ForeignKey(SafetyWalk, on_delete=models.CASCADE, related_name="observations")
    lat = models.FloatField(_("latitude"))
    lon = models.FloatField(_("longitude"))
    category = models.ForeignKey("categories.Category", verbose_name=_("category"), on_delete=models.PROTECT,
                                 related_name="+")
    comment = models.TextField(_("comment"), blank=True)
    photo = models.ImageField(_("photo"), upload_to=observation_photo_path, blank=True)
    report = models.ForeignKey("reports.Report", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    action = models.ForeignKey("actions.Action", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    case = models.ForeignKey("cases.PlaceCase", null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="walk_observations")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.category} on {self.walk}"


class Feedback(models.Model):
    """The published, aggregated result for residents of one questionnaire (optionally one area)."""

    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE, related_name="feedback")
    area = models.ForeignKey("areas.Area", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    summary_sv = models.TextField(_("what we heard (Swedish)"), blank=True)
    summary_en = models.TextField(_("what we heard (English)"), blank=True)
    actions = models.ManyToManyField("actions.Action", blank=True, verbose_name=_("what the partners will do"))
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)  # optimistic locking (core.locking)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["questionnaire", "area"], name="feedback_unique")]

    def __str__(self) -> str:
        return f"feedback on {self.questionnaire}"


class AnswerRateBucket(models.Model):
    """Counts public submissions per client and hour, without storing the IP address: the key is an HMAC of
    the address and the current day with the secret key, so it cannot be turned back into an address and
    changes every day. Kept in the database (not process memory) so every app server shares it."""

    key = models.CharField(max_length=64)
    hour = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "hour"], name="answer_rate_unique")]

    def __str__(self) -> str:
        return f"{self.count} submissions in {self.hour:%Y-%m-%d %H}h"
