"""The permission table of samtrygg.core.permissions against the running application: every URL of the
project × every method it allows × every role and the public × objects of the user's own organisation, of
another organisation and another organisation's report in a sensitive category.

A new URL pattern without a rule fails `test_every_url_has_a_rule_in_the_permission_table` (and is refused
at run time), so no page can be added without deciding who may open it.
"""

from __future__ import annotations

import io
import json
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from PIL import Image

from samtrygg.actions.models import Action
from samtrygg.categories.models import Category, Sensitivity
from samtrygg.core.permissions import PUBLIC, RULES, Scope
from samtrygg.imports.models import ImportBatch
from samtrygg.reports.models import ReportPhoto
from samtrygg.weekly.weeks import IsoWeek
from tests.factories import PlaceFactory, UserFactory, make_report

ROLES = ["anonymous", "viewer", "reporter", "analyst", "coordinator", "admin", "police_analyst"]
SECRET_TEXT = "HEMLIG-IAKTTAGELSE-4711"
UNKNOWN_API_URL = "/api/v1/no-such-resource/"  # api:not_found catches every address nothing else takes

# How the test reaches each URL: the object its kwargs name (built for each variant by _kwargs). Who may
# open it is the table's business: samtrygg.core.permissions.RULES.
CALLS = {
    "home": None, "login": None, "logout": None, "set_language": None, "admin_login": None,
    "admin_password_change": None, "api:not_found": "api_unknown",
    "oidc_authentication_init": None, "oidc_authentication_callback": None,
    "accounts:profile": None, "accounts:password_change": None, "accounts:password_change_done": None,
    "accounts:two_factor": None, "accounts:two_factor_setup": None, "accounts:two_factor_verify": None,
    "accounts:recovery_codes": None, "accounts:two_factor_disable": None, "accounts:keepalive": None,
    "accounts:security": None, "accounts:security_reset_2fa": "user", "accounts:security_unlock": None,
    "reports:list": None, "reports:map": None, "reports:map_data": None, "reports:export": "fmt",
    "reports:detail": "report", "reports:photo": "photo", "reports:saved": "report", "reports:create": None,
    "reports:edit": "report", "reports:delete": "report", "reports:restore": "deleted_report",
    "reports:check_text": None,
    "imports:upload": None, "imports:template": None, "imports:detail": "batch", "imports:decide": "batch",
    "imports:errors_csv": "batch",
    "areas:list": None, "areas:geojson": None, "areas:detail": "area", "areas:place_detail": "place",
    "weekly:current": None, "weekly:help": None, "weekly:week": "week", "weekly:document": "week_document",
    "weekly:subscription": None, "weekly:assessment": "week", "weekly:publish": "week",
    "actions:list": None, "actions:detail": "action", "actions:create": None, "actions:edit": "action",
    "actions:photo_add": "action", "actions:photo": "action_photo",
    "quarterly:index": None, "quarterly:new": None, "quarterly:detail": "analysis", "quarterly:area": "analysis_area",
    "quarterly:document": "analysis_document", "quarterly:hotspots": None, "quarterly:hotspots_data": None,
    "quarterly:patterns": None, "quarterly:near_repeat": None,
    "cases:list": None, "cases:detail": "case", "cases:create": None, "cases:edit": "case",
    "cases:analysis": "case", "cases:journal": "case", "cases:measure_create": "case", "cases:datasheet": "case",
    "cases:report": "case", "cases:evaluation": "case",
    "walks:list": None, "walks:detail": "walk", "walks:create": None, "walks:edit": "walk",
    "walks:convert_observation": "walk_observation", "walks:observation_photo": "walk_observation",
    "walks:questionnaires": None, "walks:questionnaire_create": None, "walks:questionnaire_detail": "questionnaire",
    "walks:questionnaire_edit": "questionnaire", "walks:paper_entry": "questionnaire",
    "walks:poster": "questionnaire", "walks:results": "questionnaire", "walks:feedback_edit": "questionnaire",
    "public:answer": "questionnaire_slug", "public:answer_thanks": "questionnaire_slug",
    "public:feedback": "feedback_slug", "public:feedback_pdf": "feedback_slug",
    "api_web:guide": None, "api_web:tokens": None, "api_web:revoke": "api_token",
    "api:schema": None, "api:docs": None, "api:me": None, "api:report-list": None, "api:report-detail": "report",
    "api:report-bulk-list": None, "api:organization-list": None, "api:organization-detail": "api_organization",
    "api:category-list": None, "api:category-detail": "api_category", "api:area-list": None,
    "api:area-detail": "area", "api:place-list": None, "api:place-detail": "place", "api:weekly": "week",
    "api:signals": "week", "api:analysis-list": None, "api:analysis-detail": "analysis", "api:ranking": None,
    "api:action-list": None, "api:action-detail": "action", "api:case-list": None, "api:case-detail": "case",
    "api:feedback-list": None, "api:feedback-detail": "feedback_slug",
    "opendata:index": None, "opendata:csv": None, "opendata:geojson": None,
    "open311:discovery": "o311", "open311:services": "o311", "open311:service": "o311_service",
    "open311:requests": "o311", "open311:request": "o311_request",
    "webhooks:list": None, "webhooks:create": None, "webhooks:detail": "webhook", "webhooks:edit": "webhook",
    "webhooks:delete": "webhook", "webhooks:rotate": "webhook", "webhooks:test": "webhook",
    "webhooks:delivery": "webhook_delivery", "webhooks:retry": "webhook_delivery",
    "audit:log": None, "audit:export": "fmt", "audit:verify": None,
    "privacy:register": None, "privacy:export_user": None,
}

