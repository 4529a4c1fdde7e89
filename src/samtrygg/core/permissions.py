"""Who may open what: one table for every page, API endpoint and action of Samtrygg.

Each named URL has a :class:`Rule`: for each HTTP method, the roles allowed (``ANONYMOUS`` for the public),
whose objects a permitted role reaches (:class:`Scope`) and what report data the answer holds
(:class:`Data`). The table is enforced twice:

- :class:`PermissionTableMiddleware` refuses a request whose role the table does not allow (anonymous users
  are sent to the login page, others get 403) and refuses every URL that has no row at all, so a new page
  is closed until someone decides who may open it. API endpoints are checked by
  :class:`samtrygg.api.authentication.TablePermission` instead, after the API key is read.
- The views check the object (scope) and the sensitivity of the reports themselves, with the functions of
  ``reports/access.py``, ``actions/access.py``, ``cases/access.py`` and ``webhooks/access.py``.

``tests/core/test_permissions.py`` enumerates every URL pattern × every role × an object of the user's own
organisation, of another organisation and another organisation's report in a sensitive category, and checks
each answer against this table. Django's own admin (``/admin/``) is not in the table: it admits only
``is_staff`` users, which only the role "admin" gives (``accounts/signals.py``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import Enum

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed

logger = logging.getLogger(__name__)

ANONYMOUS = "anonymous"
VIEWER, REPORTER, ANALYST, COORDINATOR, ADMIN = "viewer", "reporter", "analyst", "coordinator", "admin"
ROLES = (VIEWER, REPORTER, ANALYST, COORDINATOR, ADMIN)

LOGGED_IN = frozenset(ROLES)
PUBLIC = LOGGED_IN | {ANONYMOUS}
WRITERS = frozenset({REPORTER, ANALYST, COORDINATOR, ADMIN})           # report, import
MANAGERS = frozenset({COORDINATOR, ADMIN})                              # run the weekly meeting, cases, walks
READERS = frozenset({VIEWER, ANALYST, COORDINATOR, ADMIN})              # the quarterly analysis
ANALYSTS = frozenset({ANALYST, COORDINATOR, ADMIN})                     # save quarterly analyses
EDITORS = frozenset({REPORTER, COORDINATOR, ADMIN})                     # change reports (scope decides whose)
FOLLOWERS = frozenset({REPORTER, ANALYST, COORDINATOR, ADMIN})          # follow actions up
ADMINS = frozenset({ADMIN})


class Scope(Enum):
    """Whose objects a permitted role reaches. The view decides; the test checks it for each role."""

    NONE = "no object, or one every permitted role may see (areas, places, categories, weeks, cases, actions, walks)"
    SELF = "the user's own account"
    REPORT = ("a report: one in a sensitive category only for its own organisation and for coordinators, "
              "analysts and admins of organisations granted sensitive access; admins see every report")
    REPORT_EDIT = ("a report the user may see: its own reporter, any coordinator or admin")
    DELETED_REPORT = "a deleted report the user may see: coordinators and admins"
    OWN_BATCH = "an import: the one who uploaded it, and admins"
    RESPONSIBLE_ORG = ("an action: coordinators and admins any; reporters and analysts of the responsible "
                       "organisation follow theirs up")
    OWN_ORG = "objects of the user's own organisation only (API keys)"
    OWN_ORG_OR_ADMIN = "objects of the user's own organisation; admins every organisation's (webhooks)"
    PUBLISHED = "only what has been published to residents (feedback); the rest does not exist (404)"


class Data(Enum):
    """What report data an answer holds, and how sensitive categories are treated."""

    NONE = "no report data"
    DETAIL = "individual reports: only those the user may see in detail (Scope.REPORT)"
    AGGREGATE = ("counts and statistics over all reports, sensitive categories included; individual points, "
                 "texts and ids only of reports the user may see in detail")
    PUBLIC_AGGREGATE = "public counts: sensitive categories left out, counts 1–4 shown as <5, no totals"
    PUBLIC_COARSE = ("public single reports (Open311): no sensitive categories, no text, the position "
                     "coarsened to a 250 m grid")


@dataclass(frozen=True)
class Rule:
    """Roles allowed per HTTP method (HEAD and OPTIONS follow GET); scope and data as above."""

    methods: dict[str, frozenset[str]]
    scope: Scope | dict[str, Scope] = Scope.NONE
    data: Data = Data.NONE
    api: bool = False  # authenticated by API key or session; anonymous gets 401 (checked in the API)
    # Methods whose role is that of an API key sent in the request body (Open311's api_key), checked by the
    # view: a request without a valid key of an allowed role gets the specification's 403.
    body_key: tuple[str, ...] = ()
    # The view answers a method nobody may use itself, in its protocol's error format (Open311's 405 body).
    own_errors: bool = False
    # Anonymous requests reach the view, which sends them to the login page with its own "next".
    view_logs_in: bool = False
    note: str = ""

    def roles_for(self, method: str) -> frozenset[str]:
        method = method.upper()
        if method in ("HEAD", "OPTIONS"):
            method = "GET"
        return self.methods.get(method, frozenset())

    def scope_for(self, method: str) -> Scope:
        if isinstance(self.scope, dict):
            return self.scope[method.upper()]
        return self.scope


def read(roles=LOGGED_IN, **kw) -> Rule:
    return Rule({"GET": frozenset(roles)}, **kw)


def form(roles, post_roles=None, **kw) -> Rule:
    """A page with a form: GET shows it, POST sends it."""
    return Rule({"GET": frozenset(roles), "POST": frozenset(post_roles if post_roles is not None else roles)},
                **kw)


def post(roles, **kw) -> Rule:
    return Rule({"POST": frozenset(roles)}, **kw)


def api(methods: dict[str, frozenset[str]], **kw) -> Rule:
    return Rule({m.upper(): frozenset(r) for m, r in methods.items()}, api=True, **kw)


RULES: dict[str, Rule] = {
    # --- Signing in and one's own account
    "home": read(data=Data.DETAIL, note="the latest reports the user may see"),
    "login": form(PUBLIC),
    "logout": post(PUBLIC),
    "set_language": post(PUBLIC),
    "admin_login": form(ADMINS, view_logs_in=True,
                        note="the admin's login page sends the anonymous to the one login page itself"),
    "admin_password_change": read(LOGGED_IN, note="a redirect to the one password page (accounts:password_change)"),
    "oidc_authentication_init": read(PUBLIC, note="single sign-on, when configured"),
    "oidc_authentication_callback": read(PUBLIC),
    "accounts:profile": read(scope=Scope.SELF),
    "accounts:password_change": form(LOGGED_IN, scope=Scope.SELF),
    "accounts:password_change_done": read(scope=Scope.SELF),
    "accounts:two_factor": read(scope=Scope.SELF),
    "accounts:two_factor_setup": form(LOGGED_IN, scope=Scope.SELF),
    "accounts:two_factor_verify": form(LOGGED_IN, scope=Scope.SELF),
    "accounts:recovery_codes": form(LOGGED_IN, scope=Scope.SELF),
    "accounts:two_factor_disable": post(LOGGED_IN, scope=Scope.SELF),
    "accounts:keepalive": post(LOGGED_IN, scope=Scope.SELF),
    "accounts:security": form(ADMINS, note="two-factor per role, device resets, lifting login blocks"),
    "accounts:security_reset_2fa": post(ADMINS),
    "accounts:security_unlock": post(ADMINS),

    # --- Reports
    "reports:list": read(data=Data.DETAIL),
    "reports:map": read(data=Data.DETAIL),
    "reports:map_data": read(data=Data.DETAIL),
    "reports:export": read(data=Data.DETAIL),
    "reports:detail": read(scope=Scope.REPORT, data=Data.DETAIL),
    "reports:photo": read(scope=Scope.REPORT, data=Data.DETAIL),
    "reports:saved": read(scope=Scope.REPORT, data=Data.DETAIL),
    "reports:create": form(WRITERS, data=Data.DETAIL),
    "reports:edit": form(EDITORS, scope=Scope.REPORT_EDIT, data=Data.DETAIL),
    "reports:delete": form(EDITORS, scope=Scope.REPORT_EDIT, data=Data.DETAIL),
    "reports:restore": post(MANAGERS, scope=Scope.DELETED_REPORT, data=Data.DETAIL),
    "reports:check_text": post(WRITERS, note="the personal-data check while typing"),

    # --- Imports
    "imports:upload": form(WRITERS),
    "imports:template": read(WRITERS),
    "imports:detail": read(WRITERS, scope=Scope.OWN_BATCH, data=Data.DETAIL),
    "imports:decide": post(WRITERS, scope=Scope.OWN_BATCH),
    "imports:errors_csv": read(WRITERS, scope=Scope.OWN_BATCH),

    # --- Areas and places
    "areas:list": read(data=Data.AGGREGATE),
    "areas:geojson": read(),
    "areas:detail": read(data=Data.AGGREGATE),
    "areas:place_detail": read(data=Data.AGGREGATE),

    # --- The weekly picture
    "weekly:current": read(data=Data.AGGREGATE),
    "weekly:help": read(),
    "weekly:week": read(data=Data.AGGREGATE),
    "weekly:document": read(data=Data.AGGREGATE),
    "weekly:subscription": form(LOGGED_IN, scope=Scope.SELF),
    "weekly:assessment": post(MANAGERS),
    "weekly:publish": post(MANAGERS),

    # --- Actions
    "actions:list": read(),
    "actions:detail": read(),
    "actions:create": form(MANAGERS),
    "actions:edit": form(FOLLOWERS, scope=Scope.RESPONSIBLE_ORG),
    "actions:photo_add": post(FOLLOWERS, scope=Scope.RESPONSIBLE_ORG),
    "actions:photo": read(),

    # --- The quarterly analysis (reporters have no use for it; the menu hides it from them)
    "quarterly:index": read(READERS, data=Data.AGGREGATE),
    "quarterly:new": form(READERS, ANALYSTS, data=Data.AGGREGATE, note="POST saves the analysis"),
    "quarterly:detail": form(READERS, ANALYSTS, data=Data.AGGREGATE, note="POST: title and conclusions"),
    "quarterly:area": read(READERS, data=Data.AGGREGATE),
    "quarterly:document": read(READERS, data=Data.AGGREGATE),
    "quarterly:hotspots": read(READERS, data=Data.AGGREGATE),
    "quarterly:hotspots_data": read(READERS, data=Data.DETAIL, note="cells from the reports the user may see"),
    "quarterly:patterns": read(READERS, data=Data.AGGREGATE),
    "quarterly:near_repeat": read(READERS, data=Data.DETAIL, note="pairs among the reports the user may see"),

    # --- Place cases
    "cases:list": read(),
    "cases:detail": form(LOGGED_IN, MANAGERS, note="POST: the status buttons"),
    "cases:create": form(MANAGERS),
    "cases:edit": form(MANAGERS),
    "cases:analysis": form(MANAGERS),
    "cases:journal": post(MANAGERS),
    "cases:measure_create": form(MANAGERS),
    "cases:datasheet": read(data=Data.AGGREGATE),
    "cases:report": read(data=Data.AGGREGATE),
    "cases:evaluation": read(data=Data.AGGREGATE),

    # --- Safety walks and questionnaires
    "walks:list": read(),
    "walks:detail": form(LOGGED_IN, EDITORS, note="POST adds an observation"),
    "walks:create": form(MANAGERS),
    "walks:edit": form(MANAGERS),
    "walks:convert_observation": post(MANAGERS),
    "walks:observation_photo": read(),
    "walks:questionnaires": read(MANAGERS),
    "walks:questionnaire_create": form(MANAGERS),
    "walks:questionnaire_detail": form(MANAGERS),
    "walks:questionnaire_edit": form(MANAGERS),
    "walks:paper_entry": form(EDITORS, note="paper answers typed in"),
    "walks:poster": read(MANAGERS),
    "walks:results": form(READERS, MANAGERS, note="POST approves free text for publishing"),
    "walks:feedback_edit": form(MANAGERS),
    "public:answer": form(PUBLIC, note="residents answer anonymously"),
    "public:answer_thanks": read(PUBLIC),
    "public:feedback": read(PUBLIC, scope=Scope.PUBLISHED),
    "public:feedback_pdf": read(PUBLIC, scope=Scope.PUBLISHED),

    # --- The REST API (keys act as a service user of their organisation with the key's role)
    "api_web:guide": read(PUBLIC),
    "api_web:tokens": form(ADMINS, note="lists and makes the keys of the admin's own organisation"),
    "api_web:revoke": post(ADMINS, scope=Scope.OWN_ORG),
    "api:schema": read(PUBLIC),
    "api:docs": read(PUBLIC),
    "api:not_found": Rule({m: PUBLIC for m in ("GET", "POST", "PUT", "PATCH", "DELETE")},
                          note="every unknown address under /api/: a JSON 404 for everyone, whatever the method"),
    "api:me": api({"GET": LOGGED_IN}, scope=Scope.SELF),
    "api:report-list": api({"GET": LOGGED_IN, "POST": WRITERS}, data=Data.DETAIL),
    "api:report-detail": api({"GET": LOGGED_IN, "PATCH": EDITORS, "DELETE": EDITORS}, data=Data.DETAIL,
                             scope={"GET": Scope.REPORT, "PATCH": Scope.REPORT_EDIT, "DELETE": Scope.REPORT_EDIT}),
    "api:report-bulk-list": api({"POST": WRITERS}, data=Data.DETAIL),
    "api:organization-list": api({"GET": LOGGED_IN}),
    "api:organization-detail": api({"GET": LOGGED_IN}),
    "api:category-list": api({"GET": LOGGED_IN}),
    "api:category-detail": api({"GET": LOGGED_IN}),
    "api:area-list": api({"GET": LOGGED_IN}),
    "api:area-detail": api({"GET": LOGGED_IN}),
    "api:place-list": api({"GET": LOGGED_IN}),
    "api:place-detail": api({"GET": LOGGED_IN}),
    "api:weekly": api({"GET": LOGGED_IN}, data=Data.AGGREGATE),
    "api:signals": api({"GET": LOGGED_IN}, data=Data.AGGREGATE),
    "api:analysis-list": api({"GET": READERS}, data=Data.AGGREGATE),
    "api:analysis-detail": api({"GET": READERS}, data=Data.AGGREGATE),
    "api:ranking": api({"GET": READERS}, data=Data.AGGREGATE),
    "api:action-list": api({"GET": LOGGED_IN}),
    "api:action-detail": api({"GET": LOGGED_IN}),
    "api:case-list": api({"GET": LOGGED_IN}),
    "api:case-detail": api({"GET": LOGGED_IN}),
    "api:feedback-list": api({"GET": PUBLIC}, scope=Scope.PUBLISHED),
    "api:feedback-detail": api({"GET": PUBLIC}, scope=Scope.PUBLISHED),

    # --- Open data and Open311 (public; posting to Open311 needs an API key of a role that reports)
    "opendata:index": read(PUBLIC),
    "opendata:csv": read(PUBLIC, data=Data.PUBLIC_AGGREGATE),
    "opendata:geojson": read(PUBLIC, data=Data.PUBLIC_AGGREGATE),
    "open311:discovery": read(PUBLIC, own_errors=True),
    "open311:services": read(PUBLIC, own_errors=True),
    "open311:service": read(PUBLIC, own_errors=True),
    "open311:requests": Rule({"GET": PUBLIC, "POST": frozenset({REPORTER, ANALYST, COORDINATOR})},
                             data=Data.PUBLIC_COARSE, body_key=("POST",), own_errors=True,
                             note="POST: the role of the api_key (keys are never admin)"),
    "open311:request": read(PUBLIC, data=Data.PUBLIC_COARSE, own_errors=True),

    # --- Webhooks
    "webhooks:list": read(MANAGERS, note="the own organisation's endpoints; admins see every one"),
    "webhooks:create": form(MANAGERS),
    "webhooks:detail": read(MANAGERS, scope=Scope.OWN_ORG_OR_ADMIN),
    "webhooks:edit": form(MANAGERS, scope=Scope.OWN_ORG_OR_ADMIN),
    "webhooks:delete": form(MANAGERS, scope=Scope.OWN_ORG_OR_ADMIN),
    "webhooks:rotate": post(MANAGERS, scope=Scope.OWN_ORG_OR_ADMIN),
    "webhooks:test": post(MANAGERS, scope=Scope.OWN_ORG_OR_ADMIN),
    "webhooks:delivery": read(MANAGERS, scope=Scope.OWN_ORG_OR_ADMIN),
    "webhooks:retry": post(MANAGERS, scope=Scope.OWN_ORG_OR_ADMIN),
    # --- Audit log (admins see every report, so its summaries hide nothing from them)
    "audit:log": read(ADMINS, note="every entry, filterable; admins see every report anyway"),
    "audit:export": read(ADMINS, note="the filtered log as CSV or XLSX; the export is itself audited"),
    "audit:verify": read(ADMINS, note="checks the hash chain"),
    # --- Personal data
    "privacy:register": read(ADMINS, note="the register of processing (GDPR art. 30)"),
    "privacy:export_user": form(ADMINS, note="POST: everything stored about a user as ZIP; audited"),
}


def role_of(user) -> str:
    """The role the table knows a user by: anonymous, or the membership role (superusers are admins)."""
    if user is None or not user.is_authenticated:
        return ANONYMOUS
    if user.is_superuser:
        return ADMIN
    return user.role if user.organization_id else ANONYMOUS


def rule_for(view_name: str | None) -> Rule | None:
    return RULES.get(view_name or "")


def allows(user, view_name: str, method: str = "GET") -> bool:
    rule = rule_for(view_name)
    return bool(rule and role_of(user) in rule.roles_for(method))


class PermissionTableMiddleware:
    """Enforces :data:`RULES` for every view outside the API and Django's admin. Deny by default."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if match is None or match.namespace == "admin" or match.app_name == "admin":
            return None
        name = match.view_name
        rule = rule_for(name)
        if rule is None:
            logger.error("No permission rule for the view %r: refused. Add it to samtrygg.core.permissions.", name)
            raise PermissionDenied
        if rule.api or request.method in rule.body_key:
            return None  # the API reads keys itself; samtrygg.api.permissions.TablePermission checks
        roles = rule.roles_for(request.method)
        if not roles:  # a method the URL does not take at all, for anyone
            return None if rule.own_errors else HttpResponseNotAllowed(sorted(rule.methods))
        role = role_of(request.user)
        if role in roles:
            return None
        if role == ANONYMOUS:
            return None if rule.view_logs_in else redirect_to_login(request.get_full_path())
        raise PermissionDenied
