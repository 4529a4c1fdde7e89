"""Login rate limiting and lockout on top of django-axes (attempts live in the database, shared by every process).

Settings (README, "Security"): a lock holds for one username from one address after AXES_FAILURE_LIMIT failures
within AXES_COOLOFF_TIME; an address is locked for every username after SAMTRYGG_LOGIN_ADDRESS_FAILURE_LIMIT
failures within the same time (password spraying). Admins lift locks on /accounts/security/.
"""

from __future__ import annotations

import ipaddress
import math
from datetime import datetime

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import QuerySet, Sum
from django.shortcuts import render
from django.utils import timezone


class LockoutHandler(AxesDatabaseHandler):
    """Axes' database handler plus an address-wide limit.

    Axes compares every lockout parameter against one failure limit; an address shared by a whole office needs a
    much higher limit than one username from that address, so the address-wide count is added here.
    """

    def get_failures(self, request, credentials: dict | None = None) -> int:
        failures = super().get_failures(request, credentials)
        address = _address_attempts(request.axes_ip_address, _threshold(request))
        total = address.aggregate(total=Sum("failures_since_start"))["total"] or 0
        if total >= settings.SAMTRYGG_LOGIN_ADDRESS_FAILURE_LIMIT:
            return max(failures, get_failure_limit(request, credentials))
        return failures


def client_ip(request) -> str | None:
    """The client's address for the lockout (AXES_CLIENT_IP_CALLABLE).

    Without trusted proxies it is REMOTE_ADDR, which nobody can forge. With SAMTRYGG_TRUSTED_PROXIES = N, each
    proxy appends the address it was reached from to X-Forwarded-For (nginx' $proxy_add_x_forwarded_for, load
    balancers), so the client is the N-th entry from the right; entries further left are whatever the client sent.
    Hand-written because django-ipware's proxy count expects the proxies themselves in the header.
    """
    remote = request.META.get("REMOTE_ADDR")
    proxies = settings.SAMTRYGG_TRUSTED_PROXIES
    if proxies <= 0:
        return remote
    entries = [entry.strip() for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if entry.strip()]
    if len(entries) < proxies:
        return remote
    candidate = entries[-proxies]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote


def username_for_lockout(request, credentials: dict | None = None) -> str | None:
    """The username attempts are counted under (AXES_USERNAME_CALLABLE): the one typed, cut to the 255 characters
    axes stores (Django's login form doesn't limit the length; PostgreSQL would refuse a longer value)."""
    if credentials:
        username = credentials.get("username")
    else:
        username = getattr(request, "POST", {}).get("username")
    return None if username is None else str(username)[:255]


def _threshold(request=None) -> datetime:
    return timezone.now() - get_cool_off(request)


def _address_attempts(ip_address: str | None, since: datetime) -> QuerySet:
    return AccessAttempt.objects.filter(ip_address=ip_address, attempt_time__gte=since)


def _lock_end(attempts: QuerySet, limit: int, cool_off) -> datetime | None:
    """When the failures inside the sliding window drop below the limit again, or None if they already are.

    A lock holds while the failures of the attempts newer than now − cool-off add up to the limit; going from the
    newest back, the attempt at which the sum reaches the limit is the one whose ageing out ends the lock.
    """
    total = 0
    for attempt_time, failures in attempts.order_by("-attempt_time").values_list(
            "attempt_time", "failures_since_start"):
        total += failures
        if total >= limit:
            return attempt_time + cool_off
    return None


def lockout_ends(username: str | None, ip_address: str | None) -> datetime | None:
    """The time a lock on this username from this address ends, or None when there is no lock."""
    cool_off = get_cool_off()
    since = timezone.now() - cool_off
    ends = [
        _lock_end(AccessAttempt.objects.filter(username=username, ip_address=ip_address, attempt_time__gte=since),
                  settings.AXES_FAILURE_LIMIT, cool_off),
        _lock_end(_address_attempts(ip_address, since), settings.SAMTRYGG_LOGIN_ADDRESS_FAILURE_LIMIT, cool_off),
    ]
    ends = [end for end in ends if end is not None]
    return max(ends) if ends else None


def current_locks() -> list[dict]:
    """Every lock in force, for the admins' security page: username/address pairs, then whole addresses
    (username None) that passed the address-wide limit."""
    cool_off = get_cool_off()
    since = timezone.now() - cool_off
    recent = AccessAttempt.objects.filter(attempt_time__gte=since)
    locks = []
    for address in recent.values_list("ip_address", flat=True).distinct().order_by("ip_address"):
        ends = _lock_end(_address_attempts(address, since), settings.SAMTRYGG_LOGIN_ADDRESS_FAILURE_LIMIT, cool_off)
        if ends is not None:
            locks.append({"username": None, "ip_address": address, "ends": ends})
    pairs = recent.values_list("username", "ip_address").distinct().order_by("username", "ip_address")
    for username, address in pairs:
        ends = _lock_end(recent.filter(username=username, ip_address=address), settings.AXES_FAILURE_LIMIT, cool_off)
        if ends is not None:
            locks.append({"username": username, "ip_address": address, "ends": ends})
    return sorted(locks, key=lambda lock: (lock["username"] is not None, lock["username"] or "", lock["ip_address"]))


def unlock(username: str | None, ip_address: str) -> int:
    """Lift a lock: forget the failures of one username from one address, or (username None) of the whole
    address. Returns the number of attempt records removed."""
    attempts = AccessAttempt.objects.filter(ip_address=ip_address)
    if username is not None:
        attempts = attempts.filter(username=username)
    deleted, _ = attempts.delete()
    return deleted


def lockout_response(request, original_response=None, credentials=None):
    """The page shown instead of a login while locked out (AXES_LOCKOUT_CALLABLE): says until when, in Swedish."""
    username = get_client_username(request, credentials)
    ends = lockout_ends(username, getattr(request, "axes_ip_address", None) or client_ip(request))
    minutes = None
    if ends is not None:
        minutes = max(1, math.ceil((ends - timezone.now()).total_seconds() / 60))
    return render(request, "accounts/locked_out.html", {"ends": ends, "minutes": minutes}, status=429)
