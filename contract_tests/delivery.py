"""Every request of the suite leaves through `deliver`: paced, its 429s waited out (D24), a
network failure stopping the run, and the ids its answer hands out noted for the cleanup file."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import TypeVar

import httpx
import pytest

from contract_tests import traffic
from contract_tests.created import handed_out
from contract_tests.errors import ContractError, RateLimited
from contract_tests.network import classify
from contract_tests.pace import Figures, Pace
from contract_tests.rate_limits import ATTEMPTS, wait
from contract_tests.run import Run, this_run
from spec import load

R = TypeVar("R")


@dataclass(frozen=True)
class Answer:
    """What delivery needs of an HTTP client's response."""

    status: int
    retry_after: str | None
    body: bytes
    sent: bytes | None = None  # the request's body, for the run's traffic log

    @classmethod
    def of(cls, response: httpx.Response) -> Answer:
        """What delivery needs of an httpx response (the suite's own client)."""
        return cls(
            response.status_code,
            response.headers.get("retry-after"),
            response.content,
            response.request.content or None,
        )


def deliver(
    method: str,
    url: str,
    path: str,
    send: Callable[[], R],
    read: Callable[[R], Answer],
    *,
    run: Run | None = None,
) -> R:
    """The answer to `send()`, a request for `method path` at `url`, sent as the run allows."""
    run = run or this_run()
    stopped = run.stopped()
    if stopped is not None:
        raise _not_checked(stopped)
    try:
        response, answer = patiently(
            f"{method} {path}",
            url,
            send,
            read,
            timeout=run.timeout,
            pace=_pace(run),
            on_rate_limited=lambda refused: _note(run, method, path, refused),
        )
    except ContractError as error:
        raise _stop(run, error) from None
    _note(run, method, path, answer)
    _note_created(run, method, path, answer)
    return response


def patiently(
    request: str,
    url: str,
    send: Callable[[], R],
    read: Callable[[R], Answer],
    *,
    timeout: float,
    pace: Pace | None = None,
    on_rate_limited: Callable[[Answer], None] | None = None,
) -> tuple[R, Answer]:
    """The first answer to `send()` that is no 429, each 429 waited out (D24).

    Raises the NetworkError a failed `send()` was (never sent again), or RateLimited after
    ATTEMPTS answers of 429; `pace`, when given, spaces the requests and shares the waits;
    `on_rate_limited` is told of each 429.
    """
    for attempt in range(ATTEMPTS):
        if pace is not None:
            pace.before_request()
        try:
            response = send()
        except Exception as error:
            failure = classify(error, request, url, timeout)
            if failure is None:
                raise
            raise failure from None
        answer = read(response)
        if answer.status != 429:
            return response, answer
        if on_rate_limited is not None:
            on_rate_limited(answer)
        seconds = wait(answer.retry_after, attempt) if attempt < ATTEMPTS - 1 else 0.0
        if pace is not None:
            pace.pause(seconds)
        else:
            time.sleep(seconds)
    raise RateLimited(
        f"{request} was answered 429 {ATTEMPTS} times in a row, each wait asked for taken "
        "(D24); lower --rate-limit or ask for a higher limit"
    )


def pace_figures(run: Run | None = None) -> Figures:
    """The run's requests, 429s and time waited so far, over every process."""
    return _pace(run or this_run()).figures()


@cache
def _pace(run: Run) -> Pace:
    return Pace(run.directory / "pace.json", run.rate_limit)


def _note(run: Run, method: str, path: str, answer: Answer) -> None:
    traffic.note(run, method, path, answer.status, answer.sent, answer.body)


def _note_created(run: Run, method: str, path: str, answer: Answer) -> None:
    if not 200 <= answer.status < 300 or not answer.body:
        return
    try:
        body = json.loads(answer.body)
    except ValueError:
        return  # not JSON: the checks judge that; it names no id to clean up
    run.record_created(handed_out(load(), method, path, answer.status, body))


def _stop(run: Run, error: ContractError) -> BaseException:
    """Stop the run for `error`: this check and every one after it is skipped, not judged."""
    run.stop(error)
    return _not_checked(run.stopped() or error)


def _not_checked(error: ContractError) -> BaseException:
    return pytest.skip.Exception(f"not checked: the run stopped: {error}")
