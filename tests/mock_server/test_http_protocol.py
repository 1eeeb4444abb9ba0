"""One send per answer: the coalescing transport and the protocol that serves through it."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable
from typing import Any

from mock_server.app import create_app
from mock_server.http_protocol import Coalescing
from mock_server.store import Store
from testbeds import LiveServer


class Recording(asyncio.Transport):
    """A transport that records what reaches it instead of sending it."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[tuple[str, Any]] = []
        self.closing = False

    def writelines(self, list_of_data: Any) -> None:
        self.calls.append(("writelines", list(list_of_data)))

    def write(self, data: Any) -> None:
        self.calls.append(("write", data))

    def close(self) -> None:
        self.calls.append(("close", None))
        self.closing = True

    def abort(self) -> None:
        self.calls.append(("abort", None))
        self.closing = True

    def is_closing(self) -> bool:
        return self.closing

    def get_write_buffer_size(self) -> int:
        return 7


async def _one_turn() -> None:
    """Let the callbacks scheduled so far run."""
    await asyncio.sleep(0)


def test_the_writes_of_one_loop_turn_leave_together_at_its_end() -> None:
    async def scenario() -> list[tuple[str, Any]]:
        real = Recording()
        coalescing = Coalescing(real, asyncio.get_running_loop())
        coalescing.write(b"HTTP/1.1 200 OK\r\n\r\n")
        coalescing.write(bytearray(b"{}"))
        assert real.calls == []
        await _one_turn()
        coalescing.write(b"next")
        await _one_turn()
        return real.calls

    assert asyncio.run(scenario()) == [
        ("writelines", [b"HTTP/1.1 200 OK\r\n\r\n", b"{}"]),
        ("writelines", [b"next"]),
    ]


def _write_then(data: bytes, then: Callable[[Coalescing, Recording], object]) -> list[Any]:
    """What reaches the real transport when `data` is written, `then` runs and the turn ends."""

    async def scenario() -> list[tuple[str, Any]]:
        real = Recording()
        coalescing = Coalescing(real, asyncio.get_running_loop())
        coalescing.write(data)
        then(coalescing, real)
        await _one_turn()
        return real.calls

    return asyncio.run(scenario())


def test_close_sends_what_is_queued_before_closing() -> None:
    calls = _write_then(b"last answer", lambda coalescing, _: coalescing.close())
    assert calls == [("writelines", [b"last answer"]), ("close", None)]


def test_abort_drops_what_is_queued() -> None:
    assert _write_then(b"never sent", lambda coalescing, _: coalescing.abort()) == [("abort", None)]


def test_nothing_is_handed_to_a_transport_already_closing() -> None:
    # The connection closed within the turn.
    assert _write_then(b"too late", lambda _, real: setattr(real, "closing", True)) == []


def test_the_write_buffer_size_counts_the_queued_bytes() -> None:
    async def scenario() -> tuple[int, int]:
        real = Recording()
        coalescing = Coalescing(real, asyncio.get_running_loop())
        coalescing.write(b"12345")
        queued = coalescing.get_write_buffer_size()
        await _one_turn()
        return queued, coalescing.get_write_buffer_size()

    assert asyncio.run(scenario()) == (7 + 5, 7)


def test_pipelined_requests_get_whole_answers_and_close_ends_the_connection() -> None:
    request = (
        b"GET /v1/appointments/1 HTTP/1.1\r\nHost: mock\r\n"
        b"Authorization: Bearer dev-token-a\r\n%s\r\n"
    )
    with LiveServer(create_app(store=Store())) as live:
        port = int(live.url.split(":")[2].split("/")[0])
        with socket.create_connection(("127.0.0.1", port), timeout=10) as client:
            client.sendall(request % b"" + request % b"" + request % b"Connection: close\r\n")
            received = b""
            while chunk := client.recv(65536):  # until the server closes the connection
                received += chunk
    answers = received.split(b"HTTP/1.1 ")[1:]
    assert len(answers) == 3
    for answer in answers:
        head, _, body = answer.partition(b"\r\n\r\n")
        length = next(
            int(line.split(b":")[1])
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"content-length:")
        )
        assert head.startswith(b"405 ")
        assert len(body) == length


def test_a_client_that_half_closes_after_its_request_still_gets_the_answer() -> None:
    # The transport closes itself on end of file, not through Coalescing.close: the protocol
    # must send what is held back first.
    request = b"GET /v1/appointments/1 HTTP/1.1\r\nHost: mock\r\n\r\n"
    with LiveServer(create_app(store=Store())) as live:
        port = int(live.url.split(":")[2].split("/")[0])
        for _ in range(20):
            with socket.create_connection(("127.0.0.1", port), timeout=10) as client:
                client.sendall(request)
                client.shutdown(socket.SHUT_WR)
                received = b""
                while chunk := client.recv(65536):
                    received += chunk
            assert received.startswith(b"HTTP/1.1 405 "), received
