"""The suite's own model of an appointment: what a conforming server must answer (D6-D15).

Built from the spec's lifecycle and schemas; it knows nothing of any implementation.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from spec import Spec
from spec.instants import instant


@dataclass(frozen=True)
class Expectation:
    """The statuses a request may get, and the record a success must answer."""

    statuses: frozenset[int]
    record: dict[str, Any] | None
    why: str
    decisions: tuple[str, ...]  # the decisions that set this outcome: what an other one breaks


@dataclass(frozen=True)
class Mismatch:
    """One member where an answer differs from the model's record."""

    name: str
    expected: Any
    got: Any

    def __str__(self) -> str:
        return f"{self.name}: expected {self.expected!r}, got {self.got!r}"


@dataclass(frozen=True)
class Refused:
    """A request refused as the model expected: until the record is seen again, what it sent
    is what a changed member is held against."""

    step: str
    body: Mapping[str, Any]
    decisions: tuple[str, ...]


@dataclass
class Appointment:
    """One appointment as the model holds it."""

    id: int
    record: dict[str, Any]
    updated_at: datetime | None = None
    move_id: int | None = None
    history: list[str] = field(default_factory=list)
    refused: Refused | None = None


class Model:
    """Expected outcomes of creations, replacements, updates and internal transitions."""

    # The operation whose body D6 makes a record of, and the one that replaces it whole (D7).
    creation = "createAppointment"
    replacement = "replaceAppointment"

    def __init__(self, spec: Spec, *, advances: bool = False) -> None:
        lifecycle = spec.lifecycle
        self.lifecycle = lifecycle
        self.advances = advances
        self.record_fields = spec.fields(
            lifecycle.record_schema_ref.removeprefix("#"), required=True
        )
        self.create_fields = spec.fields(spec.request_pointer(self.creation))
        self.replace_fields = spec.fields(spec.request_pointer(self.replacement))
        self.config_member, self.config_key = lifecycle.elected_member

    def drift(self, status: str) -> frozenset[str]:
        """The states an appointment last seen in `status` may be in now: itself, and where the
        server's own steps lead (internal edges) when it declares it takes them."""
        if not self.advances:
            return frozenset({status})
        return self.lifecycle.reachable(status, by="internal")

    def moved_on(self, record: Mapping[str, Any]) -> list[dict[str, Any]]:
        """The record as it may stand now, one per state of its drift, the least moved first."""
        status = record["status"]
        later = sorted(self.drift(status) - {status})
        return [dict(record), *({**record, "status": state} for state in later)]

    def created(self, body: Mapping[str, Any]) -> dict[str, Any]:
        """The record a creation leaves (D6): the body's members, the initial state, no type."""
        record: dict[str, Any] = dict.fromkeys(self.record_fields)
        record.update({name: body.get(name) for name in self.create_fields})
        record[self.config_member] = self._config(body.get(self.config_member), None)
        record["status"] = self.lifecycle.initial
        return record

    def update(
        self, record: Mapping[str, Any], body: Mapping[str, Any], *, replace: bool, now: datetime
    ) -> Expectation:
        """What a PUT (`replace`) or PATCH must get (D7-D13)."""
        lifecycle = self.lifecycle
        status = record["status"]
        refusals: dict[int, str] = {}
        broken: list[str] = []
        if status in lifecycle.terminal_states:
            refusals[409] = f"D12: {status} is terminal"
            broken.append("D12")
        stored = _instant(record.get(lifecycle.past_time_lock))
        if stored is not None and stored <= now:
            refusals[409] = "D12: the stored appointment_time has passed"
            broken.append("D12")
        changes = {name: body.get(name) for name in self.replace_fields} if replace else dict(body)
        new_time = _instant(changes.get(lifecycle.past_time_lock))
        if new_time is not None and new_time <= now:
            refusals.setdefault(400, "D9: the new appointment_time is in the past")
            broken.append("D9")
        elected_field = lifecycle.elected_request_field
        current = lifecycle.elected_type(record)
        elected = changes.pop(elected_field) if elected_field in changes else current
        candidate = {**record, **changes}
        candidate[self.config_member] = self._config(candidate.get(self.config_member), elected)
        if status in lifecycle.staged_states:
            frozen = sorted(
                name
                for name in self.replace_fields
                if name not in lifecycle.staged_mutable_fields
                and name != elected_field
                and not _same(name, candidate.get(name), record.get(name))
            )
            if elected != current:
                frozen.append(elected_field)
            if frozen:
                refusals.setdefault(409, f"D11: {status} freezes {', '.join(frozen)}")
                broken.append("D11")
            allowed = ("D7" if replace else "D8", "D11")
        else:
            candidate["status"] = lifecycle.derive_status(candidate)
            allowed = ("D7" if replace else "D8", "D10")
        if refusals:
            # Where several rules refuse, a server may give any of their statuses.
            why = "; ".join(refusals.values())
            return Expectation(frozenset(refusals), None, why, tuple(dict.fromkeys(broken)))
        return Expectation(
            frozenset({200}), candidate, f"{'/'.join(allowed)}: the update is allowed", allowed
        )

    def transition(self, record: Mapping[str, Any], target: str) -> Expectation:
        """What the D15 test-control request must get."""
        status = record["status"]
        if not self.lifecycle.allows(status, target, "internal"):
            return Expectation(
                frozenset({409}), None, f"D15: no internal edge {status} -> {target}", ("D15",)
            )
        return Expectation(
            frozenset({200}), {**record, "status": target}, f"D15: {status} -> {target}", ("D15",)
        )

    def _config(self, config: Any, elected: str | None) -> dict[str, Any] | None:
        """The config a server reports: the client's keys and the elected type, its own (D13)."""
        kept = (
            {k: v for k, v in config.items() if k != self.config_key}
            if isinstance(config, dict)
            else None
        )
        return kept if elected is None else {**(kept or {}), self.config_key: elected}

    def mismatches(self, record: Mapping[str, Any], answer: Mapping[str, Any]) -> list[str]:
        """The members where a server's answer differs from the model's record, as text."""
        return [str(mismatch) for mismatch in self.differences(record, answer)]

    def differences(self, record: Mapping[str, Any], answer: Mapping[str, Any]) -> list[Mismatch]:
        """The members where a server's answer differs from the model's record (times compared
        as instants); the stamps the server alone sets are judged apart (D14)."""
        own = ("id", self.lifecycle.updated_field, self.lifecycle.move_field)
        return [
            Mismatch(name, expected, answer.get(name))
            for name, expected in record.items()
            if name not in own and not _same(name, answer.get(name), expected)
        ]

    def blame(
        self, mismatch: Mismatch, decisions: tuple[str, ...], before: Mapping[str, Any] | None
    ) -> str:
        """The decision a wrong member breaks, in an answer whose outcome `decisions` set and
        whose record stood as `before`: a value the server changed into another of its kind
        breaks the rule of that kind; one it left or dropped, the outcome's own."""
        name, expected, got = mismatch.name, mismatch.expected, mismatch.got
        if name == "status":
            return next((d for d in decisions if d in ("D10", "D15")), decisions[0])
        if name == self.config_member and (
            (isinstance(expected, dict) and isinstance(got, dict))
            or _elected(expected, self.config_key) != _elected(got, self.config_key)
        ):
            return "D13"  # the server owns the elected type and reports the rest as sent
        if expected == "" and got is None:
            return "D21"  # "" is a value, not an absence
        kept = before is not None and name in before and _same(name, got, before[name])
        if not kept and isinstance(expected, str) and isinstance(got, str):
            return "D9" if name.endswith("time") else "D21"  # read as another instant, or cut
        if not kept and type(expected) is int and type(got) is int:
            return "D22"  # an I-JSON integer is held whole
        return next((d for d in decisions if d in ("D7", "D8", "D15")), decisions[0])


def _same(name: str, left: Any, right: Any) -> bool:
    # Times are the same when they name the same instant, whatever offset they are written in.
    if isinstance(left, str) and isinstance(right, str):
        a, b = _instant(left), _instant(right)
        if a is not None and b is not None and name.endswith("time"):
            return a == b
    return bool(left == right)


def _elected(config: Any, key: str) -> Any:
    return config.get(key) if isinstance(config, dict) else None


def _instant(value: Any) -> datetime | None:
    return instant(value) if isinstance(value, str) else None
