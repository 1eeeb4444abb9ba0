"""Real servers for the tests: uvicorn in a thread, the installed mock as a process, a clock."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager as ContextManager
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from contract_tests.processes import stop
from mock_server.http_protocol import HttpProtocol

MOCK = Path(sys.executable).with_name("hopdrive-mock")
# Before the seed examples' 2026-03-10 appointment, so they can still be changed.
START = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


class Clock:
    """The mock's notion of now, moved by the tests."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


class LiveServer:
    """uvicorn serving an app in a background thread on a free loopback port, as the CLI does."""

    def __init__(self, app: Any) -> None:
        self._socket = socket.socket()
        # asyncio sets TCP_NODELAY only on sockets it creates itself; without it, every answer
        # written in two parts waits ~40 ms for the client's delayed ACK. Accepted sockets
        # inherit the option from this one.
        self._socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._socket.bind(("127.0.0.1", 0))
        port = self._socket.getsockname()[1]
        self.url = f"http://127.0.0.1:{port}/v1"
        config = uvicorn.Config(
            app, log_level="warning", access_log=False, lifespan="off", http=HttpProtocol
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._socket]}, daemon=True
        )

    def __enter__(self) -> LiveServer:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("the mock did not start within 10 s")
            time.sleep(0.01)
        return self

    def __exit__(self, *_: object) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._socket.close()


def wait_until_answering(url: str, process: subprocess.Popen[bytes], seconds: float = 30) -> None:
    """Return once `process` answers HTTP at `url`; fail if it exits or takes too long."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.TransportError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"nothing answered at {url}") from None
            time.sleep(0.05)


@contextmanager
def served(
    command: Sequence[str],
    port: int,
    *,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
) -> Iterator[subprocess.Popen[bytes]]:
    """`command` as a process serving the API on `port`, ready to answer; stopped after."""
    process = subprocess.Popen(
        list(command), cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        wait_until_answering(f"http://127.0.0.1:{port}/v1/appointments", process)
        yield process
    finally:
        stop(process)


def mock_process(db: str | Path, port: int, *flags: str) -> ContextManager[subprocess.Popen[bytes]]:
    """The installed `hopdrive-mock` serving `db` on `port`, ready to answer; stopped after."""
    return served([str(MOCK), "--port", str(port), "--db", str(db), "--quiet", *flags], port)