# The objects each scope is tried with: the user's own organisation's ("own"), another organisation's
# ("other") and another organisation's report in a sensitive category ("secret").
VARIANTS = {
    Scope.REPORT: ("own", "secret"),
    Scope.REPORT_EDIT: ("own", "other", "secret"),
    Scope.OWN_BATCH: ("own", "other"),
    Scope.RESPONSIBLE_ORG: ("own", "other"),
    Scope.OWN_ORG: ("own", "other"),
    Scope.OWN_ORG_OR_ADMIN: ("own", "other"),
}
OWNER = {"own": "kommunen", "other": "polisen", "secret": "polisen"}
CREATOR = {"own": "r", "other": "pr", "secret": "pr"}


def scope_allows(scope: Scope, who: str, variant: str) -> bool:
    """What each scope promises (its docstring in samtrygg.core.permissions), for the test's users: the
    municipality's viewer, reporter "r", analyst, coordinator and admin, and the police's analyst (the police
    may see sensitive categories). Objects of "other" and "secret" belong to the police; "r"/"pr" made them."""
    role = "analyst" if who == "police_analyst" else who
    org, username = ("polisen", "pa") if who == "police_analyst" else ("kommunen", {"reporter": "r"}.get(who))
    same_org = org == OWNER[variant]
    admin = role == "admin"
    sensitive = variant == "secret"
    sees_sensitive = admin or same_org or (org == "polisen" and role in ("coordinator", "analyst"))
    visible = not sensitive or sees_sensitive
    if scope is Scope.REPORT:
        return visible
    if scope is Scope.REPORT_EDIT:
        return visible and (role in ("coordinator", "admin") or (role == "reporter" and username == CREATOR[variant]))
    if scope is Scope.DELETED_REPORT:
        return role in ("coordinator", "admin")
    if scope is Scope.OWN_BATCH:
        return admin or username == CREATOR[variant]
    if scope is Scope.RESPONSIBLE_ORG:
        return role in ("coordinator", "admin") or same_org
    if scope is Scope.OWN_ORG:
        return same_org
    if scope is Scope.OWN_ORG_OR_ADMIN:
        return admin or same_org
    return True


def url_names() -> set[str]:
    names = set()

    def walk(patterns, namespace=None):
        for p in patterns:
            if isinstance(p, URLResolver):
                if p.namespace == "admin":
                    continue
                walk(p.url_patterns, p.namespace or namespace)
            elif isinstance(p, URLPattern) and p.name:
                names.add(f"{namespace}:{p.name}" if namespace else p.name)

    walk(get_resolver().url_patterns)
    return names


