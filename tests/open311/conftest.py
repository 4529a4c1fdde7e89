"""Shared data for the Open311 tests: a district with a place, API tokens of two organisations."""

from __future__ import annotations

import pytest

from samtrygg.api.tokens import create_token
from samtrygg.categories.models import Category, Sensitivity
from tests.factories import CENTRE_X, CENTRE_Y, OrganizationFactory, PlaceFactory, UserFactory


@pytest.fixture
def o311(db, org, area):
    admin = UserFactory(username="admin311", organization=org, role="admin")
    other = OrganizationFactory(code="bostad", name="Bostadsbolaget")
    place = PlaceFactory(code="parken", name="Parken", area=area)
    secret = Category.objects.create(code="polis_obs", name="Polisens iakttagelse",
                                     sensitivity=Sensitivity.SENSITIVE)
    keys = {}
    for role in ("reporter", "analyst", "coordinator", "viewer"):
        keys[role] = create_token(admin, organization=org, role=role, name=f"System {role}")[1]
    other_token, keys["other"] = create_token(admin, organization=other, role="reporter", name="Bostadsbolaget")
    return {"org": org, "other": other, "area": area, "place": place, "secret": secret, "keys": keys,
            "x": CENTRE_X, "y": CENTRE_Y, "reporter": UserFactory(username="r311", organization=org)}
