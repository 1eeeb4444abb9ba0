"""D24: how long a 429 is waited out, from its Retry-After or, without one, a backoff."""

from __future__ import annotations

import random
import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

# Tries of one request before the run stops as rate-limited: a burst limit lets go well before.
ATTEMPTS = 8
# The longest wait honoured for one 429, whatever its Retry-After says.
MAX_WAIT = 60.0
_JITTER = random.Random()
# RFC 9110's delay-seconds: ASCII digits only (str.isdigit also takes "²").
_SECONDS = re.compile(r"[0-9]+")


def wait(retry_after: str | None, attempt: int, *, now: datetime | None = None) -> float:
    """Seconds to wait before attempt `attempt + 1`: Retry-After's, capped, else a backoff.

    Retry-After is either delay-seconds (what D24 names) or an HTTP-date (RFC 9110 allows
    both); without a usable one the wait doubles from one second, with jitter.
    """
    if retry_after is not None:
        value = retry_after.strip()
        if _SECONDS.fullmatch(value):
            return min(float(value), MAX_WAIT)
        until = _http_date(value)
        if until is not None:
            seconds = (until - (now or datetime.now(UTC))).total_seconds()
            return min(max(seconds, 0.0), MAX_WAIT)
    return min(2.0**attempt, MAX_WAIT) * (0.5 + _JITTER.random() / 2)


def _http_date(value: str) -> datetime | None:
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    # An HTTP-date is always GMT; a date without a zone is no HTTP-date.
    return moment if moment.tzinfo is not None else None
