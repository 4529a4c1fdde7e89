"""The API token page: administrators of an organisation make keys (shown once), see them and revoke them."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from samtrygg.api import tokens
from samtrygg.api.models import ApiToken
from samtrygg.audit.models import AuditEntry
from tests.factories import UserFactory

URL = "/api/tokens/"


@pytest.mark.parametrize("role", ["viewer", "reporter", "analyst", "coordinator"])
def test_only_administrators_open_the_page(client, user_factory, role):
    client.force_login(user_factory(role, username=f"u-{role}"))
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"name": "x", "role": "reporter"}).status_code == 403
    assert not ApiToken.objects.exists()


def test_create_shows_the_key_once_and_stores_only_its_hash(client, admin_user, org):
    client.force_login(admin_user)
    response = client.post(URL, {"name": "Felanmälan", "role": "reporter", "expires_on": ""})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    page = response.content.decode()
    key = re.search(r'value="(st_[0-9a-f]{8}_[A-Za-z0-9_-]{43})"', page).group(1)
    token = ApiToken.objects.get()
    assert token.name == "Felanmälan" and token.role == "reporter" and token.organization == org
    assert token.created_by == admin_user and token.expires_at is None
    assert tokens.authenticate(key).pk == token.pk
    # The list afterwards shows the token but never the key.
    again = client.get(URL).content.decode()
    assert "Felanmälan" in again and f"st_{token.prefix}_" in again and key not in again
    assert AuditEntry.objects.filter(object_type="api.apitoken", action="create", actor=admin_user).exists()


def test_expiry_is_the_end_of_the_chosen_day(client, admin_user):
    from datetime import timedelta

    from django.utils import timezone

    client.force_login(admin_user)
    day = timezone.localdate() + timedelta(days=30)
    client.post(URL, {"name": "Tillfällig", "role": "viewer", "expires_on": day.isoformat()})
    expires = timezone.localtime(ApiToken.objects.get().expires_at)
    assert expires.date() == day + timedelta(days=1) and (expires.hour, expires.minute) == (0, 0)


@pytest.mark.parametrize(("data", "field"), [
    ({"name": "", "role": "reporter"}, "name"),
    ({"name": "  ", "role": "reporter"}, "name"),
    ({"name": "x", "role": "admin"}, "role"),
    ({"name": "x", "role": "reporter", "expires_on": "2001-01-01"}, "expires_on"),
    ({"name": "x", "role": "reporter", "expires_on": "i morgon"}, "expires_on"),
    ({"name": "x" * 101, "role": "reporter"}, "name"),
])
def test_bad_input_is_a_form_error(client, admin_user, data, field):
    client.force_login(admin_user)
    response = client.post(URL, data)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert f'id="id_{field}_error"' in response.content.decode()
    assert not ApiToken.objects.exists()


def test_revoke(client, admin_user, org):
    token, key = tokens.create_token(admin_user, organization=org, role="reporter", name="Gammal")
    client.force_login(admin_user)
    response = client.post(reverse("api_web:revoke", args=[token.pk]), follow=True)
    assert response.status_code == 200 and "Gammal" in response.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is not None and token.revoked_by == admin_user
    assert tokens.authenticate(key) is None
    assert client.get(reverse("api_web:revoke", args=[token.pk])).status_code == 405


def test_another_organisations_token_is_not_shown_or_revoked(client, admin_user, police_org):
    police_admin = UserFactory(username="polisadmin", organization=police_org, role="admin")
    token, key = tokens.create_token(police_admin, organization=police_org, role="analyst", name="Polisens nyckel")
    client.force_login(admin_user)
    assert "Polisens nyckel" not in client.get(URL).content.decode()
    assert client.post(reverse("api_web:revoke", args=[token.pk])).status_code == 404
    assert tokens.authenticate(key) is not None


def test_use_is_shown(client, admin_user, org):
    token, key = tokens.create_token(admin_user, organization=org, role="reporter", name="Använd")
    for _ in range(3):
        tokens.authenticate(key)
    client.force_login(admin_user)
    rows = client.get(URL).context["tokens"]
    assert [(t.name, t.recent_requests) for t in rows] == [("Använd", 3)]
    assert rows[0].last_used_at is not None


def test_service_users_are_not_offered_as_case_coordinators(admin_user, org):
    """The key's user is inactive: it never appears where people are chosen (or e-mailed)."""
    from samtrygg.cases.forms import CaseForm

    token, _key = tokens.create_token(admin_user, organization=org, role="coordinator", name="System")
    assert token.service_user not in CaseForm().fields["coordinator"].queryset


def test_guide_is_public_and_links_the_token_page_for_admins(client, admin_user):
    page = client.get("/api/").content.decode()
    assert "/api/v1/docs/" in page and "/api/v1/schema/" in page and "weekly/latest/signals/" in page
    assert 'href="/api/tokens/"' not in page
    client.force_login(admin_user)
    assert 'href="/api/tokens/"' in client.get("/api/").content.decode()


def test_docs_page_has_no_inline_script(client):
    page = client.get("/api/v1/docs/").content.decode()
    assert "swagger-ui-bundle.js" in page and "api/swagger-init.js" in page
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page)
    assert " style=" not in page
