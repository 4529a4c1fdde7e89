"""API tokens: hashing, shown once, expiry, revocation, organisation, use recorded, the service user."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.contrib.auth import authenticate as password_authenticate
from django.test import RequestFactory
from django.utils import timezone

from samtrygg.api import tokens
from samtrygg.api.models import ApiToken, ApiTokenUsage
from samtrygg.audit.models import AuditEntry
from samtrygg.reports import access


@pytest.fixture
def made(org, admin_user):
    return tokens.create_token(admin_user, organization=org, role="reporter", name="Fastighetsbolaget")


def test_key_is_random_and_only_its_hash_is_stored(made):
    token, raw = made
    assert raw.startswith(f"st_{token.prefix}_")
    assert token.key_hash == hashlib.sha256(raw.encode()).hexdigest()
    stored = ApiToken.objects.filter(pk=token.pk).values()[0]
    assert raw not in {str(v) for v in stored.values()}
    assert raw.split("_", 2)[2] not in str(stored)
    _, other = tokens.create_token(None, organization=token.organization, role="viewer", name="B")
    assert other != raw and len(raw.split("_", 2)[2]) == 43


def test_authenticate_returns_the_token_and_its_service_user(made, org):
    token, raw = made
    found = tokens.authenticate(raw)
    assert found is not None and found.pk == token.pk
    user = found.service_user
    assert user.organization_id == org.pk and user.role == "reporter"
    assert not user.has_usable_password() and not user.is_active and not user.is_superuser
    # The existing permission functions treat it like any reporter of the organisation.
    assert access.can_report(user) and not access.can_see_deleted(user)


@pytest.mark.parametrize("bad", ["", "st_", "nonsense", "Token x", "st_0000000_" + "a" * 43])
def test_malformed_keys_are_refused(made, bad):
    assert tokens.authenticate(bad) is None


def test_wrong_secret_with_a_real_prefix_is_refused(made):
    token, raw = made
    wrong = raw[:-1] + ("A" if raw[-1] != "A" else "B")
    assert tokens.authenticate(wrong) is None


def test_expired_token_is_refused(org):
    token, raw = tokens.create_token(None, organization=org, role="viewer", name="Kort",
                                     expires_at=timezone.now() + timedelta(seconds=60))
    assert tokens.authenticate(raw) is not None
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert tokens.authenticate(raw) is None


def test_revoked_token_is_refused_and_revocation_is_audited(made, admin_user):
    token, raw = made
    assert tokens.revoke_token(admin_user, token) is True
    assert tokens.authenticate(raw) is None
    assert tokens.revoke_token(admin_user, token) is False  # once only
    entries = AuditEntry.objects.filter(object_type="api.apitoken", object_id=str(token.pk))
    assert [e.action for e in entries.order_by("id")] == ["create", "update"]
    assert entries.order_by("id").last().actor == admin_user


def test_inactive_organisation_refuses_its_tokens(made, org):
    _token, raw = made
    org.is_active = False
    org.save()
    assert tokens.authenticate(raw) is None


def test_admin_role_cannot_be_given_to_a_token(org):
    with pytest.raises(tokens.TokenError):
        tokens.create_token(None, organization=org, role="admin", name="Allmakt")
    assert not ApiToken.objects.exists()


def test_service_user_cannot_log_in_with_a_password(made):
    token, raw = made
    user = token.service_user
    request = RequestFactory().post("/login/")  # the login lockout checks every password with its request
    assert password_authenticate(request, username=user.username, password="") is None
    assert password_authenticate(request, username=user.username, password=raw) is None


def test_use_is_counted_per_day_and_last_use_moves_at_most_once_a_minute(made):
    token, raw = made
    assert token.last_used_at is None
    for _ in range(3):
        tokens.authenticate(raw)
    usage = ApiTokenUsage.objects.get(token=token)
    assert usage.requests == 3 and usage.day == timezone.localdate()
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None
    # Within the minute: not rewritten. An hour later: moved.
    tokens.record_use(token, first + timedelta(seconds=30))
    token.refresh_from_db()
    assert token.last_used_at == first
    later = first + timedelta(hours=1)
    tokens.record_use(token, later)
    token.refresh_from_db()
    assert token.last_used_at == later
    assert ApiTokenUsage.objects.get(token=token, day=timezone.localdate(later)).requests >= 1


def test_failed_attempts_are_not_counted(made):
    token, raw = made
    tokens.authenticate(raw[:-2] + "xx")
    assert not ApiTokenUsage.objects.filter(token=token).exists()


def test_creation_is_audited_without_the_key(made, admin_user):
    token, raw = made
    entry = AuditEntry.objects.get(object_type="api.apitoken", object_id=str(token.pk), action="create")
    assert entry.actor == admin_user
    assert raw not in str(entry.changes) and raw not in entry.summary
    assert entry.changes["role"] == [None, "reporter"]


def test_the_token_read_by_its_prefix_is_what_the_orm_reads(made, org, django_assert_num_queries):
    """tokens._by_prefix writes out the select_related query; every field of the four objects (times aware,
    as the ORM converts them) must equal the ORM's, in one query."""
    token, raw = made
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() + timedelta(days=30),
                                                last_used_at=timezone.now())
    orm = ApiToken.objects.select_related("organization", "service_user", "service_user__organization").get(
        pk=token.pk)
    with django_assert_num_queries(1):
        found = tokens._by_prefix(token.prefix)
        pairs = [(found, orm), (found.organization, orm.organization), (found.service_user, orm.service_user),
                 (found.service_user.organization, orm.service_user.organization)]
    for mine, theirs in pairs:
        assert type(mine) is type(theirs) and not mine._state.adding
        for field in theirs._meta.concrete_fields:
            assert getattr(mine, field.attname) == getattr(theirs, field.attname), field.name
    assert found.expires_at.tzinfo is not None and found.service_user.organization == org
    assert tokens._by_prefix("00000000") is None
