"""Fixtures for the API tests: an organisation with a key per role, a police organisation with its own key,
and a client that sends a key."""

from __future__ import annotations

import json

import pytest
from rest_framework.test import APIClient

from samtrygg.api import tokens
from samtrygg.categories.models import Category, Sensitivity
from tests.factories import PlaceFactory, UserFactory, make_report

TOKEN_ROLES = ["viewer", "reporter", "analyst", "coordinator"]
SECRET_TEXT = "HEMLIG-API-4711"


class KeyClient(APIClient):
    """An APIClient with a key: every request carries `Authorization: Bearer <key>`."""

    def __init__(self, key: str | None = None, **kwargs):
        super().__init__(**kwargs)
        self.key = key
        if key:
            self.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")

    def post_json(self, url, data, **extra):
        return self.post(url, json.dumps(data), content_type="application/json", **extra)

    def patch_json(self, url, data, **extra):
        return self.patch(url, json.dumps(data), content_type="application/json", **extra)


@pytest.fixture
def api_world(db, org, police_org, area, admin_user):
    """Keys for every token role in `org`, a police analyst key, reports (one sensitive, police's)."""
    keys = {}
    key_tokens = {}
    for role in TOKEN_ROLES:
        token, raw = tokens.create_token(admin_user, organization=org, role=role, name=f"{role} key")
        keys[role], key_tokens[role] = raw, token
    police_token, police_raw = tokens.create_token(None, organization=police_org, role="analyst", name="polis")
    keys["police_analyst"], key_tokens["police_analyst"] = police_raw, police_token
    secret_category = Category.objects.create(code="polis_obs", name="Polisens iakttagelse",
                                              sensitivity=Sensitivity.SENSITIVE)
    own_reporter = key_tokens["reporter"].service_user
    own = make_report(own_reporter, description="Klotter på muren")
    colleague = UserFactory(username="kollega", organization=org, role="reporter")
    colleagues = make_report(colleague, description="Kollegans rapport")
    police_reporter = UserFactory(username="polisrapportor", organization=police_org, role="reporter")
    secret = make_report(police_reporter, category_code=secret_category.code, description=SECRET_TEXT,
                         external_id="P-1")
    place = PlaceFactory(code="parken", name="Parken")
    return {"keys": keys, "tokens": key_tokens, "own": own, "colleagues": colleagues, "secret": secret,
            "place": place, "area": area, "org": org, "police_org": police_org,
            "secret_category": secret_category}


@pytest.fixture
def key_client():
    def make(key=None):
        return KeyClient(key)

    return make
