"""What the run sent and what it got back, every exchange of every process, kept for coverage.

Coverage is measured from these records, not from what the checks meant to do: a check that
never reached the server covers nothing.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path
from typing import IO, Any

from contract_tests.run import Run

# pytest names the test a process is running here ("path::name (call)").
_CURRENT_TEST = "PYTEST_CURRENT_TEST"
# The answer's members coverage reads: the record an exchange named, and its state.
_ANSWER_MEMBERS = ("id", "status")
NOT_JSON = {"$not-json": True}


@dataclass(frozen=True)
class Logged:
    """One exchange as coverage reads it."""

    test: str
    method: str
    path: str
    status: int
    request: Any  # the JSON body sent, None for none, NOT_JSON for bytes that are not JSON
    answer: dict[str, Any]  # the answer's `id` and `status` members, where it had them


def note(run: Run, method: str, path: str, status: int, sent: bytes | None, answer: bytes) -> None:
    """Keep one exchange of this process."""
    logged = logged_as(_current_test(), method, path, status, sent, answer)
    handle = _log(run.directory, os.getpid())
    handle.write(json.dumps(asdict(logged), ensure_ascii=False) + "\n")
    handle.flush()


def logged_as(
    test: str, method: str, path: str, status: int, sent: bytes | None, answer: bytes
) -> Logged:
    """One exchange as coverage reads it, for the check `test` that made or judged it."""
    return Logged(
        test=test,
        method=method.upper(),
        path="/" + path.split("?", 1)[0].lstrip("/"),
        status=status,
        request=_json(sent),
        answer=_summary(answer),
    )


def exchanges(run: Run) -> Iterator[Logged]:
    """Every exchange any process of the run kept, each process's in the order it made them."""
    for path in sorted(run.directory.glob("traffic-*.jsonl")):
        with path.open(encoding="utf-8") as lines:
            for line in lines:
                if line.strip():
                    yield Logged(**json.loads(line))


@cache
def _log(directory: Path, pid: int) -> IO[str]:
    # One file per process, so that appends never interleave; kept open for the process's life.
    return (directory / f"traffic-{pid}.jsonl").open("a", encoding="utf-8")


def _current_test() -> str:
    current = os.environ.get(_CURRENT_TEST, "")
    return current.rsplit(" (", 1)[0]


def _json(sent: bytes | None) -> Any:
    if sent is None or sent == b"":
        return None
    try:
        return json.loads(sent)
    except ValueError:
        return NOT_JSON


def _summary(answer: bytes) -> dict[str, Any]:
    try:
        body = json.loads(answer) if answer else None
    except ValueError:
        return {}
    if not isinstance(body, dict):
        return {}
    return {name: body[name] for name in _ANSWER_MEMBERS if name in body}
