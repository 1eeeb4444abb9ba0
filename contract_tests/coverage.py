"""What a run covered, measured from the exchanges it made: the documented statuses answered,
the lifecycle edges driven and non-edges refused, the classes of value each request member was
sent in, and the decisions whose checks reached the server."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from contract_tests import members, scope, traffic
from contract_tests.report import decision_titles
from contract_tests.traffic import Logged
from spec import Spec

CLASSES = ("valid", "invalid", "null", "omitted")
RATE_LIMITED = "429"
# D15: test control refuses a transition the lifecycle lacks with 409.
REFUSED_TRANSITION = 409
_NOT_LIMITED = (
    "no request of the run was answered 429: only a server that limits its clients does (D24)"
)
_NO_OTHER_CUSTOMER = (
    "no customer_id of a second dealer (HOPDRIVE_OTHER_CUSTOMER_ID), which a 403 needs (D2)"
)
_RATE_LIMIT_DECISION = "D24"


@dataclass(frozen=True)
class TestRecord:
    """What the run's report says of one test: the decisions it pins and how it ended."""

    __test__ = False  # a name pytest would otherwise try to collect where it is imported

    decisions: tuple[str, ...]
    outcome: str  # passed, failed or skipped
    reason: str | None = None  # why it was skipped


@dataclass(frozen=True)
class Reach:
    """What the server under test lets the suite reach."""

    test_control: bool
    other_customer: bool


@dataclass(frozen=True)
class Item:
    """One thing a run can cover."""

    label: str
    covered: bool
    reachable: bool
    reason: str | None
    count: int
    detail: Mapping[str, Any]

    def document(self) -> dict[str, Any]:
        """The item as coverage.json holds it."""
        return {
            "label": self.label,
            "covered": self.covered,
            "reachable": self.reachable,
            "reason": self.reason,
            "count": self.count,
            **self.detail,
        }


def measure(
    spec: Spec, exchanges: Iterable[Logged], reach: Reach, tests: Mapping[str, TestRecord]
) -> dict[str, Any]:
    """The coverage document of a run (without its `run` member): areas, totals, unreachable."""
    logged = list(exchanges)
    walk = _walk(spec, logged)
    areas = [
        _area("statuses", "Documented statuses answered", _statuses(spec, logged, reach)),
        _area("edges", "Lifecycle edges driven", _edges(spec, walk, reach)),
        _area("non_edges", "Non-edges tried and refused", _non_edges(spec, walk, reach)),
        _area("members", "Request members sent, per class of value", _members(spec, logged, reach)),
        _area("decisions", "Decisions exercised", _decisions(logged, tests)),
    ]
    covered = sum(area["covered"] for area in areas)
    reachable = sum(area["reachable"] for area in areas)
    return {
        "percent": percent(covered, reachable),
        "covered": covered,
        "reachable": reachable,
        "areas": areas,
        "unreachable": [
            {"area": area["name"], "label": item["label"], "reason": item["reason"]}
            for area in areas
            for item in area["items"]
            if not item["reachable"]
        ],
    }


def percent(covered: int, reachable: int) -> float:
    """Covered of reachable, in per cent to one decimal (everything, when nothing is reachable)."""
    return 100.0 if reachable == 0 else round(100 * covered / reachable, 1)


