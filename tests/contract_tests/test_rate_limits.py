"""contract_tests/rate_limits.py: a 429 is waited out as its Retry-After asks (D24)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pytest

from contract_tests.rate_limits import ATTEMPTS, MAX_WAIT, patiently, rate_limited, wait


def _server(
    answers: Sequence[tuple[int, str | None]],
) -> tuple[Callable[[], tuple[int, str | None]], list[int]]:
    sent: list[int] = []

    def send() -> tuple[int, str | None]:
        sent.append(1)
        return answers[min(len(sent), len(answers)) - 1]

    return send, sent


def _patiently(
    answers: Sequence[tuple[int, str | None]],
) -> tuple[tuple[int, str | None], int, list[float]]:
    send, sent = _server(answers)
    waits: list[float] = []
    answer = patiently(send, status=lambda a: a[0], retry_after=lambda a: a[1], sleep=waits.append)
    return answer, len(sent), waits


def test_a_429_is_waited_out_for_its_retry_after_and_sent_again() -> None:
    answer, sent, waits = _patiently([(429, "2"), (429, "0"), (200, None)])
    assert (answer, sent, waits) == ((200, None), 3, [2.0, 0.0])


def test_without_retry_after_the_wait_doubles_with_jitter() -> None:
    _, _, waits = _patiently([(429, None)] * 4 + [(201, None)])
    for attempt, waited in enumerate(waits):
        assert 2**attempt / 2 <= waited <= 2**attempt


def test_a_server_that_keeps_answering_429_gets_its_last_answer_returned() -> None:
    answer, sent, waits = _patiently([(429, "1")])
    assert answer == (429, "1")
    assert sent == ATTEMPTS
    assert len(waits) == ATTEMPTS - 1


def test_any_other_answer_is_returned_at_once() -> None:
    assert _patiently([(503, "5")]) == ((503, "5"), 1, [])


@pytest.mark.parametrize(("header", "expected"), [("3600", MAX_WAIT), (" 7 ", 7.0)])
def test_retry_after_is_honoured_up_to_the_cap(header: str, expected: float) -> None:
    assert wait(header, 0) == expected


@pytest.mark.parametrize("header", ["Wed, 21 Oct 2026 07:28:00 GMT", "\u00b2", "-1", "1.5"])
def test_a_retry_after_that_is_no_count_of_seconds_falls_back_to_the_backoff(header: str) -> None:
    assert 2.0 <= wait(header, 2) <= 4.0


def test_a_server_still_answering_429_skips_the_check_instead_of_failing_it() -> None:
    with pytest.raises(pytest.skip.Exception, match="D24: POST /appointments still answered 429"):
        rate_limited("POST /appointments")
