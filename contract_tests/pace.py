"""The run's shared pace: `--rate-limit` slots, the pause a 429 asks of every process, and the
counts of both, kept in one locked file so that all workers of a run keep them together."""

from __future__ import annotations

import fcntl
import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO


@dataclass
class Figures:
    """What the run's sending came to: requests, 429s answered, seconds held back by them."""

    requests: int = 0
    rate_limited: int = 0
    waited: float = 0.0


@dataclass
class _State(Figures):
    # When the next request may leave (--rate-limit) and when the last 429's pause ends.
    next_slot: float = 0.0
    paused_until: float = 0.0


class Pace:
    """One process's handle on the run's pace file."""

    def __init__(
        self,
        path: Path,
        rate_limit: float | None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._path = path
        self._interval = 1.0 / rate_limit if rate_limit else 0.0
        self._clock = clock
        self._sleep = sleep

    def before_request(self) -> None:
        """Wait for this request's turn: after any 429 pause, and one slot after the last."""
        with self._state() as state:
            now = self._clock()
            start = max(now, state.next_slot, state.paused_until)
            state.next_slot = start + self._interval
            state.requests += 1
        if start > now:
            self._sleep(start - now)

    def pause(self, seconds: float) -> None:
        """A 429 asked for `seconds`: hold every process's next request until they pass."""
        with self._state() as state:
            now = self._clock()
            until = now + seconds
            if until > state.paused_until:
                state.waited += until - max(now, state.paused_until)
                state.paused_until = until
            state.rate_limited += 1

    def figures(self) -> Figures:
        """The run's counts so far, from every process."""
        with self._state() as state:
            return Figures(state.requests, state.rate_limited, round(state.waited, 3))

    @contextmanager
    def _state(self) -> Iterator[_State]:
        with self._path.open("a+") as file:
            fcntl.flock(file, fcntl.LOCK_EX)
            state = _read(file)
            yield state
            file.seek(0)
            file.truncate()
            file.write(json.dumps(asdict(state)))


def _read(file: IO[str]) -> _State:
    file.seek(0)
    text = file.read()
    return _State(**json.loads(text)) if text else _State()
