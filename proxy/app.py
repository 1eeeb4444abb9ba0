"""The proxy as an ASGI app: each request judged, forwarded unchanged, its answer judged.

The answer goes back to the client before the answer and the behaviour are judged, so the
judgement adds nothing to what the client waits for but the request's own check.
"""

from __future__ import annotations

import json
import time
import zlib
from collections.abc import Awaitable, Callable, MutableMapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import httpx

from proxy.exchange import Exchange, Headers
from proxy.requests import judge_request, problem
from proxy.session import Session
from spec import Spec

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
# Headers of one connection, not of the message (RFC 9110 7.6.1), and the ones the transport
# writes itself: neither is forwarded.
_HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "proxy-connection",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "host",
        "content-length",
    }
)
_PROBLEM = "application/problem+json"
BAD_GATEWAY = 502


class Proxy:
    """Forwards every request to the upstream base URL, and hands each exchange to a session."""

    def __init__(
        self,
        spec: Spec,
        upstream: str,
        session: Session,
        *,
        strict_client: bool = False,
        timeout: float = 60.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        parts = urlsplit(upstream)
        self.spec = spec
        self.session = session
        self.strict_client = strict_client
        self.origin = f"{parts.scheme}://{parts.netloc}"
        self.base_path = parts.path.rstrip("/")
        self._client = httpx.AsyncClient(
            transport=transport, timeout=timeout, follow_redirects=False, trust_env=False
        )
        self._numbers = iter(range(1, 2**63))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
        elif scope["type"] == "http":
            await self._exchange(scope, receive, send)

    async def aclose(self) -> None:
        """Close the connections to the upstream."""
        await self._client.aclose()

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.aclose()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _exchange(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = datetime.now(UTC)
        clock = time.perf_counter()
        body = await _body(receive)
        method = str(scope["method"])
        path = str(scope["path"])
        query = bytes(scope.get("query_string", b"")).decode("latin-1")
        headers: Headers = tuple(
            (name.decode("latin-1").lower(), value.decode("latin-1"))
            for name, value in scope["headers"]
        )
        route = self._route(path)
        verdict = judge_request(self.spec, method, route, headers, body, started)
        raw_path = bytes(scope.get("raw_path") or path.encode()).decode("latin-1")
        url = self.origin + raw_path + (f"?{query}" if query else "")
        if self.strict_client and verdict.violations:
            status, answer, content = problem(self.spec, verdict, route)
            wire, forwarded = content, False
        else:
            status, answer, wire, content, forwarded = await self._forward(
                method, url, headers, body
            )
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    *((n.encode("latin-1"), v.encode("latin-1")) for n, v in answer),
                    (b"content-length", str(len(wire)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": wire})
        exchange = Exchange(
            number=next(self._numbers),
            started=started,
            method=method,
            path=path,
            query=query,
            route=route,
            request_headers=headers,
            request_body=body,
            status=status,
            response_headers=answer,
            response_body=content,
            elapsed=time.perf_counter() - clock,
            url=url,
            forwarded=forwarded,
        )
        try:
            self.session.record(verdict, exchange)
        except Exception as error:  # a fault of the judging must never stop the forwarding
            self.session.failed(exchange, error)

    def _route(self, path: str) -> str | None:
        """The path inside the API's base path, None for a path outside it."""
        if not self.base_path:
            return path or "/"
        if path == self.base_path or path.startswith(self.base_path + "/"):
            return path[len(self.base_path) :] or "/"
        return None

    async def _forward(
        self, method: str, url: str, headers: Headers, body: bytes
    ) -> tuple[int, Headers, bytes, bytes, bool]:
        """The upstream's answer: status, headers, the bytes as sent, their decoded content."""
        sent = [(name, value) for name, value in headers if name not in _HOP_BY_HOP]
        try:
            request = self._client.build_request(method, url, headers=sent, content=body)
            response = await self._client.send(request, stream=True)
            try:
                wire = b"".join([chunk async for chunk in response.aiter_raw()])
            finally:
                await response.aclose()
        except httpx.HTTPError as error:
            content = _no_answer(url, error)
            return BAD_GATEWAY, (("content-type", _PROBLEM),), content, content, False
        answer = tuple(
            (name.decode("latin-1").lower(), value.decode("latin-1"))
            for name, value in response.headers.raw
            if name.decode("latin-1").lower() not in _HOP_BY_HOP
        )
        encoding = response.headers.get("content-encoding", "identity")
        return response.status_code, answer, wire, _decoded(wire, encoding), True


async def _body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(bytes(message.get("body", b"")))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _decoded(wire: bytes, encoding: str) -> bytes:
    """The content of a body sent gzip- or deflate-encoded; other encodings as they came."""
    codings = [c.strip().lower() for c in encoding.split(",") if c.strip()]
    content = wire
    for coding in reversed(codings):
        try:
            if coding in ("gzip", "x-gzip"):
                content = zlib.decompress(content, wbits=zlib.MAX_WBITS | 16)
            elif coding == "deflate":
                content = zlib.decompress(content)
        except zlib.error:
            return wire
    return content


def _no_answer(url: str, error: httpx.HTTPError) -> bytes:
    return json.dumps(
        {
            "type": "about:blank",
            "title": "The upstream did not answer",
            "status": BAD_GATEWAY,
            "detail": f"hopdrive-proxy could not get an answer from {url}: "
            f"{type(error).__name__}: {error}",
        }
    ).encode()
