"""Lifecycle conformance: a Hypothesis state machine drives appointments through the spec's
lifecycle and holds the server to the suite's model after every step (D6-D15)."""

from __future__ import annotations

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

from contract_tests import examples, follow
from contract_tests.exchanges import Api
from contract_tests.model import Appointment, Expectation, Model
from contract_tests.profiles import current
from contract_tests.target import Target
from contract_tests.values import OFFSETS, values, written
from spec import Spec, load

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

        def _check(
            self,
            appointment: Appointment,
            expectations: list[Expectation],
            body: dict[str, Any],
            response: Any,
        ) -> None:
            step = f"{response.request.method} {response.request.url.path}"
            answer = _json(response)
            if response.status_code in frozenset[int]().union(*(e.statuses for e in expectations)):
                path = response.request.url.path.removeprefix(base_path)
                operation = spec.operation_for(response.request.method, path)
                if operation is not None and 200 <= response.status_code < 300:
                    shape = spec.response_validator(operation.operation_id, response.status_code)
                    error = next(iter(shape.iter_errors(answer)), None)
                    assert error is None, (
                        f"{step}: the answer breaks its schema (D4, D9's UTC times): "
                        f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
                    )
            findings = follow.judge(
                model, appointment, expectations, step, body, response.status_code, answer
            )
            assert not findings, "\n".join(finding.message for finding in findings)
            if appointment.refused is not None:
                self._unchanged(appointment)

        def _unchanged(self, appointment: Appointment) -> None:
            """A refused request changed nothing: read the record back where the API allows."""
            now = datetime.now(UTC)
            expectations = follow.expected(
                model, appointment, lambda record: model.update(record, {}, replace=False, now=now)
            )
            if expectations[0].record is None:
                return  # terminal or past: the API offers no read of it
            response = api.patch(f"/appointments/{appointment.id}", {})
            moved_on = [e for e in expectations[1:] if response.status_code in e.statuses]
            if response.status_code != 200 and moved_on:
                return  # the server's own steps took it where the API offers no read
            assert response.status_code == 200, f"read-back PATCH {{}} got {response.status_code}"
            findings = follow.judge(
                model, appointment, expectations, "read-back PATCH {}", {}, 200, response.json()
            )
            assert not findings, "a refused request changed the record: " + "; ".join(
                finding.message for finding in findings
            )

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
            appointment, wrong = follow.creation(model, body, response.json())
            assert not wrong, "; ".join(wrong)
            return appointment

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
            expected = follow.expected(
                model, appointment, lambda record: model.update(record, body, replace=True, now=now)
            )
            response = api.put(f"/appointments/{appointment.id}", body)
            self._check(appointment, expected, body, response)

        @rule(appointment=appointments, data=st.data())
        def update(self, appointment: Appointment, data: st.DataObject) -> None:
            names = data.draw(st.sets(st.sampled_from(replace_fields), max_size=3), label="members")
            body = {name: data.draw(fields[name], label=name) for name in sorted(names)}
            body = {k: v for k, v in body.items() if v is not None or k not in required}
            now = datetime.now(UTC)
            expected = follow.expected(
                model, appointment, lambda rec: model.update(rec, body, replace=False, now=now)
            )
            response = api.patch(f"/appointments/{appointment.id}", body)
            self._check(appointment, expected, body, response)

        def _drive(self, appointment: Appointment, state: str) -> None:
            expected = follow.expected(
                model, appointment, lambda record: model.transition(record, state)
            )
            body = {"status": state}
            response = api.post(f"/_test/appointments/{appointment.id}/status", body)
            self._check(appointment, expected, body, response)

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


def _json(response: Any) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


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
