"""Appointment rules (D6-D14): creation, replacement, partial update, internal transitions."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from mock_server.problems import Problem, field_error
from mock_server.timestamps import parse_offset, utc_offset, utc_stamp
from spec import Lifecycle, Spec


@dataclass(frozen=True)
class AppointmentRules:
    """What the spec says about appointments, gathered once at start-up."""

    lifecycle: Lifecycle
    record_fields: tuple[str, ...]
    create_fields: tuple[str, ...]
    replace_fields: tuple[str, ...]
    created_fields: tuple[str, ...]

    @classmethod
    def from_spec(cls, spec: Spec) -> AppointmentRules:
        """Read the record's fields and the writable ones from the spec's schemas."""
        lifecycle = spec.lifecycle
        return cls(
            lifecycle=lifecycle,
            record_fields=spec.fields(lifecycle.record_schema_ref.removeprefix("#"), required=True),
            create_fields=spec.fields(spec.request_pointer("createAppointment")),
            replace_fields=spec.fields(spec.request_pointer("replaceAppointment")),
            created_fields=spec.fields(spec.response_pointer("createAppointment", 201)),
        )

    def create(self, body: Mapping[str, Any], now: datetime) -> dict[str, Any]:
        """A new record from a creation body: always the initial state (D6)."""
        record: dict[str, Any] = dict.fromkeys(self.record_fields)
        record.update({name: body.get(name) for name in self.create_fields})
        record.update(self._normalised_time(body, now, refuse_past=False))
        container, _ = self.lifecycle.elected_member
        record[container] = self._with_elected(body.get(container), None)
        record["status"] = self.lifecycle.initial
        record[self.lifecycle.updated_field] = utc_stamp(now)
        return record

    def created(self, record: Mapping[str, Any]) -> dict[str, Any]:
        """The answer to a creation: the members the 201 schema names."""
        return {name: record[name] for name in self.created_fields}

    def update(
        self, record: Mapping[str, Any], body: Mapping[str, Any], *, replace: bool, now: datetime
    ) -> dict[str, Any]:
        """The record after a PUT (`replace`) or PATCH, or a Problem that changes nothing."""
        lifecycle = self.lifecycle
        status = record["status"]
        if status in lifecycle.terminal_states:
            raise Problem(409, "terminal", f"The appointment is {status}; it can no longer change.")
        stored_time = record.get(lifecycle.past_time_lock)
        if stored_time is not None and parse_offset(stored_time, "") <= now:
            raise Problem(
                409,
                "appointment-in-past",
                "The appointment time has passed; it can no longer change.",
            )

        changes = {name: body.get(name) for name in self.replace_fields} if replace else dict(body)
        changes.update(self._normalised_time(changes, now, refuse_past=True))
        elected_field = lifecycle.elected_request_field
        elected = (
            changes.pop(elected_field)
            if elected_field in changes
            else lifecycle.elected_type(record)
        )
        container, _ = self.lifecycle.elected_member
        candidate = {**record, **changes}
        candidate[container] = self._with_elected(candidate.get(container), elected)

        if status in lifecycle.staged_states:
            frozen = [
                name
                for name in self.replace_fields
                if name not in lifecycle.staged_mutable_fields
                and name != elected_field
                and candidate.get(name) != record.get(name)
            ]
            if lifecycle.elected_type(candidate) != lifecycle.elected_type(record):
                frozen.append(elected_field)
            if frozen:
                raise Problem(
                    409,
                    "frozen-field",
                    f"The appointment is {status}; move staging has begun and "
                    f"{', '.join(sorted(frozen))} can no longer change.",
                )
        else:
            candidate["status"] = lifecycle.derive_status(candidate)
        candidate[lifecycle.updated_field] = self._stamp_after(record, now)
        return candidate

    def transition(
        self,
        record: Mapping[str, Any],
        target: str,
        now: datetime,
        create_move: Callable[[], int],
    ) -> dict[str, Any]:
        """The record after an internal transition (D15), creating its move on arrival in `paid`."""
        status = record["status"]
        if not self.lifecycle.allows(status, target, "internal"):
            raise Problem(
                409,
                "no-such-transition",
                f"The lifecycle has no internal edge {status} -> {target}.",
            )
        lifecycle = self.lifecycle
        updated = {
            **record,
            "status": target,
            lifecycle.updated_field: self._stamp_after(record, now),
        }
        if target == lifecycle.move_created_on and record.get(lifecycle.move_field) is None:
            updated[lifecycle.move_field] = create_move()
        return updated

    def _normalised_time(
        self, body: Mapping[str, Any], now: datetime, *, refuse_past: bool
    ) -> dict[str, Any]:
        """The appointment time in UTC (D9); a past one is refused on updates only (D6, D9)."""
        name = self.lifecycle.past_time_lock
        value = body.get(name)
        if value is None:
            return {}
        moment = parse_offset(value, f"/{name}")
        if refuse_past and moment <= now:
            raise Problem(
                400,
                "validation",
                "1 problem in the request body.",
                errors=[field_error(f"/{name}", "is in the past")],
            )
        return {name: utc_offset(moment)}

    def _with_elected(self, config: Any, elected: str | None) -> dict[str, Any] | None:
        """The config as the server reports it: the client's keys plus the elected type (D13)."""
        _, key = self.lifecycle.elected_member
        kept = {k: v for k, v in config.items() if k != key} if isinstance(config, dict) else None
        if elected is None:
            return kept
        return {**(kept or {}), key: elected}

    def _stamp_after(self, record: Mapping[str, Any], now: datetime) -> str:
        """The updated stamp for a change now, never earlier than the one it replaces (D14)."""
        stamp = utc_stamp(now)
        previous = record.get(self.lifecycle.updated_field)
        return previous if isinstance(previous, str) and previous > stamp else stamp
