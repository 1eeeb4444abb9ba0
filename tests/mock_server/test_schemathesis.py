"""Schemathesis against the mock: 10,000+ generated valid and invalid requests, every operation."""

from __future__ import annotations

import itertools
from collections import Counter

import httpx
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from spec import SPEC_PATH
from tests.live_server import LiveServer
from tests.seeds import seed

# Per operation, mode and target id: 18 such runs x 560 > 10,000 cases.
EXAMPLES = 560
CASES = 10_000
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
TOKEN = {"Authorization": "Bearer dev-token-a"}


def test_generated_requests_get_no_5xx_and_only_documented_answers(server: LiveServer) -> None:
    """Every answer is documented, conforms to its schema, and every error is problem+json."""
    schema = schemathesis.openapi.from_path(SPEC_PATH)
    # Authentication has its own tests; here every request must get past it to the handlers.
    schema.config.generation.update(with_security_parameters=False)
    # Besides random ids (mostly 404), aim half the id-addressed cases at a real appointment.
    created = httpx.post(
        f"{server.url}/appointments", json=seed("000_createAppointment.request"), headers=TOKEN
    )
    real_id = {"id": created.json()["id"]}
    cases: Counter[str] = Counter()
    statuses: Counter[int] = Counter()
    for result in schema.get_all_operations():
        operation = result.ok()
        targets = [None, real_id] if "{id}" in operation.path else [None]
        for mode, path_parameters in itertools.product(
            (GenerationMode.POSITIVE, GenerationMode.NEGATIVE), targets
        ):
            strategy = operation.as_strategy(generation_mode=mode, path_parameters=path_parameters)

            @given(case=strategy)
            @settings(
                max_examples=EXAMPLES,
                deadline=None,
                database=None,
                derandomize=True,
                suppress_health_check=list(HealthCheck),
            )
            def exercise(case: schemathesis.Case) -> None:
                cases[f"{case.operation.label} {case.meta.generation.mode.value}"] += 1
                response = case.call(base_url=server.url, headers=TOKEN)
                statuses[response.status_code] += 1
                case.validate_response(response, checks=CHECKS)
                if response.status_code >= 400:
                    assert response.headers["content-type"] == ["application/problem+json"]
                    assert response.json()["status"] == response.status_code

            exercise()
    assert len(cases) == 12, cases
    assert sum(cases.values()) >= CASES, cases
    # The run reached past authentication and validation into every kind of answer.
    assert {200, 201, 400, 403, 404, 409} <= set(statuses), statuses
