"""contract_tests/network.py: what a request that got no answer ran into, from real failures."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator

import httpx
import pytest
import requests
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from contract_tests.errors import (
    STOPS,
    ConnectionRefused,
    NameNotResolved,
    NetworkError,
    RequestTimedOut,
    TlsFailure,
)
from contract_tests.network import classify
from contract_tests.processes import free_port
from testbeds import LiveServer

REQUEST = "GET /appointments"
# Long enough for loopback, short enough that a failure to fail does not stall the file.
TIMEOUT = 2.0
# The suite's two clients: httpx for its own checks, requests under Schemathesis.
CLIENTS = pytest.mark.parametrize("get", [httpx.get, requests.get], ids=["httpx", "requests"])
Get = Callable[..., object]


def _failure(get: Get, url: str, timeout: float = TIMEOUT) -> NetworkError | None:
    """What `classify` makes of the error a GET of `url` with `get` raises."""
    try:
        get(url, timeout=timeout)
    except Exception as error:
        return classify(error, REQUEST, url, timeout)
    pytest.fail(f"GET {url} was answered")


def _listening() -> socket.socket:
    """A loopback socket that listens: connections complete in its backlog, unanswered."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    return listener


def _url(listener: socket.socket) -> str:
    return f"http://127.0.0.1:{listener.getsockname()[1]}/v1"


def _hang_up_on_each(listener: socket.socket) -> None:
    """Accept each connection and close it at once, unanswered, until `listener` shuts."""
    while True:
        try:
            connection, _ = listener.accept()
        except OSError:
            return
        connection.close()


@pytest.fixture
def silent() -> Iterator[str]:
    """The base URL of a server that accepts connections and never reads or answers."""
    with _listening() as listener:
        yield _url(listener)


@pytest.fixture
def hanging_up() -> Iterator[str]:
    """The base URL of a server that closes every connection without answering."""
    with _listening() as listener:
        thread = threading.Thread(target=_hang_up_on_each, args=(listener,), daemon=True)
        thread.start()
        yield _url(listener)
        # Shutting a listening socket wakes the accept blocked on it.
        listener.shutdown(socket.SHUT_RDWR)
        thread.join(timeout=5)


async def _hello(_: Request) -> Response:
    return PlainTextResponse("hello")


@pytest.fixture(scope="module")
def plain_http() -> Iterator[str]:
    """The base URL of a server speaking plain HTTP, no TLS."""
    with LiveServer(Starlette(routes=[Route("/{path:path}", _hello)])) as live:
        yield live.url


@CLIENTS
def test_a_closed_port_is_connection_refused(get: Get) -> None:
    port = free_port()
    failure = _failure(get, f"http://127.0.0.1:{port}/v1")
    assert isinstance(failure, ConnectionRefused)
    assert f"127.0.0.1:{port}" in str(failure)
    assert REQUEST in str(failure)


@CLIENTS
def test_a_host_name_that_does_not_resolve_is_name_not_resolved(get: Get) -> None:
    failure = _failure(get, "http://nonexistent.invalid/v1")
    assert isinstance(failure, NameNotResolved)
    assert "'nonexistent.invalid'" in str(failure)
    assert REQUEST in str(failure)


@CLIENTS
def test_a_server_that_never_answers_is_a_timeout_naming_it(get: Get, silent: str) -> None:
    failure = _failure(get, silent, timeout=0.3)
    assert isinstance(failure, RequestTimedOut)
    assert "0.3 s" in str(failure)
    assert REQUEST in str(failure)


@CLIENTS
def test_https_to_a_plain_http_server_is_a_tls_failure(get: Get, plain_http: str) -> None:
    url = plain_http.replace("http://", "https://", 1)
    failure = _failure(get, url)
    assert isinstance(failure, TlsFailure)
    assert url.split("/")[2] in str(failure)


@CLIENTS
def test_a_connection_closed_unanswered_is_a_network_error_of_no_kind(
    get: Get, hanging_up: str
) -> None:
    failure = _failure(get, hanging_up)
    assert type(failure) is NetworkError
    assert hanging_up.split("/")[2] in str(failure)
    assert REQUEST in str(failure)


def test_an_error_that_is_no_network_failure_is_none() -> None:
    assert classify(ValueError("not JSON"), REQUEST, "http://127.0.0.1:1/v1", TIMEOUT) is None


def test_every_stop_has_its_own_exit_status_beyond_pytests() -> None:
    statuses = [stop.exit_status for stop in STOPS.values()]
    assert len(set(statuses)) == len(statuses)
    # pytest's own statuses are 0 to 5; 2 is also the suite's setup error.
    assert not set(statuses) & set(range(6))
    network = [NetworkError, ConnectionRefused, NameNotResolved, TlsFailure, RequestTimedOut]
    assert set(network) <= set(STOPS.values())
