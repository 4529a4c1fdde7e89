"""Single sign-on with OpenID Connect (authorization code flow with PKCE, mozilla-django-oidc).

Off unless SAMTRYGG_OIDC_CLIENT_ID is set. How users are provisioned (README, "Single sign-on"):

- A user is found by the provider's stable subject (`iss` + `sub`, ExternalIdentity), never by a changeable
  claim. At the first login an existing account with the same e-mail address (exactly one, and not marked
  `email_verified: false` by the provider) is linked; otherwise a new account is created
  (SAMTRYGG_OIDC_CREATE_USERS, on by default) with the SAMTRYGG_OIDC_USERNAME_CLAIM as username.
- Organisation and role come from the claims at every login, so the provider stays the source of truth:
  SAMTRYGG_OIDC_ORG_CLAIM names a claim whose value (or list of values) is mapped through SAMTRYGG_OIDC_ORG_MAP
  (`value=orgcode,…`; without a map the value is the organisation's code), else SAMTRYGG_OIDC_DEFAULT_ORG.
  SAMTRYGG_OIDC_ROLE_CLAIM (e.g. `groups`) is mapped through SAMTRYGG_OIDC_ROLE_MAP (`group=role,…`); of several
  matching roles the one with the most rights wins; else SAMTRYGG_OIDC_DEFAULT_ROLE. Without an organisation or a
  role the login is refused with a message: nobody gets in by default.
- The library checks the ID token's signature (JWKS), nonce and expiry; the issuer and audience are checked here,
  since it leaves them out.
"""

from __future__ import annotations

import logging

import jwt
import requests
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import SuspiciousOperation
from django.db import transaction
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from samtrygg.audit.context import suppress_signals
from samtrygg.audit.log import diff, record

from .models import ExternalIdentity, Organization, Role, User

log = logging.getLogger(__name__)

# Most rights first: of several roles the claims grant, the first in this order wins.
ROLE_ORDER = [Role.ADMIN, Role.COORDINATOR, Role.ANALYST, Role.REPORTER, Role.VIEWER]
ERROR_ATTRIBUTE = "samtrygg_sso_error"


class LoginRefused(SuspiciousOperation):
    """The provider vouched for the person, but Samtrygg has no place for them; the message is for the user."""


def parse_map(text: str) -> dict[str, str]:
    """`a=b,c=d` into {"a": "b", "c": "d"}. Names with commas (LDAP DNs) are separated by semicolons instead;
    a name may contain '=', the value after the last '=' is the code."""
    pairs = {}
    for item in text.split(";" if ";" in text else ","):
        if "=" in item:
            key, value = item.rsplit("=", 1)
            if key.strip():
                pairs[key.strip()] = value.strip()
    return pairs


def _values(claims: dict, name: str) -> list[str]:
    if not name:
        return []
    value = claims.get(name)
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    return [str(value)]


def map_organization(claims: dict) -> Organization | None:
    mapping = parse_map(settings.SAMTRYGG_OIDC_ORG_MAP)
    for value in _values(claims, settings.SAMTRYGG_OIDC_ORG_CLAIM):
        code = mapping.get(value) if mapping else value
        org = Organization.objects.filter(code=code, is_active=True).first() if code else None
        if org is not None:
            return org
    if settings.SAMTRYGG_OIDC_DEFAULT_ORG:
        return Organization.objects.filter(code=settings.SAMTRYGG_OIDC_DEFAULT_ORG, is_active=True).first()
    return None


def map_role(claims: dict) -> str | None:
    mapping = parse_map(settings.SAMTRYGG_OIDC_ROLE_MAP)
    granted = set()
    for value in _values(claims, settings.SAMTRYGG_OIDC_ROLE_CLAIM):
        role = mapping.get(value) if mapping else value
        if role in Role.values:
            granted.add(role)
    for role in ROLE_ORDER:
        if role in granted:
            return role
    default = settings.SAMTRYGG_OIDC_DEFAULT_ROLE
    return default if default in Role.values else None


