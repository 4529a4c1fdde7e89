"""Schemathesis against the API's own OpenAPI schema, in-process (WSGI), with a coordinator's key:
every operation, valid and invalid input, a bounded number of examples. Zero server errors, every
response as the schema says (status code, content type, body)."""

from __future__ import annotations

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import positive_data_acceptance

from samtrygg.wsgi import application

EXAMPLES = 10


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """Calling the WSGI application directly sends request_started/finished, whose handler closes a
    connection inside a transaction (PostgreSQL would lose the test's). Django's test client skips it too."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


# Loaded when the module is collected: generating the schema needs no database.
schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", application)


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_schema(case, api_world):
    # positive_data_acceptance is left out on purpose: a schema-valid body is not a valid report (the category
    # must exist, the position must lie in the municipality, the time must not be in the future), and
    # those answers are 400 by design. Every other check runs, not_a_server_error and the conformance
    # of status codes, content types, headers and bodies among them.
    case.call_and_validate(headers={"Authorization": f"Bearer {api_world['keys']['coordinator']}"},
                           excluded_checks=[positive_data_acceptance])
