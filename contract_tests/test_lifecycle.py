"""Lifecycle conformance: a Hypothesis state machine drives appointments through the spec's
lifecycle and holds the server to the suite's model after every step (D6-D15)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
from hypothesis import seed
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    precondition,
    rule,
    run_state_machine_as_test,
)

from contract_tests import examples
from contract_tests.exchanges import Api
from contract_tests.model import Appointment, Expectation, Model
from contract_tests.profiles import current
from contract_tests.target import Target
from contract_tests.values import OFFSETS, values, written
from spec import Spec, load
from spec.instants import instant

SPEC = load()
LIFECYCLE = SPEC.lifecycle
# D6-D15 for the steps, D21-D23 for the values every member is drawn from.
DECISIONS = (*(f"D{n}" for n in range(6, 16)), "D21", "D22", "D23")
PROFILE = current()


def _times() -> st.SearchStrategy[str | None]:
    # Days from now on either side, so a server's clock a little off ours changes nothing;
    # mostly ahead, since a past time locks the record for good (D12); in any offset (D9).
    def at(days: int, minutes: int, zulu: bool) -> str:
        moment = datetime.now(UTC).replace(microsecond=0) + timedelta(days=days)
        return written(moment, minutes, zulu=zulu)

    future = st.builds(at, st.integers(2, 60), OFFSETS, st.booleans())
    past = st.builds(at, st.integers(-30, -2), OFFSETS, st.booleans())
    return st.one_of(st.none(), future, future, future, past)


def _fields(spec: Spec, target: Target) -> dict[str, st.SearchStrategy[Any]]:
    """A strategy for every replaceable member: what its schema admits, where the target's
    clock and locations (Q9) change nothing of the outcome."""
    replace = spec.request_pointer("replaceAppointment")
    fields = {
        name: values(spec, spec.member_schemas(replace, [name])[0]) for name in spec.fields(replace)
    }
    # What only the server under test gives meaning to: its clock and its dealer's locations.
    fields[LIFECYCLE.past_time_lock] = _times()
    fields["delivery_location_id"] = st.just(target.delivery_location_id)
    fields["pickup_location_id"] = st.sampled_from([None, target.pickup_location_id])
    # The member D13 leaves to the server, which free-form keys would hardly ever hit.
    config, key = LIFECYCLE.elected_member
    owned = st.builds(
        lambda value, kind: {**(value or {}), key: kind},
        fields[config],
        fields[LIFECYCLE.elected_request_field],
    )
    fields[config] = st.one_of(fields[config], owned)
    return fields


def build_machine(api: Api, target: Target, spec: Spec) -> type[RuleBasedStateMachine]:
    """The state machine class for this server."""
    model = Model(spec, advances=target.advances)
    fields = _fields(spec, target)
    base_path = urlsplit(target.base_url).path.rstrip("/")
    replace_fields = model.replace_fields
    required = set(spec.fields(spec.request_pointer("replaceAppointment"), required=True))
    optional = sorted(set(replace_fields) - required)
    elected_types = fields[LIFECYCLE.elected_request_field].filter(lambda kind: kind is not None)

    class Lifecycle(RuleBasedStateMachine):
        appointments = Bundle("appointments")
        created = 0

        def _expected(
            self, appointment: Appointment, rule: Callable[[dict[str, Any]], Expectation]
        ) -> list[Expectation]:
            """What a step must get in each state the appointment may be in (see Model.drift)."""
            return [rule(record) for record in model.moved_on(appointment.record)]

        def _check(
            self, appointment: Appointment, expectations: list[Expectation], response: Any
        ) -> None:
            step = f"{response.request.method} {response.request.url.path}"
            appointment.history.append(f"{step} -> {response.status_code}")
            expected = expectations[0]
            allowed = frozenset().union(*(e.statuses for e in expectations))
            assert response.status_code in allowed, (
                f"{step}: expected {sorted(expected.statuses)} ({expected.why})"
                f"{_drifted(expectations)}, got {response.status_code}. "
                f"Steps so far: {appointment.history}"
            )
            matching = [e for e in expectations if response.status_code in e.statuses]
            records = [e.record for e in matching if e.record is not None]
            if not records:
                self._unchanged(appointment)
                return
            answer = response.json()
            path = response.request.url.path.removeprefix(base_path)
            operation = spec.operation_for(response.request.method, path)
            if operation is not None:
                shape = spec.response_validator(operation.operation_id, response.status_code)
                error = next(iter(shape.iter_errors(answer)), None)
                assert error is None, (
                    f"{step}: the answer breaks its schema (D4, D9's UTC times): "
                    f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
                )
            record, wrong = _closest(model, records, answer)
            why = next(e.why for e in matching if e.record is record)
            assert not wrong, f"{step} ({why}) answered wrong members: {wrong}"
            self._stamped(appointment, answer, written=response.request.method in ("PUT", "PATCH"))
            appointment.record = {**record, "status": answer["status"]}

        def _stamped(
            self, appointment: Appointment, answer: dict[str, Any], *, written: bool
        ) -> None:
            stamp = answer.get(LIFECYCLE.updated_field)
            # D14 stamps every PUT and PATCH; before the first, a server may have none yet (Q6).
            if stamp is not None or written or appointment.updated_at is not None:
                moment = instant(stamp) if isinstance(stamp, str) else None
                assert moment is not None, f"D14: updatedat is {stamp!r} in the answer"
                if appointment.updated_at is not None:
                    assert moment >= appointment.updated_at, (
                        f"D14: updatedat went backwards: {appointment.updated_at} -> {stamp}"
                    )
                appointment.updated_at = moment
            move_id = answer.get(LIFECYCLE.move_field)
            before, now = appointment.record["status"], answer["status"]
            if appointment.move_id is not None:
                assert move_id == appointment.move_id, f"D14: move_id changed to {move_id}"
            elif LIFECYCLE.move_created_on in (before, now):
                assert isinstance(move_id, int), f"D14: no move_id in {now}"
                appointment.move_id = move_id
            elif move_id is not None and _may_have_been_paid(model, before, now):
                assert isinstance(move_id, int), f"D14: move_id {move_id!r} is no id"
                appointment.move_id = move_id
            else:
                assert move_id is None, f"D14: move_id {move_id} before {LIFECYCLE.move_created_on}"

        def _unchanged(self, appointment: Appointment) -> None:
            """A refused request changed nothing: read the record back where the API allows."""
            now = datetime.now(UTC)
            expectations = self._expected(
                appointment, lambda record: model.update(record, {}, replace=False, now=now)
            )
            if expectations[0].record is None:
                return  # terminal or past: the API offers no read of it
            response = api.patch(f"/appointments/{appointment.id}", {})
            moved_on = [e for e in expectations[1:] if response.status_code in e.statuses]
            if response.status_code != 200 and moved_on:
                return  # the server's own steps took it where the API offers no read
            assert response.status_code == 200, f"read-back PATCH {{}} got {response.status_code}"
            answer = response.json()
            records = [e.record for e in expectations if e.record is not None]
            record, wrong = _closest(model, records, answer)
            assert not wrong, f"a refused request changed the record: {wrong}"
            self._stamped(appointment, answer, written=True)
            appointment.record = {**record, "status": answer["status"]}

        # A few appointments per run, so the steps go into moving them through the lifecycle.
        @precondition(lambda self: self.created < 3)
        @rule(target=appointments, data=st.data())
        def create(self, data: st.DataObject) -> Appointment:
            self.created += 1
            body = examples.appointment(spec, target)
            for name in model.create_fields:
                if name in fields:
                    body[name] = data.draw(fields[name], label=name)
            body = examples.marked(spec, body)
            response = api.post("/appointments", body)
            assert response.status_code == 201, f"D6: creation got {response.status_code}"
            answer = response.json()
            status = answer.get("status")
            assert status in model.drift(LIFECYCLE.initial), f"D6: created as {status}"
            record = {**model.created(body), "id": answer["id"], "status": status}
            return Appointment(id=answer["id"], record=record)

        @rule(appointment=appointments, kind=elected_types)
        def elect(self, appointment: Appointment, kind: str) -> None:
            """PUT complete data with a type: the partner's new -> ready step."""
            body = examples.replacement(spec, target, transportation_type=kind)
            self._replace(appointment, body)

        @rule(appointment=appointments, data=st.data(), resend=st.booleans())
        def replace(self, appointment: Appointment, data: st.DataObject, resend: bool) -> None:
            if resend:
                # The current values with one mutable member changed: what a staged PUT may do.
                body = {name: appointment.record.get(name) for name in replace_fields}
                body[LIFECYCLE.elected_request_field] = LIFECYCLE.elected_type(appointment.record)
                mutable = data.draw(st.sampled_from(LIFECYCLE.staged_mutable_fields))
                body[mutable] = data.draw(fields[mutable], label=mutable)
            else:
                body = {name: data.draw(fields[name], label=name) for name in replace_fields}
            # Optional members left out as well as sent null: D7 clears both.
            left_out = data.draw(st.sets(st.sampled_from(optional)), label="left out")
            body = {
                k: v
                for k, v in body.items()
                if (v is not None or k not in required) and k not in left_out
            }
            self._replace(appointment, body)

        def _replace(self, appointment: Appointment, body: dict[str, Any]) -> None:
            now = datetime.now(UTC)
            expected = self._expected(
                appointment, lambda record: model.update(record, body, replace=True, now=now)
            )
            self._check(appointment, expected, api.put(f"/appointments/{appointment.id}", body))

        @rule(appointment=appointments, data=st.data())
        def update(self, appointment: Appointment, data: st.DataObject) -> None:
            names = data.draw(st.sets(st.sampled_from(replace_fields), max_size=3), label="members")
            body = {name: data.draw(fields[name], label=name) for name in sorted(names)}
            body = {k: v for k, v in body.items() if v is not None or k not in required}
            now = datetime.now(UTC)
            expected = self._expected(
                appointment, lambda record: model.update(record, body, replace=False, now=now)
            )
            self._check(appointment, expected, api.patch(f"/appointments/{appointment.id}", body))

        def _drive(self, appointment: Appointment, state: str) -> None:
            expected = self._expected(appointment, lambda record: model.transition(record, state))
            response = api.post(f"/_test/appointments/{appointment.id}/status", {"status": state})
            self._check(appointment, expected, response)

        @precondition(lambda self: target.test_control)
        @rule(appointment=appointments, data=st.data())
        def advance(self, appointment: Appointment, data: st.DataObject) -> None:
            """Take an internal edge the lifecycle has (payment, move creation, cancellation)."""
            edges = LIFECYCLE.edges_from(appointment.record["status"], "internal")
            if edges:
                self._drive(appointment, data.draw(st.sampled_from([e.target for e in edges])))

        @precondition(lambda self: target.test_control)
        @rule(appointment=appointments, state=st.sampled_from(list(LIFECYCLE.states)))
        def drive_any(self, appointment: Appointment, state: str) -> None:
            """Ask for any state: one the lifecycle does not allow from here must be refused."""
            self._drive(appointment, state)

    return Lifecycle


