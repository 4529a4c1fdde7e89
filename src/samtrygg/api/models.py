"""API tokens for partner systems and their daily use (see tokens.py for how they are made and checked)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samtrygg.accounts.models import Role

# The roles a token may act with. Never "admin": a leaked token must not administer users, areas or
# categories (an admin account is a person who logs in).
TOKEN_ROLES = (Role.REPORTER, Role.VIEWER, Role.ANALYST, Role.COORDINATOR)


class ApiToken(models.Model):
    """A key for a partner system. It acts as its own service user (`service_user`): a real user of the
    organisation with the token's role, an unusable password and `is_active` off (it can never log in), so
    every permission function and the audit log treat the system like any member of the organisation."""

    organization = models.ForeignKey(
        "accounts.Organization", verbose_name=_("organisation"), on_delete=models.PROTECT,
        related_name="api_tokens",
    )
    role = models.CharField(_("role"), max_length=20, choices=[(r.value, r.label) for r in TOKEN_ROLES])
    name = models.CharField(_("name"), max_length=100,
                            help_text=_("What the token is for, e.g. “Uppsalahem fault reports”."))
    # The first part of the key, kept in clear text to find the row and to show which key is which.
    prefix = models.CharField(_("prefix"), max_length=16, unique=True)
    key_hash = models.CharField(max_length=64)  # SHA-256 of the whole key, hex
    service_user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_token", editable=False,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("revoked by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix})"

    def is_valid(self, now=None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)

    @property
    def status(self) -> str:
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and self.expires_at <= timezone.now():
            return "expired"
        return "active"


class ApiTokenUsage(models.Model):
    """How many requests a token made on one day (Europe/Stockholm): one counter row per token and day."""

    token = models.ForeignKey(ApiToken, on_delete=models.CASCADE, related_name="usage")
    day = models.DateField(_("day"))
    requests = models.PositiveBigIntegerField(_("requests"), default=0)

    class Meta:
        ordering = ["-day"]
        constraints = [models.UniqueConstraint(fields=["token", "day"], name="apitokenusage_unique_day")]

    def __str__(self) -> str:
        return f"{self.token_id} {self.day}: {self.requests}"
