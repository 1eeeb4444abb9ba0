"""Reading times as the spec allows them and writing them as it promises (D9, D20)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from mock_server.problems import Problem, field_error

_SPACED = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}")


def parse_offset(value: str, pointer: str) -> datetime:
    """An RFC 3339 time that carries its offset, as an aware datetime in UTC (D9)."""
    try:
        parsed = datetime.fromisoformat(value)
        if parsed.tzinfo is None:
            raise ValueError("no offset")
        return parsed.astimezone(UTC)
    except (ValueError, OverflowError):
        raise _bad_time(pointer, "is not an RFC 3339 date-time with an offset") from None


def parse_utc(value: str, pointer: str) -> datetime:
    """A `*_utc` input: RFC 3339, or `YYYY-MM-DD hh:mm:ss` read as UTC (D20)."""
    if _SPACED.fullmatch(value):
        try:
            return datetime.strptime(value, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
        except ValueError:
            raise _bad_time(pointer, "is not a real date and time") from None
    return parse_offset(value, pointer)


def utc_offset(moment: datetime) -> str:
    """`2026-03-10T14:00:00+00:00`: how appointment times are answered (D9)."""
    return moment.astimezone(UTC).isoformat()


def utc_stamp(moment: datetime) -> str:
    """`2026-03-05T18:30:00.000000+00:00`: how `updatedat` is answered, as in the seed."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def utc_z(moment: datetime) -> str:
    """`2022-03-25T14:00:00Z`: how `*_utc` fields are answered (D20)."""
    # isoformat pads the year to four digits; strftime("%Y") does not on every platform.
    return moment.astimezone(UTC).replace(tzinfo=None, microsecond=0).isoformat() + "Z"


def _bad_time(pointer: str, message: str) -> Problem:
    return Problem(
        400, "validation", "1 problem in the request body.", errors=[field_error(pointer, message)]
    )