def _closest(
    model: Model, records: list[dict[str, Any]], answer: dict[str, Any]
) -> tuple[dict[str, Any], list[str]]:
    """The first expected record the answer matches, its status up to the server's own later
    steps; else the first record, with the members the answer got wrong."""
    wrong_first: list[str] | None = None
    status = answer.get("status")
    for record in records:
        wrong = model.mismatches({**record, "status": status}, answer)
        if status not in model.drift(record["status"]):
            wrong.insert(0, f"status: expected {record['status']!r}, got {status!r}")
        if not wrong:
            return record, []
        wrong_first = wrong if wrong_first is None else wrong_first
    return records[0], wrong_first or []


def _drifted(expectations: list[Expectation]) -> str:
    """How the message names the states the server's own steps may have taken it to."""
    if len(expectations) == 1:
        return ""
    return "; or, after the server's own steps, " + "; ".join(e.why for e in expectations[1:])


def _may_have_been_paid(model: Model, before: str, now: str) -> bool:
    """Whether the server's own steps may have passed the state that creates the move (D14)."""
    paid = LIFECYCLE.move_created_on
    return (
        model.advances
        and paid in LIFECYCLE.reachable(before)
        and now in LIFECYCLE.reachable(paid, by="internal")
    )


@pytest.mark.contract(
    "createAppointment",
    "replaceAppointment",
    "updateAppointment",
    "setAppointmentStatusForTest",
    check="lifecycle",
    decisions=DECISIONS,
)
@pytest.mark.generated
@pytest.mark.parametrize("shard", range(PROFILE.lifecycle_shards))
def test_appointments_follow_the_lifecycle(
    api: Api, target: Target, spec: Spec, shard: int, pytestconfig: pytest.Config
) -> None:
    machine = build_machine(api, target, spec)
    # Each shard its own examples, the same on every run with this seed, whichever worker.
    base = pytestconfig.getoption("hypothesis_seed", None)
    if base is not None:
        machine = seed(f"{base}/lifecycle/{shard}")(machine)
    examples_per_shard = -(-PROFILE.lifecycle_examples // PROFILE.lifecycle_shards)
    run_state_machine_as_test(
        machine, settings=PROFILE.settings(examples_per_shard, PROFILE.lifecycle_steps)
    )
