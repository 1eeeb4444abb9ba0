"""Schemathesis checks that know the contract where a schema cannot say it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import schemathesis

from contract_tests.refusals import refusal_reasons
from spec import load


@schemathesis.check
def valid_data_is_accepted(ctx: Any, response: Any, case: Any) -> None:
    """A schema-valid request is not refused with 400, except as the contract allows.

    Schemathesis's own positive_data_acceptance treats every 400 as wrong, but D9 refuses an
    update into the past and D23 a timestamp naming no instant of years 0001-9999 in UTC, which
    no schema can say; and what the spec admits only under an open question may be refused
    (contract_tests/refusals.py).
    """
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive or response.status_code != 400:
        return
    try:
        problem = response.json()
    except ValueError:
        problem = None
    now = datetime.now(UTC)
    if refusal_reasons(load(), case.method, case.operation.path, case.body, problem, now):
        return
    raise AssertionError(
        "A request that matches the schema was refused with 400 (D3: 400 is for a body that "
        "breaks the schema; D9/D23 add only past or impossible times).\n"
        f"Answer: {response.content[:500].decode('utf-8', 'replace')}"
    )
