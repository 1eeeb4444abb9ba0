"""A WAN on loopback: a proxy adding latency, jitter and a per-token rate limit before a server."""

from __future__ import annotations

import argparse
import asyncio
import math
import socket
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Iterator, MutableMapping, Sequence
from contextlib import AbstractContextManager as ContextManager
from contextlib import contextmanager
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any
from urllib.parse import urlsplit

import httpx
import uvicorn
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Send

from contract_tests.processes import free_port, stop
from mock_server.http_protocol import HttpProtocol
from mock_server.problems import PROBLEM_JSON
from mock_server.throttles import Delays, TokenBuckets
from testbeds.live import served

# RFC 9110 7.6.1: meaningful for one connection only, so never passed on by a proxy. Host is
# the upstream's own, set by httpx from the URL.
HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "host",
    }
)
# How long a stopping proxy waits for its requests: a stalled one holds out until its client
# gives up.
SHUTDOWN_SECONDS = 1
# How long a proxy process may take to start, as long as `served` gives one.
START_SECONDS = 30


@dataclass
class WanStats:
    """What a proxy did: requests passed on to the upstream, and 429s answered in their place."""

    forwarded: int = 0
    limited: int = 0


@dataclass(frozen=True)
class WanSettings:
    """What the WAN does to each request: a delay in seconds, a rate limit, or a stall."""

    latency: float = 0.0
    jitter: float = 0.0
    rate: float | None = None
    stall: bool = False
    seed: int = 0

    def __post_init__(self) -> None:
        # Built once here, so that bad settings fail where they are given, not in the proxy.
        self.delays()
        self.buckets()

    def delays(self) -> Delays:
        """The delays of the requests, from the first."""
        return Delays(self.latency, self.jitter, self.seed)

    def buckets(self) -> TokenBuckets | None:
        """Fresh buckets of the rate limit, if there is one."""
        return TokenBuckets(self.rate) if self.rate is not None else None

    def flags(self) -> list[str]:
        """The same settings as flags of `python -m testbeds.wan`."""
        flags = ["--latency-ms", str(self.latency * 1000), "--jitter-ms", str(self.jitter * 1000)]
        flags += ["--seed", str(self.seed)]
        flags += ["--rate", str(self.rate)] if self.rate is not None else []
        return [*flags, "--stall"] if self.stall else flags


def split_origin(url: str) -> tuple[str, str]:
    """`url` as its origin (`http://host:port`) and its path; ValueError unless it is http(s)."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.netloc or parts.query or parts.fragment:
        raise ValueError(f"{url!r} is not an http(s) URL of a server")
    return f"{parts.scheme}://{parts.netloc}", parts.path.rstrip("/")


Asgi = Callable[[MutableMapping[str, Any], Receive, Send], Awaitable[None]]


def wan_app(
    upstream: str, settings: WanSettings | None = None, *, stats: WanStats | None = None
) -> Asgi:
    """The proxy to the `upstream` origin, counting into `stats`; every path passed on as is."""
    origin, path = split_origin(upstream)
    if path:
        raise ValueError(f"the upstream is an origin, without the path {path!r}")
    settings = settings or WanSettings()
    delay = settings.delays()
    buckets = settings.buckets()
    counts = stats if stats is not None else WanStats()
    # No pool limit or timeout of its own: the proxy passes its clients' concurrency and
    # patience on unchanged. No proxy from the environment either, for a loopback upstream.
    client = httpx.AsyncClient(
        limits=httpx.Limits(max_connections=None, max_keepalive_connections=None),
        timeout=httpx.Timeout(None),
        trust_env=False,
    )
    base = httpx.URL(origin)

    async def forward(request: Request) -> Response:
        if settings.stall:
            return await _never_answer(request)
        await asyncio.sleep(delay())
        # Limited at the far end, as a server limits: a 429 crosses the WAN like any answer.
        if buckets is not None:
            wait = buckets.take(request.headers.get("authorization"))
            if wait:
                counts.limited += 1
                return _too_many_requests(math.ceil(wait), buckets.rate)
        raw_path = request.scope.get("raw_path") or request.url.path.encode()
        query = request.scope["query_string"]
        # Built by hand, not by the client, which would add its own default headers.
        outgoing = httpx.Request(
            request.method,
            base.copy_with(raw_path=raw_path + (b"?" + query if query else b"")),
            headers=_end_to_end(request.headers.raw),
            content=await request.body(),
        )
        # Counted as sent, whether or not the upstream answers.
        counts.forwarded += 1
        try:
            answer = await client.send(outgoing, stream=True)
        except httpx.TransportError as error:
            return _problem(HTTPStatus.BAD_GATEWAY, f"the upstream {origin} failed: {error!r}")
        try:
            # Raw, as sent: the body keeps its Content-Encoding and Content-Length.
            body = b"".join([chunk async for chunk in answer.aiter_raw()])
        finally:
            await answer.aclose()
        return _unchanged(answer, body)

    # No router: every method and every path reaches the upstream, whatever bytes it holds
    # (a route's pattern would not match a newline, and answer 404 for the server).
    async def app(scope: MutableMapping[str, Any], receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            response = await forward(Request(scope, receive))
            await response(scope, receive, send)
            return
        while scope["type"] == "lifespan":
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await client.aclose()
                await send({"type": "lifespan.shutdown.complete"})
                return

    return app


async def _never_answer(request: Request) -> Response:
    """Wait until the client gives up, so the stalled request ends and the server can stop."""
    while (await request.receive())["type"] != "http.disconnect":
        pass
    # The connection is gone: this answer reaches no one.
    return Response(status_code=HTTPStatus.REQUEST_TIMEOUT)


def _end_to_end(headers: Sequence[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """`headers` without the hop-by-hop ones, those the Connection header names included."""
    named = {
        option.strip().lower()
        for name, value in headers
        if name.lower() == b"connection"
        for option in value.split(b",")
    }
    return [
        (name.lower(), value)
        for name, value in headers
        if name.lower().decode("latin-1") not in HOP_BY_HOP and name.lower() not in named
    ]


def _unchanged(answer: httpx.Response, body: bytes) -> Response:
    """The upstream's answer as the proxy's: its status, end-to-end headers and raw body."""
    response = Response(body, status_code=answer.status_code)
    headers = _end_to_end(answer.headers.raw)
    # A chunked answer has no Content-Length of its own: the one Starlette computed stands in.
    if all(name != b"content-length" for name, _ in headers):
        headers += [header for header in response.raw_headers if header[0] == b"content-length"]
    response.raw_headers = headers
    return response


def _too_many_requests(retry_after: int, rate: float) -> Response:
    """D24's answer: 429, a problem document, and the whole seconds to wait in Retry-After."""
    seconds = max(1, retry_after)
    detail = f"over {rate:g} requests a second for this token; retry in {seconds} s"
    return _problem(HTTPStatus.TOO_MANY_REQUESTS, detail, {"Retry-After": str(seconds)})


