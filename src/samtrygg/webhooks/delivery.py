"""Sending the outbox: claim due deliveries, sign and POST them, log each attempt, back off on failure.

**Signature.** Messages follow the Standard Webhooks specification (standardwebhooks.com), signed with its
reference library (``standardwebhooks``), so a receiver can verify with that library in any language or
with a few lines of its own (README, "Webhooks"): headers ``webhook-id`` (the message id, the same on every
retry: use it to ignore duplicates), ``webhook-timestamp`` (Unix seconds of this attempt) and
``webhook-signature`` = ``v1,`` + base64(HMAC-SHA256(secret, "{id}.{timestamp}.{body}")), where the secret is
the base64 part of ``whsec_…``. ``samtrygg-event`` names the event.

**Several processes.** A delivery is claimed with one conditional UPDATE (``locked_until`` in the future),
which only one process can win, on SQLite and PostgreSQL alike; a sender that dies leaves a lock that runs
out after ``LOCK``, and the delivery is tried again. So delivery is at least once: a receiver may, rarely,
see the same ``webhook-id`` twice.

**Back-off.** After attempt n fails the next comes ``backoff(n)`` later: 1, 2, 4, 8 … minutes, at most
6 hours apart (or later, when the receiver asks with ``Retry-After``); after ``MAX_ATTEMPTS`` (12, about a
day) the delivery is given up and shown as such in the log, where it can be sent again by hand.
Any answer 200–299 is success; redirects are not followed (a receiver's address is what was registered).

**Addresses.** Unless ``SAMTRYGG_WEBHOOK_ALLOW_PRIVATE`` is on, a host that resolves to a loopback, private,
link-local or otherwise reserved address is refused at every attempt (not only when registering), so a
webhook cannot be pointed at services inside Samtrygg's own network.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.db.models import Q
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from .models import Attempt, Delivery

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 12
FIRST_DELAY = 60  # seconds
MAX_DELAY = 6 * 3600
LOCK = timedelta(minutes=5)
KICK_AT_MOST = 20  # deliveries tried right after a commit; more are left to the cron job
USER_AGENT = "Samtrygg-Webhooks/1"
EXCERPT = 300  # characters of the receiver's answer kept in the log


def backoff(attempts: int) -> int:
    """Seconds to wait after the ``attempts``-th failed attempt (1, 2, 4 … minutes, at most 6 hours)."""
    return min(FIRST_DELAY * 2 ** max(attempts - 1, 0), MAX_DELAY)


def retry_after(value: str | None) -> int | None:
    """Seconds asked for by a ``Retry-After`` header (seconds form only), capped at ``MAX_DELAY``."""
    if value and value.strip().isdigit():
        return min(int(value.strip()), MAX_DELAY)
    return None


class AddressRefused(Exception):
    pass


def _refused(ip: ipaddress._BaseAddress) -> bool:
    return (ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved or ip.is_multicast
            or ip.is_unspecified)


def check_address(url: str, *, resolve: bool = True) -> None:
    """Raise AddressRefused when ``url`` is not http(s), or (unless allowed) points at an internal address."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise AddressRefused("the address must start with http:// or https:// and name a host")
    if settings.SAMTRYGG_WEBHOOK_ALLOW_PRIVATE:
        return
    host = parts.hostname
    try:
        addresses = [ipaddress.ip_address(host)]
    except ValueError:
        if host == "localhost" or host.endswith(".localhost"):
            raise AddressRefused(f"{host} is this machine") from None
        if not resolve:
            return
        try:
            infos = socket.getaddrinfo(host, parts.port or (443 if parts.scheme == "https" else 80),
                                       proto=socket.IPPROTO_TCP)
        except OSError as exc:
            raise AddressRefused(f"cannot resolve {host}: {exc.strerror or exc}") from None
        addresses = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]
    for ip in addresses:
        if _refused(ip):
            raise AddressRefused(f"{host} is an internal address ({ip}); set SAMTRYGG_WEBHOOK_ALLOW_PRIVATE "
                                 "to allow it")


def sign(secret: str, message_id: str, moment: datetime, body: bytes) -> dict[str, str]:
    """The headers of one attempt."""
    return {
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        "webhook-id": message_id,
        "webhook-timestamp": str(int(moment.timestamp())),
        "webhook-signature": Webhook(secret).sign(message_id, moment, body),
    }


@dataclass
class Run:
    delivered: int = 0
    retrying: int = 0
    gave_up: int = 0

    def summary(self) -> str:
        return (f"{self.delivered} delivered, {self.retrying} failed and will be retried, "
                f"{self.gave_up} given up")


def _due(now: datetime):
    """Due and unclaimed: conditions on the delivery's own columns only."""
    return (Delivery.objects.filter(status=Delivery.Status.PENDING, next_attempt_at__lte=now)
            .filter(Q(locked_until__isnull=True) | Q(locked_until__lt=now)))


