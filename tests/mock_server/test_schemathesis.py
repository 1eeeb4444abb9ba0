"""Schemathesis against the mock: 10,000+ generated valid and invalid requests, every operation."""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.core.result import Err
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from mock_server.advance import Schedule
from mock_server.app import create_app
from mock_server.store import Store
from spec import SPEC_PATH, load
from testbeds import Clock, LiveServer
from tests.seeds import seed

# Each operation runs once per generation mode and target id (id-addressed ones aim at a random
# id and at a real appointment): 18 runs. Each must reach MINIMUM cases of its EXAMPLES, so the
# six tests together send at least 18 x 560 = 10,080 requests; split by operation so that
# `pytest -n` spreads them over the cores.
EXAMPLES = 580
MINIMUM = 560
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
TOKEN = {"Authorization": "Bearer dev-token-a"}
# An explicit configuration: the repository's schemathesis.toml is for plain runs only.
SCHEMA = schemathesis.openapi.from_path(SPEC_PATH, config=SchemathesisConfig())
# Authentication has its own tests; here every request must get past it to the handlers.
SCHEMA.config.generation.update(with_security_parameters=False)


def _operations() -> dict[str, schemathesis.APIOperation[Any, Any, Any, Any]]:
    """The spec's operations by label; a spec Schemathesis cannot read fails here."""
    found = {}
    for result in SCHEMA.get_all_operations():
        if isinstance(result, Err):
            raise result.err()
        found[result.ok().label] = result.ok()
    return found


OPERATIONS = _operations()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, clock: Clock) -> Iterator[LiveServer]:
    """A mock with every option that changes what a request meets, and no fault: HopDrive's
    steps taken at once (--advance), test control on (the journal with it); on the tests'
    clock, before the seed's appointment time."""
    schedule = tmp_path_factory.mktemp("schedule") / "advance.yaml"
    schedule.write_text("steps: [{from: ready, to: paid, after: 0}]\n", encoding="utf-8")
    spec = load()
    app = create_app(
        store=Store(":memory:"),
        spec=spec,
        clock=clock,
        schedule=Schedule.load(schedule, spec.lifecycle),
    )
    with LiveServer(app) as live:
        yield live


@pytest.mark.parametrize("label", list(OPERATIONS))
def test_generated_requests_get_no_5xx_and_only_documented_answers(
    server: LiveServer, label: str
) -> None:
    """Every answer is documented, conforms to its schema, and every error is problem+json."""
    operation = OPERATIONS[label]
    # Besides random ids (mostly 404), aim half the id-addressed cases at a real appointment.
    created = httpx.post(
        f"{server.url}/appointments", json=seed("000_createAppointment.request"), headers=TOKEN
    )
    real_id = {"id": created.json()["id"]}
    cases: Counter[str] = Counter()
    statuses: Counter[int] = Counter()
    targets = [None, real_id] if "{id}" in operation.path else [None]
    for mode, path_parameters in itertools.product(
        (GenerationMode.POSITIVE, GenerationMode.NEGATIVE), targets
    ):
        strategy = operation.as_strategy(generation_mode=mode, path_parameters=path_parameters)
        run = f"{mode.value} {'real id' if path_parameters else 'any id'}"
        cases[run] = _exercise(strategy, server.url, statuses)
    assert len(cases) == 2 * len(targets), cases
    assert min(cases.values()) >= MINIMUM, cases
    # Valid data got through to the handlers, and invalid data was refused.
    assert any(200 <= status < 300 for status in statuses), statuses
    assert any(400 <= status < 500 for status in statuses), statuses


def _exercise(strategy: Any, url: str, statuses: Counter[int]) -> int:
    """Send every case `strategy` generates and check its answer; return how many were sent."""
    sent = 0

    @given(case=strategy)
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    def exercise(case: schemathesis.Case[schemathesis.APIOperation[Any, Any, Any, Any]]) -> None:
        nonlocal sent
        sent += 1
        response = case.call(base_url=url, headers=TOKEN)
        statuses[response.status_code] += 1
        case.validate_response(response, checks=CHECKS)
        if response.status_code >= 400:
            assert response.headers["content-type"] == ["application/problem+json"]
            assert response.json()["status"] == response.status_code

    exercise()
    return sent
