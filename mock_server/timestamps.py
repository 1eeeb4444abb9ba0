"""Reading times as the spec allows them and writing them as it promises (D9, D20)."""

from __future__ import annotations

from datetime import UTC, datetime

from mock_server.problems import Problem, field_error
from spec.instants import instant


def parse_offset(value: str, pointer: str) -> datetime:
    """An RFC 3339 time that carries its offset, as an aware datetime in UTC (D9, D23)."""
    moment = instant(value)
    if moment is None:
        raise _bad_time(pointer, "is not an RFC 3339 date-time with an offset in years 0001-9999")
    return moment


def parse_utc(value: str, pointer: str) -> datetime:
    """A `*_utc` input: RFC 3339, or `YYYY-MM-DD hh:mm:ss` read as UTC (D20, D23)."""
    moment = instant(value, spaced_utc=True)
    if moment is None:
        raise _bad_time(pointer, "is not a real date and time in years 0001-9999 in UTC")
    return moment


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
