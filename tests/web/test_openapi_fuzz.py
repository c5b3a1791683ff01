"""Schemathesis generates valid and invalid calls from /api/v1/openapi.json for the call-centre endpoints:
none may answer 500, and every answer must match what the document promises."""
from __future__ import annotations

from datetime import date

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (content_type_conformance, response_schema_conformance,
                                               status_code_conformance)

from tests import factories
from tests.factories_callcentre import api_headers

OPERATIONS = {("POST", "/warranty/check"), ("POST", "/requests"), ("GET", "/requests/{number}"), ("GET", "/models")}
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES = 40


@pytest.fixture()
def api(live_server, db):
    # The document's examples (run first) then find a unit and a request, so the success answers are checked too.
    model = factories.product_model(code="KFR-35GW")
    unit = factories.unit(serial="KFR35-2401-000123", model=model, purchase_date=date(2026, 3, 1))
    factories.service_request(owner_unit=unit, number="SR-20261122-0007", status="closed")
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/v1/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    return live_server, [op for op in operations if (op.method.upper(), op.path) in OPERATIONS]


@pytest.mark.parametrize("mode", [schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE])
def test_the_call_centre_api_never_fails_and_keeps_to_its_schema(api, mode):
    server, operations = api
    assert len(operations) == len(OPERATIONS)
    headers = api_headers()
    for operation in operations:
        @settings(max_examples=EXAMPLES, deadline=None, database=None, phases=[Phase.explicit, Phase.generate],
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy(generation_mode=mode))
        def call(case):
            case.headers = {**(case.headers or {}), **headers}
            response = case.call(base_url=f"{server.url}/api/v1")
            case.validate_response(response, checks=CHECKS)

        call()
