"""Reads to a PostgreSQL read replica, writes to the primary (README, "Scaling out"; on with DATABASE_REPLICA_URL).

The rules, in order, for a read:

1. No ``replica`` alias configured: Django's default (the router says nothing).
2. Models whose staleness would be a security or login problem are always read from the primary: sessions,
   login attempts and lockouts (axes), second-factor devices, users and organisations, API keys (a removed role,
   a deactivated user or a revoked key must take effect at once, not after the replica catches up).
3. Inside a transaction on the primary that the current request (or command) opened: the primary. A read before
   a write in the same transaction (optimistic locking, "get or create") must see the rows it will write over.
4. After a write in this request, the rest of the request reads the primary (read-your-writes; an API key's
   use counter, written on every API request, does not count as a write here); and the
   :class:`ReplicaPinMiddleware` keeps the browser on the primary for ``SAMTRYGG_REPLICA_PIN_SECONDS`` after a
   request that wrote, so the page a form redirects to shows what was just saved even if the replica lags.
5. Otherwise: the replica.

Writes always go to the primary, and migrations run only there (the replica follows by streaming replication).
The state is a per-request ``contextvars`` value, reset by the middleware at the start of each request: nothing is
shared between requests or threads. Outside a request (commands, cron jobs) the first write pins the rest of the
process's work in that context to the primary, the safe side.

Why not a library: django-replicated and django-multidb-router do this, but neither is maintained for Django 5.2;
the rules above are a few lines each and unit-tested (tests/core/test_db_router.py).
"""

from __future__ import annotations

import contextvars
import time

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

from samtrygg.core.deployment import REPLICA

PRIMARY_ONLY_APPS = frozenset({"sessions", "axes", "otp_totp", "otp_static", "accounts", "auth"})
PRIMARY_ONLY_MODELS = frozenset({"api.apitoken"})  # a revoked API key stops working at once
# Bookkeeping written on every API request (the key's use counter, last use): such a write does not pin the
# request's reads to the primary, or no API request would ever read from the replica.
UNPINNING_WRITES = frozenset({"api.apitoken", "api.apitokenusage"})
PIN_COOKIE = "samtrygg_primary"

# (wrote in this request?, atomic depth on default when the request began)
_wrote: contextvars.ContextVar[bool] = contextvars.ContextVar("samtrygg_wrote", default=False)
_pinned: contextvars.ContextVar[bool] = contextvars.ContextVar("samtrygg_pinned", default=False)
_base_depth: contextvars.ContextVar[int] = contextvars.ContextVar("samtrygg_base_depth", default=0)


def replica_configured() -> bool:
    return REPLICA in connections.settings


def in_own_transaction() -> bool:
    """A transaction on the primary opened after the request began (not one wrapping it, e.g. a test's)."""
    conn = connections[DEFAULT_DB_ALIAS]
    return conn.in_atomic_block and len(conn.atomic_blocks) > _base_depth.get()


def read_alias(app_label: str, model_label: str = "") -> str | None:
    """Where a read of a model (``app_label``, lower-case ``app.model`` label) goes now (see the module's rules)."""
    if not replica_configured():
        return None
    if (app_label in PRIMARY_ONLY_APPS or model_label in PRIMARY_ONLY_MODELS or _wrote.get() or _pinned.get()
            or in_own_transaction()):
        return DEFAULT_DB_ALIAS
    return REPLICA


def start_request(*, pinned: bool) -> None:
    """Forget the last request's state: called by the middleware before the view runs."""
    _wrote.set(False)
    _pinned.set(pinned)
    conn = connections[DEFAULT_DB_ALIAS]
    _base_depth.set(len(conn.atomic_blocks) if conn.in_atomic_block else 0)


def note_write() -> None:
    """This request wrote, on another thread (a group commit, :mod:`samtrygg.core.group_commit`)."""
    if replica_configured():
        _wrote.set(True)


def wrote() -> bool:
    return _wrote.get()


class PrimaryReplicaRouter:
    def db_for_read(self, model, **hints):
        return read_alias(model._meta.app_label, model._meta.label_lower)

    def db_for_write(self, model, **hints):
        if not replica_configured():
            return None
        if model._meta.label_lower not in UNPINNING_WRITES:
            _wrote.set(True)
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # Primary and replica hold the same data: objects read from either may be related.
        if {obj1._state.db, obj2._state.db} <= {DEFAULT_DB_ALIAS, REPLICA, None}:
            return True
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS


class ReplicaPinMiddleware:
    """Starts each request with fresh routing state; after a request that wrote, a short-lived cookie keeps the
    browser's next requests on the primary. The cookie only chooses a database for reading, never what anyone may
    see: forging it merely sends one's own reads to the primary."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not replica_configured():
            return self.get_response(request)
        start_request(pinned=PIN_COOKIE in request.COOKIES)
        response = self.get_response(request)
        if wrote():
            seconds = settings.SAMTRYGG_REPLICA_PIN_SECONDS
            response.set_cookie(PIN_COOKIE, str(int(time.time()) + seconds), max_age=seconds, httponly=True,
                                samesite="Lax", secure=settings.SESSION_COOKIE_SECURE)
        return response
