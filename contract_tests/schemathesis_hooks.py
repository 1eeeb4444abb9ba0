"""Hooks for a plain `schemathesis run`, loaded by the repository's schemathesis.toml.

They tell Schemathesis what the contract allows that a schema cannot say, and nothing more: a
schema-valid request refused with 400 is no failure when every member the answer names is an
update into the past (D9) or a timestamp naming no instant of years 0001-9999 in UTC (D23). A
stored past appointment time answers 409 (D12), which Schemathesis already counts as an answer
valid data may get.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import schemathesis
from schemathesis.openapi.checks import RejectedPositiveData

from contract_tests.refusals import allowed_refusals, error_pointers
from spec import load

# Only the contract's own refusals: an open question (Q<n>) is the suite's leniency, not a rule.
CONTRACT_REFUSALS = frozenset({"D9", "D23"})


@schemathesis.hook
def filter_failure(context: Any, failure: Any, case: Any, response: Any) -> bool:
    """Keep every failure but a positive case's 400 that D9 or D23 allows."""
    if not isinstance(failure, RejectedPositiveData) or response.status_code != 400:
        return True
    spec = load()
    operation = spec.operation_at(case.method, case.operation.path)
    if operation is None:
        return True
    try:
        pointers = error_pointers(response.json())
    except ValueError:
        return True
    reasons = allowed_refusals(spec, operation.operation_id, case.body, pointers, datetime.now(UTC))
    return not reasons or not set(reasons) <= CONTRACT_REFUSALS
