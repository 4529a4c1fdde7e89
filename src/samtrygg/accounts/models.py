from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Organization(models.Model):
    """A partner organisation (aktör) that reports and acts."""

    class Kind(models.TextChoices):
        MUNICIPAL_DEPARTMENT = "municipal_department", _("Municipal department")
        MUNICIPAL_COMPANY = "municipal_company", _("Municipal company")
        POLICE = "police", _("Police")
        PROPERTY_OWNER = "property_owner", _("Property owner")
        REGION = "region", _("Region")
        SECURITY_COMPANY = "security_company", _("Security company")
        OTHER = "other", _("Other")

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices, default=Kind.OTHER)
    sees_sensitive = models.BooleanField(
        _("sees sensitive categories"),
        default=False,
        help_text=_("Coordinators and analysts of this organisation see reports in sensitive categories."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    COORDINATOR = "coordinator", _("Coordinator")
    ANALYST = "analyst", _("Analyst")
    REPORTER = "reporter", _("Reporter")
    VIEWER = "viewer", _("Viewer")
    ADMIN = "admin", _("Administrator")


class User(AbstractUser):
    """A person who logs in; belongs to one organisation with one role."""

    organization = models.ForeignKey(
        Organization, verbose_name=_("organisation"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="users",
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.VIEWER)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    @property
    def is_samtrygg_admin(self) -> bool:
        return self.is_superuser or self.role == Role.ADMIN

    def has_role(self, *roles: str) -> bool:
        return self.is_superuser or self.role in roles


class RolePolicy(models.Model):
    """Security rules for one role, set by admins on the security settings page (/accounts/security/)."""

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, unique=True)
    require_two_factor = models.BooleanField(
        _("require two-factor authentication"), default=False,
        help_text=_("Users with this role must enrol an authenticator app at their next login."),
    )

    class Meta:
        ordering = ["role"]
        verbose_name = _("role policy")
        verbose_name_plural = _("role policies")

    def __str__(self) -> str:
        return self.get_role_display()


class ExternalIdentity(models.Model):
    """The link between a user and an account at an identity provider (single sign-on).

    Users are found again by the provider's stable subject identifier, never by a changeable e-mail address.
    """

    user = models.ForeignKey(User, verbose_name=_("user"), on_delete=models.CASCADE,
                             related_name="external_identities")
    issuer = models.CharField(_("identity provider"), max_length=255)
    subject = models.CharField(_("subject"), max_length=255)
    created_at = models.DateTimeField(_("linked"), auto_now_add=True)
    last_login_at = models.DateTimeField(_("last login"), null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["issuer", "subject"], name="unique_external_identity")]
        verbose_name = _("external identity")
        verbose_name_plural = _("external identities")

    def __str__(self) -> str:
        return f"{self.subject} @ {self.issuer}"
