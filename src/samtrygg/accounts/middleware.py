"""Session expiry (absolute and idle) and holding users at the two-factor step until they have given a code.

The idle timeout is hand-written: the packages that do it (django-session-timeout, django-auto-logout) are
unmaintained and can't say on the login page why the user was logged out. Everything lives in the database
session, so any app process can serve any request.
"""

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils.translation import gettext as _

LOGIN_AT = "samtrygg_login_at"
LAST_SEEN = "samtrygg_last_seen"
SECOND_FACTOR = "samtrygg_second_factor"
# The last-seen time is written at most this often, so a busy user doesn't cost a database write per request.
LAST_SEEN_RESOLUTION = 60


def start_session(request, *, second_factor: bool) -> None:
    now = int(time.time())
    request.session[LOGIN_AT] = now
    request.session[LAST_SEEN] = now
    request.session[SECOND_FACTOR] = second_factor


def _is_background(request) -> bool:
    return request.headers.get("HX-Request") == "true" or "application/json" in request.headers.get("Accept", "")


def _to_login(request):
    if _is_background(request):
        # htmx and fetch() calls get a plain 401 instead of a login page inside a fragment.
        return HttpResponse(status=401)
    query = urlencode({"next": request.get_full_path()}) if request.method == "GET" else ""
    return redirect(f"{reverse('login')}?{query}" if query else reverse("login"))


class SessionExpiryMiddleware:
    """Log out after SESSION_COOKIE_AGE seconds since login, or SAMTRYGG_IDLE_TIMEOUT seconds without a request.

    Django renews the session cookie whenever the session changes, so the absolute lifetime is kept here too.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(time.time())
            session = request.session
            login_at, last_seen = session.get(LOGIN_AT), session.get(LAST_SEEN)
            idle = settings.SAMTRYGG_IDLE_TIMEOUT
            if login_at is None or last_seen is None:
                session[LOGIN_AT] = login_at or now
                session[LAST_SEEN] = now
            elif now - login_at > settings.SESSION_COOKIE_AGE:
                return self._expire(request, _("Your session has ended: you were logged in for %(hours)s hours. "
                                               "Please log in again.")
                                    % {"hours": _hours(settings.SESSION_COOKIE_AGE)})
            elif idle and now - last_seen > idle:
                return self._expire(request, _("You were logged out after %(minutes)d minutes without activity. "
                                               "Please log in again.") % {"minutes": idle // 60})
            elif now - last_seen >= LAST_SEEN_RESOLUTION:
                session[LAST_SEEN] = now
        return self.get_response(request)

    @staticmethod
    def _expire(request, message: str):
        response = _to_login(request)
        logout(request)
        messages.info(request, message)
        return response


def _hours(seconds: int) -> str:
    hours = seconds / 3600
    return f"{hours:g}".replace(".", ",")


# Pages a user who still owes the second factor may open.
TWO_FACTOR_OPEN = {"login", "logout", "set_language", "accounts:two_factor_verify", "accounts:two_factor_setup",
                   "accounts:keepalive"}


class TwoFactorMiddleware:
    """Hold a logged-in user at the code (or enrolment) page until they have given a second factor.

    Whether one is needed is decided at login (an app, or a role that requires it; see accounts.signals), so a
    policy change applies from the next login and normal requests cost no query. Requests authenticated otherwise
    than by the session (API tokens) are not affected: they have no logged-in session user here.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and request.session.get(SECOND_FACTOR) and not user.is_verified():
            try:
                match = resolve(request.path_info)
                name = f"{match.namespace}:{match.url_name}" if match.namespace else match.url_name
            except Resolver404:
                name = None
            if name not in TWO_FACTOR_OPEN:
                if _is_background(request):
                    return HttpResponse(status=401)
                from django_otp import user_has_device

                target = "accounts:two_factor_verify" if user_has_device(user) else "accounts:two_factor_setup"
                query = urlencode({"next": request.get_full_path()}) if request.method == "GET" else ""
                return redirect(f"{reverse(target)}?{query}" if query else reverse(target))
        return self.get_response(request)
