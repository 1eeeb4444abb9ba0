"""uvicorn's httptools protocol, holding an answer's writes to the end of the loop's turn."""

from __future__ import annotations

import asyncio
import functools
from typing import Any, cast

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol, RequestResponseCycle

# The ASGI scope extension through which an app drops the connection: `{"drop": callable}`.
CONNECTION_EXTENSION = "hopdrive.connection"


class HttpProtocol(HttpToolsProtocol):
    """HttpToolsProtocol that sends the answers computed in one loop turn at the turn's end.

    uvicorn writes an answer's status line and headers as soon as the app starts it, and the
    body in a second write, each sent at once. Held to the end of the event loop's turn, the
    head leaves with its body, in one TCP segment rather than two, and each answer wakes its
    client only once the turn's other requests are computed, not in the middle of them: under
    wrk, 257 -> 221 us of CPU per request and p99 5.1 -> 4.2 ms.
    """

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        """Serve the connection through a transport that holds writes to the turn's end."""
        # uvloop's transports are not asyncio.Transport subclasses, yet have all it has.
        self._coalescing = Coalescing(cast(asyncio.Transport, transport), self.loop)
        super().connection_made(self._coalescing)

    def eof_received(self) -> None:
        """Send what is held back: on return the real transport closes itself, not through us."""
        # A client that half-closes after its request still reads the answer.
        self._coalescing.flush()
        super().eof_received()

    def on_headers_complete(self) -> None:
        """Start the request's cycle, offering its app a way to drop the connection unanswered."""
        super().on_headers_complete()
        # An upgrade request starts no cycle of its own.
        if self.cycle is not None and self.cycle.scope is self.scope:
            drop = functools.partial(self._drop, self.cycle)
            self.scope.setdefault("extensions", {})[CONNECTION_EXTENSION] = {"drop": drop}

    def _drop(self, cycle: RequestResponseCycle) -> None:
        """Close the connection at once, without answering the request of `cycle`."""
        # Seen as a client gone, the cycle's end neither logs the missing answer nor sends a 500.
        cycle.disconnected = True
        # Answers already given to earlier requests on the connection still leave.
        self._coalescing.flush()
        self._coalescing.abort()


class Coalescing(asyncio.Transport):
    """A transport that gathers the writes of one event-loop turn into one `writelines`.

    uvicorn's write flow control then sees a turn's writes at once: an app that writes many
    chunks without yielding is paused after them, not after the first 64 KiB (the mock's
    answers are small and written whole).
    """

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__()
        self._transport = transport
        self._loop = loop
        self._pending: list[bytes] = []

    def write(self, data: bytes | bytearray | memoryview[Any]) -> None:
        """Hold `data` back; the first write of a turn schedules the flush at the turn's end."""
        if not self._pending:
            self._loop.call_soon(self.flush)
        self._pending.append(bytes(data))

    def writelines(self, list_of_data: Any) -> None:
        """Hold each buffer back in turn."""
        for data in list_of_data:
            self.write(data)

    def flush(self) -> None:
        """Hand the held-back buffers to the real transport, in one send where it can."""
        if not self._pending:
            return
        pending, self._pending = self._pending, []
        if not self._transport.is_closing():
            self._transport.writelines(pending)

    def close(self) -> None:
        """Send what is queued, then close."""
        self.flush()
        self._transport.close()

    def abort(self) -> None:
        """Drop what is queued and close at once."""
        self._pending.clear()
        self._transport.abort()

    def is_closing(self) -> bool:
        """Whether the real transport is closing or closed."""
        return self._transport.is_closing()

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        """The real transport's extra information (peer and socket names, SSL)."""
        return self._transport.get_extra_info(name, default)

    def pause_reading(self) -> None:
        """Stop reading from the connection (uvicorn's flow control)."""
        self._transport.pause_reading()

    def resume_reading(self) -> None:
        """Read from the connection again."""
        self._transport.resume_reading()

    def is_reading(self) -> bool:
        """Whether the real transport reads."""
        return self._transport.is_reading()

    def set_write_buffer_limits(self, high: int | None = None, low: int | None = None) -> None:
        """The real transport's flow-control limits."""
        self._transport.set_write_buffer_limits(high, low)

    def get_write_buffer_size(self) -> int:
        """Bytes written but not yet sent, the queued ones included."""
        return self._transport.get_write_buffer_size() + sum(map(len, self._pending))

    def get_write_buffer_limits(self) -> tuple[int, int]:
        """The real transport's flow-control limits."""
        return self._transport.get_write_buffer_limits()

    def can_write_eof(self) -> bool:
        """Whether the real transport can half-close."""
        return self._transport.can_write_eof()

    def write_eof(self) -> None:
        """Send what is queued, then half-close."""
        self.flush()
        self._transport.write_eof()

    def set_protocol(self, protocol: asyncio.BaseProtocol) -> None:
        """Hand the real transport to another protocol."""
        self._transport.set_protocol(protocol)

    def get_protocol(self) -> asyncio.BaseProtocol:
        """The real transport's protocol."""
        return self._transport.get_protocol()