def claim(now: datetime, ids: list[int] | None = None, limit: int = 100) -> list[int]:
    """Claim up to ``limit`` due deliveries of active endpoints (only these ``ids`` if given); returns the ones
    this process won.

    The claim is ``UPDATE … SET locked_until WHERE id = … AND status = 'pending' AND (locked_until IS NULL OR
    locked_until < now)``: no join and no subquery, so when two processes race for a row, PostgreSQL re-checks
    the loser's conditions on the winner's new row version and updates nothing (SQLite writes one at a time).
    """
    candidates = _due(now).filter(endpoint__is_active=True)
    if ids is not None:
        candidates = candidates.filter(pk__in=ids)
    won = []
    for pk in candidates.order_by("next_attempt_at", "id").values_list("pk", flat=True)[:limit]:
        if _due(now).filter(pk=pk).update(locked_until=now + LOCK):
            won.append(pk)
    return won


def attempt(delivery: Delivery, now: datetime | None = None) -> Attempt:
    """Send one claimed delivery once and record the outcome (the delivery row is updated and unlocked)."""
    now = now or timezone.now()
    endpoint = delivery.endpoint
    body = delivery.payload.encode("utf-8")
    record = Attempt(delivery=delivery, at=now)
    started = time.monotonic()
    wait = None
    try:
        check_address(endpoint.url)
        headers = sign(endpoint.secret, delivery.message_id, now, body)
        headers["samtrygg-event"] = delivery.event
        # Streamed, and only the start of the answer read: a receiver cannot make us hold a huge body.
        with requests.post(endpoint.url, data=body, headers=headers, allow_redirects=False, stream=True,
                           timeout=settings.SAMTRYGG_WEBHOOK_TIMEOUT) as response:
            record.status_code = response.status_code
            start = response.raw.read(EXCERPT, decode_content=True) or b""
            record.response_excerpt = start.decode("utf-8", "replace")[:EXCERPT]
            if not 200 <= response.status_code < 300:
                record.error = f"HTTP {response.status_code}"
                wait = retry_after(response.headers.get("Retry-After"))
    except AddressRefused as exc:
        record.error = str(exc)[:300]
    except (requests.RequestException, OSError) as exc:  # OSError: the connection broke while reading
        record.error = f"{type(exc).__name__}: {exc}"[:300]
    record.duration_ms = int((time.monotonic() - started) * 1000)
    ok = record.status_code is not None and not record.error
    delivery.attempts += 1
    delivery.last_status_code = record.status_code
    delivery.last_error = record.error
    delivery.locked_until = None
    if ok:
        delivery.status, delivery.delivered_at, delivery.next_attempt_at = Delivery.Status.SUCCEEDED, now, None
    elif delivery.attempts >= MAX_ATTEMPTS:
        delivery.status, delivery.next_attempt_at = Delivery.Status.FAILED, None
    else:
        delivery.next_attempt_at = now + timedelta(seconds=max(backoff(delivery.attempts), wait or 0))
    with transaction.atomic():
        record.save()
        delivery.save(update_fields=["attempts", "last_status_code", "last_error", "locked_until", "status",
                                     "delivered_at", "next_attempt_at"])
    return record


def deliver_due(limit: int = 100, ids: list[int] | None = None, now: datetime | None = None) -> Run:
    """Claim and send what is due (oldest first); the cron job calls this."""
    run = Run()
    now = now or timezone.now()
    for pk in claim(now, ids, limit):
        delivery = Delivery.objects.select_related("endpoint").get(pk=pk)
        attempt(delivery)
        if delivery.status == Delivery.Status.SUCCEEDED:
            run.delivered += 1
        elif delivery.status == Delivery.Status.FAILED:
            run.gave_up += 1
        else:
            run.retrying += 1
    return run


def prune(days: int, now: datetime | None = None) -> int:
    """Delete delivered and given-up deliveries (and their attempts) older than ``days``."""
    cutoff = (now or timezone.now()) - timedelta(days=days)
    deleted, _ = (Delivery.objects.filter(created_at__lt=cutoff)
                  .exclude(status=Delivery.Status.PENDING).delete())
    return deleted


def retry_now(delivery: Delivery) -> None:
    """Put a delivery (given up or waiting) first in line again, with a fresh set of attempts."""
    Delivery.objects.filter(pk=delivery.pk).update(
        status=Delivery.Status.PENDING, next_attempt_at=timezone.now(), locked_until=None,
        attempts=0 if delivery.status == Delivery.Status.FAILED else delivery.attempts)


def _send_in_background(ids: list[int]) -> None:
    try:
        deliver_due(limit=len(ids), ids=ids)
    except Exception:  # a background try must never take the process down; the cron job retries
        logger.exception("webhook delivery right after commit failed")
    finally:
        close_old_connections()
        connection.close()


def kick(ids: list[int]) -> None:
    """Try new deliveries right after the commit that made them, when that is cheap (few of them).

    ``SAMTRYGG_WEBHOOK_IMMEDIATE``: ``thread`` (default) sends from a short-lived thread so the request that
    caused them is not held up; ``inline`` sends before returning (tests, single-shot scripts); ``off``
    leaves everything to ``samtrygg deliver-webhooks``. Whatever fails here stays in the outbox.
    """
    mode = settings.SAMTRYGG_WEBHOOK_IMMEDIATE
    if not ids or len(ids) > KICK_AT_MOST or mode == "off":
        return

    def go():
        if mode == "inline":
            deliver_due(limit=len(ids), ids=ids)
        else:
            threading.Thread(target=_send_in_background, args=(ids,), name="samtrygg-webhooks").start()

    transaction.on_commit(go)
