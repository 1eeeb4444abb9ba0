"""Schema conformance by Schemathesis: generated valid and invalid requests on every operation,
and stateful runs that follow the spec's links."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from functools import cache
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import given
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.core import NotSet
from schemathesis.core.parameters import ParameterLocation
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from contract_tests import examples, scope
from contract_tests.checks import valid_data_is_accepted
from contract_tests.delivery import Answer, deliver
from contract_tests.exchanges import Exchange
from contract_tests.profiles import current
from contract_tests.run import this_run
from contract_tests.target import Target
from spec import SPEC_PATH, load

PROFILE = current()
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
    valid_data_is_accepted,
    ignored_auth,
]
# The decision that fixes each operation's success status and shape, besides D3/D4.
SUCCESS_DECISION = {
    "createAppointment": "D6",
    "replaceAppointment": "D7",
    "updateAppointment": "D8",
    "createConciergeLoanerMove": "D16",
    "createRoundTripMove": "D16",
    "setAppointmentStatusForTest": "D15",
}
OPERATIONS = [
    pytest.param(
        op.operation_id,
        marks=pytest.mark.contract(
            op.operation_id,
            check="schema",
            decisions=("D1", "D3", "D4", SUCCESS_DECISION[op.operation_id]),
        ),
        id=op.operation_id,
    )
    for op in load().operations.values()
]
MODES = [GenerationMode.POSITIVE, GenerationMode.NEGATIVE]


@cache
def _schema(target: Target) -> Any:
    """The spec as Schemathesis reads it, once per process: its strategies are costly to build."""
    # An explicit configuration: the repository's schemathesis.toml is for plain runs only.
    schema = schemathesis.openapi.from_path(SPEC_PATH, config=SchemathesisConfig())
    schema.config.update(
        base_url=target.base_url, headers={"Authorization": f"Bearer {target.token}"}
    )
    # Authentication is judged by test_security; generated data must reach the handlers.
    schema.config.generation.update(with_security_parameters=False)
    # The same checks for the stateful runs, which take theirs from the configuration.
    schema.config.checks.update(included_check_names=[check.__name__ for check in CHECKS])
    return schema


def _known_locations(case: Any, target: Target) -> None:
    """Give a positive case the target's own location ids wherever it sends one.

    The contract names valid location ids and says nothing of what a server answers for one it
    does not know (Q9), so valid data carries the ones the target declared.
    """
    positive = case.meta is not None and case.meta.generation.mode.is_positive
    if not positive or not isinstance(case.body, dict):
        return
    for name, value in examples.locations(target).items():
        sent = case.body.get(name)
        # JSON Schema's integers include 2.0, which Schemathesis sends as well.
        if isinstance(sent, int | float) and not isinstance(sent, bool):
            case.body[name] = value


def _marked(case: Any) -> None:
    """Give a positive creation the run's mark in `config`, so the run's records can be found."""
    positive = case.meta is not None and case.meta.generation.mode.is_positive
    creation = case.operation.label == "POST /appointments"
    if positive and creation and isinstance(case.body, dict):
        case.body = examples.marked(load(), case.body)


def _call(case: Any, target: Target, session: requests.Session, **kwargs: Any) -> Any:
    """`case.call()` on the test's connections, sent as the run allows (D24, --timeout)."""
    return deliver(
        case.method.upper(),
        target.base_url,
        case.formatted_path,
        lambda: case.call(session=session, timeout=this_run().timeout, **kwargs),
        _answer,
    )


def _answer(response: Any) -> Answer:
    """What delivery needs of a Schemathesis response, whose headers are lists."""
    return Answer(
        response.status_code,
        next(iter(response.headers.get("retry-after", [])), None),
        response.content,
        _sent(response.request.body),
    )


def _sent(body: Any) -> bytes | None:
    """A request's body as the bytes it was sent as."""
    return body if isinstance(body, bytes | None) else str(body).encode()


def _record(history: deque[Exchange], response: Any) -> None:
    """Keep a Schemathesis exchange for the failure report, like the suite's own."""
    request = response.request
    body = _sent(request.body)
    history.append(
        Exchange(
            method=str(request.method),
            url=str(request.url),
            headers={
                k: v
                for k, v in request.headers.items()
                if k.lower() in ("authorization", "content-type")
            },
            body=body,
            status=response.status_code,
            response_headers={k.lower(): ", ".join(v) for k, v in response.headers.items()},
            response_body=response.content.decode("utf-8", "replace"),
        )
    )


