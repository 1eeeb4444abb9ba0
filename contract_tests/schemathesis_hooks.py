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

from contract_tests.refusals import CONTRACT_REFUSALS, refusal_reasons
from spec import load


@schemathesis.hook
def filter_failure(context: Any, failure: Any, case: Any, response: Any) -> bool:
    """Keep every failure but a positive case's 400 that D9 or D23 allows."""
    if not isinstance(failure, RejectedPositiveData) or response.status_code != 400:
        return True
    try:
        problem = response.json()
    except ValueError:
        return True
    now = datetime.now(UTC)
    reasons = refusal_reasons(load(), case.method, case.operation.path, case.body, problem, now)
    return not reasons or not set(reasons) <= CONTRACT_REFUSALS
