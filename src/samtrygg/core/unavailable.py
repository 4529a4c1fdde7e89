"""The database is unreachable: answer 503 with a short Swedish (or English) page, or JSON on API paths, with
``Retry-After``; never a traceback, and nothing that needs the database to render (no session, no user, no
context processors). Logged once per outage and once when the database answers again, per app process.

Two ways in, because Django turns an exception into a 500 response inside every middleware layer:

- :class:`DatabaseUnavailableMiddleware`'s ``process_exception`` catches what a view (or the template it
  renders, or the lazy ``request.user``) raises;
- :func:`server_error` (``handler500``) catches the rest, e.g. saving the session after the view.

Recovery is Django's own: a connection that raised is marked ``errors_occurred`` and closed at the end of the
request when it is no longer usable, and ``CONN_HEALTH_CHECKS`` checks a persistent connection before it is
reused, so the first request after the database is back opens a fresh connection. The handler also closes the
failed connection at once (outside a transaction) so the next request never inherits it.
"""

from __future__ import annotations

import contextlib
import json
import logging
import sys
import threading

from django.db import DatabaseError, InterfaceError, OperationalError, connections
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.defaults import server_error as django_server_error

logger = logging.getLogger("samtrygg.database")

RETRY_AFTER_SECONDS = 30
API_PREFIXES = ("/api/", "/open311/")
UNAVAILABLE = (OperationalError, InterfaceError)


class _Outage:
    """Per-process memory of whether the database is down, only to log once per outage (never shared state
    that decides anything: each request tries the database afresh)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.failed_requests = 0

    def failed(self, exc: BaseException, path: str) -> None:
        with self.lock:
            self.failed_requests += 1
            first = self.failed_requests == 1
        if first:
            logger.error("Database unreachable, answering 503 (first at %s): %s: %s", path, type(exc).__name__,
                         str(exc).strip().splitlines()[0] if str(exc).strip() else "")

    def succeeded(self) -> None:
        if not self.failed_requests:
            return
        with self.lock:
            count, self.failed_requests = self.failed_requests, 0
        if count:
            logger.warning("Database reachable again after %s request(s) answered 503", count)


outage = _Outage()


def is_unavailable(exc: BaseException | None) -> bool:
    """An error meaning the database cannot be reached or the connection broke, not a bad query."""
    if isinstance(exc, UNAVAILABLE):
        return True
    # SQLite reports a missing or unreadable file as OperationalError too, which the first branch covers;
    # psycopg's own errors reach here only when raised outside Django's wrapper.
    with contextlib.suppress(ImportError):
        import psycopg

        if isinstance(exc, (psycopg.OperationalError, psycopg.InterfaceError)):
            return True
    return False


def _discard_broken_connections() -> None:
    for conn in connections.all(initialized_only=True):
        if conn.in_atomic_block:
            continue
        with contextlib.suppress(DatabaseError, Exception):
            conn.close()


def wants_json(request) -> bool:
    return request.path.startswith(API_PREFIXES) or "application/json" in request.headers.get("Accept", "")


def unavailable_response(request, exc: BaseException) -> HttpResponse:
    outage.failed(exc, request.path)
    _discard_broken_connections()
    message = _("Samtrygg cannot reach its database right now. Nothing you sent was saved. "
                "Try again in a minute; it usually comes back by itself.")
    if wants_json(request):
        body = json.dumps({"error": "database_unavailable", "status": 503, "message": message,
                           "retry_after": RETRY_AFTER_SECONDS}, ensure_ascii=False)
        response = HttpResponse(body, status=503, content_type="application/json; charset=utf-8")
    else:
        # Rendered without a request: no context processors, so no session, user or database query.
        html = render_to_string("core/503.html", {"message": message, "retry_after": RETRY_AFTER_SECONDS})
        response = HttpResponse(html, status=503, content_type="text/html; charset=utf-8")
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    response._has_been_logged = True  # logged above, once per outage; Django would log every request
    return response


class DatabaseUnavailableMiddleware:
    """First in MIDDLEWARE. Turns a database that cannot be reached into a 503 (see the module's doc)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Inner layers never raise here: Django converts their exceptions to responses (see the module's doc).
        response = self.get_response(request)
        if response.status_code < 500:
            outage.succeeded()
        return response

    def process_exception(self, request, exception):
        if is_unavailable(exception):
            return unavailable_response(request, exception)
        return None


def server_error(request, *args, **kwargs):
    """handler500: a database outage noticed outside the view (e.g. saving the session) is a 503 too."""
    exc = sys.exc_info()[1]
    if is_unavailable(exc):
        return unavailable_response(request, exc)
    return django_server_error(request, *args, **kwargs)