class _Records:
    """Real appointments for the negative cases of id routes: the caller's, open to the change.

    Sent to a random id, an invalid body is satisfied by a 404; sent to a record the change
    could apply to, only the 400 the contract names for a body that breaks the schema will do.
    """

    def __init__(self, target: Target, session: requests.Session, operation_id: str) -> None:
        self.target = target
        self.session = session
        self.operation_id = operation_id
        self.current: int | None = None

    def aim(self, case: Any) -> bool:
        """Point a negative case whose only fault is its body at a real record; True if done."""
        meta = case.meta
        if meta is None or meta.generation.mode.is_positive or "{id}" not in case.path:
            return False
        modes = {location: info.mode for location, info in meta.components.items()}
        if modes.get(ParameterLocation.BODY) is not GenerationMode.NEGATIVE or any(
            mode is GenerationMode.NEGATIVE
            for location, mode in modes.items()
            if location is not ParameterLocation.BODY
        ):
            return False
        if self.current is None:
            self.current = self._create()
        case.path_parameters = {**(case.path_parameters or {}), "id": self.current}
        return True

    def judge(self, case: Any, response: Any) -> None:
        """The answer to an invalid body on a real, open record is 400 (D3)."""
        if 200 <= response.status_code < 300:
            self.current = None  # it took the change: the next case gets a fresh record
        body = case.body
        if isinstance(body, NotSet) or load().request_validator(self.operation_id).is_valid(body):
            return
        if response.status_code != 400:
            raise AssertionError(
                f"D3: {case.method.upper()} {case.formatted_path} with a body that breaks the "
                f"schema, on the caller's own open appointment, got {response.status_code}, "
                f"not 400.\nBody sent: {str(body)[:500]}"
            )

    def _create(self) -> int:
        body = examples.appointment(load(), self.target)
        url = f"{self.target.base_url}/appointments"
        response = deliver(
            "POST",
            self.target.base_url,
            "/appointments",
            lambda: self.session.post(
                url,
                json=body,
                headers={"Authorization": f"Bearer {self.target.token}"},
                timeout=this_run().timeout,
            ),
            lambda answer: Answer(
                answer.status_code,
                answer.headers.get("retry-after"),
                answer.content,
                _sent(answer.request.body),
            ),
        )
        assert response.status_code == 201, (
            f"D6: could not create an appointment: {response.status_code}"
        )
        return int(response.json()["id"])


@pytest.fixture
def session() -> Iterator[requests.Session]:
    """One test's connections, kept open between its requests: a WAN's round trips add up."""
    with requests.Session() as kept:
        yield kept


@pytest.mark.generated
@pytest.mark.parametrize("mode", MODES, ids=[mode.value for mode in MODES])
@pytest.mark.parametrize("operation_id", OPERATIONS)
def test_generated_requests_get_documented_conforming_answers(
    target: Target,
    history: deque[Exchange],
    session: requests.Session,
    operation_id: str,
    mode: GenerationMode,
) -> None:
    operation = load().operations[operation_id]
    if not operation.public and not target.test_control:
        scope.unavailable("test-control", scope.NO_TEST_CONTROL)
    schema = _schema(target)
    strategy = schema[operation.path][operation.method].as_strategy(generation_mode=mode)

    records = _Records(target, session, operation_id)

    @given(case=strategy)
    @PROFILE.settings(PROFILE.schema_examples)
    def exercise(case: Any) -> None:
        _known_locations(case, target)
        _marked(case)
        real = records.aim(case)
        response = _call(case, target, session)
        _record(history, response)
        case.validate_response(response, checks=CHECKS)
        if real:
            records.judge(case, response)

    exercise()


@pytest.mark.generated
@pytest.mark.contract(
    "createAppointment",
    "replaceAppointment",
    "updateAppointment",
    check="schema",
    decisions=("D6", "D7", "D8"),
)
def test_stateful_sequences_following_the_links_conform(
    target: Target, history: deque[Exchange], session: requests.Session
) -> None:
    schema = _schema(target)
    if not target.test_control:
        schema = schema.exclude(operation_id="setAppointmentStatusForTest")

    class Workflow(schema.as_state_machine()):  # type: ignore[misc]
        def before_call(self, case: Any) -> None:
            # Valid creations for the dealer the token holds, so the links have records to follow;
            # a negative case keeps its broken members, or it would no longer be negative.
            positive = case.meta is not None and case.meta.generation.mode.is_positive
            creation = case.operation.label == "POST /appointments"
            if positive and creation and isinstance(case.body, dict):
                case.body["customer_id"] = target.customer_id
            _known_locations(case, target)
            _marked(case)

        def call(self, case: Any, **kwargs: Any) -> Any:
            return _call(case, target, session, **kwargs)

        def after_call(self, response: Any, case: Any) -> None:
            _record(history, response)
            super().after_call(response, case)

    Workflow.run(settings=PROFILE.settings(PROFILE.stateful_examples, PROFILE.stateful_steps))
