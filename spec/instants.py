"""What the contract counts as a timestamp: an instant of years 0001-9999 in UTC (D9, D20, D23).

The spec's schemas say as much of this as JSON Schema can (RFC 3339, no year 0000); what they
cannot say (an offset that carries the instant out of that range, a leap second Python cannot
hold) is decided here, for the mock that refuses such values and the suite that allows the
refusal.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta, timezone, tzinfo

# RFC 3339 section 5.6; `T` and `Z` may be lower case there (its note to ABNF's case rules).
_RFC3339 = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:([Zz])|([+-])(\d{2}):(\d{2}))",
    re.ASCII,
)
# D20: the pages' `YYYY-MM-DD hh:mm:ss`, read as UTC.
_SPACED = re.compile(r"(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})", re.ASCII)


def instant(text: str, *, spaced_utc: bool = False) -> datetime | None:
    """The UTC instant `text` names, or None when it names none the contract admits (D23).

    `text` must be an RFC 3339 date-time with its offset (D9); with `spaced_utc`, the pages'
    `YYYY-MM-DD hh:mm:ss` is read as UTC too (D20). None for any other text, a date that does
    not exist, a leap second, or an instant outside years 0001-9999 once converted to UTC.
    """
    if spaced_utc and (spaced := _SPACED.fullmatch(text)):
        return _moment(spaced.groups(), "", UTC)
    match = _RFC3339.fullmatch(text)
    if match is None:
        return None
    *fields, fraction, zulu, sign, hours, minutes = match.groups()
    offset: tzinfo = UTC
    if not zulu:
        if int(hours) > 23 or int(minutes) > 59:
            return None
        delta = timedelta(hours=int(hours), minutes=int(minutes))
        offset = timezone(delta if sign == "+" else -delta)
    return _moment(fields, fraction or "", offset)


def _moment(fields: Sequence[str], fraction: str, offset: tzinfo) -> datetime | None:
    year, month, day, hour, minute, second = (int(part) for part in fields)
    try:
        local = datetime(
            year,
            month,
            day,
            hour,
            minute,
            second,
            # Beyond microseconds the digits are dropped: Python holds no finer time.
            int(fraction[:6].ljust(6, "0")),
            tzinfo=offset,
        )
        return local.astimezone(UTC)
    except (ValueError, OverflowError):
        return None