def test_every_url_has_a_rule_in_the_permission_table():
    missing = url_names() - set(RULES)
    assert not missing, f"URL patterns without a rule in samtrygg.core.permissions.RULES: {sorted(missing)}"
    stale = set(RULES) - url_names()
    assert not stale, f"rules for URLs that no longer exist: {sorted(stale)}"
    assert set(CALLS) == url_names(), f"URLs the matrix test cannot reach: {sorted(url_names() ^ set(CALLS))}"
    for name, rule in RULES.items():
        assert rule.methods and all(rule.methods.values()) or name == "", f"{name}: a method nobody may use"
        assert all(set(roles) <= PUBLIC for roles in rule.methods.values()), f"{name}: unknown role"


def test_a_view_without_a_rule_is_refused(client, db, user_factory, settings):
    """Deny by default: a page someone forgot to put in the table is closed, even to admins."""
    from django.urls import path

    from samtrygg import urls

    settings.ROOT_URLCONF = type("Urls", (), {"urlpatterns": [
        path("unlisted/", lambda request: __import__("django.http").http.HttpResponse("open"), name="unlisted"),
        *urls.urlpatterns]})
    client.force_login(user_factory("admin"))
    assert client.get("/unlisted/").status_code == 403
    assert client.get("/").status_code == 200


def _png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buf, "PNG")
    return buf.getvalue()


@pytest.fixture
def world(db, org, police_org, area):
    users = {
        "viewer": UserFactory(username="l", organization=org, role="viewer"),
        "reporter": UserFactory(username="r", organization=org, role="reporter"),
        "analyst": UserFactory(username="a", organization=org, role="analyst"),
        "coordinator": UserFactory(username="c", organization=org, role="coordinator"),
        "admin": UserFactory(username="adm", organization=org, role="admin"),
        "police_analyst": UserFactory(username="pa", organization=police_org, role="analyst"),
    }
    police_reporter = UserFactory(username="pr", organization=police_org, role="reporter")
    secret_category = Category.objects.create(code="polis_obs", name="Polisens iakttagelse",
                                              sensitivity=Sensitivity.SENSITIVE)
    reports = {"own": make_report(users["reporter"], description="Klotter på muren"),
               "other": make_report(police_reporter, description="Polisens klotter"),
               "secret": make_report(police_reporter, category_code=secret_category.code, description=SECRET_TEXT)}
    deleted = make_report(users["reporter"], description="Raderad")
    deleted.deleted_at = deleted.occurred_at
    deleted.save()
    photos = {name: ReportPhoto.objects.create(
        report=report, image=SimpleUploadedFile(f"{name}.png", _png(), content_type="image/png"))
        for name, report in reports.items()}
    batches = {"own": ImportBatch.objects.create(created_by=users["reporter"], organization=org,
                                                 original_name="x.csv", total_rows=0),
               "other": ImportBatch.objects.create(created_by=police_reporter, organization=police_org,
                                                   original_name="p.csv", total_rows=0)}
    place = PlaceFactory(code="parken", name="Parken")
    actions = {"own": Action.objects.create(title="Extra rond", responsible=org, start_date=date(2026, 1, 5)),
               "other": Action.objects.create(title="Polisrond", responsible=police_org, start_date=date(2026, 1, 5))}
    from samtrygg.actions.models import ActionPhoto
    from samtrygg.cases.models import PlaceCase

    case = PlaceCase.objects.create(title="Parken kvällstid", place=place, problem="Oro",
                                    opened_on=date(2026, 1, 5))
    action_photo = ActionPhoto.objects.create(
        action=actions["own"], image=SimpleUploadedFile("before.png", _png(), content_type="image/png"))
    return {"case": case, "action_photo": action_photo, "actions": actions, "users": users, "reports": reports,
            "own": reports["own"], "secret": reports["secret"], "deleted": deleted, "photos": photos,
            "batches": batches, "area": area, "place": place, "orgs": {"own": org, "other": police_org}}


