"""Appointments one decision at a time (D6-D15): cases the state machine may take long to hit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from contract_tests import examples, scope
from contract_tests.drift import held, lost, moved_on
from contract_tests.exchanges import Api
from contract_tests.run import this_run
from contract_tests.target import Target
from contract_tests.test_security import assert_problem
from spec import Spec, load
from spec.instants import instant

LIFECYCLE = load().lifecycle
ELECTED = LIFECYCLE.elected_request_field
UPDATED, MOVE = LIFECYCLE.updated_field, LIFECYCLE.move_field
# Where an answer carries the elected type (D13): a member of the record's config object.
CONFIG, CONFIG_KEY = LIFECYCLE.elected_member
# Servers' clocks drift from ours; a stamp further off than this was not taken at the write.
CLOCK_SKEW = timedelta(minutes=5)
APPOINTMENTS = ("createAppointment", "replaceAppointment", "updateAppointment")


def contract(*decisions: str, internal: bool = False) -> pytest.MarkDecorator:
    operations = (*APPOINTMENTS, "setAppointmentStatusForTest") if internal else APPOINTMENTS
    return pytest.mark.contract(*operations, check="lifecycle", decisions=decisions)


def create(api: Api, spec: Spec, target: Target, **overrides: Any) -> int:
    response = api.post("/appointments", examples.appointment(spec, target, **overrides))
    assert response.status_code == 201, f"D6: creation got {response.status_code}"
    return int(response.json()["id"])


def read(api: Api, appointment_id: int) -> dict[str, Any]:
    """The record, through the no-op PATCH (the API has no read)."""
    response = api.patch(f"/appointments/{appointment_id}", {})
    assert response.status_code == 200, f"D8: PATCH {{}} got {response.status_code}"
    return dict(response.json())


def reach(api: Api, spec: Spec, target: Target, state: str) -> int:
    """A new appointment driven to `state`: PUT for the public part, test control for the rest."""
    appointment_id = create(api, spec, target)
    if state == LIFECYCLE.initial:
        return appointment_id
    incomplete = state == LIFECYCLE.derivation.incomplete
    body = examples.replacement(
        spec, target, **({"pickup_location_id": None} if incomplete else {})
    )
    current = api.put(f"/appointments/{appointment_id}", body).json().get("status")
    public = LIFECYCLE.derivation.incomplete if incomplete else LIFECYCLE.derivation.complete
    if moved_on(target, public, current) and state not in LIFECYCLE.reachable(current):
        lost(state, current)
    while current != state:
        step = _internal_path(current, state)[0]
        response = api.post(f"/_test/appointments/{appointment_id}/status", {"status": step})
        if response.status_code == 200:
            current = step
            continue
        found = read(api, appointment_id)["status"]
        assert moved_on(target, current, found), f"D15: {step} got {response.status_code}"
        if state not in LIFECYCLE.reachable(found, by="internal"):
            lost(state, found)
        current = found
    return appointment_id


def _types(spec: Spec) -> list[str]:
    """The transportation types a request may elect, in the spec's order."""
    replace = spec.request_pointer("replaceAppointment")
    schemas = spec.member_schemas(replace, [ELECTED])
    return [kind for where in schemas for kind in spec.schema(where).get("enum", [])]


def _other_values(spec: Spec, record: dict[str, Any]) -> dict[str, Any]:
    """For each member a staged appointment freezes, a valid value other than the record's.

    The location ids are left out: the only other valid one the suite knows is none at all,
    which only the pickup location may take.
    """
    frozen = [
        name
        for name in spec.fields(spec.request_pointer("updateAppointment"))
        if name not in LIFECYCLE.staged_mutable_fields and name != ELECTED
    ]
    others: dict[str, Any] = {}
    for name in frozen:
        value = record.get(name)
        if name == LIFECYCLE.past_time_lock:
            others[name] = examples.moment(45)
        elif name.endswith("location_id"):
            if name == "pickup_location_id" and value is not None:
                others[name] = None
        elif isinstance(value, bool):
            others[name] = not value
        elif isinstance(value, int):
            others[name] = value + 1
        else:
            others[name] = f"{value or ''} changed"
    return others


def _internal_path(source: str, target: str) -> list[str]:
    path = LIFECYCLE.path(source, target, "internal")
    if path is None:
        raise AssertionError(f"no internal path {source} -> {target}")
    return path


def _without(record: dict[str, Any], *names: str) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k not in names}


@contract("D6")
def test_creation_answers_201_with_the_id_and_status_new(
    api: Api, spec: Spec, target: Target
) -> None:
    minimal = {
        k: examples.appointment(spec, target)[k]
        for k in spec.fields(spec.request_pointer("createAppointment"), required=True)
    }
    response = api.post("/appointments", minimal)
    assert response.status_code == 201
    assert spec.response_validator("createAppointment", 201).is_valid(response.json())
    assert held(target, LIFECYCLE.initial, response.json()["status"])


