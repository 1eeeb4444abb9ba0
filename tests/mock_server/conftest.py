"""A live mock on a loopback port, its clients and a clock the tests can move."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg
import pytest

from mock_server.app import create_app
from mock_server.store import Store
from testbeds import START, Clock, LiveServer

POSTGRES_ENV = "HOPDRIVE_TEST_POSTGRES"


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh, empty database on the PostgreSQL server `make check` starts, dropped after."""
    server = os.environ.get(POSTGRES_ENV)
    if not server:
        pytest.skip(f"${POSTGRES_ENV} is not set: `make unit` starts PostgreSQL and sets it")
    name = f"hopdrive_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"'.encode())
    try:
        yield f"{server.rsplit('/', 1)[0]}/{name}"
    finally:
        with psycopg.connect(server, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)'.encode())


@pytest.fixture(params=["sqlite", "postgresql"])
def location(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Where a store lives: a SQLite file, or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return str(tmp_path / "state.db")
    return str(request.getfixturevalue("postgres_url"))


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
