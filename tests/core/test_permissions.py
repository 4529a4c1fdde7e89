"""Every URL of the project × every role × own / other organisation's sensitive report.

A new URL pattern without a row in PERMISSIONS fails `test_every_url_has_a_permission_row`, so no page
can be added without deciding who may open it.
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
from samtrygg.imports.models import ImportBatch
from samtrygg.reports.models import ReportPhoto
from samtrygg.weekly.weeks import IsoWeek
from tests.factories import PlaceFactory, UserFactory, make_report

ROLES = ["anonymous", "viewer", "reporter", "analyst", "coordinator", "admin", "police_analyst"]
LOGGED_IN = set(ROLES) - {"anonymous"}
WRITERS = {"reporter", "analyst", "coordinator", "admin", "police_analyst"}
# Who may open the own-organisation report's edit/delete pages: its reporter, coordinators, admins.
EDITORS = {"reporter", "coordinator", "admin"}
SEES_SECRET = {"admin", "police_analyst"}
SECRET_TEXT = "HEMLIG-IAKTTAGELSE-4711"

# url name -> (kwargs builder name, roles allowed, method)
# Anonymous users are always sent to the login page unless the row says PUBLIC.
PUBLIC = "public"
PERMISSIONS = {
    "home": (None, LOGGED_IN, "get"),
    "login": (None, PUBLIC, "get"),
    "logout": (None, PUBLIC, "post"),
    "set_language": (None, PUBLIC, "post"),
    "accounts:profile": (None, LOGGED_IN, "get"),
    "accounts:password_change": (None, LOGGED_IN, "get"),
    "accounts:password_change_done": (None, LOGGED_IN, "get"),
    # Everyone manages their own second factor; the pages a login passes through are for logged-in users.
    "accounts:two_factor": (None, LOGGED_IN, "get"),
    "accounts:two_factor_setup": (None, LOGGED_IN, "get"),
    "accounts:two_factor_verify": (None, LOGGED_IN, "get"),
    "accounts:recovery_codes": (None, LOGGED_IN, "get"),
    "accounts:two_factor_disable": (None, LOGGED_IN, "post"),
    "accounts:keepalive": (None, LOGGED_IN, "post"),
    # Security settings (2FA per role, resets, lifting login blocks): admins only.
    "accounts:security": (None, {"admin"}, "get"),
    "accounts:security_reset_2fa": ("user", {"admin"}, "post"),
    "accounts:security_unlock": (None, {"admin"}, "post"),
    # The admin's login sends anonymous users to the one login page; logged-in non-admins get 403.
    "admin_login": (None, {"admin"}, "get"),
    # Single sign-on: public (off here, so both send back to the login page).
    "oidc_authentication_init": (None, PUBLIC, "get"),
    "oidc_authentication_callback": (None, PUBLIC, "get"),
    "reports:list": (None, LOGGED_IN, "get"),
    "reports:map": (None, LOGGED_IN, "get"),
    "reports:map_data": (None, LOGGED_IN, "get"),
    "reports:export": ("fmt", LOGGED_IN, "get"),
    "reports:detail": ("own_report", LOGGED_IN, "get"),
    "reports:delete": ("own_report", EDITORS, "get"),
    "reports:restore": ("deleted_report", {"coordinator", "admin"}, "post"),
    "reports:create": (None, WRITERS, "get"),
    "reports:edit": ("own_report", EDITORS, "get"),
    "reports:saved": ("own_report", LOGGED_IN, "get"),
    "reports:check_text": (None, WRITERS, "post"),
    "reports:photo": ("photo", LOGGED_IN, "get"),
    "imports:upload": (None, WRITERS, "get"),
    "imports:template": (None, WRITERS, "get"),
    "imports:detail": ("batch", {"reporter", "admin"}, "get"),
    "imports:decide": ("batch", {"reporter", "admin"}, "post"),
    "imports:errors_csv": ("batch", {"reporter", "admin"}, "get"),
    "areas:list": (None, LOGGED_IN, "get"),
    "areas:geojson": (None, LOGGED_IN, "get"),
    "areas:detail": ("area", LOGGED_IN, "get"),
    "areas:place_detail": ("place", LOGGED_IN, "get"),
    "weekly:document": ("week_document", LOGGED_IN, "get"),
    "weekly:current": (None, LOGGED_IN, "get"),
    "weekly:help": (None, LOGGED_IN, "get"),
    "weekly:week": ("week", LOGGED_IN, "get"),
    "weekly:assessment": ("week", {"coordinator", "admin"}, "post"),
    "weekly:publish": ("week", {"coordinator", "admin"}, "post"),
    "weekly:subscription": (None, LOGGED_IN, "get"),
    "actions:list": (None, LOGGED_IN, "get"),
    "actions:create": (None, {"coordinator", "admin"}, "get"),
    "actions:detail": ("action", LOGGED_IN, "get"),
    # Coordinators and admins edit any action; the responsible organisation's reporters/analysts follow it up.
    "actions:edit": ("action", {"reporter", "analyst", "coordinator", "admin"}, "get"),
    # Quarterly ranking: everyone but reporters reads (the menu hides it from them); saving is tested in
    # tests/quarterly/test_quarterly_views.py (analysts, coordinators, admins).
    "quarterly:index": (None, LOGGED_IN - {"reporter"}, "get"),
    "quarterly:new": (None, LOGGED_IN - {"reporter"}, "get"),
    "quarterly:detail": ("analysis", LOGGED_IN - {"reporter"}, "get"),
    "quarterly:area": ("analysis_area", LOGGED_IN - {"reporter"}, "get"),
    "quarterly:document": ("analysis_document", LOGGED_IN - {"reporter"}, "get"),
    # Hotspot map and its cell data: the quarterly readers (reporters: 403, as the rest of quarterly).
    "quarterly:hotspots": (None, LOGGED_IN - {"reporter"}, "get"),
    "quarterly:hotspots_data": (None, LOGGED_IN - {"reporter"}, "get"),
    # Time patterns and near-repeat: the quarterly readers (reporters: 403).
    "quarterly:patterns": (None, LOGGED_IN - {"reporter"}, "get"),
    "quarterly:near_repeat": (None, LOGGED_IN - {"reporter"}, "get"),
    # Place cases: everyone logged in reads; coordinators and admins open, edit, analyse, journal, add measures.
    "cases:list": (None, LOGGED_IN, "get"),
    "cases:create": (None, {"coordinator", "admin"}, "get"),
    "cases:detail": ("case", LOGGED_IN, "get"),
    "cases:edit": ("case", {"coordinator", "admin"}, "get"),
    "cases:analysis": ("case", {"coordinator", "admin"}, "get"),
    "cases:journal": ("case", {"coordinator", "admin"}, "post"),
    "cases:measure_create": ("case", {"coordinator", "admin"}, "get"),
    # The data sheet and the case report PDF: everyone who may read the case (counts; points only if visible).
    "cases:datasheet": ("case", LOGGED_IN, "get"),
    "cases:report": ("case", LOGGED_IN, "get"),
    # The evaluation: everyone logged in reads (aggregate counts only).
    "cases:evaluation": ("case", LOGGED_IN, "get"),
    # Photos of a measure: uploaded by those who follow the action up, served to everyone logged in.
    "actions:photo_add": ("action", {"reporter", "analyst", "coordinator", "admin"}, "post"),
    "actions:photo": ("action_photo", LOGGED_IN, "get"),
    # Questionnaires: coordinators and admins build; paper answers are typed in by reporters too.
    # Answering is public (no account); the thank-you page too.
    "walks:questionnaires": (None, {"coordinator", "admin"}, "get"),
    "walks:questionnaire_create": (None, {"coordinator", "admin"}, "get"),
    "walks:questionnaire_detail": ("questionnaire", {"coordinator", "admin"}, "get"),
    "walks:questionnaire_edit": ("questionnaire", {"coordinator", "admin"}, "get"),
    "walks:paper_entry": ("questionnaire", {"reporter", "coordinator", "admin"}, "get"),
    "walks:poster": ("questionnaire", {"coordinator", "admin"}, "get"),
    "public:answer": ("questionnaire_slug", PUBLIC, "get"),
    "public:answer_thanks": ("questionnaire_slug", PUBLIC, "get"),
    # Results: analysts, coordinators, admins and viewers read (coordinators/admins approve free text, tested
    # in tests/walks/test_results.py); the feedback editor: coordinators and admins. The published feedback
    # page and its PDF are public (unpublished: 404, tested in tests/walks/test_feedback.py).
    "walks:results": ("questionnaire", {"viewer", "analyst", "coordinator", "admin", "police_analyst"}, "get"),
    "walks:feedback_edit": ("questionnaire", {"coordinator", "admin"}, "get"),
    "public:feedback": ("feedback_slug", PUBLIC, "get"),
    "public:feedback_pdf": ("feedback_slug", PUBLIC, "get"),
    # Safety walks: everyone logged in reads (no names, only organisations and numbers); coordinators and
    # admins record, edit and convert observations; reporters may add observations (POST on the detail page,
    # tested in tests/walks/test_walk_views.py). Observation photos: everyone logged in.
    "walks:list": (None, LOGGED_IN, "get"),
    "walks:create": (None, {"coordinator", "admin"}, "get"),
    "walks:detail": ("walk", LOGGED_IN, "get"),
    "walks:edit": ("walk", {"coordinator", "admin"}, "get"),
    "walks:convert_observation": ("walk_observation", {"coordinator", "admin"}, "post"),
    "walks:observation_photo": ("walk_observation", LOGGED_IN, "get"),
    # The REST API (session login here; keys per role and organisation: tests/api/test_api_permissions.py).
    # Anonymous requests get 401 (not a login redirect). The schema, its Swagger UI, the guide and the
    # published feedback are public; the token page is for administrators.
    "api:schema": (None, PUBLIC, "get"),
    "api:docs": (None, PUBLIC, "get"),
    "api_web:guide": (None, PUBLIC, "get"),
    "api_web:tokens": (None, {"admin"}, "get"),
    "api_web:revoke": ("api_token", {"admin"}, "post"),
    "api:me": (None, LOGGED_IN, "get"),
    "api:report-list": (None, LOGGED_IN, "get"),
    "api:report-detail": ("own_report", LOGGED_IN, "get"),
    "api:report-bulk-list": (None, WRITERS, "post"),
    "api:organization-list": (None, LOGGED_IN, "get"),
    "api:organization-detail": ("api_organization", LOGGED_IN, "get"),
    "api:category-list": (None, LOGGED_IN, "get"),
    "api:category-detail": ("api_category", LOGGED_IN, "get"),
    "api:area-list": (None, LOGGED_IN, "get"),
    "api:area-detail": ("area", LOGGED_IN, "get"),
    "api:place-list": (None, LOGGED_IN, "get"),
    "api:place-detail": ("place", LOGGED_IN, "get"),
    "api:weekly": ("week", LOGGED_IN, "get"),
    "api:signals": ("week", LOGGED_IN, "get"),
    "api:analysis-list": (None, LOGGED_IN - {"reporter"}, "get"),
    "api:analysis-detail": ("analysis", LOGGED_IN - {"reporter"}, "get"),
    "api:ranking": (None, LOGGED_IN - {"reporter"}, "get"),
    "api:action-list": (None, LOGGED_IN, "get"),
    "api:action-detail": ("action", LOGGED_IN, "get"),
    "api:case-list": (None, LOGGED_IN, "get"),
    "api:case-detail": ("case", LOGGED_IN, "get"),
    "api:feedback-list": (None, PUBLIC, "get"),
    "api:feedback-detail": ("feedback_slug", PUBLIC, "get"),
    # Open data: the landing page and its files are public (what they hold: tests/opendata/).
    "opendata:index": (None, PUBLIC, "get"),
    "opendata:csv": (None, PUBLIC, "get"),
    "opendata:geojson": (None, PUBLIC, "get"),
    # Open311 GeoReport v2: reading is public, as the specification has it; posting needs an API key (every
    # token role, another organisation's token and bad keys: tests/open311/test_open311.py).
    "open311:discovery": ("o311", PUBLIC, "get"),
    "open311:services": ("o311", PUBLIC, "get"),
    "open311:service": ("o311_service", PUBLIC, "get"),
    "open311:requests": ("o311", PUBLIC, "get"),
    "open311:request": ("o311_request", PUBLIC, "get"),
    # Webhooks: coordinators manage their organisation's endpoints, admins every one (another organisation's
    # coordinator gets 404: tests/webhooks/test_views.py).
    "webhooks:list": (None, {"coordinator", "admin"}, "get"),
    "webhooks:create": (None, {"coordinator", "admin"}, "get"),
    "webhooks:detail": ("webhook", {"coordinator", "admin"}, "get"),
    "webhooks:edit": ("webhook", {"coordinator", "admin"}, "get"),
    "webhooks:delete": ("webhook", {"coordinator", "admin"}, "get"),
    "webhooks:rotate": ("webhook", {"coordinator", "admin"}, "post"),
    "webhooks:test": ("webhook", {"coordinator", "admin"}, "post"),
    "webhooks:delivery": ("webhook_delivery", {"coordinator", "admin"}, "get"),
    "webhooks:retry": ("webhook_delivery", {"coordinator", "admin"}, "post"),
}
# The same pages for the other organisation's report in a sensitive category.
SECRET_PERMISSIONS = {
    "reports:detail": SEES_SECRET,
    "reports:delete": {"admin"},
    "reports:edit": {"admin"},
    "reports:saved": SEES_SECRET,
    "reports:photo": SEES_SECRET,
    "api:report-detail": SEES_SECRET,
}


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


def test_every_url_has_a_permission_row():
    missing = url_names() - set(PERMISSIONS)
    assert not missing, f"URL patterns without a row in PERMISSIONS: {sorted(missing)}"
    stale = set(PERMISSIONS) - url_names()
    assert not stale, f"rows for URLs that no longer exist: {sorted(stale)}"


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
    own = make_report(users["reporter"], description="Klotter på muren")
    deleted = make_report(users["reporter"], description="Raderad")
    deleted.deleted_at = deleted.occurred_at
    deleted.save()
    secret = make_report(police_reporter, category_code=secret_category.code, description=SECRET_TEXT)
    photos = {}
    for name, report in (("own", own), ("secret", secret)):
        photos[name] = ReportPhoto.objects.create(
            report=report, image=SimpleUploadedFile(f"{name}.png", _png(), content_type="image/png"))
    batch = ImportBatch.objects.create(created_by=users["reporter"], organization=org,
                                       original_name="x.csv", total_rows=0)
    place = PlaceFactory(code="parken", name="Parken")
    action = Action.objects.create(title="Extra rond", responsible=org, start_date=date(2026, 1, 5))
    from samtrygg.actions.models import ActionPhoto
    from samtrygg.cases.models import PlaceCase

    case = PlaceCase.objects.create(title="Parken kvällstid", place=place, problem="Oro",
                                    opened_on=date(2026, 1, 5))
    action_photo = ActionPhoto.objects.create(
        action=action, image=SimpleUploadedFile("before.png", _png(), content_type="image/png"))
    return {"case": case, "action_photo": action_photo,
            "action": action, "users": users, "own": own, "deleted": deleted, "secret": secret, "photos": photos,
            "batch": batch, "area": area, "place": place}


def _kwargs(kind, world, variant):
    if kind in ("analysis", "analysis_area", "analysis_document"):
        from tests.quarterly.data import saved_analysis

        analysis = saved_analysis(world["users"]["analyst"])
        return {"analysis": {"pk": analysis.pk}, "analysis_area": {"pk": analysis.pk, "code": world["area"].code},
                "analysis_document": {"pk": analysis.pk, "fmt": "json"}}[kind]
    report = world["secret" if variant == "secret" else "own"]
    return {
        None: {},
        "fmt": {"fmt": "csv"},
        "user": {"pk": world["users"]["viewer"].pk},
        "own_report": {"pk": report.pk},
        "deleted_report": {"pk": world["deleted"].pk},
        "photo": {"pk": report.pk, "photo_id": world["photos"][variant].pk},
        "batch": {"pk": world["batch"].pk},
        "area": {"code": world["area"].code},
        "place": {"code": world["place"].code},
        "week_document": {"week": str(IsoWeek.last_complete()), "fmt": "json"},
        "week": {"week": str(IsoWeek.last_complete())},
        "action": {"pk": world["action"].pk},
        "case": {"pk": world["case"].pk},
        "action_photo": {"pk": world["action"].pk, "photo_id": world["action_photo"].pk},
        "questionnaire": {"pk": _questionnaire().pk},
        "questionnaire_slug": {"slug": _questionnaire().slug},
        "feedback_slug": {"slug": _published_feedback().questionnaire.slug},
        "walk": {"pk": _walk_observation(world).walk_id},
        "walk_observation": {"pk": _walk_observation(world).walk_id, "obs": _walk_observation(world).pk},
        "api_token": {"pk": _api_token(world).pk},
        "api_organization": {"code": world["users"]["viewer"].organization.code},
        "api_category": {"code": "klotter"},
        "o311": {"fmt": "json"},
        "o311_service": {"code": "klotter", "fmt": "xml"},
        "o311_request": {"pk": str(report.pk), "fmt": "xml"},
        "webhook": {"pk": _webhook_delivery(world).endpoint_id},
        "webhook_delivery": {"pk": _webhook_delivery(world).endpoint_id, "delivery_id": _webhook_delivery(world).pk},
    }[kind]


def _api_token(world):
    from samtrygg.api import tokens

    admin = world["users"]["admin"]
    return tokens.create_token(admin, organization=admin.organization, role="reporter", name="Partner")[0]



def _webhook_delivery(world):
    """An inactive endpoint of the users' organisation with one delivery (inactive: a test message or a
    retry from the matrix never leaves the machine)."""
    from samtrygg.webhooks.models import Delivery, Endpoint

    existing = Delivery.objects.first()
    if existing:
        return existing
    endpoint = Endpoint.objects.create(organization=world["users"]["coordinator"].organization, name="System",
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
    return existing or create_questionnaire(None, title="Trygghet", slug="trygghet")


def _cases():
    for name in sorted(PERMISSIONS):
        for role in ROLES:
            yield name, role, "own"
            if name in SECRET_PERMISSIONS:
                yield name, role, "secret"


@pytest.mark.parametrize(("name", "role", "variant"), list(_cases()))
def test_url_role_matrix(client, world, name, role, variant):
    kind, allowed, method = PERMISSIONS[name]
    if variant == "secret":
        allowed = SECRET_PERMISSIONS[name]
    if role != "anonymous":
        client.force_login(world["users"][role])
    url = reverse(name, kwargs=_kwargs(kind, world, variant))
    api = url.startswith("/api/v1/")
    if method == "post":
        response = client.post(url, "{}", content_type="application/json") if api else client.post(url, {})
    else:
        response = client.get(url)
    status = response.status_code
    assert status < 500, f"{name} as {role}: server error {status}"
    if allowed == PUBLIC:
        assert status in (200, 302, 400), f"{name} as {role}: {status}"
        return
    if role == "anonymous" and api:
        assert status == 401, f"{name} anonymous: {status}"
    elif role == "anonymous":
        assert status == 302 and "/login/" in response["Location"], f"{name} anonymous: {status}"
    elif role in allowed:
        assert status in (200, 204, 302, 400), f"{name} as {role} should be allowed, got {status}"
        if status == 302:
            assert "/login/" not in response["Location"], f"{name} as {role} sent to login"
    else:
        assert status in (403, 404), f"{name} as {role} should be refused, got {status}"


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
