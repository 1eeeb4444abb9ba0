"""The appointment lifecycle as typed data, read from the spec's `x-lifecycle` extension."""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, cast

import jsonpointer
import jsonschema_rs
from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from spec.compiled import compile_schema
from spec.pointer import Pointer

StateKind = Literal["open", "staged", "terminal"]
Driver = Literal["public", "internal"]


@dataclass(frozen=True)
class State:
    """One appointment state and what kind of state it is."""

    name: str
    kind: StateKind
    description: str

    @property
    def terminal(self) -> bool:
        """Whether nothing public can change the appointment any more."""
        return self.kind == "terminal"

    @property
    def staged(self) -> bool:
        """Whether move staging has begun, freezing all but the staged-mutable fields."""
        return self.kind == "staged"


@dataclass(frozen=True)
class Edge:
    """A transition between two states and who drives it."""

    source: str
    target: str
    by: Driver
    via: tuple[str, ...] = ()


@dataclass(frozen=True)
class Derivation:
    """The D10 rule: the status a public update leaves an open appointment in."""

    applies_in: frozenset[str]
    not_elected: str
    incomplete: str
    complete: str
    complete_when: Mapping[str, Any]


@dataclass(frozen=True)
class Lifecycle:
    """The states, edges and rules of the appointment lifecycle."""

    initial: str
    states: Mapping[str, State]
    edges: tuple[Edge, ...]
    staged_mutable_fields: tuple[str, ...]
    past_time_lock: str
    elected_request_field: str
    elected_response_pointer: str
    move_created_on: str
    updated_field: str
    move_field: str
    derivation: Derivation
    status_schema_ref: str
    record_schema_ref: str
    _elected: Pointer = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_elected", Pointer(self.elected_response_pointer))

    @functools.cached_property
    def _complete(self) -> jsonschema_rs.Validator:
        # Compiled, and once: the derivation runs on every update the mock or the suite models.
        # Built on first use, so that `problems` can report an invalid schema first.
        return compile_schema(self.derivation.complete_when)

    @classmethod
    def from_extension(cls, data: Mapping[str, Any]) -> Lifecycle:
        """Build the lifecycle from an `x-lifecycle` value already checked against its schema."""
        derivation = data["derivation"]
        return cls(
            initial=data["initial"],
            states={
                name: State(name=name, kind=state["kind"], description=state["description"])
                for name, state in data["states"].items()
            },
            edges=tuple(
                Edge(source=e["from"], target=e["to"], by=e["by"], via=tuple(e.get("via", ())))
                for e in data["edges"]
            ),
            staged_mutable_fields=tuple(data["stagedMutableFields"]),
            past_time_lock=data["pastTimeLock"],
            elected_request_field=data["electedType"]["requestField"],
            elected_response_pointer=data["electedType"]["responsePointer"],
            move_created_on=data["moveCreatedOn"],
            updated_field=data["updatedField"],
            move_field=data["moveField"],
            derivation=Derivation(
                applies_in=frozenset(derivation["appliesIn"]),
                not_elected=derivation["notElected"],
                incomplete=derivation["incomplete"],
                complete=derivation["complete"],
                complete_when=derivation["completeWhen"],
            ),
            status_schema_ref=data["statusSchema"],
            record_schema_ref=data["recordSchema"],
        )

    @property
    def terminal_states(self) -> frozenset[str]:
        """States from which no public request can change the appointment."""
        return frozenset(name for name, state in self.states.items() if state.terminal)

    @property
    def staged_states(self) -> frozenset[str]:
        """States in which only the staged-mutable fields may change."""
        return frozenset(name for name, state in self.states.items() if state.staged)

    def edges_from(self, source: str, by: Driver | None = None) -> tuple[Edge, ...]:
        """The edges leaving `source`, optionally only those driven by `by`."""
        return tuple(e for e in self.edges if e.source == source and by in (None, e.by))

    def allows(self, source: str, target: str, by: Driver) -> bool:
        """Whether the lifecycle has an edge `source` -> `target` driven by `by`."""
        return any(e.target == target for e in self.edges_from(source, by))

    def reachable(self, start: str | None = None, by: Driver | None = None) -> frozenset[str]:
        """Every state reachable from `start` (the initial state by default), itself included,
        optionally along the edges `by` drives only."""
        seen = {start or self.initial}
        frontier = list(seen)
        while frontier:
            for edge in self.edges_from(frontier.pop(), by):
                if edge.target not in seen:
                    seen.add(edge.target)
                    frontier.append(edge.target)
        return frozenset(seen)

    def path(self, source: str, target: str, by: Driver) -> list[str] | None:
        """The fewest states to pass through along `by`'s edges from `source` to `target`
        (`target` last, `source` left out), or None when no such path exists."""
        paths = [[source]]
        while paths:
            path = paths.pop(0)
            if path[-1] == target:
                return path[1:]
            paths.extend(
                [*path, edge.target]
                for edge in self.edges_from(path[-1], by)
                if edge.target not in path
            )
        return None

    @property
    def elected_member(self) -> tuple[str, str]:
        """Where an answer reports the elected type: the record member, and its key in it (D13)."""
        member, key = jsonpointer.JsonPointer(self.elected_response_pointer).parts
        return member, key

    def elected_type(self, record: Mapping[str, Any]) -> str | None:
        """The transportation type an appointment record reports as elected, if any."""
        value = self._elected.value_in(record)
        return value if isinstance(value, str) else None

    def is_complete(self, record: Mapping[str, Any]) -> bool:
        """Whether the record holds all the data a move needs (the D10 completeness rule)."""
        return bool(self._complete.is_valid(record))

    def derive_status(self, record: Mapping[str, Any]) -> str:
        """The status a successful public update leaves an open appointment in (D10)."""
        if self.elected_type(record) is None:
            return self.derivation.not_elected
        return self.derivation.complete if self.is_complete(record) else self.derivation.incomplete

    def problems(self, document: Mapping[str, Any]) -> Iterator[str]:
        """Every way the lifecycle disagrees with itself or with the rest of the document."""
        names = set(self.states)
        status_schema = _local(document, self.status_schema_ref)
        record_schema = _local(document, self.record_schema_ref)
        if status_schema is None:
            yield f"statusSchema {self.status_schema_ref} does not resolve"
        elif set(status_schema.get("enum", ())) != names:
            yield (
                f"states {sorted(names)} differ from the enum of {self.status_schema_ref} "
                f"{sorted(status_schema.get('enum', ()))}"
            )
        named = {
            "initial": [self.initial],
            "moveCreatedOn": [self.move_created_on],
            "derivation": [
                *sorted(self.derivation.applies_in),
                self.derivation.not_elected,
                self.derivation.incomplete,
                self.derivation.complete,
            ],
            "edges": [s for e in self.edges for s in (e.source, e.target)],
        }
        for where, states in named.items():
            for unknown in sorted(set(states) - names):
                yield f"{where} names unknown state {unknown!r}"
        if self.initial in names:
            for unreachable in sorted(names - self.reachable()):
                yield f"state {unreachable!r} is not reachable from {self.initial!r}"
        for edge in self.edges:
            if edge.by == "public" and edge.source in self.terminal_states:
                yield f"terminal state {edge.source!r} has a public edge to {edge.target!r}"
        for state in sorted(self.derivation.applies_in & names):
            if self.states[state].kind != "open":
                yield f"derivation applies in {state!r}, which is not an open state"
            targets = {e.target for e in self.edges_from(state, "public")}
            expected = {
                self.derivation.not_elected,
                self.derivation.incomplete,
                self.derivation.complete,
            }
            if targets != expected:
                yield (
                    f"public edges from {state!r} reach {sorted(targets)}, "
                    f"but the derivation gives {sorted(expected)}"
                )
        operations = {
            op.get("operationId")
            for item in document.get("paths", {}).values()
            for op in item.values()
            if isinstance(op, dict)
        }
        for edge in self.edges:
            for operation in sorted(set(edge.via) - operations):
                yield f"edge {edge.source}->{edge.target} names unknown operation {operation!r}"
        if record_schema is None:
            yield f"recordSchema {self.record_schema_ref} does not resolve"
            return
        fields = set(record_schema.get("properties", {}))
        settings = [
            self.past_time_lock,
            self.updated_field,
            self.move_field,
            self.elected_member[0],
        ]
        for name in [*self.staged_mutable_fields, *settings]:
            if name not in fields:
                yield f"field {name!r} is not a property of {self.record_schema_ref}"
        try:
            Draft202012Validator.check_schema(self.derivation.complete_when)
        except SchemaError as error:
            yield f"derivation.completeWhen is not a valid JSON Schema: {error.message}"


def _local(document: Mapping[str, Any], ref: str) -> Mapping[str, Any] | None:
    """The object a local `#/...` reference points at, or None when it does not resolve."""
    try:
        target = jsonpointer.resolve_pointer(document, ref.removeprefix("#"))
    except jsonpointer.JsonPointerException:
        return None
    return cast(Mapping[str, Any], target) if isinstance(target, Mapping) else None
