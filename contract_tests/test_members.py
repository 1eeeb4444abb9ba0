"""Every request member sent invalid, null and omitted where a real record would take the change:
on creation, and on an appointment that exists, is the caller's and is open to the change, in
each state where the member is mutable; so no 404 for a random id can stand in for the 400."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from contract_tests import examples, members, scope
from contract_tests.drift import held
from contract_tests.exchanges import Api
from contract_tests.model import Model
from contract_tests.refusals import refusal_reasons
from contract_tests.target import Target
from contract_tests.test_appointments import reach, read
from spec import Operation, Spec, load

SPEC = load()
LIFECYCLE = SPEC.lifecycle
VALUES = ("D21", "D22", "D23")
Body = Callable[[Spec, Target], dict[str, Any]]
# A fresh body per request: a repeated vehicle would meet D19's duplicate check.
CREATIONS: dict[str, Body] = {
    "createAppointment": examples.appointment,
    "createConciergeLoanerMove": lambda spec, target: examples.concierge(spec),
    "createRoundTripMove": examples.round_trip,
}
CREATION_DECISIONS = {
    "createAppointment": ("D3", "D4", "D6", *VALUES),
    "createConciergeLoanerMove": ("D3", "D4", "D16", "D17", *VALUES),
    "createRoundTripMove": ("D3", "D4", "D16", "D18", *VALUES),
}
# Where some member may still change: the open states, and the staged ones for their few.
CHANGEABLE = [name for name, state in LIFECYCLE.states.items() if not state.terminal]


def _with(body: dict[str, Any], path: Sequence[str], value: Any, *, omit: bool = False) -> Any:
    """`body` with the member at `path` set to `value` (or left out); None where its parent
    is not an object in this body."""
    changed = copy.deepcopy(body)
    parent: Any = changed
    for name in path[:-1]:
        parent = parent.get(name) if isinstance(parent, dict) else None
    if not isinstance(parent, dict):
        return None
    if omit:
        parent.pop(path[-1], None)
    else:
        parent[path[-1]] = value
    return changed


def _misjudged(
    spec: Spec, operation: Operation, body: Any, response: httpx.Response, success: int
) -> str | None:
    """What is wrong with the answer to `body`, None when it is what the contract names: 400
    for a body that breaks the schema (D3), else success, or a 400 the contract allows."""
    status = response.status_code
    if not spec.request_validator(operation.operation_id).is_valid(body):
        return None if status == 400 else f"breaks the schema: expected 400, got {status}"
    if status == success:
        return None
    try:
        problem = response.json()
    except ValueError:
        problem = None
    now = datetime.now(UTC)
    if status == 400 and refusal_reasons(
        spec, operation.method, operation.path, body, problem, now
    ):
        return None
    return f"valid: expected {success}, got {status}"


def _tries(
    spec: Spec, pointer: str, path: Sequence[str], target: Target
) -> Iterator[tuple[str, Any, bool]]:
    """What to send for one member: a valid value, its near misses, null, and nothing at all.

    The valid value of a member naming the target's dealer or locations is the target's own
    (Q9), and valid text is unique, so that no valid body repeats a vehicle (D19).
    """
    # Members whose valid values only the target knows: its dealer and its locations (Q9).
    own: dict[str, Any] = {
        **examples.locations(target),
        "customer_id": target.customer_id,
        "rooftop": target.customer_id,
    }
    valid: Any = own.get(path[-1])
    valid = valid if valid is not None else members.a_valid_value(spec, pointer, path)
    if isinstance(valid, str) and members.admits(
        spec, pointer, path, unique := examples.unique("V")
    ):
        valid = unique
    if valid is not None:
        yield "valid", valid, False
    for value in members.near_misses(spec, pointer, path):
        yield "invalid", value, False
    yield "null", None, False
    yield "omitted", None, True


@pytest.mark.parametrize(
    "operation_id",
    [
        pytest.param(
            name,
            marks=pytest.mark.contract(name, check="errors", decisions=CREATION_DECISIONS[name]),
            id=name,
        )
        for name in CREATIONS
    ],
)
def test_each_member_invalid_null_or_omitted_gets_the_contracts_answer_on_creation(
    api: Api, spec: Spec, target: Target, operation_id: str
) -> None:
    operation = spec.operations[operation_id]
    pointer = spec.request_pointer(operation_id)
    success = int(operation.success_status or 200)
    wrong = []
    for path in members.paths(spec, pointer):
        for kind, value, omit in _tries(spec, pointer, path, target):
            body = _with(CREATIONS[operation_id](spec, target), path, value, omit=omit)
            if body is None:
                continue
            response = api.post(operation.path, body)
            if wrong_answer := _misjudged(spec, operation, body, response, success):
                wrong.append(f"{'/'.join(path)} {kind} {value!r}: {wrong_answer}")
    assert not wrong, "D3/D4: members answered against the schema:\n" + "\n".join(wrong)


def _public_states() -> set[str]:
    """The states partners' own requests reach from the initial one."""
    reached = {LIFECYCLE.initial}
    while grown := {
        edge.target
        for edge in LIFECYCLE.edges
        if edge.by == "public" and edge.source in reached and edge.target not in reached
    }:
        reached |= grown
    return reached


