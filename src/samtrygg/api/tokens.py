"""Making, checking and revoking API tokens for partner systems.

A key looks like ``st_<prefix>_<secret>``: ``prefix`` is 8 hex characters kept in clear text (it finds the
row and tells keys apart on the token page), ``secret`` is 32 random bytes (256 bits) from `secrets`.
Only the SHA-256 of the whole key is stored, and the key is shown once, when it is made.

Why SHA-256 and not argon2 (as for passwords): every API request checks its key, and a slow hash would
cost tens of milliseconds each time. A slow hash protects low-entropy secrets that people choose; a
256-bit random secret cannot be guessed from its hash however fast the hash is. It is deliberately not
keyed with SECRET_KEY either: rotating that key would then silently revoke every partner's token.
The stored and computed hashes are compared in constant time (`hmac.compare_digest`).

Use is recorded cheaply, because it happens on every request: one counter row per token and day
(`ApiTokenUsage`, a single INSERT … ON CONFLICT DO UPDATE SET requests = requests + 1), and `last_used_at`,
written at most once a minute. Creating and revoking a token go to the audit log; changes made with a token
are audited by the services they go through, with the token's service user as the actor. Reads are not
audited one by one.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import re
import secrets
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone

from samtrygg.audit import log

from .models import TOKEN_ROLES, ApiToken, ApiTokenUsage

KEY_PREFIX = "st"
KEY_PATTERN = re.compile(r"^st_([0-9a-f]{8})_([A-Za-z0-9_-]{43})$")
LAST_USED_RESOLUTION = timedelta(minutes=1)
SERVICE_USERNAME = "api-{prefix}"


class TokenError(ValueError):
    """A token cannot be made as asked (e.g. a role a token may not have)."""


def hash_key(raw_key: str) -> str:
    return hashlib.sha256(raw_key.encode("utf-8")).hexdigest()


def parse_prefix(raw_key: str) -> str | None:
    """The prefix of a well-formed key, else None."""
    match = KEY_PATTERN.match(raw_key or "")
    return match.group(1) if match else None


def _new_key() -> tuple[str, str]:
    prefix = secrets.token_hex(4)
    return prefix, f"{KEY_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"


@transaction.atomic
def create_token(actor, *, organization, role: str, name: str,
                 expires_at: datetime | None = None) -> tuple[ApiToken, str]:
    """Make a token and its service user. Returns (token, raw key); the raw key is never stored."""
    if role not in {r.value for r in TOKEN_ROLES}:
        raise TokenError(f"a token cannot have the role {role!r}")
    name = (name or "").strip()
    if not name:
        raise TokenError("a token needs a name")
    User = get_user_model()
    while True:
        prefix, raw_key = _new_key()
        username = SERVICE_USERNAME.format(prefix=prefix)
        if not ApiToken.objects.filter(prefix=prefix).exists() and not User.objects.filter(
                username__iexact=username).exists():
            break
    user = User(username=username, organization=organization, role=role, is_active=False,
                first_name=name[:150], last_name="(API)")
    user.set_unusable_password()
    user.save()
    token = ApiToken.objects.create(
        organization=organization, role=role, name=name, prefix=prefix, key_hash=hash_key(raw_key),
        service_user=user, created_by=actor if getattr(actor, "is_authenticated", False) else None,
        expires_at=expires_at,
    )
    log.record(actor, "create", token, summary=f"API token “{name}” ({prefix}) for {organization.code}",
               changes=log.diff({}, {"name": name, "role": role, "organization": organization.code,
                                     "prefix": prefix,
                                     "expires_at": expires_at.isoformat() if expires_at else None}))
    return token, raw_key


@transaction.atomic
def revoke_token(actor, token: ApiToken) -> bool:
    """Revoke a token for good. False if it was already revoked (nothing changes then)."""
    now = timezone.now()
    revoked = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
        revoked_at=now, revoked_by=actor if getattr(actor, "is_authenticated", False) else None)
    if not revoked:
        return False
    token.refresh_from_db(fields=["revoked_at", "revoked_by"])
    log.record(actor, "update", token, summary=f"API token “{token.name}” ({token.prefix}) revoked",
               changes={"revoked_at": [None, now.isoformat()]})
    return True


def authenticate(raw_key: str) -> ApiToken | None:
    """The valid token for a raw key (not revoked, not expired, organisation active), its use recorded.

    `token.service_user` is the user to act as. None for anything else, without saying why (the caller
    answers 401 either way).
    """
    prefix = parse_prefix(raw_key)
    if prefix is None:
        return None
    token = _by_prefix(prefix)
    if token is None or not hmac.compare_digest(token.key_hash, hash_key(raw_key)):
        return None
    now = timezone.now()
    if not token.is_valid(now) or not token.organization.is_active:
        return None
    record_use(token, now)
    return token


@functools.cache
def _by_prefix_query(vendor: str) -> tuple[str, list[tuple[type, list[str], list[tuple]]]]:
    """The SELECT of a token with its organisation, service user and the user's organisation (as
    ``select_related`` of the three reads them), built once from the models' fields, and for each model its
    fields' names and the converters the database's values go through (as the ORM's compiler applies them)."""
    from samtrygg.accounts.models import Organization

    user = get_user_model()
    parts = [(ApiToken, "t"), (Organization, "o"), (user, "u"), (Organization, "uo")]
    q = connection.ops.quote_name
    columns = [f"{alias}.{q(f.column)}" for model, alias in parts for f in model._meta.concrete_fields]
    organizations = q(Organization._meta.db_table)
    sql = (f"SELECT {', '.join(columns)} FROM {q(ApiToken._meta.db_table)} t "
           f"JOIN {organizations} o ON o.id = t.organization_id "
           f"JOIN {q(user._meta.db_table)} u ON u.id = t.service_user_id "
           f"LEFT JOIN {organizations} uo ON uo.id = u.organization_id "
           "WHERE t.prefix = %s")
    shapes = []
    for model, alias in parts:
        fields = model._meta.concrete_fields
        converters = []
        for f in fields:
            col = f.get_col(alias)
            converters.append((col, connection.ops.get_db_converters(col) + f.get_db_converters(connection)))
        shapes.append((model, [f.attname for f in fields], converters))
    return sql, shapes


def _by_prefix(prefix: str) -> ApiToken | None:
    """The token of a prefix, its organisation, service user and the user's organisation loaded.

    One SELECT written out instead of ``select_related(...).first()``: every API request runs it, and Django
    compiling the same four-table query each time cost 0.8 ms of Python per request, 0.2 ms this way
    (benchmarks/scale.py, (c)). Rows become model instances as the ORM makes them (converters, ``from_db``).
    """
    sql, shapes = _by_prefix_query(connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute(sql, [prefix])
        row = cursor.fetchone()
    if row is None:
        return None
    objects, start = [], 0
    for model, names, converters in shapes:
        values = list(row[start:start + len(names)])
        start += len(names)
        for i, (col, functions) in enumerate(converters):
            for convert in functions:
                values[i] = convert(values[i], col, connection)
        objects.append(model.from_db(connection.alias, names, values) if values[0] is not None else None)
    token, organization, user, user_organization = objects
    user.organization = user_organization
    token.organization, token.service_user = organization, user
    return token


def record_use(token: ApiToken, now: datetime | None = None) -> None:
    """Count one request for today and move `last_used_at` forward (at most once a minute)."""
    now = now or timezone.now()
    table = connection.ops.quote_name(ApiTokenUsage._meta.db_table)
    with connection.cursor() as cursor:  # one statement, whether or not today's row exists yet
        cursor.execute(f"INSERT INTO {table} (token_id, day, requests) VALUES (%s, %s, 1) "
                       f"ON CONFLICT (token_id, day) DO UPDATE SET requests = {table}.requests + 1",
                       [token.pk, timezone.localdate(now)])
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