@contract("D6", "D12")
def test_past_time_is_accepted_on_creation_and_then_locks_the_record(
    api: Api, spec: Spec, target: Target
) -> None:
    appointment_id = create(api, spec, target, appointment_time=examples.moment(-3))
    assert_problem(api.patch(f"/appointments/{appointment_id}", {"driver_notes": "x"}), 409)


@contract("D7", "D10", "D13")
def test_put_answers_the_full_record_with_the_elected_type_under_config(
    api: Api, spec: Spec, target: Target
) -> None:
    appointment_id = create(api, spec, target)
    body = examples.replacement(spec, target)
    response = api.put(f"/appointments/{appointment_id}", body)
    assert response.status_code == 200
    answer = response.json()
    assert spec.response_validator("replaceAppointment", 200).is_valid(answer), "D4: shape"
    assert held(target, LIFECYCLE.derivation.complete, answer["status"]), "D10: complete -> ready"
    assert answer[CONFIG] == {CONFIG_KEY: body[ELECTED]}, "D13"
    assert LIFECYCLE.elected_request_field not in answer, "D13: no top-level type"


@contract("D7")
def test_put_sets_every_omitted_field_to_null(api: Api, spec: Spec, target: Target) -> None:
    appointment_id = create(api, spec, target)
    required = spec.fields(spec.request_pointer("replaceAppointment"), required=True)
    body = {k: examples.replacement(spec, target)[k] for k in required}
    # What PATCHes set since the last PUT goes too: a PUT replaces, whatever came before.
    api.patch(f"/appointments/{appointment_id}", {"vehicle_color": "Teal", "driver_notes": "Gate"})
    answer = api.put(f"/appointments/{appointment_id}", body).json()
    for name in (
        "consumer_name",
        "vehicle_vin",
        "vehicle_year",
        "appointment_time",
        "config",
        "vehicle_color",
        "driver_notes",
    ):
        assert answer[name] is None, f"D7: PUT kept {name}={answer[name]!r}"


@contract("D7")
def test_put_with_customer_id_is_400(api: Api, spec: Spec, target: Target) -> None:
    appointment_id = create(api, spec, target)
    body = {**examples.replacement(spec, target), "customer_id": target.customer_id}
    assert_problem(api.put(f"/appointments/{appointment_id}", body), 400)


@contract("D8")
def test_patch_changes_only_the_members_sent(api: Api, spec: Spec, target: Target) -> None:
    appointment_id = create(api, spec, target)
    before = read(api, appointment_id)
    after = api.patch(f"/appointments/{appointment_id}", {"driver_notes": "Gate 7"}).json()
    assert after["driver_notes"] == "Gate 7"
    assert _without(after, "driver_notes", UPDATED) == _without(before, "driver_notes", UPDATED)


@contract("D8")
@pytest.mark.parametrize("name", ["consumer_at_pickup", "delivery_location_id"])
def test_patch_cannot_null_a_required_member(
    api: Api, spec: Spec, target: Target, name: str
) -> None:
    appointment_id = create(api, spec, target)
    assert_problem(api.patch(f"/appointments/{appointment_id}", {name: None}), 400)


@contract("D9")
def test_appointment_time_comes_back_in_utc(api: Api, spec: Spec, target: Target) -> None:
    appointment_id = create(api, spec, target)
    sent = examples.moment(20)[:19] + "-05:00"
    answer = api.patch(f"/appointments/{appointment_id}", {"appointment_time": sent}).json()
    assert answer["appointment_time"].endswith("+00:00"), f"D9: {answer['appointment_time']}"
    assert instant(answer["appointment_time"]) == instant(sent), "D9: another instant"


@contract("D9")
def test_naive_or_past_appointment_time_is_400(api: Api, spec: Spec, target: Target) -> None:
    appointment_id = create(api, spec, target)
    for value in (examples.moment(20)[:19], examples.moment(-2)):
        response = api.patch(f"/appointments/{appointment_id}", {"appointment_time": value})
        assert_problem(response, 400)


@contract("D10")
@pytest.mark.parametrize(
    ("changes", "status"),
    [
        ({ELECTED: None}, "notElected"),
        ({"pickup_location_id": None}, "incomplete"),
        ({"consumer_at_pickup": False, "pickup_location_id": None}, "complete"),
    ],
    ids=["no type", "no pickup location", "vehicle at the dealership"],
)
def test_status_after_put_follows_the_derivation(
    api: Api, spec: Spec, target: Target, changes: dict[str, Any], status: str
) -> None:
    expected = {
        "notElected": LIFECYCLE.derivation.not_elected,
        "incomplete": LIFECYCLE.derivation.incomplete,
        "complete": LIFECYCLE.derivation.complete,
    }[status]
    appointment_id = create(api, spec, target)
    body = {**examples.replacement(spec, target), **changes}
    assert held(target, expected, api.put(f"/appointments/{appointment_id}", body).json()["status"])


