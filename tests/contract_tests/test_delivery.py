"""contract_tests/delivery.py: 429s waited out (D24), the network stopping the run, ids noted."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path

import httpx
import pytest

from contract_tests.delivery import Answer, deliver, pace_figures
from contract_tests.errors import ConnectionRefused, RateLimited
from contract_tests.rate_limits import ATTEMPTS
from contract_tests.run import Run

URL = "http://127.0.0.1:9/v1"
CREATED = json.dumps({"id": 41, "status": "new"}).encode()


@pytest.fixture
def run(tmp_path: Path) -> Run:
    return Run(id="r", directory=tmp_path)


def _server(answers: Sequence[Answer]) -> tuple[Callable[[], Answer], list[int]]:
    """A send() answering `answers` in turn, the last one forever after."""
    sent: list[int] = []

    def send() -> Answer:
        sent.append(1)
        return answers[min(len(sent), len(answers)) - 1]

    return send, sent


def _deliver(run: Run, send: Callable[[], Answer], path: str = "/appointments") -> Answer:
    return deliver("POST", URL, path, send, lambda answer: answer, run=run)


def test_a_429_is_waited_out_and_the_request_sent_again(run: Run) -> None:
    send, sent = _server([Answer(429, "0", b""), Answer(429, "0", b""), Answer(201, None, CREATED)])
    assert _deliver(run, send).status == 201
    assert len(sent) == 3
    figures = pace_figures(run)
    assert (figures.requests, figures.rate_limited) == (3, 2)


def test_a_server_that_keeps_answering_429_stops_the_run_without_failing_the_check(
    run: Run,
) -> None:
    send, sent = _server([Answer(429, "0", b"")])
    with pytest.raises(pytest.skip.Exception, match="not checked: the run stopped"):
        _deliver(run, send)
    assert len(sent) == ATTEMPTS
    assert isinstance(run.stopped(), RateLimited)


def test_a_refused_connection_stops_the_run_and_is_not_sent_again(run: Run) -> None:
    attempts: list[int] = []

    def send() -> Answer:
        attempts.append(1)
        httpx.get(URL, timeout=1)
        raise AssertionError("port 9 answered")

    with pytest.raises(pytest.skip.Exception, match="refused the connection"):
        _deliver(run, send)
    assert attempts == [1]
    assert isinstance(run.stopped(), ConnectionRefused)


def test_once_the_run_stopped_no_request_leaves(run: Run) -> None:
    run.stop(ConnectionRefused("POST /appointments: 127.0.0.1:9 refused the connection"))
    send, sent = _server([Answer(201, None, CREATED)])
    with pytest.raises(pytest.skip.Exception, match=r"127\.0\.0\.1:9 refused"):
        _deliver(run, send)
    assert sent == []


def test_an_error_that_is_not_the_network_is_raised_as_it_is(run: Run) -> None:
    def send() -> Answer:
        raise ValueError("a bug in the check")

    with pytest.raises(ValueError, match="a bug in the check"):
        _deliver(run, send)
    assert run.stopped() is None


def test_the_ids_an_answer_hands_out_are_noted_for_the_cleanup_file(run: Run) -> None:
    send, _ = _server([Answer(201, None, CREATED)])
    _deliver(run, send)
    refused, _ = _server([Answer(400, None, b'{"id": 42}')])
    _deliver(run, refused)
    assert run.created() == {"appointments": [41]}
