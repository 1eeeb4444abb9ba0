"""Every difference between two versions of the spec, classified by a rule table.

A difference is breaking for clients when code written against the old spec can fail against a
server of the new one, and breaking for servers when a server of the old spec no longer conforms.
Only public operations count: the internal test-control operation is nobody's contract.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from spec import Spec
from spec.pointer import escape
from spec.schemas import parts as applying


@dataclass(frozen=True)
class Rule:
    """How one kind of difference affects each side."""

    kind: str
    clients: bool
    servers: bool
    why: str


# The rule table: kind -> who it breaks. "request" is what clients send, "response" what they read.
RULES = {
    rule.kind: rule
    for rule in (
        Rule("operation-removed", True, False, "clients calling it get 404/405"),
        Rule("operation-added", False, True, "servers must implement it"),
        Rule("success-status-changed", True, True, "clients check the status they were promised"),
        Rule(
            "request-member-removed", True, False, "bodies are closed: clients sending it get 400"
        ),
        Rule("request-member-added", False, True, "servers must accept it; clients may omit it"),
        Rule("request-member-now-required", True, False, "clients that omit it get 400"),
        Rule("request-member-now-optional", False, True, "servers must cope without it"),
        Rule("request-type-narrowed", True, False, "clients sending the dropped type get 400"),
        Rule("request-type-widened", False, True, "servers must accept the new type"),
        Rule("request-enum-value-removed", True, False, "clients sending it get 400"),
        Rule("request-enum-value-added", False, True, "servers must accept it"),
        Rule("request-constraint-tightened", True, False, "values clients sent may now be refused"),
        Rule("request-constraint-loosened", False, True, "servers must accept more values"),
        Rule("response-member-removed", True, True, "clients reading it find nothing"),
        Rule("response-member-now-optional", True, False, "clients reading it may find nothing"),
        Rule("response-member-added", False, True, "servers must send it"),
        Rule("response-type-widened", True, False, "clients meet a type they cannot handle"),
        Rule("response-type-narrowed", False, True, "servers must stop sending the dropped type"),
        Rule("response-enum-value-added", True, False, "clients meet a value they do not know"),
        Rule("response-enum-value-removed", False, True, "servers must stop sending it"),
        Rule("lifecycle-edge-removed", True, True, "a transition clients rely on is gone"),
        Rule("lifecycle-edge-added", False, True, "servers must support the new transition"),
        Rule("staged-field-frozen", True, False, "clients can no longer change it once staged"),
        Rule("staged-field-unfrozen", False, True, "servers must accept changes to it"),
    )
}


@dataclass(frozen=True)
class Change:
    """One difference: its rule, where it is, and what changed."""

    rule: Rule
    where: str
    detail: str

    @property
    def breaks_clients(self) -> bool:
        """Whether a client written against the old spec can fail."""
        return self.rule.clients

    def as_dict(self) -> dict[str, Any]:
        """The change as JSON-ready data."""
        return {
            "kind": self.rule.kind,
            "where": self.where,
            "detail": self.detail,
            "breaks_clients": self.rule.clients,
            "breaks_servers": self.rule.servers,
            "why": self.rule.why,
        }


def compare(base: Spec, head: Spec) -> list[Change]:
    """Every difference from `base` to `head`, in a stable order."""
    changes: list[Change] = []
    old = {op.operation_id: op for op in base.public_operations}
    new = {op.operation_id: op for op in head.public_operations}
    for op_id in sorted(old.keys() - new.keys()):
        changes.append(
            _change("operation-removed", op_id, f"{old[op_id].method} {old[op_id].path}")
        )
    for op_id in sorted(new.keys() - old.keys()):
        changes.append(_change("operation-added", op_id, f"{new[op_id].method} {new[op_id].path}"))
    for op_id in sorted(old.keys() & new.keys()):
        before, after = old[op_id], new[op_id]
        if (before.method, before.path) != (after.method, after.path):
            changes.append(_change("operation-removed", op_id, f"{before.method} {before.path}"))
            changes.append(_change("operation-added", op_id, f"{after.method} {after.path}"))
            continue
        success = before.success_status
        if success != after.success_status:
            changes.append(
                _change("success-status-changed", op_id, f"{success} -> {after.success_status}")
            )
        if before.request_schema and after.request_schema:
            changes += _compare_shapes(
                "request",
                f"{op_id} request",
                _flatten(base, before.request_schema),
                _flatten(head, after.request_schema),
            )
        if success == after.success_status and success is not None:
            old_body, new_body = before.responses[success].schema, after.responses[success].schema
            if old_body and new_body:
                changes += _compare_shapes(
                    "response",
                    f"{op_id} {success} response",
                    _flatten(base, old_body),
                    _flatten(head, new_body),
                )
    return changes + list(_compare_lifecycles(base, head))


def _change(kind: str, where: str, detail: str) -> Change:
    return Change(RULES[kind], where, detail)


_JSON_TYPES = frozenset({"null", "boolean", "object", "array", "number", "integer", "string"})


@dataclass
class _Node:
    """What a schema allows at one place of a body."""

    types: set[str]
    enum: set[Any] | None
    members: set[str]
    required: set[str]
    bounds: dict[str, Any]


def _flatten(spec: Spec, pointer: str) -> dict[str, _Node]:
    """Every place of the body the schema at `pointer` describes, `$ref`s and `allOf` merged."""
    places: dict[str, _Node] = {}
    _visit(spec, [pointer], "", places, frozenset())
    return places


def _visit(
    spec: Spec, schemas: Sequence[str], where: str, places: dict[str, _Node], seen: frozenset[str]
) -> None:
    """Merge into `places` what the schemas at `schemas`, applying together, allow at `where`."""
    node = places.setdefault(where, _Node(set(), None, set(), set(), {}))
    found = [
        part for pointer in schemas for part in applying(spec.document, pointer, followed=seen)
    ]
    seen = seen.union(*(part.followed for part in found))
    # allOf and $ref parts all apply at once: what they allow is what they allow together.
    declared = [_types(part.node) for part in found if "type" in part.node]
    if declared:
        node.types |= set.intersection(*declared)
    enums = [_values(part.node) for part in found if "enum" in part.node or "const" in part.node]
    if enums:
        values = set.intersection(*enums)
        node.enum = values if node.enum is None else node.enum | values
    members: dict[str, list[str]] = {}
    for part in found:
        for bound in ("minimum", "maximum", "minLength", "maxLength", "pattern", "format"):
            if bound in part.node:
                node.bounds[bound] = part.node[bound]
        node.required.update(part.node.get("required", []))
        for name in part.node.get("properties", {}):
            members.setdefault(name, []).append(f"{part.pointer}/properties/{escape(name)}")
        if isinstance(part.node.get("items"), dict):
            _visit(spec, [f"{part.pointer}/items"], f"{where}/[]", places, seen)
    for name, definitions in members.items():
        node.members.add(name)
        _visit(spec, definitions, f"{where}/{name}", places, seen)
    # anyOf and oneOf branches are alternatives: what any of them allows is allowed.
    for part in found:
        for keyword in ("anyOf", "oneOf"):
            for index, alternative in enumerate(part.node.get(keyword, [])):
                if not _only_constraints(alternative):
                    _visit(spec, [f"{part.pointer}/{keyword}/{index}"], where, places, seen)
    if not node.types and node.members:
        node.types.add("object")
    elif not node.types and node.enum is None:
        # A schema that names no type, no members and no values admits every JSON value.
        node.types.update(_JSON_TYPES)


def _types(schema: Mapping[str, Any]) -> set[str]:
    kinds = schema["type"]
    return {kinds} if isinstance(kinds, str) else set(kinds)


def _values(schema: Mapping[str, Any]) -> set[Any]:
    return set(schema.get("enum", [])) | ({schema["const"]} if "const" in schema else set())


def _only_constraints(schema: Any) -> bool:
    """An anyOf branch that only requires members (RoundTripLocation's alternatives)."""
    return isinstance(schema, dict) and not ({"type", "$ref", "enum", "const"} & set(schema))


def _compare_shapes(
    direction: str, where: str, old: Mapping[str, _Node], new: Mapping[str, _Node]
) -> Iterator[Change]:
    for place in sorted(old.keys() | new.keys()):
        before, after = old.get(place), new.get(place)
        label = f"{where} {place or '/'}"
        if before is None or after is None:
            continue  # reported by the parent as a member added or removed
        for name in sorted(before.members - after.members):
            yield _change(f"{direction}-member-removed", label, name)
        for name in sorted(after.members - before.members):
            if direction == "request" and name in after.required:
                yield _change("request-member-now-required", label, f"{name} (new and required)")
            else:
                yield _change(f"{direction}-member-added", label, name)
        for name in sorted(before.members & after.members):
            if name in after.required and name not in before.required:
                if direction == "request":
                    yield _change("request-member-now-required", label, name)
            elif name in before.required and name not in after.required:
                yield _change(f"{direction}-member-now-optional", label, name)
        yield from _compare_values(direction, label, before, after)


def _compare_values(direction: str, label: str, before: _Node, after: _Node) -> Iterator[Change]:
    dropped = _expand(before.types) - _expand(after.types)
    added = _expand(after.types) - _expand(before.types)
    if dropped:
        yield _change(
            f"{direction}-type-narrowed", label, f"no longer {', '.join(sorted(dropped))}"
        )
    if added:
        yield _change(f"{direction}-type-widened", label, f"now also {', '.join(sorted(added))}")
    if before.enum is not None and after.enum is not None:
        for value in sorted(before.enum - after.enum, key=repr):
            yield _change(f"{direction}-enum-value-removed", label, repr(value))
        for value in sorted(after.enum - before.enum, key=repr):
            yield _change(f"{direction}-enum-value-added", label, repr(value))
    if direction == "request" and before.bounds != after.bounds:
        for bound in sorted(before.bounds.keys() | after.bounds.keys()):
            old, new = before.bounds.get(bound), after.bounds.get(bound)
            if old != new:
                kind = "tightened" if _tighter(bound, old, new) else "loosened"
                yield _change(f"request-constraint-{kind}", label, f"{bound}: {old!r} -> {new!r}")


def _expand(types: set[str]) -> set[str]:
    # An integer is a number: a schema that moves between them only changes precision.
    return types | ({"integer"} if "number" in types else set())


def _tighter(bound: str, old: Any, new: Any) -> bool:
    if new is None:
        return False
    if old is None:
        return True
    if bound in ("minimum", "minLength"):
        return bool(new > old)
    if bound in ("maximum", "maxLength"):
        return bool(new < old)
    return True  # another pattern or format: assume values once accepted may be refused


def _compare_lifecycles(base: Spec, head: Spec) -> Iterator[Change]:
    old, new = base.lifecycle, head.lifecycle
    old_edges = {(e.source, e.target, e.by) for e in old.edges}
    new_edges = {(e.source, e.target, e.by) for e in new.edges}
    for source, target, by in sorted(old_edges - new_edges):
        yield _change("lifecycle-edge-removed", "x-lifecycle", f"{source} -> {target} ({by})")
    for source, target, by in sorted(new_edges - old_edges):
        yield _change("lifecycle-edge-added", "x-lifecycle", f"{source} -> {target} ({by})")
    for name in sorted(set(old.staged_mutable_fields) - set(new.staged_mutable_fields)):
        yield _change("staged-field-frozen", "x-lifecycle", name)
    for name in sorted(set(new.staged_mutable_fields) - set(old.staged_mutable_fields)):
        yield _change("staged-field-unfrozen", "x-lifecycle", name)