@contract("D11", internal=True)
@pytest.mark.parametrize("state", sorted(LIFECYCLE.staged_states))
def test_staged_appointment_freezes_all_but_the_mutable_fields(
    api: Api, spec: Spec, target: Target, state: str, test_control: None
) -> None:
    appointment_id = reach(api, spec, target, state)
    before = read(api, appointment_id)
    other_type = next(kind for kind in _types(spec) if kind != LIFECYCLE.elected_type(before))
    changes = [{name: value} for name, value in _other_values(spec, before).items()]
    for frozen in (*changes, {ELECTED: other_type}):
        response = api.patch(f"/appointments/{appointment_id}", frozen)
        assert response.status_code == 409, f"D11: {state} took the PATCH {frozen}"
        assert_problem(response, 409)
    assert_problem(
        api.patch(
            f"/appointments/{appointment_id}", {"consumer_name": "Changed", "vehicle_make": "Acura"}
        ),
        409,
    )
    after = read(api, appointment_id)
    assert _without(after, UPDATED) == _without(before, UPDATED), "D11: a refusal changed it"
    changed = api.patch(f"/appointments/{appointment_id}", {"driver_notes": "Call on arrival"})
    assert changed.status_code == 200
    assert held(target, state, changed.json()["status"])


@contract("D11")
def test_staged_put_resending_the_frozen_values_is_allowed(
    api: Api, spec: Spec, target: Target
) -> None:
    appointment_id = create(api, spec, target)
    body = examples.replacement(spec, target)
    reached = api.put(f"/appointments/{appointment_id}", body).json()["status"]
    assert held(target, LIFECYCLE.derivation.complete, reached)
    again = api.put(f"/appointments/{appointment_id}", {**body, "driver_notes": "Gate 9"})
    assert again.status_code == 200, "D11: same values are not a change"


@contract("D12", internal=True)
@pytest.mark.parametrize("state", sorted(LIFECYCLE.terminal_states))
def test_terminal_appointment_refuses_put_and_patch(
    api: Api, spec: Spec, target: Target, state: str, test_control: None
) -> None:
    appointment_id = reach(api, spec, target, state)
    assert_problem(
        api.put(f"/appointments/{appointment_id}", examples.replacement(spec, target)), 409
    )
    # Each member alone, those a staged appointment still takes (D11) included.
    replacement = examples.replacement(spec, target)
    for name in spec.fields(spec.request_pointer("updateAppointment")):
        response = api.patch(f"/appointments/{appointment_id}", {name: replacement.get(name)})
        assert response.status_code == 409, (
            f"D12: PATCH of {name} alone on a {state} appointment got {response.status_code}"
        )


@contract("D13")
def test_config_transportation_type_belongs_to_the_server(
    api: Api, spec: Spec, target: Target
) -> None:
    appointment_id = create(
        api, spec, target, **{CONFIG: {CONFIG_KEY: _types(spec)[0], "dms": "x"}}
    )
    assert read(api, appointment_id)[CONFIG] == {"dms": "x", **this_run().mark()}


@contract("D14")
def test_updatedat_is_the_time_of_each_write(api: Api, spec: Spec, target: Target) -> None:
    appointment_id = create(api, spec, target)
    moments = []
    for notes in ("first", "second", "third"):
        sent = datetime.now(UTC)
        response = api.patch(f"/appointments/{appointment_id}", {"driver_notes": notes})
        answered = datetime.now(UTC)
        assert response.status_code == 200, f"D11: PATCH driver_notes got {response.status_code}"
        stamp = response.json()[UPDATED]
        moment = instant(stamp) if isinstance(stamp, str) else None
        assert moment is not None, f"D14: updatedat {stamp!r} is no timestamp"
        assert sent - CLOCK_SKEW <= moment <= answered + CLOCK_SKEW, (
            f"D14: updatedat {stamp} is not the time of the PATCH sent at {sent.isoformat()}"
        )
        moments.append(moment)
    assert moments == sorted(moments), f"D14: updatedat went backwards: {moments}"


