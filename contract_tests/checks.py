"""Schemathesis checks that know the contract where a schema cannot say it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import schemathesis

from contract_tests.refusals import allowed_refusals, error_pointers
from spec import load


@schemathesis.check
def valid_data_is_accepted(ctx: Any, response: Any, case: Any) -> None:
    """A schema-valid request is not refused with 400, except as the contract allows.

    Schemathesis's own positive_data_acceptance treats every 400 as wrong, but D9 refuses an
    update into the past and D23 a timestamp naming no instant of years 0001-9999 in UTC, which
    no schema can say; and a null the spec admits only under an open question may be refused
    (contract_tests/refusals.py). Each refused member must be named in `errors[].pointer`.
    """
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive or response.status_code != 400:
        return
    spec = load()
    operation = spec.operation_at(case.method, case.operation.path)
    try:
        pointers = error_pointers(response.json())
    except ValueError:
        pointers = []
    if operation is not None and allowed_refusals(
        spec, operation.operation_id, case.body, pointers, datetime.now(UTC)
    ):
        return
    raise AssertionError(
        "A request that matches the schema was refused with 400 (D3: 400 is for a body that "
        "breaks the schema; D9/D23 add only past or impossible times, each named in "
        "errors[].pointer).\n"
        f"Answer: {response.content[:500].decode('utf-8', 'replace')}"
    )
