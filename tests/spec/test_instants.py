"""spec/instants.py: which texts name an instant of years 0001-9999 in UTC (D9, D20, D23)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from jsonschema import FormatChecker

from spec.instants import instant

CHECKER = FormatChecker()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-03-10T09:00:00-05:00", datetime(2026, 3, 10, 14, tzinfo=UTC)),
        ("2022-03-25T14:00:00Z", datetime(2022, 3, 25, 14, tzinfo=UTC)),
        ("2022-03-25t14:00:00z", datetime(2022, 3, 25, 14, tzinfo=UTC)),
        ("2022-03-25T14:00:00.1234567+00:00", datetime(2022, 3, 25, 14, 0, 0, 123456, UTC)),
        ("0001-01-01T00:00:00Z", datetime(1, 1, 1, tzinfo=UTC)),
        ("9999-12-31T23:59:59Z", datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)),
        ("0001-01-01T01:00:00+01:00", datetime(1, 1, 1, tzinfo=UTC)),
    ],
)
def test_rfc_3339_times_are_read_as_utc_instants(text: str, expected: datetime) -> None:
    assert instant(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "0000-01-01T00:00:00Z",
        "0001-01-01T00:30:00+01:00",
        "9999-12-31T23:30:00-01:00",
        "2022-02-30T10:00:00Z",
        "2026-12-31T23:59:60Z",
        "2022-03-25T14:00:00",
        "2022-03-25T14:00:00+24:00",
        "2022-03-25 14:00:00",
        "tomorrow",
        "\u0662\u0660\u0662\u0666-03-10T09:00:00Z",
    ],
    ids=[
        "year 0000",
        "before year 1 in UTC",
        "after year 9999 in UTC",
        "a date that does not exist",
        "a leap second",
        "no offset",
        "an offset out of range",
        "the spaced form without spaced_utc",
        "not a time",
        "digits that are not ASCII",
    ],
)
def test_what_names_no_admitted_instant_is_none(text: str) -> None:
    assert instant(text) is None


def test_the_spaced_form_is_read_as_utc_when_allowed() -> None:
    assert instant("2022-03-25 14:00:00", spaced_utc=True) == datetime(2022, 3, 25, 14, tzinfo=UTC)
    assert instant("2022-02-30 10:00:00", spaced_utc=True) is None
    assert instant("0000-03-25 14:00:00", spaced_utc=True) is None


@pytest.mark.parametrize(
    "text",
    ["2022-03-25t14:00:00z", "0001-01-01T00:00:00Z", "2022-03-25T14:00:00.5+05:30"],
)
def test_date_times_the_format_checker_admits_in_range_are_instants(text: str) -> None:
    assert CHECKER.conforms(text, "date-time")
    assert instant(text) is not None
