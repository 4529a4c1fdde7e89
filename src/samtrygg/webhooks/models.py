"""Webhook endpoints of partner systems, and the outbox of deliveries to them with every attempt logged.

The outbox is a table, not an in-memory queue: a delivery row is written in the same transaction as the
event that causes it (a report, a publication), so it is never lost and never sent for something that was
rolled back, and any of several app processes or the cron job may send it (see delivery.py for the claim).
"""

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

SECRET_PREFIX = "whsec_"


def new_secret() -> str:
    """A Standard Webhooks secret: ``whsec_`` and 32 random bytes in base64."""
    import base64

    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode("ascii")


def new_message_id() -> str:
    return f"msg_{uuid.uuid4().hex}"


class Event(models.TextChoices):
    REPORT_CREATED = "report.created", _("A report is created")
    SIGNAL_FIRED = "signal.fired", _("A signal fires")
    PICTURE_PUBLISHED = "weekly_picture.published", _("A weekly picture is published")
    PING = "ping", _("Test event")


class Endpoint(models.Model):
    """A partner system's address that is told about events in its areas and categories."""

    organization = models.ForeignKey("accounts.Organization", verbose_name=_("organisation"),
                                     on_delete=models.PROTECT, related_name="webhook_endpoints",
                                     help_text=_("Sensitive reports and signals only reach endpoints of "
                                                 "organisations that may see them."))
    name = models.CharField(_("name"), max_length=100, help_text=_("What receives it, e.g. “Securitas guard app”."))
    url = models.URLField(_("address (URL)"), max_length=500)
    secret = models.CharField(_("signing secret"), max_length=100, default=new_secret, editable=False)
    on_report_created = models.BooleanField(_("when a report is created"), default=True)
    on_signal_fired = models.BooleanField(_("when a signal fires"), default=False)
    on_picture_published = models.BooleanField(_("when a weekly picture is published"), default=False)
    areas = models.ManyToManyField("areas.Area", blank=True, verbose_name=_("areas"), related_name="+",
                                   help_text=_("None selected means every area. An area includes the areas "
                                               "inside it."))
    categories = models.ManyToManyField("categories.Category", blank=True, verbose_name=_("categories"),
                                        related_name="+", help_text=_("None selected means every category."))
    is_active = models.BooleanField(_("active"), default=True,
                                    help_text=_("An inactive endpoint gets nothing; waiting deliveries are kept."))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["organization__name", "name"]
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")

    def __str__(self) -> str:
        return self.name

    def events(self) -> list[str]:
        return [e for e, on in ((Event.REPORT_CREATED, self.on_report_created),
                                (Event.SIGNAL_FIRED, self.on_signal_fired),
                                (Event.PICTURE_PUBLISHED, self.on_picture_published)) if on]


class Delivery(models.Model):
    """One message to one endpoint, sent until it succeeds or the retries run out."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        SUCCEEDED = "succeeded", _("Delivered")
        FAILED = "failed", _("Gave up")

    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(_("event"), max_length=40, choices=Event.choices)
    # What the message is about, so one thing is sent once to an endpoint (a signal, a publication).
    event_key = models.CharField(max_length=200)
    message_id = models.CharField(_("message id"), max_length=40, unique=True, default=new_message_id)
    payload = models.TextField(_("body"))  # the exact JSON body that is signed and sent
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    locked_until = models.DateTimeField(null=True, blank=True)  # a sender has claimed it until then
    last_status_code = models.PositiveSmallIntegerField(_("last answer"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        constraints = [models.UniqueConstraint(fields=["endpoint", "event_key"], name="webhookdelivery_once")]
        indexes = [models.Index(fields=["status", "next_attempt_at"]),
                   models.Index(fields=["endpoint", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.event} → {self.endpoint_id} ({self.status})"


class Attempt(models.Model):
    """One try to send a delivery: when, what came back, how long it took."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    at = models.DateTimeField(_("time"))
    status_code = models.PositiveSmallIntegerField(_("answer"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)
    response_excerpt = models.CharField(_("start of the answer"), max_length=300, blank=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.delivery_id} at {self.at}: {self.status_code or self.error}"
