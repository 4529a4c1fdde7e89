"""Every API endpoint × every key role of the own organisation × another organisation's key, and every
kind of bad key. The rules are the web's (reports.access, the quarterly and actions/cases access)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from samtrygg.actions.models import Action
from samtrygg.api import tokens
from samtrygg.api.models import ApiToken
from samtrygg.cases.models import PlaceCase
from samtrygg.weekly.weeks import IsoWeek
from tests.factories import make_report

from .conftest import KeyClient

ROLES = ["viewer", "reporter", "analyst", "coordinator", "police_analyst"]
ALL = set(ROLES)
WRITERS = {"reporter", "analyst", "coordinator", "police_analyst"}
QUARTERLY = ALL - {"reporter"}
NEW_REPORT = {"occurred_at": "2026-01-05T10:00", "category": "klotter", "lat": 59.8586, "lon": 17.6389}


def _analysis(world):
    from tests.quarterly.data import saved_analysis

    return saved_analysis(world["tokens"]["analyst"].service_user)


def _action(world):
    return Action.objects.create(title="Extra rond", responsible=world["org"], start_date=date(2026, 1, 5))


def _case(world):
    return PlaceCase.objects.create(title="Parken", place=world["place"], problem="Oro", opened_on=date(2026, 1, 5))


def _feedback_slug(world):
    from tests.core.test_permissions import _published_feedback

    return _published_feedback().questionnaire.slug


def _own_report(world):
    """A fresh report made with the reporter key's service user (so a delete in one role leaves the next)."""
    return make_report(world["tokens"]["reporter"].service_user, description="Eget")


def _colleagues_report(world):
    return make_report(world["colleagues"].created_by, description="Kollegans")


WEEK = str(IsoWeek.last_complete())

# name -> (method, url builder, body, roles allowed, status when allowed)
# Refused: 403 when the object is visible but the role may not; 404 when the object is not visible.
ENDPOINTS = {
    "me": ("get", lambda w: "/api/v1/me/", None, ALL, 200),
    "reports list": ("get", lambda w: "/api/v1/reports/", None, ALL, 200),
    "reports list geojson": ("get", lambda w: "/api/v1/reports/?format=geojson", None, ALL, 200),
    "report": ("get", lambda w: f"/api/v1/reports/{w['own'].pk}/", None, ALL, 200),
    "report create": ("post", lambda w: "/api/v1/reports/", NEW_REPORT, WRITERS, 201),
    "report change own": ("patch", lambda w: f"/api/v1/reports/{_own_report(w).pk}/", {"quantity": 2},
                          {"reporter", "coordinator"}, 200),
    "report change colleague's": ("patch", lambda w: f"/api/v1/reports/{_colleagues_report(w).pk}/",
                                  {"quantity": 2}, {"coordinator"}, 200),
    "report delete own": ("delete", lambda w: f"/api/v1/reports/{_own_report(w).pk}/", None,
                          {"reporter", "coordinator"}, 204),
    "report delete colleague's": ("delete", lambda w: f"/api/v1/reports/{_colleagues_report(w).pk}/", None,
                                  {"coordinator"}, 204),
    "bulk": ("post", lambda w: "/api/v1/reports/bulk/", {"reports": [NEW_REPORT]}, WRITERS, 201),
    "organizations": ("get", lambda w: "/api/v1/organizations/", None, ALL, 200),
    "organization": ("get", lambda w: "/api/v1/organizations/kommunen/", None, ALL, 200),
    "categories": ("get", lambda w: "/api/v1/categories/", None, ALL, 200),
    "category": ("get", lambda w: "/api/v1/categories/klotter/", None, ALL, 200),
    "areas": ("get", lambda w: "/api/v1/areas/?format=geojson", None, ALL, 200),
    "area": ("get", lambda w: "/api/v1/areas/centrum/", None, ALL, 200),
    "places": ("get", lambda w: "/api/v1/places/", None, ALL, 200),
    "place": ("get", lambda w: "/api/v1/places/parken/?format=geojson", None, ALL, 200),
    "weekly picture": ("get", lambda w: f"/api/v1/weekly/{WEEK}/", None, ALL, 200),
    "signals": ("get", lambda w: "/api/v1/weekly/latest/signals/", None, ALL, 200),
    "analyses": ("get", lambda w: "/api/v1/quarterly/analyses/", None, QUARTERLY, 200),
    "analysis": ("get", lambda w: f"/api/v1/quarterly/analyses/{_analysis(w).pk}/", None, QUARTERLY, 200),
    "ranking": ("get", lambda w: "/api/v1/quarterly/ranking/", None, QUARTERLY, 200),
    "actions": ("get", lambda w: "/api/v1/actions/", None, ALL, 200),
    "action": ("get", lambda w: f"/api/v1/actions/{_action(w).pk}/?format=geojson", None, ALL, 200),
    "cases": ("get", lambda w: "/api/v1/cases/?format=geojson", None, ALL, 200),
    "case": ("get", lambda w: f"/api/v1/cases/{_case(w).pk}/", None, ALL, 200),
    "feedback list": ("get", lambda w: "/api/v1/feedback/", None, ALL, 200),
    "feedback": ("get", lambda w: f"/api/v1/feedback/{_feedback_slug(w)}/", None, ALL, 200),
}
PUBLIC = {"feedback list", "feedback"}


