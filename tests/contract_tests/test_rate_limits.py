"""contract_tests/rate_limits.py: how long a 429 is waited out (D24)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from contract_tests.rate_limits import MAX_WAIT, wait

NOW = datetime(2026, 10, 21, 7, 28, 0, tzinfo=UTC)


@pytest.mark.parametrize(("header", "expected"), [("2", 2.0), ("0", 0.0), (" 7 ", 7.0)])
def test_retry_after_in_seconds_is_the_wait(header: str, expected: float) -> None:
    assert wait(header, 3) == expected


def test_retry_after_is_honoured_only_up_to_the_cap() -> None:
    assert wait("3600", 0) == MAX_WAIT


def test_retry_after_as_an_http_date_waits_until_then() -> None:
    assert wait("Wed, 21 Oct 2026 07:28:30 GMT", 0, now=NOW) == 30.0
    assert wait("Wed, 21 Oct 2026 07:27:00 GMT", 0, now=NOW) == 0.0


def test_without_retry_after_the_wait_doubles_with_jitter() -> None:
    for attempt in range(5):
        assert 2**attempt / 2 <= wait(None, attempt) <= 2**attempt


@pytest.mark.parametrize("header", ["soon", "\u00b2", "-1", "1.5", "21 Oct 2026 07:28:00"])
def test_a_retry_after_that_is_neither_form_falls_back_to_the_backoff(header: str) -> None:
    assert 2.0 <= wait(header, 2) <= 4.0
