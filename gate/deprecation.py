"""oasdiff's deprecation policy: `x-sunset` dates and `x-stability-level` on operations.

With oasdiff's default of zero days' notice, a sunset may be any day from today on; an operation
may go once its sunset has passed, and a draft or alpha path may go at any time.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

SUNSET = "x-sunset"
STABILITY = "x-stability-level"


class Unparsable:
    """A sunset that is no date."""


def sunset(operation: Mapping[str, Any]) -> datetime.date | Unparsable | None:
    """The operation's sunset day; None when it names none."""
    value = operation.get(SUNSET)
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value)[:10])
    except ValueError:
        return Unparsable()


def today() -> datetime.date:
    """The day sunsets are judged against (UTC)."""
    return datetime.datetime.now(datetime.UTC).date()


def deprecated_rule(operation: Mapping[str, Any]) -> str:
    """The rule of an operation that has just been deprecated."""
    day = sunset(operation)
    if day is None:
        return "endpoint-deprecated"
    if isinstance(day, Unparsable):
        return "api-deprecated-sunset-parse"
    return "api-sunset-date-too-small" if day < today() else "endpoint-deprecated-with-sunset"


def removal_rule(operation: Mapping[str, Any], *, whole_path: bool) -> str | None:
    """The rule of removing the operation (with its path, or alone); None when it may go."""
    scope = "api-path" if whole_path else "api"
    if whole_path and operation.get(STABILITY) in ("draft", "alpha"):
        return None
    if not operation.get("deprecated"):
        return f"{scope}-removed-without-deprecation"
    day = sunset(operation)
    if day is None:
        return f"{scope}-removed-with-deprecation"
    if isinstance(day, Unparsable):
        return "api-path-sunset-parse"
    return f"{scope}-removed-before-sunset" if today() < day else None


def sunset_rule(old: Mapping[str, Any], new: Mapping[str, Any]) -> str | None:
    """The rule of a deprecated operation's sunset deleted or moved into the past."""
    if not new.get("deprecated"):
        return None
    if SUNSET in old and SUNSET not in new:
        return "sunset-deleted"
    was, now = sunset(old), sunset(new)
    if not (isinstance(was, datetime.date) and isinstance(now, datetime.date)):
        return None
    return "api-sunset-date-changed-too-small" if now < was and now < today() else None
