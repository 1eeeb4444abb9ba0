"""Schemathesis checks that know the contract where a schema cannot say it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import schemathesis

from spec import load


@schemathesis.check
def valid_data_is_accepted(ctx: Any, response: Any, case: Any) -> None:
    """A schema-valid request is not refused with 400, except for a time the contract refuses.

    Schemathesis's own positive_data_acceptance treats every 400 as wrong, but D9 refuses a past
    `appointment_time` and D20 an impossible date such as 2022-02-30; no schema can say either.
    """
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive or response.status_code != 400:
        return
    body = case.body if isinstance(case.body, dict) else {}
    try:
        pointers = [error["pointer"] for error in response.json().get("errors", [])]
    except (ValueError, AttributeError, KeyError, TypeError):
        pointers = []
    if pointers and all(_refusable_time(body, pointer) for pointer in pointers):
        return
    raise AssertionError(
        "A request that matches the schema was refused with 400 (D3: 400 is for a body that "
        "breaks the schema; D9/D20 add only past or impossible times).\n"
        f"Answer: {response.content[:500].decode('utf-8', 'replace')}"
    )


def _refusable_time(body: dict[str, Any], pointer: str) -> bool:
    """Whether the member at `pointer` is a time the contract refuses that its schema allows."""
    value: Any = body
    for part in pointer.lstrip("/").split("/"):
        if not isinstance(value, dict) or part not in value:
            return False
        value = value[part]
    if not isinstance(value, str):
        return False
    moment = _parse(value)
    if moment is None:
        return True  # an impossible date or a time outside what UTC can hold
    lock = load().lifecycle.past_time_lock
    return pointer == f"/{lock}" and moment <= datetime.now(UTC)


def _parse(value: str) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(value)
        return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).astimezone(UTC)
    except (ValueError, OverflowError):
        return None
