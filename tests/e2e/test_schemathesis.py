"""Property-based API testing against the app's own OpenAPI schema (schemathesis), with a key for each
role: no 5xx, and every response conforms to the schema (status, media type, body)."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import allow_header_conformance, positive_data_acceptance

from api.app import create_app
from tests.conftest import BACKEND
from tests.e2e.conftest import bearer

EXAMPLES = 8 if BACKEND == "sqlite" else 4
STATS = {"requests": 0, "failures": 0}


@pytest.fixture
def api_schema(ledger_world):
    ledger, w, keys = ledger_world
    app = create_app(ledger, background_projections=False)
    app.state.ledger = ledger  # the TestClient lifespan is not run by schemathesis' ASGI transport
    api_schema.keys = keys  # type: ignore[attr-defined]
    return schemathesis.openapi.from_asgi("/schema/openapi.json", app)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_schema(case, ledger_world):
    _, _, keys = ledger_world
    for key in (keys.admin, keys.prescriber, keys.structure, keys.funder, keys.observatory):
        STATS["requests"] += 1
        # Excluded: (1) schema-valid data may still break a domain rule the schema cannot express (a SIRET's
        # Luhn check, a commune outside the Drôme, dates in order): 400 is then the right answer; (2) the
        # `Allow` header of litestar's automatic OPTIONS answer, which lists one handler's methods per path.
        case.call_and_validate(
            headers=bearer(key), excluded_checks=[positive_data_acceptance, allow_header_conformance]
        )