def _kwargs(kind, world, variant):
    if kind in ("analysis", "analysis_area", "analysis_document"):
        from tests.quarterly.data import saved_analysis

        analysis = saved_analysis(world["users"]["analyst"])
        return {"analysis": {"pk": analysis.pk}, "analysis_area": {"pk": analysis.pk, "code": world["area"].code},
                "analysis_document": {"pk": analysis.pk, "fmt": "json"}}[kind]
    report = world["reports"][variant]
    builders = {
        None: lambda: {},
        "api_unknown": lambda: {},
        "fmt": lambda: {"fmt": "csv"},
        "user": lambda: {"pk": world["users"]["viewer"].pk},
        "report": lambda: {"pk": report.pk},
        "deleted_report": lambda: {"pk": world["deleted"].pk},
        "photo": lambda: {"pk": report.pk, "photo_id": world["photos"][variant].pk},
        "batch": lambda: {"pk": world["batches"][variant].pk},
        "area": lambda: {"code": world["area"].code},
        "place": lambda: {"code": world["place"].code},
        "week_document": lambda: {"week": str(IsoWeek.last_complete()), "fmt": "json"},
        "week": lambda: {"week": str(IsoWeek.last_complete())},
        "action": lambda: {"pk": world["actions"][variant].pk},
        "case": lambda: {"pk": world["case"].pk},
        "action_photo": lambda: {"pk": world["actions"]["own"].pk, "photo_id": world["action_photo"].pk},
        "questionnaire": lambda: {"pk": _questionnaire().pk},
        "questionnaire_slug": lambda: {"slug": _questionnaire().slug},
        "feedback_slug": lambda: {"slug": _published_feedback().questionnaire.slug},
        "walk": lambda: {"pk": _walk_observation(world).walk_id},
        "walk_observation": lambda: {"pk": _walk_observation(world).walk_id, "obs": _walk_observation(world).pk},
        "api_token": lambda: {"pk": _api_token(world, variant).pk},
        "api_organization": lambda: {"code": world["orgs"]["own"].code},
        "api_category": lambda: {"code": "klotter"},
        "o311": lambda: {"fmt": "json"},
        "o311_service": lambda: {"code": "klotter", "fmt": "xml"},
        "o311_request": lambda: {"pk": str(report.pk), "fmt": "xml"},
        "webhook": lambda: {"pk": _webhook_delivery(world, variant).endpoint_id},
        "webhook_delivery": lambda: {"pk": _webhook_delivery(world, variant).endpoint_id,
                                     "delivery_id": _webhook_delivery(world, variant).pk},
    }
    return builders[kind]()


def _api_token(world, variant):
    from samtrygg.api import tokens

    organization = world["orgs"][variant]
    return tokens.create_token(None, organization=organization, role="reporter", name="Partner")[0]


def _webhook_delivery(world, variant):
    """An inactive endpoint of the variant's organisation with one delivery (inactive: a test message or a
    retry from the matrix never leaves the machine)."""
    from samtrygg.webhooks.models import Delivery, Endpoint

    organization = world["orgs"][variant]
    existing = Delivery.objects.filter(endpoint__organization=organization).first()
    if existing:
        return existing
    endpoint = Endpoint.objects.create(organization=organization, name="System",
                                       url="https://hooks.example.se/in", is_active=False)
    return Delivery.objects.create(endpoint=endpoint, event="ping", event_key="ping", payload="{}")


def _walk_observation(world):
    from samtrygg.walks.models import Observation, SafetyWalk

    existing = Observation.objects.first()
    if existing:
        return existing
    walk = SafetyWalk.objects.create(title="Vandring", area=world["area"], walked_on=date(2026, 1, 5))
    return Observation.objects.create(
        walk=walk, lat=59.85, lon=17.64, category=Category.objects.get(code="klotter"), comment="Klotter",
        photo=SimpleUploadedFile("obs.png", _png(), content_type="image/png"))


def _published_feedback():
    from django.utils import timezone

    from samtrygg.walks.models import Feedback

    feedback, _ = Feedback.objects.get_or_create(questionnaire=_questionnaire(), area=None)
    if not feedback.published_at:
        feedback.published_at = timezone.now()
        feedback.save()
    return feedback


def _questionnaire():
    from samtrygg.walks.models import Questionnaire
    from samtrygg.walks.questionnaires import create_questionnaire

    existing = Questionnaire.objects.filter(slug="trygghet").first()
    if existing:
        return existing
    questionnaire = create_questionnaire(None, title="Trygghet", slug="trygghet")
    Questionnaire.objects.filter(pk=questionnaire.pk).update(is_open=True)  # residents can answer it
    questionnaire.refresh_from_db()
    return questionnaire


