"""The request journal: the last exchanges, kept in memory by an ASGI middleware.

An exchange is kept as it passed, tokens and all, and masked only when shown (journal_api): the
middleware stays cheap on every request, and reads of the journal are rare. Each body keeps its
first BODY_LIMIT bytes and each header value its first HEADER_LIMIT (the API's bodies may reach
1 MiB), so that an entry stays near 20 KiB at most; the journal holds `size` entries, the
oldest dropped first. Each process keeps its own.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from starlette.types import ASGIApp, Message, Receive, Scope, Send

DEFAULT_SIZE = 1000
BODY_LIMIT = 8 * 1024
HEADER_LIMIT = 1024
Headers = list[tuple[bytes, bytes]]


@dataclass
class Body:
    """The start of a body and the size of all of it that passed."""

    keep: int  # how many bytes to keep
    kept: bytearray = field(default_factory=bytearray)
    size: int = 0

    def add(self, chunk: bytes) -> None:
        """Count a chunk, and keep what of it fits."""
        self.size += len(chunk)
        room = self.keep - len(self.kept)
        if room > 0:
            self.kept += chunk[:room]


@dataclass
class Exchange:
    """A request and the mock's answer, as far as it went: unmasked, never shown as is."""

    at: datetime
    method: str
    path: str
    query: bytes
    request_headers: Headers
    request_body: Body
    response_body: Body
    # None until the answer starts: a dropped connection, or a failure the mock answers
    # outside the middleware (its 500), leaves it None.
    status: int | None = None
    response_headers: Headers = field(default_factory=list)
    ms: float = 0.0

    @property
    def authorization(self) -> str | None:
        """The request's Authorization header, if it sent one."""
        return next(
            (
                value.decode("latin-1")
                for name, value in self.request_headers
                if name == b"authorization"
            ),
            None,
        )


def bearer_token(authorization: str | None) -> str | None:
    """The token of a `Bearer <token>` header value, as the mock reads it (auth.Tenants)."""
    scheme, _, token = (authorization or "").strip().partition(" ")
    return (token.strip() or None) if scheme.lower() == "bearer" else None


class Journal:
    """The last `size` exchanges, oldest first; a token's own ones are read newest first."""

    def __init__(self, size: int = DEFAULT_SIZE, *, margin: int = 0) -> None:
        """`margin`: bytes kept beyond each limit, so that no token is cut where the limit
        falls and shown in part (the longest token to mask)."""
        self.size = size
        self.margin = margin
        self._exchanges: deque[Exchange] = deque(maxlen=size)

    def add(self, exchange: Exchange) -> None:
        """Keep an exchange, dropping the oldest when full."""
        self._exchanges.append(exchange)

    def of(self, token: str) -> list[Exchange]:
        """The exchanges made with `token`, newest first."""
        return [e for e in reversed(self._exchanges) if bearer_token(e.authorization) == token]

    def forget(self, token: str | None) -> int:
        """Drop the exchanges made with `token` (None: every exchange); how many were dropped."""
        kept = [
            e
            for e in self._exchanges
            if token is not None and bearer_token(e.authorization) != token
        ]
        dropped = len(self._exchanges) - len(kept)
        self._exchanges = deque(kept, maxlen=self.size)
        return dropped


class JournalRecorder:
    """ASGI middleware adding each HTTP exchange to a journal, but the reads of it (`unseen`)."""

    def __init__(
        self,
        app: ASGIApp,
        journal: Journal,
        clock: Callable[[], datetime],
        unseen: str,
    ) -> None:
        self.app = app
        self.journal = journal
        self.clock = clock
        self.unseen = unseen

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or (
            scope["path"] == self.unseen and scope["method"] in ("GET", "HEAD")
        ):
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        margin = self._margin(scope["headers"])
        exchange = Exchange(
            at=self.clock(),
            method=scope["method"],
            path=scope["path"],
            query=scope["query_string"],
            request_headers=_capped(scope["headers"], HEADER_LIMIT + margin),
            request_body=Body(BODY_LIMIT + margin),
            response_body=Body(BODY_LIMIT + margin),
        )
        # The start of the body is read before the app runs, so that an answer given before
        # the body is read (401, 415) is journalled with what was sent.
        peeked = await _peek(receive, exchange.request_body)

        async def receiving() -> Message:
            if peeked:
                return peeked.popleft()
            message = await receive()
            if message["type"] == "http.request":
                exchange.request_body.add(message.get("body", b""))
            return message

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                exchange.status = message["status"]
                headers = message.get("headers", [])
                exchange.response_headers = _capped(headers, HEADER_LIMIT + margin)
            elif message["type"] == "http.response.body":
                exchange.response_body.add(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receiving, sending)
        finally:
            exchange.ms = round((time.perf_counter() - started) * 1000, 2)
            self.journal.add(exchange)

    def _margin(self, headers: Iterable[tuple[bytes, bytes]]) -> int:
        """Bytes to keep beyond a limit: the longest token to mask, the request's own included."""
        sent = max((len(v) for n, v in headers if n == b"authorization"), default=0)
        return max(self.journal.margin, sent)


async def _peek(receive: Receive, body: Body) -> deque[Message]:
    """The messages that bring the body's first `body.keep` bytes (or all of it), counted."""
    messages: deque[Message] = deque()
    while len(body.kept) < body.keep:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            break
        body.add(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return messages


def _capped(headers: Iterable[tuple[bytes, bytes]], limit: int) -> Headers:
    """The headers, each value cut to `limit` bytes."""
    return [(name, value[:limit]) for name, value in headers]