def _free_username(wanted: str) -> str:
    base = (wanted or "sso-user")[:140]
    candidate, n = base, 1
    while User.objects.filter(username__iexact=candidate).exists():
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def provision_user(issuer: str, claims: dict) -> User:
    """Find, link or create the user for verified claims and bring organisation, role and name up to date."""
    subject = str(claims.get("sub") or "")
    if not subject:
        raise SuspiciousOperation("the claims have no subject")
    organization = map_organization(claims)
    if organization is None:
        raise LoginRefused(_("Your account at the identity provider is not linked to any organisation in "
                             "Samtrygg. Ask an administrator of Samtrygg for access."))
    role = map_role(claims)
    if role is None:
        raise LoginRefused(_("Your account at the identity provider has no role in Samtrygg. Ask an "
                             "administrator of Samtrygg for access."))
    email = str(claims.get("email") or "")
    with transaction.atomic():
        identity = ExternalIdentity.objects.select_related("user").filter(issuer=issuer, subject=subject).first()
        created = False
        if identity is not None:
            user = identity.user
        else:
            user = None
            if email and claims.get("email_verified", True) is not False:
                matches = list(User.objects.filter(email__iexact=email)[:2])
                user = matches[0] if len(matches) == 1 else None
            if user is None:
                if not settings.SAMTRYGG_OIDC_CREATE_USERS:
                    raise LoginRefused(_("There is no Samtrygg account for you yet. Ask an administrator of "
                                         "Samtrygg to create one."))
                wanted = str(claims.get(settings.SAMTRYGG_OIDC_USERNAME_CLAIM) or email.split("@")[0] or subject)
                user = User(username=_free_username(wanted))
                user.set_unusable_password()
                created = True
            identity = ExternalIdentity(user=user, issuer=issuer, subject=subject)
        if not user.is_active:
            raise LoginRefused(_("Your Samtrygg account is deactivated."))
        before = {"organization": user.organization_id and user.organization.code, "role": user.role,
                  "email": user.email, "first_name": user.first_name, "last_name": user.last_name}
        user.organization = organization
        user.role = role
        user.email = email or user.email
        user.first_name = str(claims.get("given_name") or user.first_name)[:150]
        user.last_name = str(claims.get("family_name") or user.last_name)[:150]
        with suppress_signals():  # one entry, written below, instead of the model signals' own
            user.save()
            identity.user = user
            identity.last_login_at = timezone.now()
            identity.save()
        after = {"organization": organization.code, "role": role, "email": user.email,
                 "first_name": user.first_name, "last_name": user.last_name}
        if created:
            record(user, "create", user, summary=f"Account created by single sign-on ({issuer})",
                   changes=diff({}, after))
        elif before != after:
            record(user, "update", user, summary="Account updated from single sign-on claims",
                   changes=diff(before, after))
    return user


class OIDCBackend(OIDCAuthenticationBackend):
    """mozilla-django-oidc's backend with issuer/audience checks and Samtrygg's provisioning."""

    def __init__(self, *args, **kwargs):
        self.enabled = settings.SAMTRYGG_OIDC
        self.UserModel = User  # get_user() keeps working for sessions begun before single sign-on was turned off
        if self.enabled:
            super().__init__(*args, **kwargs)

    def authenticate(self, request, **kwargs):
        if not self.enabled or request is None:
            return None
        return super().authenticate(request, **kwargs)

    def get_or_create_user(self, access_token, id_token, payload):
        issuer = settings.SAMTRYGG_OIDC_ISSUER
        if issuer and payload.get("iss") != issuer:
            raise SuspiciousOperation(f"ID token from issuer {payload.get('iss')!r}, expected {issuer!r}")
        audience = payload.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if settings.OIDC_RP_CLIENT_ID not in audiences:
            raise SuspiciousOperation(f"ID token for audience {audience!r}")
        userinfo = self.get_userinfo(access_token, id_token, payload)
        if userinfo.get("sub") != payload.get("sub"):
            raise SuspiciousOperation("the userinfo subject differs from the ID token's")
        try:
            return provision_user(issuer or payload["iss"], {**payload, **userinfo})
        except LoginRefused as exc:
            setattr(self.request, ERROR_ATTRIBUTE, str(exc.args[0]))
            raise


class AuthenticateView(OIDCAuthenticationRequestView):
    def get(self, request):
        if not settings.SAMTRYGG_OIDC:
            return redirect("login")
        return super().get(request)


class CallbackView(OIDCAuthenticationCallbackView):
    def get(self, request):
        if not settings.SAMTRYGG_OIDC:
            return redirect("login")
        try:
            return super().get(request)
        except (SuspiciousOperation, requests.RequestException, jwt.PyJWTError, ValueError, KeyError) as exc:
            # A replayed state, a bad or expired token, a provider that doesn't answer: back to the login page
            # with a message, never an error page.
            log.warning("single sign-on refused: %s", exc)
            return self.login_failure()

    @property
    def failure_url(self):
        return reverse("login")

    def login_failure(self):
        message = getattr(self.request, ERROR_ATTRIBUTE, None) or _(
            "Logging in through your organisation's account did not work. Try again, or log in with your "
            "Samtrygg username and password.")
        messages.error(self.request, message)
        return super().login_failure()
