"""Who is acting, for audit entries written by model signals (which have no request to hand).

A context variable, not a global: each request (thread or task) sees its own. Commands run with no request,
so their changes are recorded with no actor (the system).
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar

_request: ContextVar = ContextVar("samtrygg_audit_request", default=None)
_suppressed: ContextVar[bool] = ContextVar("samtrygg_audit_suppressed", default=False)


def current_actor():
    request = _request.get()
    user = getattr(request, "user", None) if request is not None else None
    return user if getattr(user, "is_authenticated", False) else None


def signals_suppressed() -> bool:
    return _suppressed.get()


@contextmanager
def suppress_signals():
    """For bulk loaders that write one summary entry themselves (the demo, restore)."""
    token = _suppressed.set(True)
    try:
        yield
    finally:
        _suppressed.reset(token)


class AuditActorMiddleware:
    """Makes the request's user the actor of audit entries written by model signals during the request.

    The request itself is kept, not its user, so a user set later (an API key read by the API) counts too.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _request.set(request)
        try:
            return self.get_response(request)
        finally:
            _request.reset(token)