def _problem(status: HTTPStatus, detail: str, headers: dict[str, str] | None = None) -> Response:
    """An RFC 9457 problem document of no particular type."""
    document = {"type": "about:blank", "title": status.phrase, "status": status, "detail": detail}
    return JSONResponse(document, status_code=status, headers=headers, media_type=PROBLEM_JSON)


def wan(
    upstream: str,
    *,
    latency: float = 0.0,
    jitter: float = 0.0,
    rate: float | None = None,
    stall: bool = False,
    seed: int = 0,
) -> ContextManager[str]:
    """The proxy to `upstream` as a process, ready; its base URL, with the upstream's path."""
    settings = WanSettings(latency=latency, jitter=jitter, rate=rate, stall=stall, seed=seed)
    origin, path = split_origin(upstream)
    port = free_port()
    command = [sys.executable, "-m", "testbeds.wan", "--upstream", origin, "--port", str(port)]
    command += settings.flags()
    return _serving(command, port, f"http://127.0.0.1:{port}{path}", stall=stall)


@contextmanager
def _serving(command: list[str], port: int, url: str, *, stall: bool) -> Iterator[str]:
    """`url` once the proxy `command` starts answers, or, stalled, once it accepts connections."""
    if not stall:
        with served(command, port):
            yield url
        return
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_until_accepting(port, process)
        yield url
    finally:
        stop(process)


def _wait_until_accepting(port: int, process: subprocess.Popen[bytes]) -> None:
    """Return once `process` accepts connections on `port`; fail if it exits or takes too long."""
    deadline = time.monotonic() + START_SECONDS
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"nothing accepted connections on port {port}") from None
            time.sleep(0.05)


def main(argv: Sequence[str] | None = None) -> int:
    """Serve the proxy until interrupted; the return value is the exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m testbeds.wan",
        description="Serve a proxy that puts latency and a per-token rate limit before a server.",
    )
    parser.add_argument(
        "--upstream", required=True, type=_origin, help="the server's origin, http://host:port"
    )
    parser.add_argument("--port", required=True, type=int, help="port to listen on")
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default: %(default)s)"
    )
    parser.add_argument(
        "--latency-ms", type=_milliseconds, default=0.0, help="delay of each request (default: 0)"
    )
    parser.add_argument(
        "--jitter-ms", type=_milliseconds, default=0.0, help="latency's +/- spread (default: 0)"
    )
    parser.add_argument("--rate", type=_rate, help="requests a second per bearer token (no limit)")
    parser.add_argument("--stall", action="store_true", help="accept requests, never answer")
    parser.add_argument("--seed", type=int, default=0, help="of the jitter (default: 0)")
    args = parser.parse_args(argv)
    settings = WanSettings(
        latency=args.latency_ms / 1000,
        jitter=args.jitter_ms / 1000,
        rate=args.rate,
        stall=args.stall,
        seed=args.seed,
    )
    app = wan_app(args.upstream, settings)
    config = uvicorn.Config(
        app,
        host=args.host,
        port=args.port,
        log_level="warning",
        access_log=False,
        http=HttpProtocol,
        # The upstream's own Date and Server headers pass through; uvicorn's would double them.
        date_header=False,
        server_header=False,
        timeout_graceful_shutdown=SHUTDOWN_SECONDS,
    )
    # uvicorn binds this socket itself, and asyncio sets TCP_NODELAY only on sockets it creates
    # (see LiveServer): accepted connections inherit the option from the listening socket.
    listening = config.bind_socket()
    listening.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    uvicorn.Server(config).run(sockets=[listening])
    return 0


def _origin(text: str) -> str:
    """An --upstream: an http(s) origin."""
    try:
        origin, path = split_origin(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    if path:
        raise argparse.ArgumentTypeError(f"{text!r} is not an origin: leave out {path!r}")
    return origin


def _milliseconds(text: str) -> float:
    """A --latency-ms or --jitter-ms: 0 or more."""
    value = float(text)
    if not (math.isfinite(value) and value >= 0):
        raise argparse.ArgumentTypeError(f"{text} is not 0 or more milliseconds")
    return value


def _rate(text: str) -> float:
    """A --rate: above 0 requests a second."""
    value = float(text)
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"{text} is not a rate above 0")
    return value


if __name__ == "__main__":
    sys.exit(main())
