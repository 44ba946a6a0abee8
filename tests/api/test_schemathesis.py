"""Schemathesis against /api/v1/openapi.json on a seeded database: no server error, every answer
within the published contract (status, content type, body). Bounded: a few examples per operation."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from config.wsgi import application
from workinfrance.api.models import WebhookDelivery
from workinfrance.api.webhooks.services import endpoint_create
from workinfrance.permits.services import permit_qr_text

from tests.api.helpers import make_token
from tests.factories import VALID_SIRET

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES_PER_OPERATION = 12


@pytest.fixture
def seeded(world, settings):
    settings.WIF_API_TOKEN_RATE = 100_000
    settings.WIF_API_VERIFY_ANONYMOUS_RATE = 100_000
    endpoint, _secret = endpoint_create(
        actor=world.supervisor,
        url="http://127.0.0.1:9/hook",
        event_types=["dossier.decided"],
        unit=world.paris,
    )
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint, event_type="dossier.decided", payload={}, status="failed"
    )
    real = {
        "number": [world.in_review.number, world.submitted.number, world.accepted.number],
        "document_id": list(world.in_review.documents.values_list("pk", flat=True)),
        "webhook_id": [endpoint.pk],
        "delivery_id": [delivery.pk],
    }
    tokens = {
        "unit": make_token(world.supervisor, unit=world.paris),
        "employer": make_token(world.employer, siret=VALID_SIRET),
    }
    return real, tokens, permit_qr_text(world.permit)


def _fuzz(operation, headers, real, qr_text):
    path = operation.path

    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(), pick=st.integers(min_value=0, max_value=3), seal=st.booleans())
    def run(case, pick, seal):
        # Half the time, real identifiers, so the answers are not all 404.
        for name, values in real.items():
            if case.path_parameters and name in case.path_parameters and pick < len(values):
                case.path_parameters[name] = values[pick]
        if path == "/api/v1/verify" and seal and isinstance(case.body, dict):
            case.body = {"seal": qr_text}
        response = case.call(headers=headers)
        case.validate_response(response, checks=CHECKS)

    run()


@pytest.fixture
def test_connection_kept():
    """Schemathesis calls the WSGI application itself, whose request signals close "old" database
    connections: on PostgreSQL that closes the test's own connection, inside its transaction.
    Django's test client unhooks the same handler for the same reason."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_the_api_keeps_its_published_contract(seeded, test_connection_kept):
    real, tokens, qr_text = seeded
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
    failures = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20
    for operation in operations:
        path = operation.path
        token = tokens["employer"] if path.startswith("/api/v1/employer") else tokens["unit"]
        # The WSGI transport hands the body over as the service sent it, never decoding gzip (which
        # GZipMiddleware applies to the larger answers): ask for it unencoded, as the contract describes it.
        headers = {"Accept-Encoding": "identity"}
        if path != "/api/v1/verify":
            headers["Authorization"] = f"Bearer {token}"
        try:
            _fuzz(operation, headers, real, qr_text)
        except Exception as error:  # noqa: BLE001 - gather every operation's failure, then report
            failures.append(f"{operation.method.upper()} {path}: {error}")
    assert failures == [], "\n\n".join(failures)
