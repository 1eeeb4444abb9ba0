"""The fault plan (control.yaml's FaultPlan): the faults each operation meets, read and checked."""

from __future__ import annotations

import os
from collections.abc import Collection, Mapping
from dataclasses import asdict, dataclass, field, fields
from typing import Any, TypeVar

from jsonschema.exceptions import best_match

from mock_server.bodies import pointer
from mock_server.control_api import ControlFileError, read_file, validator
from spec.pointer import escape

SCHEMA = "FaultPlan"
# The entry whose faults every operation meets, but for the kinds its own entry names.
EVERY_OPERATION = "*"
_Fault = TypeVar("_Fault")


@dataclass(frozen=True)
class Latency:
    """Each answer `ms` milliseconds late, plus up to `jitter_ms` more (uniformly drawn)."""

    ms: float
    jitter_ms: float = 0.0


@dataclass(frozen=True)
class RateLimit:
    """A token bucket per bearer token: `per_second` requests, a second's worth at once."""

    per_second: float


@dataclass(frozen=True)
class Drop:
    """A share of the requests whose connection is closed with no answer."""

    share: float


@dataclass(frozen=True)
class Error:
    """A share of the requests answered with `status` (500 or 503) instead."""

    share: float
    status: int = 500


@dataclass(frozen=True)
class OperationFaults:
    """The faults of one entry of the plan, each kind at most once."""

    latency: Latency | None = None
    rate_limit: RateLimit | None = None
    drop: Drop | None = None
    error: Error | None = None

    def over(self, every: OperationFaults) -> OperationFaults:
        """These faults, with each kind this entry leaves out taken from the `*` entry."""
        return OperationFaults(
            latency=self.latency or every.latency,
            rate_limit=self.rate_limit or every.rate_limit,
            drop=self.drop or every.drop,
            error=self.error or every.error,
        )


@dataclass(frozen=True)
class FaultPlan:
    """The faults by operationId (or `*`), and the seed of their random choices."""

    faults: Mapping[str, OperationFaults] = field(default_factory=dict)
    seed: int = 0

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> FaultPlan:
        """The plan from data the FaultPlan schema and `problem_in` accept."""
        return cls(
            faults={name: _entry(kinds) for name, kinds in data.get("faults", {}).items()},
            # JSON Schema's integers include 7.0, which would seed other draws than 7.
            seed=int(data.get("seed", 0)),
        )

    def of(self, operation_id: str) -> OperationFaults:
        """The faults one operation meets: its own entry over the `*` entry."""
        every = self.faults.get(EVERY_OPERATION, OperationFaults())
        return self.faults.get(operation_id, OperationFaults()).over(every)

    def document(self) -> dict[str, Any]:
        """The plan as the FaultPlan schema writes it, every default spelled out."""
        faults = {
            name: {
                kind.name: asdict(value)
                for kind in fields(entry)
                if (value := getattr(entry, kind.name)) is not None
            }
            for name, entry in self.faults.items()
        }
        return {"seed": self.seed, "faults": faults}


def _entry(kinds: Mapping[str, Mapping[str, Any]]) -> OperationFaults:
    return OperationFaults(
        latency=_made(Latency, kinds.get("latency")),
        rate_limit=_made(RateLimit, kinds.get("rate_limit")),
        drop=_made(Drop, kinds.get("drop")),
        error=_made(Error, kinds.get("error")),
    )


def _made(kind: type[_Fault], value: Mapping[str, Any] | None) -> _Fault | None:
    return kind(**value) if value is not None else None


def problem_in(data: Any, operation_ids: Collection[str]) -> tuple[str, str] | None:
    """Where `data` is no fault plan for these operations, and why (a JSON Pointer, a message)."""
    error = best_match(validator(SCHEMA).iter_errors(data))
    if error is not None:
        return pointer(error.absolute_path), error.message
    for name in data.get("faults", {}):
        if name != EVERY_OPERATION and name not in operation_ids:
            known = ", ".join(sorted(operation_ids))
            return f"/faults/{escape(name)}", f"{name!r} is neither * nor an operationId ({known})"
    return None


def read_plan(path: str | os.PathLike[str], operation_ids: Collection[str]) -> FaultPlan:
    """The plan of a YAML or JSON file (--faults); ControlFileError, one line, if it is none."""
    data = read_file(path, SCHEMA)
    problem = problem_in(data, operation_ids)
    if problem is not None:
        raise ControlFileError(f"{path}: {problem[0]}: {problem[1]}")
    return FaultPlan.from_data(data)
