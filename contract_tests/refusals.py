"""Which 400s a server may give a request that matches the spec's schemas.

A schema says most of what the contract refuses, not all (spec/DECISIONS.md, "What no schema can
say"): an update into the past (D9) and a timestamp naming no instant of years 0001-9999 in UTC
(D23) are refused although they match. And where the spec admits a null only because nothing
refuses it (an open question, `x-source-null: Q<n>`), a server may refuse it too. The suite's
own acceptance check and the hooks `schemathesis.toml` loads both ask this module.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from spec import Spec
from spec.instants import instant
from spec.sources import null_question

# A server's clock may run ahead of ours: a time this close to now may already be its past.
CLOCK_SKEW = timedelta(minutes=5)


def allowed_refusal(
    spec: Spec, operation_id: str, body: Any, pointer: str, now: datetime
) -> str | None:
    """The decision (`D9`, `D23`) or open question (`Q<n>`) under which a server may refuse the
    schema-valid member of `body` at `pointer` with 400; None when nothing allows it."""
    path = [part.replace("~1", "/").replace("~0", "~") for part in pointer.split("/")[1:]]
    found, value = _member(body, path)
    if not path or not found:
        return None
    try:
        request = spec.request_pointer(operation_id)
    except KeyError:
        return None
    schemas = [spec.schema(where) for where in spec.member_schemas(request, path)]
    if isinstance(value, str) and any(node.get("format") == "date-time" for node in schemas):
        moment = instant(value, spaced_utc=True)
        if moment is None:
            return "D23"
        lifecycle = spec.lifecycle
        if path == [lifecycle.past_time_lock] and operation_id in _updates(spec):
            return "D9" if moment <= now + CLOCK_SKEW else None
    if value is None:
        questions = [question for node in schemas if (question := null_question(node))]
        return questions[0] if questions else None
    return None


def allowed_refusals(
    spec: Spec, operation_id: str, body: Any, pointers: Sequence[str], now: datetime
) -> list[str] | None:
    """The reasons for every pointer of a 400, or None when one of them has none."""
    reasons = [allowed_refusal(spec, operation_id, body, pointer, now) for pointer in pointers]
    return [reason for reason in reasons if reason] if pointers and all(reasons) else None


def error_pointers(problem: Any) -> list[str]:
    """The `errors[].pointer` of a problem document, or [] when it has none."""
    errors = problem.get("errors") if isinstance(problem, Mapping) else None
    if not isinstance(errors, list):
        return []
    return [e["pointer"] for e in errors if isinstance(e, Mapping) and "pointer" in e]


def _updates(spec: Spec) -> frozenset[str]:
    """The operations that update an appointment: those its public lifecycle edges go through."""
    return frozenset(op for edge in spec.lifecycle.edges if edge.by == "public" for op in edge.via)


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
