"""Settings for several app servers come from the environment (samtrygg.core.deployment)."""

import os
import subprocess
import sys

import pytest

from samtrygg.core import deployment

SQLITE = {"ENGINE": "django.db.backends.sqlite3", "NAME": "/tmp/a.sqlite3", "CONN_MAX_AGE": 0,
          "OPTIONS": {"transaction_mode": "IMMEDIATE"}}


def test_without_redis_the_cache_is_per_process_and_sessions_in_the_database():
    assert deployment.caches({})["default"]["BACKEND"].endswith("LocMemCache")
    assert deployment.session_engine({}) == "django.contrib.sessions.backends.db"


def test_redis_url_gives_djangos_redis_cache_and_cached_db_sessions():
    cache = deployment.caches({"REDIS_URL": "redis://127.0.0.1:6379/3", "CACHE_KEY_PREFIX": "t1"})["default"]
    assert cache["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert cache["LOCATION"] == "redis://127.0.0.1:6379/3" and cache["KEY_PREFIX"] == "t1"
    assert deployment.session_engine({"REDIS_URL": "redis://x"}) == "django.contrib.sessions.backends.cached_db"
    # An operator may keep plain database sessions with Redis for the cache only.
    assert deployment.session_engine({"REDIS_URL": "redis://x", "SAMTRYGG_SESSION_ENGINE": "db"}).endswith(".db")


@pytest.mark.parametrize(("env", "names"), [
    ({"REDIS_URL": "http://127.0.0.1:6379"}, "REDIS_URL"),
    ({"SAMTRYGG_SESSION_ENGINE": "signed_cookies"}, "SAMTRYGG_SESSION_ENGINE"),
])
def test_a_bad_value_names_the_variable(env, names):
    with pytest.raises(deployment.ConfigurationError, match=names):
        deployment.caches(env)
        deployment.session_engine(env)


def test_replica_from_url_keeps_the_primarys_options_and_can_be_a_test_mirror():
    assert deployment.replica_database({}, SQLITE) is None
    replica = deployment.replica_database({"DATABASE_REPLICA_URL": "sqlite:////tmp/b.sqlite3"}, SQLITE)
    assert replica["NAME"] == "/tmp/b.sqlite3" and replica["OPTIONS"] == {"transaction_mode": "IMMEDIATE"}
    assert "MIRROR" not in replica.get("TEST", {})
    mirror = deployment.replica_database({"DATABASE_REPLICA_URL": "sqlite:////tmp/b.sqlite3",
                                          "SAMTRYGG_REPLICA_TEST_MIRROR": "1"}, SQLITE)
    assert mirror["TEST"] == {"MIRROR": "default"}


def test_a_replica_of_another_kind_of_database_is_refused():
    with pytest.raises(deployment.ConfigurationError, match="DATABASE_REPLICA_URL uses postgresql"):
        deployment.replica_database({"DATABASE_REPLICA_URL": "postgres://u@h/db"}, SQLITE)


def test_the_command_line_names_a_bad_variable_without_a_traceback(tmp_path):
    env = {**os.environ, "REDIS_URL": "http://127.0.0.1:6379", "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    result = subprocess.run([sys.executable, "-c", "from samtrygg.cli import main; main()", "check"], env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert "REDIS_URL must start with redis://" in result.stderr and "Traceback" not in result.stderr
