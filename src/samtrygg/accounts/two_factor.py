"""Two-factor authentication on top of django-otp: an authenticator app (TOTP) and one-time recovery codes.

After the password, a user who has an app, or whose role an admin made require one (RolePolicy), must give a code
before any other page opens (TwoFactorMiddleware); users of such a role without an app are sent to enrol.
Everything here works on users and devices, without a request, so it is tested directly.

Secrets are stored as django-otp stores them: the TOTP key must be readable to check codes, so the recovery codes
beside it gain nothing from hashing; the database is the thing to protect (README, "Security").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import segno
from django.db import transaction
from django.utils.translation import gettext
from django_otp import devices_for_user, user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import Role, RolePolicy, User

RECOVERY_CODE_COUNT = 10
APP_DEVICE_NAME = "app"
RECOVERY_DEVICE_NAME = "recovery"


def policy_role(user: User) -> str:
    """The role whose policy applies: superusers made with createsuperuser count as admins."""
    return Role.ADMIN if user.is_samtrygg_admin else user.role


def two_factor_required(user: User) -> bool:
    return RolePolicy.objects.filter(role=policy_role(user), require_two_factor=True).exists()


def required_roles() -> set[str]:
    return set(RolePolicy.objects.filter(require_two_factor=True).values_list("role", flat=True))


def has_app(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def needs_second_factor(user: User) -> bool:
    """Must this user give a code after the password? Yes with an app, or when the role requires one."""
    return user_has_device(user, confirmed=True) or two_factor_required(user)


def start_enrolment(user: User) -> TOTPDevice:
    """The unconfirmed app device the enrolment page shows (the same one on every reload until confirmed)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    return device or TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False)


def qr_data_uri(device: TOTPDevice) -> str:
    """The otpauth:// address as an SVG QR code in a data: URI (an <img>; nothing inline for the CSP)."""
    return segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2)


def secret_for_typing(device: TOTPDevice) -> str:
    """The key in base32 in groups of four, for apps where the QR code can't be scanned."""
    from base64 import b32encode

    key = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i:i + 4] for i in range(0, len(key), 4))


def confirm_enrolment(device: TOTPDevice, token: str) -> bool:
    """Confirm the app with its first code; it then replaces any app the user had before."""
    token = normalise(token)
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        if not token.isdigit() or not device.verify_token(token):
            return False
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
    return True


def new_recovery_codes(user: User, count: int = RECOVERY_CODE_COUNT) -> list[str]:
    """Replace the user's recovery codes with `count` new ones; each works once. Returns them to show once."""
    with transaction.atomic():
        device, _ = StaticDevice.objects.get_or_create(user=user, name=RECOVERY_DEVICE_NAME,
                                                       defaults={"confirmed": True})
        device.token_set.all().delete()
        codes = [StaticToken.random_token() for _ in range(count)]
        StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def normalise(token: str) -> str:
    return "".join((token or "").split()).replace("-", "").lower()


@dataclass
class Verification:
    device: object | None = None
    wait_until: datetime | None = None

    @property
    def ok(self) -> bool:
        return self.device is not None


def verify(user: User, token: str) -> Verification:
    """Check a code from the app (six digits) or a recovery code against the user's own devices.

    Each device throttles wrong codes itself (django-otp, exponential back-off stored in the database); a code is
    only tried on the kind of device it can belong to, so a mistyped app code doesn't slow the recovery codes.
    """
    token = normalise(token)
    if not token:
        return Verification()
    kind = TOTPDevice if token.isdigit() and len(token) in (6, 8) else StaticDevice
    wait_until = None
    with transaction.atomic():
        for device in devices_for_user(user, confirmed=True, for_verify=True):
            if not isinstance(device, kind):
                continue
            allowed, info = device.verify_is_allowed()
            if not allowed:
                locked = (info or {}).get("locked_until")
                wait_until = max(filter(None, [wait_until, locked]), default=None)
                continue
            if device.verify_token(token):
                return Verification(device=device)
    return Verification(wait_until=wait_until)


def reset_devices(user: User) -> int:
    """Remove the user's app and recovery codes (an admin's help when a phone is lost). Returns how many."""
    count = 0
    for device in list(devices_for_user(user, confirmed=None)):
        device.delete()
        count += 1
    return count


def status(user: User) -> str:
    if has_app(user):
        return gettext("App and %(count)d recovery codes") % {"count": recovery_codes_left(user)}
    return gettext("Not enrolled")