def _cases():
    for name in sorted(RULES):
        rule = RULES[name]
        for method in sorted(rule.methods):
            for variant in VARIANTS.get(rule.scope_for(method), ("own",)):
                yield name, method, variant


@pytest.mark.parametrize(("name", "method", "variant"), list(_cases()))
def test_url_role_matrix(world, name, method, variant):
    """Each URL × method × own/other organisation's object × every role: the answer the table promises.
    Each role's request runs in a transaction that is rolled back, so every role meets the same world."""
    from django.db import transaction
    from django.test import Client

    failures = []
    for role in ROLES:
        with transaction.atomic():
            problem = _check(Client(), world, name, method, role, variant)
            transaction.set_rollback(True)
        if problem:
            failures.append(problem)
    assert not failures, "\n".join(failures)


def _check(client, world, name, method, role, variant) -> str | None:
    rule = RULES[name]
    who = "analyst" if role == "police_analyst" else role
    allowed = who in rule.roles_for(method) and (role == "anonymous" or scope_allows(rule.scope_for(method),
                                                                                     role, variant))
    if role != "anonymous":
        client.force_login(world["users"][role])
    url = (UNKNOWN_API_URL if CALLS[name] == "api_unknown"
           else reverse(name, kwargs=_kwargs(CALLS[name], world, variant)))
    what = f"{method} {name} ({variant}) as {role}"
    if method in rule.body_key:
        # The role is the API key's: a key of the user's organisation and role (keys are never admin).
        body = {}
        if who in ("reporter", "analyst", "coordinator", "viewer"):
            from samtrygg.api import tokens

            user = world["users"][role]
            body["api_key"] = tokens.create_token(None, organization=user.organization, role=who, name="k")[1]
        client.logout()
        response = client.post(url, body)
        if who not in rule.roles_for(method):
            return None if response.status_code == 403 else f"{what} key: {response.status_code}, not 403"
    elif rule.api and method in ("POST", "PATCH"):
        response = getattr(client, method.lower())(url, "{}", content_type="application/json")
    elif method == "POST":
        response = client.post(url, {})
    else:
        response = getattr(client, method.lower())(url)
    status = response.status_code
    if status >= 500:
        return f"{what}: server error {status}"
    if name == "api:not_found":
        return None if status == 404 and response["Content-Type"].startswith("application/") else f"{what}: {status}"
    if allowed:
        if status not in (200, 201, 204, 302, 400, 409):
            return f"{what} should be allowed, got {status}"
        if status == 302 and "/login/" in response["Location"] and name not in (
                "logout", "oidc_authentication_init", "oidc_authentication_callback"):
            return f"{what} sent to login"
    elif role == "anonymous":
        if rule.api and status != 401:
            return f"{what}: {status}, not 401"
        if not rule.api and not (status == 302 and "/login/" in response["Location"]):
            return f"{what}: {status}, not sent to login"
    elif status not in (403, 404):
        return f"{what} should be refused, got {status}"
    return None


LISTING_URLS = ["/", "/reports/", "/reports/?q=HEMLIG", "/reports/map/data/", "/reports/export/csv/",
                "/reports/export/geojson/", "/areas/", "/areas/centrum/", "/api/v1/reports/",
                "/api/v1/reports/?q=HEMLIG", "/api/v1/reports/?format=geojson",
                "/open311/v2/requests.xml", "/oppna-data/handelser-per-omrade-och-manad.csv"]


@pytest.mark.parametrize("role", ["viewer", "reporter", "analyst", "coordinator"])
@pytest.mark.parametrize("url", LISTING_URLS)
def test_sensitive_report_never_leaks_in_listings(client, world, role, url):
    client.force_login(world["users"][role])
    response = client.get(url)
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert SECRET_TEXT.encode() not in body
    assert f"/reports/{world['secret'].pk}/".encode() not in body
    if url.startswith("/reports/map/data/"):
        ids = {f["properties"].get("id") for f in json.loads(body)["features"]}
        assert world["secret"].pk not in ids


@pytest.mark.parametrize("url", ["/reports/?q=HEMLIG", "/reports/export/csv/"])
def test_police_analyst_sees_the_sensitive_report(client, world, url):
    client.force_login(world["users"]["police_analyst"])
    response = client.get(url)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert SECRET_TEXT.encode() in body
