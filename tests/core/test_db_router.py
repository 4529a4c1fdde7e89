"""Reads to a replica, writes and everything after a write to the primary (samtrygg.core.db_router).

The "replica" here is a second alias on the same test database (as DATABASE_REPLICA_URL with
SAMTRYGG_REPLICA_TEST_MIRROR=1 sets it up), so which alias a query went through is what is checked."""

import pytest
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.test.utils import CaptureQueriesContext

from samtrygg.core import db_router
from samtrygg.core.deployment import REPLICA
from samtrygg.reports.models import Report
from tests.factories import make_report


def _add_replica():
    settings_dict = dict(connections[DEFAULT_DB_ALIAS].settings_dict)
    settings_dict["TEST"] = {**settings_dict.get("TEST", {}), "MIRROR": DEFAULT_DB_ALIAS}
    connections.settings[REPLICA] = settings_dict
    # Connect now: the test case refuses to open connections to aliases it was not told about.
    connections[REPLICA].connect()


def _remove_replica():
    if REPLICA in connections.settings:
        connections[REPLICA].close()
        del connections[REPLICA]
        del connections.settings[REPLICA]


@pytest.fixture
def replica(settings):
    _add_replica()
    settings.DATABASE_ROUTERS = ["samtrygg.core.db_router.PrimaryReplicaRouter"]
    db_router.start_request(pinned=False)
    yield
    _remove_replica()
    db_router.start_request(pinned=False)


def test_without_a_replica_the_router_says_nothing(db):
    router = db_router.PrimaryReplicaRouter()
    assert router.db_for_read(Report) is None and router.db_for_write(Report) is None
    assert Report.objects.all().db == DEFAULT_DB_ALIAS


def test_reads_go_to_the_replica_until_a_write(db, replica):
    router = db_router.PrimaryReplicaRouter()
    assert router.db_for_read(Report) == REPLICA
    assert router.db_for_write(Report) == DEFAULT_DB_ALIAS
    assert router.db_for_read(Report) == DEFAULT_DB_ALIAS  # read-your-writes for the rest of the request
    db_router.start_request(pinned=False)  # the next request starts fresh
    assert router.db_for_read(Report) == REPLICA
    db_router.start_request(pinned=True)  # ... unless the browser is pinned after a recent write
    assert router.db_for_read(Report) == DEFAULT_DB_ALIAS


def test_security_models_are_always_read_from_the_primary(db, replica):
    from django.contrib.sessions.models import Session

    from samtrygg.accounts.models import User

    router = db_router.PrimaryReplicaRouter()
    assert router.db_for_read(Session) == DEFAULT_DB_ALIAS
    assert router.db_for_read(User) == DEFAULT_DB_ALIAS


def test_an_api_keys_use_counter_does_not_pin_but_keys_are_read_from_the_primary(db, replica):
    from samtrygg.api.models import ApiToken, ApiTokenUsage

    router = db_router.PrimaryReplicaRouter()
    assert router.db_for_read(ApiToken) == DEFAULT_DB_ALIAS
    assert router.db_for_write(ApiTokenUsage) == DEFAULT_DB_ALIAS
    assert router.db_for_read(Report) == REPLICA


def test_inside_a_transaction_reads_go_to_the_primary(db, replica):
    # The test's own wrapping transaction was open when the "request" began: it does not count.
    assert db_router.read_alias("reports") == REPLICA
    with transaction.atomic():
        assert db_router.read_alias("reports") == DEFAULT_DB_ALIAS
    assert db_router.read_alias("reports") == REPLICA


def test_migrations_run_only_on_the_primary():
    router = db_router.PrimaryReplicaRouter()
    assert router.allow_migrate(DEFAULT_DB_ALIAS, "reports") is True
    assert router.allow_migrate(REPLICA, "reports") is False


@pytest.mark.django_db(transaction=True)
def test_a_page_reads_through_the_replica_and_a_write_pins_the_next_page_to_the_primary(
        client, coordinator, area, replica):
    made = [make_report(coordinator, description=f"rapport {i}") for i in range(3)]
    client.force_login(coordinator)

    def report_queries(path):
        with CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as primary, \
                CaptureQueriesContext(connections[REPLICA]) as read:
            response = client.get(path)
        assert response.status_code == 200
        count = lambda ctx: sum('"reports_report"' in q["sql"] for q in ctx.captured_queries)  # noqa: E731
        return count(primary), count(read), response

    on_primary, on_replica, response = report_queries("/reports/")
    assert on_replica >= 1 and on_primary == 0
    assert "rapport 2" in response.content.decode()

    response = client.post(f"/reports/{made[0].pk}/delete/")
    assert response.status_code == 302
    assert db_router.PIN_COOKIE in response.cookies  # the browser is kept on the primary for a few seconds
    on_primary, on_replica, _ = report_queries("/reports/")
    assert on_primary >= 1 and on_replica == 0

    client.cookies.pop(db_router.PIN_COOKIE)
    on_primary, on_replica, _ = report_queries("/reports/")
    assert on_replica >= 1 and on_primary == 0