def _mutable(state: str) -> tuple[str, ...]:
    replace = SPEC.fields(SPEC.request_pointer("replaceAppointment"))
    if LIFECYCLE.states[state].staged:
        return tuple(name for name in replace if name in LIFECYCLE.staged_mutable_fields)
    return replace


@pytest.mark.contract(
    "replaceAppointment",
    "updateAppointment",
    check="errors",
    decisions=("D3", "D4", "D11", *VALUES),
)
@pytest.mark.parametrize("state", CHANGEABLE)
def test_each_mutable_member_invalid_is_400_on_an_appointment_open_to_the_change(
    api: Api, spec: Spec, target: Target, state: str
) -> None:
    if state not in _public_states() and not target.test_control:
        scope.unavailable("test-control", scope.NO_TEST_CONTROL)
    appointment_id = reach(api, spec, target, state)
    before = read(api, appointment_id)
    assert held(target, state, before["status"]), f"could not bring an appointment to {state}"
    model = Model(spec)
    current = {name: before.get(name) for name in model.replace_fields}
    current[LIFECYCLE.elected_request_field] = LIFECYCLE.elected_type(before)
    wrong = []
    for name in _mutable(state):
        for method, operation_id in (("PATCH", "updateAppointment"), ("PUT", "replaceAppointment")):
            pointer = spec.request_pointer(operation_id)
            null = [] if members.admits(spec, pointer, [name], None) else [None]
            for value in null + members.near_misses(spec, pointer, [name]):
                body = {name: value} if method == "PATCH" else {**current, name: value}
                response = api.send(method, f"/appointments/{appointment_id}", body)
                if response.status_code != 400:
                    wrong.append(
                        f"{method} {name}={value!r} on a {state} appointment: expected 400 "
                        f"(D3: the body breaks the schema), got {response.status_code}"
                    )
    after = read(api, appointment_id)
    changed = model.mismatches(before, after)
    assert not wrong, "\n".join(wrong)
    assert not changed, f"refused requests changed the {state} appointment: {changed}"


@pytest.mark.contract(
    "replaceAppointment", "updateAppointment", check="errors", decisions=("D3", "D7", "D8", *VALUES)
)
@pytest.mark.parametrize("operation_id", ["replaceAppointment", "updateAppointment"])
def test_each_member_valid_null_or_omitted_gets_the_contracts_answer_on_an_open_appointment(
    api: Api, spec: Spec, target: Target, operation_id: str
) -> None:
    operation = spec.operations[operation_id]
    pointer = spec.request_pointer(operation_id)
    replace = operation_id == "replaceAppointment"
    wrong = []
    for path in members.paths(spec, pointer):
        base = examples.replacement(spec, target) if replace else {}
        for kind, value, omit in _tries(spec, pointer, path, target):
            if kind == "invalid":
                continue  # on every state where the member is mutable: the test above
            body = _with(base, path, value, omit=omit)
            # A fresh record each time: an accepted change may stage it (D11), freezing the rest.
            appointment_id = reach(api, spec, target, LIFECYCLE.initial)
            response = api.send(operation.method, f"/appointments/{appointment_id}", body)
            if wrong_answer := _misjudged(spec, operation, body, response, 200):
                wrong.append(
                    f"{operation.method} {'/'.join(path)} {kind} {value!r}: {wrong_answer}"
                )
    assert not wrong, "D7/D8: members answered against the schema:\n" + "\n".join(wrong)