def _call(client, method, url, body):
    if method in ("post", "patch"):
        return getattr(client, f"{method}_json")(url, body)
    return getattr(client, method)(url)


@pytest.mark.parametrize("name", sorted(ENDPOINTS))
def test_endpoint_role_matrix(api_world, name):
    method, url_for, body, allowed, ok = ENDPOINTS[name]
    for role in ROLES:
        response = _call(KeyClient(api_world["keys"][role]), method, url_for(api_world), body)
        expected = ok if role in allowed else 403
        assert response.status_code == expected, f"{name} with a {role} key: {response.status_code} " \
                                                 f"{response.content[:300]}"
        if response.status_code >= 400:
            assert response["Content-Type"].startswith("application/json")
            assert response.json()["errors"][0]["message"]


@pytest.mark.parametrize("name", sorted(ENDPOINTS))
def test_no_key_or_a_bad_key_is_401(api_world, name):
    method, url_for, body, _allowed, ok = ENDPOINTS[name]
    revoked, revoked_key = tokens.create_token(None, organization=api_world["org"], role="coordinator", name="r")
    tokens.revoke_token(None, revoked)
    expired, expired_key = tokens.create_token(None, organization=api_world["org"], role="coordinator", name="e")
    ApiToken.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    good = api_world["keys"]["coordinator"]
    bad_keys = {"revoked": revoked_key, "expired": expired_key, "unknown": "st_0badc0de_" + "x" * 43,
                "altered": good[:-1] + ("y" if good[-1] != "y" else "z"), "malformed": "hello"}
    for label, key in bad_keys.items():
        response = _call(KeyClient(key), method, url_for(api_world), body)
        assert response.status_code == 401, f"{name} with a {label} key: {response.status_code}"
        assert response["WWW-Authenticate"].startswith("Bearer")
        assert response.json()["errors"][0]["code"] in ("invalid_token", "authentication_failed")
    anonymous = _call(KeyClient(), method, url_for(api_world), body)
    if name in PUBLIC:
        assert anonymous.status_code == ok
    else:
        assert anonymous.status_code == 401, f"{name} without a key: {anonymous.status_code}"
        assert anonymous.json()["errors"][0]["code"] == "not_authenticated"


SECRET_ENDPOINTS = {
    "get": ("get", None),
    "patch": ("patch", {"quantity": 3}),
    "delete": ("delete", None),
    "geojson": ("get", None),
}


@pytest.mark.parametrize("operation", sorted(SECRET_ENDPOINTS))
def test_another_organisations_sensitive_report_is_404_for_own_keys(api_world, operation):
    """The police's report in a sensitive category does not exist for the municipality's keys."""
    method, body = SECRET_ENDPOINTS[operation]
    url = f"/api/v1/reports/{api_world['secret'].pk}/" + ("?format=geojson" if operation == "geojson" else "")
    from samtrygg.core.permissions import RULES

    for role in ["viewer", "reporter", "analyst", "coordinator"]:
        response = _call(KeyClient(api_world["keys"][role]), method, url, body)
        # A role that may not use the method at all is refused before any report is looked up (403 for every
        # id, so it tells nothing); a role that may, finds no such report.
        expected = 404 if role in RULES["api:report-detail"].roles_for(method) else 403
        assert response.status_code == expected, f"{operation} as {role}: {response.status_code}"
        assert b"HEMLIG" not in response.content and b"P-1" not in response.content
    # The police analyst sees it (own organisation) but may not change it (analysts do not edit).
    police = KeyClient(api_world["keys"]["police_analyst"])
    assert _call(police, method, url, body).status_code == (200 if method == "get" else 403)
    api_world["secret"].refresh_from_db()
    assert api_world["secret"].deleted_at is None and api_world["secret"].quantity == 1


def test_a_key_acts_only_for_its_own_organisation(api_world):
    """A report created with the police key belongs to the police, whatever the body says."""
    police = KeyClient(api_world["keys"]["police_analyst"])
    created = police.post_json("/api/v1/reports/", NEW_REPORT)
    assert created.status_code == 201 and created.json()["organization"] == "polisen"
    # The bulk import refuses rows for another organisation (as the web import does for non-admins).
    answer = police.post_json("/api/v1/reports/bulk/", {"reports": [{**NEW_REPORT, "organization": "kommunen"}]})
    assert answer.status_code == 400
    assert answer.json()["errors"][0]["field"] == "reports[0]" and "kommunen" in answer.json()["errors"][0]["message"]
