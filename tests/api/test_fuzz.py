"""Property-based fuzzing of every API operation against our own OpenAPI schema (schemathesis).

Deterministic in CI (derandomized, FUZZ_EXAMPLES cases per operation, default 100); set
FUZZ_EXAMPLES=2000 for a longer run. Every check runs except positive_data_acceptance: the
schema states shapes ("a string"), while unknown government codes, slugs and topics are
meaningful 400s and 404s that a shape cannot express.
"""

import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from tracker.wsgi import application

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "100"))
schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", application)


@pytest.fixture
def wsgi_in_test_transaction():
    """As Django's test client does: requests must not close the test transaction's connection."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.mark.django_db
@pytest.mark.usefixtures("wsgi_in_test_transaction")
@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_conforms_to_its_schema_and_never_fails(case, seeded):
    case.call_and_validate(excluded_checks=[schemathesis.checks.positive_data_acceptance])
