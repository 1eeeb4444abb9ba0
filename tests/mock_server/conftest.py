"""A live mock on a loopback port, its clients and a clock the tests can move."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from mock_server.app import create_app
from mock_server.store import Store
from tests.live_server import START, Clock, LiveServer


@pytest.fixture(scope="session")
def clock() -> Clock:
    return Clock()


@pytest.fixture(autouse=True)
def _reset_clock(clock: Clock) -> None:
    clock.now = START


@pytest.fixture(scope="session")
def server(clock: Clock) -> Iterator[LiveServer]:
    with LiveServer(create_app(store=Store(":memory:"), clock=clock)) as live:
        yield live


def _client(server: LiveServer, token: str | None) -> httpx.Client:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.Client(base_url=server.url, headers=headers, timeout=10)


@pytest.fixture
def api(server: LiveServer) -> Iterator[httpx.Client]:
    """A client holding dev-token-a (rooftops 1234 and 42)."""
    with _client(server, "dev-token-a") as client:
        yield client


@pytest.fixture
def other(server: LiveServer) -> Iterator[httpx.Client]:
    """A client of another dealer: dev-token-b (rooftop 777)."""
    with _client(server, "dev-token-b") as client:
        yield client


@pytest.fixture
def anonymous(server: LiveServer) -> Iterator[httpx.Client]:
    """A client sending no Authorization header."""
    with _client(server, None) as client:
        yield client