@contract("D14", "D15", internal=True)
def test_move_id_appears_when_paid_and_stays(
    api: Api, spec: Spec, target: Target, test_control: None
) -> None:
    appointment_id = reach(api, spec, target, LIFECYCLE.derivation.complete)
    before = read(api, appointment_id)
    assert held(target, LIFECYCLE.derivation.complete, before["status"])
    assert before[MOVE] is None, "D14: move_id before the move exists"
    paid = api.post(
        f"/_test/appointments/{appointment_id}/status", {"status": LIFECYCLE.move_created_on}
    )
    assert isinstance(paid.json().get(MOVE), int), "D14: no move_id once paid"
    later = LIFECYCLE.edges_from(LIFECYCLE.move_created_on, "internal")[0].target
    moved_on = api.post(f"/_test/appointments/{appointment_id}/status", {"status": later})
    assert moved_on.json()[MOVE] == paid.json()[MOVE]


@contract("D15", internal=True)
def test_edge_the_lifecycle_lacks_is_409(
    api: Api, spec: Spec, target: Target, test_control: None
) -> None:
    appointment_id = create(api, spec, target)
    for state in LIFECYCLE.states:
        if not LIFECYCLE.allows(LIFECYCLE.initial, state, "internal"):
            response = api.post(f"/_test/appointments/{appointment_id}/status", {"status": state})
            assert_problem(response, 409)
    assert held(target, LIFECYCLE.initial, read(api, appointment_id)["status"])


@contract("D15", internal=True)
@pytest.mark.parametrize("state", list(LIFECYCLE.states))
def test_test_control_takes_each_internal_edge_and_refuses_every_other_target(
    api: Api, spec: Spec, target: Target, test_control: None, state: str
) -> None:
    appointment_id = reach(api, spec, target, state)
    if target.advances and not LIFECYCLE.states[state].terminal:
        assert held(target, state, read(api, appointment_id)["status"])
    allowed = {edge.target for edge in LIFECYCLE.edges_from(state, "internal")}
    wrong = []
    for asked in LIFECYCLE.states:
        if asked in allowed:
            continue
        response = api.post(f"/_test/appointments/{appointment_id}/status", {"status": asked})
        if response.status_code != 409:
            wrong.append(f"{state} -> {asked}: expected 409, got {response.status_code}")
    for asked in sorted(allowed):
        driven = reach(api, spec, target, state)
        response = api.post(f"/_test/appointments/{driven}/status", {"status": asked})
        if response.status_code != 200 or response.json().get("status") != asked:
            wrong.append(
                f"{state} -> {asked}: expected 200 and {asked}, got {response.status_code}"
            )
    assert not wrong, "D15: test control outside the lifecycle's internal edges:\n" + "\n".join(
        wrong
    )
    if not LIFECYCLE.states[state].terminal:
        assert read(api, appointment_id)["status"] == state, "D15: a refused transition moved it"


def _leading_to(state: str, kind: str, target: Target) -> dict[str, Any]:
    """The members whose values bring an open appointment to `state` (D10's derivation)."""
    derivation = LIFECYCLE.derivation
    if state == derivation.not_elected:
        return {ELECTED: None}
    if state == derivation.incomplete:
        return {ELECTED: kind, "pickup_location_id": None, "consumer_at_pickup": True}
    return {ELECTED: kind, "pickup_location_id": target.pickup_location_id}


@contract("D7", "D8", "D10", "D11", internal=True)
@pytest.mark.parametrize(
    ("source", "state", "operation_id"),
    [
        (edge.source, edge.target, operation_id)
        for edge in LIFECYCLE.edges
        if edge.by == "public"
        for operation_id in edge.via
    ],
)
def test_every_public_edge_is_taken_by_each_of_its_operations(
    api: Api, spec: Spec, target: Target, source: str, state: str, operation_id: str
) -> None:
    if LIFECYCLE.states[source].staged and not target.test_control:
        scope.unavailable("test-control", scope.NO_TEST_CONTROL)
    appointment_id = reach(api, spec, target, source)
    record = read(api, appointment_id)
    assert held(target, source, record["status"]), f"could not bring an appointment to {source}"
    kind = LIFECYCLE.elected_type(record) or _types(spec)[0]
    if LIFECYCLE.states[source].staged:
        changes: dict[str, Any] = {"driver_notes": "changed once staged"}
    else:
        changes = _leading_to(state, kind, target)
    replace = operation_id == "replaceAppointment"
    if replace:
        body = {**examples.replacement(spec, target), ELECTED: kind}
        if LIFECYCLE.states[source].staged:
            body = {
                name: record.get(name) for name in spec.fields(spec.request_pointer(operation_id))
            }
            body[ELECTED] = kind
        body.update(changes)
    else:
        body = changes
    operation = spec.operations[operation_id]
    response = api.send(operation.method, f"/appointments/{appointment_id}", body)
    assert response.status_code == 200, f"{source} -> {state}: got {response.status_code}"
    assert held(target, state, response.json()["status"]), (
        f"D10: {operation.method} {body} on a {source} appointment left it "
        f"{response.json()['status']}, not {state}"
    )
