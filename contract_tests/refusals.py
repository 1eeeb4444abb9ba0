"""Which 400s a server may give a request that matches the spec's schemas.

A schema says most of what the contract refuses, not all (spec/DECISIONS.md, "What no schema can
say"): an update into the past (D9) and a timestamp naming no instant of years 0001-9999 in UTC
(D23) are refused although they match. And where the spec admits something only because nothing
refuses it, an open question, a server may refuse it too: a null admitted under `x-source-null:
Q<n>`, or any value of a member marked `x-open: Q<n>` (one an account's own configuration
governs). The suite's acceptance check and the hooks `schemathesis.toml` loads both ask here.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from spec import Spec
from spec.instants import instant
from spec.pointer import escape, unescape
from spec.sources import null_question, open_question

# A server's clock may run ahead of ours: a time this close to now may already be its past.
CLOCK_SKEW = timedelta(minutes=5)
# The contract's own refusals; a question (Q<n>) is a leniency of the suite, not a rule.
CONTRACT_REFUSALS = frozenset({"D9", "D23"})


def refusal_reasons(
    spec: Spec, method: str, path: str, body: Any, problem: Any, now: datetime
) -> list[str] | None:
    """The reasons the contract gives a 400 answered to a schema-valid request, or None when it
    gives none: the request's operation by method and path template, the answer's document.

    Each member the problem's `errors[].pointer` names must have a reason. A problem naming no
    member (D3 asks pointers only of bodies that break the schema) has the reasons of the
    members of the body that have one.
    """
    operation = spec.operation_at(method, path)
    if operation is None:
        return None
    named = error_pointers(problem)
    pointers = named or list(_pointers(body, ""))
    reasons = [allowed_refusal(spec, operation.operation_id, body, p, now) for p in pointers]
    found = [reason for reason in reasons if reason]
    if named and len(found) < len(named):
        return None
    return found or None


def allowed_refusal(
    spec: Spec, operation_id: str, body: Any, pointer: str, now: datetime
) -> str | None:
    """The decision (`D9`, `D23`) or open question (`Q<n>`) under which a server may refuse the
    schema-valid member of `body` at `pointer` with 400; None when nothing allows it."""
    path = [unescape(part) for part in pointer.split("/")[1:]]
    if not path:
        return None
    try:
        request = spec.request_pointer(operation_id)
    except KeyError:
        return None
    schemas = [spec.schema(where) for where in spec.member_schemas(request, path)]
    if opened := next((q for node in schemas if (q := open_question(node))), None):
        return opened  # present or missing: the account decides
    found, value = _member(body, path)
    if not found:
        return None
    if isinstance(value, str) and any(node.get("format") == "date-time" for node in schemas):
        moment = instant(value, spaced_utc=True)
        if moment is None:
            return "D23"
        lifecycle = spec.lifecycle
        if path == [lifecycle.past_time_lock] and operation_id in _updates(spec):
            return "D9" if moment <= now + CLOCK_SKEW else None
    if value is None:
        return next((q for node in schemas if (q := null_question(node))), None)
    return None


def error_pointers(problem: Any) -> list[str]:
    """The `errors[].pointer` of a problem document, or [] when it has none."""
    errors = problem.get("errors") if isinstance(problem, Mapping) else None
    if not isinstance(errors, list):
        return []
    return [e["pointer"] for e in errors if isinstance(e, Mapping) and "pointer" in e]


def _updates(spec: Spec) -> frozenset[str]:
    """The operations that update an appointment: those its public lifecycle edges go through."""
    return frozenset(op for edge in spec.lifecycle.edges if edge.by == "public" for op in edge.via)


def _pointers(value: Any, where: str) -> Iterator[str]:
    """The pointer of every member of a body, nested ones included."""
    if isinstance(value, Mapping):
        for name, member in value.items():
            pointer = f"{where}/{escape(str(name))}"
            yield pointer
            yield from _pointers(member, pointer)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _pointers(item, f"{where}/{index}")


def _member(body: Any, path: Sequence[str]) -> tuple[bool, Any]:
    value = body
    for part in path:
        if isinstance(value, Mapping) and part in value:
            value = value[part]
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return False, None
    return True, value
