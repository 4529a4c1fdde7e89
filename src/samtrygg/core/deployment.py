"""Settings for running several app servers (README, "Scaling out"), as plain functions of the environment.

Imported by ``samtrygg.settings`` before Django is set up, so nothing here imports Django's models.

- ``REDIS_URL`` puts the cache in Redis (Django's own ``RedisCache``, on redis-py) and sessions in
  ``cached_db`` (read from Redis, written through to the database, so a Redis restart logs no one out).
  Without it the cache is per process (``LocMemCache``) and sessions live in the database: every cache entry
  the code writes is an optimisation keyed by a fingerprint of the data, never state that decides anything,
  so a per-process cache is correct, only colder.
- ``DATABASE_REPLICA_URL`` adds the database alias ``replica`` that ``samtrygg.core.db_router`` reads from.
"""

from __future__ import annotations

from collections.abc import Mapping

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

SESSION_ENGINES = {
    "db": "django.contrib.sessions.backends.db",
    "cached_db": "django.contrib.sessions.backends.cached_db",
}
REPLICA = "replica"


class ConfigurationError(ImproperlyConfigured):
    """A setting in the environment has a value that cannot work; the message names it."""


def caches(env: Mapping[str, str]) -> dict:
    """Django's CACHES: Redis when REDIS_URL is set, else the per-process default."""
    redis_url = env.get("REDIS_URL", "").strip()
    prefix = env.get("CACHE_KEY_PREFIX", "samtrygg")
    if not redis_url:
        return {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "KEY_PREFIX": prefix}}
    if not redis_url.startswith(("redis://", "rediss://", "unix://")):
        raise ConfigurationError(
            f"REDIS_URL must start with redis://, rediss:// or unix:// (got {redis_url.split(':', 1)[0]!r}).")
    return {"default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": redis_url,
        "KEY_PREFIX": prefix,
        # Fail fast rather than hang a request when Redis is away; Django's cache raises, and the session
        # engine cached_db falls back to the database for reads it cannot get from the cache.
        "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
    }}


def session_engine(env: Mapping[str, str]) -> str:
    """SESSION_ENGINE: ``db`` or ``cached_db`` (the default with Redis). Both keep every session in the
    database, so any app server can serve any request; the signed-cookie and cache-only engines are refused
    (cookies cannot be revoked on logout; a cache may evict a session)."""
    default = "cached_db" if env.get("REDIS_URL", "").strip() else "db"
    name = env.get("SAMTRYGG_SESSION_ENGINE", default).strip() or default
    if name not in SESSION_ENGINES:
        raise ConfigurationError(
            f"SAMTRYGG_SESSION_ENGINE must be one of {', '.join(SESSION_ENGINES)} (got {name!r}).")
    return SESSION_ENGINES[name]


def replica_database(env: Mapping[str, str], default: dict) -> dict | None:
    """The ``replica`` alias from DATABASE_REPLICA_URL, or None. It must be the same engine as the primary.

    SAMTRYGG_REPLICA_TEST_MIRROR=1 (used by the test suite, where the "replica" is the same server) makes
    Django's test runner treat it as a mirror of default instead of creating a second test database."""
    url = env.get("DATABASE_REPLICA_URL", "").strip()
    if not url:
        return None
    replica = dj_database_url.parse(url, conn_max_age=default.get("CONN_MAX_AGE", 0), conn_health_checks=True)
    if replica["ENGINE"] != default["ENGINE"]:
        raise ConfigurationError(
            f"DATABASE_REPLICA_URL uses {replica['ENGINE'].rsplit('.', 1)[-1]} but DATABASE_URL uses "
            f"{default['ENGINE'].rsplit('.', 1)[-1]}: a replica must be the same kind of database.")
    if "OPTIONS" in default:  # SQLite's WAL pragmas and transaction mode
        replica["OPTIONS"] = {**default["OPTIONS"], **replica.get("OPTIONS", {})}
    if env.get("SAMTRYGG_REPLICA_TEST_MIRROR", "").strip().lower() in {"1", "true", "yes", "on"}:
        replica["TEST"] = {"MIRROR": "default"}
    return replica