def missing(document: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """Each reachable item a coverage document does not cover: (area, label)."""
    for area in document["areas"]:
        for item in area["items"]:
            if item["reachable"] and not item["covered"]:
                yield area["name"], item["label"]


def summary(
    document: Mapping[str, Any], limit: int = 12, where: str = "reports/coverage.json"
) -> list[str]:
    """The lines a run ends with: per area covered of reachable, what is missing (the rest in
    the document at `where`), the total."""
    lines = [
        f"{area['title']}: {area['covered']}/{area['reachable']}"
        + (f" ({len(area['items']) - area['reachable']} unreachable)" if _unreachable(area) else "")
        for area in document["areas"]
    ]
    gaps = list(missing(document))
    lines += [f"  not covered: {area}: {label}" for area, label in gaps[:limit]]
    if len(gaps) > limit:
        lines.append(f"  ... and {len(gaps) - limit} more ({where})")
    reasons = Counter(item["reason"] for item in document["unreachable"])
    lines += [f"  unreachable ({count}): {reason}" for reason, count in sorted(reasons.items())]
    lines.append(
        f"coverage: {document['percent']}% of what is reachable "
        f"({document['covered']}/{document['reachable']})"
    )
    return lines


def _unreachable(area: Mapping[str, Any]) -> int:
    return len(area["items"]) - int(area["reachable"])


def _area(name: str, title: str, items: Sequence[Item]) -> dict[str, Any]:
    return {
        "name": name,
        "title": title,
        "covered": sum(item.covered and item.reachable for item in items),
        "reachable": sum(item.reachable for item in items),
        "items": [item.document() for item in items],
    }


def _item(label: str, count: int, unreachable: str | None, **detail: Any) -> Item:
    # Whatever was seen counts, even where the suite could not have provoked it.
    reachable = count > 0 or unreachable is None
    return Item(label, count > 0, reachable, None if reachable else unreachable, count, detail)


def _statuses(spec: Spec, logged: Sequence[Logged], reach: Reach) -> list[Item]:
    answered: Counter[tuple[str, str]] = Counter()
    for exchange in logged:
        for operation_id in _operations(spec, exchange):
            answered[(operation_id, str(exchange.status))] += 1
    items = []
    for operation in spec.operations.values():
        for status in operation.responses:
            why = None
            if not operation.public and not reach.test_control:
                why = scope.NO_TEST_CONTROL
            elif status == RATE_LIMITED:
                why = _NOT_LIMITED
            elif status == "403" and not reach.other_customer:
                why = _NO_OTHER_CUSTOMER
            items.append(
                _item(
                    f"{operation.operation_id} {status}",
                    answered[(operation.operation_id, status)],
                    why,
                    operation=operation.operation_id,
                    status=status,
                )
            )
    return items


def _operations(spec: Spec, exchange: Logged) -> list[str]:
    """The operations an exchange answered for: its own, or for a 405 every one at its path."""
    operation = spec.operation_for(exchange.method, exchange.path)
    if operation is not None:
        return [operation.operation_id]
    if exchange.status != 405:
        return []
    return [
        op.operation_id
        for op in spec.operations.values()
        if spec.operation_for(op.method, exchange.path) is op
    ]


@dataclass(frozen=True)
class _Walk:
    """The transitions a run drove and the ones it was refused, read from its exchanges."""

    driven: Counter[tuple[str, str]]
    refused: Counter[tuple[str, str]]


def _walk(spec: Spec, logged: Sequence[Logged]) -> _Walk:
    lifecycle = spec.lifecycle
    states: dict[int, str] = {}
    driven: Counter[tuple[str, str]] = Counter()
    refused: Counter[tuple[str, str]] = Counter()
    for exchange in logged:
        operation = spec.operation_for(exchange.method, exchange.path)
        if operation is None:
            continue
        after = exchange.answer.get("status")
        ok = 200 <= exchange.status < 300 and isinstance(after, str)
        record = path_id(operation.path, exchange.path)
        if record is None:
            if ok and isinstance(exchange.answer.get("id"), int) and after == lifecycle.initial:
                states[exchange.answer["id"]] = str(after)
            continue
        before = states.get(record)
        if before is None:
            continue
        if ok:
            driven[(before, str(after))] += 1
            states[record] = str(after)
        elif exchange.status == REFUSED_TRANSITION and not operation.public:
            asked = exchange.request.get("status") if isinstance(exchange.request, dict) else None
            if isinstance(asked, str):
                refused[(before, asked)] += 1
    return _Walk(driven, refused)


def path_id(template: str, path: str) -> int | None:
    """The `{id}` of `path` sent to the operation at `template`, None where it has none."""
    if "{id}" not in template:
        return None
    pattern = re.escape(template).replace(re.escape("{id}"), "([0-9]+)")
    found = re.fullmatch(pattern, path)
    return int(found.group(1)) if found else None


def _edges(spec: Spec, walk: _Walk, reach: Reach) -> list[Item]:
    driven = walk.driven
    return [
        _item(
            f"{edge.source} -> {edge.target} ({edge.by})",
            driven[(edge.source, edge.target)],
            scope.NO_TEST_CONTROL if edge.by == "internal" and not reach.test_control else None,
            **{"from": edge.source, "to": edge.target, "by": edge.by},
        )
        for edge in spec.lifecycle.edges
    ]


def _non_edges(spec: Spec, walk: _Walk, reach: Reach) -> list[Item]:
    lifecycle = spec.lifecycle
    refused = walk.refused
    edges = {(edge.source, edge.target) for edge in lifecycle.edges}
    why = None if reach.test_control else scope.NO_TEST_CONTROL
    return [
        _item(
            f"{source} -> {target}",
            refused[(source, target)],
            why,
            **{"from": source, "to": target},
        )
        for source in lifecycle.states
        for target in lifecycle.states
        if (source, target) not in edges
    ]


def _members(spec: Spec, logged: Sequence[Logged], reach: Reach) -> list[Item]:
    # "null" only where the schema admits it: elsewhere null is one more invalid value.
    items = []
    for operation in spec.operations.values():
        if operation.request_schema is None:
            continue
        pointer = spec.request_pointer(operation.operation_id)
        paths = members.paths(spec, pointer)
        sent: Counter[tuple[tuple[str, ...], str]] = Counter()
        for exchange in logged:
            if exchange.request == traffic.NOT_JSON:
                continue  # bytes that are not JSON send no member at all
            if spec.operation_for(exchange.method, exchange.path) is not operation:
                continue
            for path in paths:
                kind = members.classify(spec, pointer, path, exchange.request)
                if kind is not None:
                    sent[(path, kind)] += 1
        for path in paths:
            member = "/".join(path)
            nullable = members.admits(spec, pointer, path, None)
            for kind in CLASSES:
                if kind == "null" and not nullable:
                    continue
                why = None
                if not operation.public and not reach.test_control:
                    why = scope.NO_TEST_CONTROL
                elif kind == "invalid" and not members.invalid_values(spec, pointer, path):
                    why = "the schema admits every value"
                items.append(
                    _item(
                        f"{operation.operation_id} {member} {kind}",
                        sent[(path, kind)],
                        why,
                        operation=operation.operation_id,
                        member=member,
                        **{"class": kind},
                    )
                )
    return items


def _decisions(logged: Sequence[Logged], tests: Mapping[str, TestRecord]) -> list[Item]:
    reached = Counter(exchange.test for exchange in logged)
    limited = {exchange.test for exchange in logged if str(exchange.status) == RATE_LIMITED}
    items = []
    for decision, title in decision_titles().items():
        carrying = {test: record for test, record in tests.items() if decision in record.decisions}
        if decision == _RATE_LIMIT_DECISION:
            checks = sorted(limited)
            why: str | None = _NOT_LIMITED
        else:
            checks = sorted(test for test in carrying if reached[test])
            skipped = [r.reason for r in carrying.values() if r.outcome == "skipped" and r.reason]
            ran = any(record.outcome != "skipped" for record in carrying.values())
            why = skipped[0] if skipped and not ran else None
        items.append(
            _item(decision, len(checks), why, decision=decision, title=title, checks=checks)
        )
    return items
