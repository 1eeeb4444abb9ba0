"""What a request that got no HTTP answer ran into: refused, no such host, TLS, a timeout."""

from __future__ import annotations

import socket
import ssl
from collections.abc import Iterator
from urllib.parse import urlsplit

import httpx
import requests

from contract_tests.errors import (
    ConnectionRefused,
    NameNotResolved,
    NetworkError,
    RequestTimedOut,
    TlsFailure,
)

# What the two HTTP clients of the suite raise when no answer came: httpx (the suite's own
# checks) and requests (Schemathesis), and the socket errors beneath them.
_TRANSPORT = (
    httpx.TransportError,
    requests.exceptions.ConnectionError,
    requests.exceptions.Timeout,
    requests.exceptions.ChunkedEncodingError,
    ConnectionError,
    TimeoutError,
    ssl.SSLError,
    socket.gaierror,
)
# Transport errors of the request itself, never of the network: a bug to show as it is.
_OWN = (httpx.LocalProtocolError, httpx.UnsupportedProtocol)
_TIMEOUTS = (TimeoutError, httpx.TimeoutException, requests.exceptions.Timeout)


def classify(error: BaseException, request: str, url: str, timeout: float) -> NetworkError | None:
    """The network failure `error` is, as one line about `request`; None when it is none."""
    if not isinstance(error, _TRANSPORT) or isinstance(error, _OWN):
        return None
    causes = list(_causes(error))
    location = urlsplit(url)
    host = location.hostname or url
    port = location.port or (443 if location.scheme == "https" else 80)
    if _any(causes, (ssl.SSLError, ssl.CertificateError)):
        return TlsFailure(f"{request}: TLS with {host}:{port} failed: {_innermost(causes)}")
    # urllib3 words a failed lookup as its own NameResolutionError, not as socket.gaierror.
    named = any("NameResolution" in type(cause).__name__ for cause in causes)
    if named or _any(causes, (socket.gaierror,)):
        return NameNotResolved(f"{request}: the host name {host!r} does not resolve (DNS)")
    if _any(causes, _TIMEOUTS):
        return RequestTimedOut(f"{request}: no answer within {timeout:g} s (--timeout)")
    if _any(causes, (ConnectionRefusedError,)):
        return ConnectionRefused(f"{request}: {host}:{port} refused the connection")
    return NetworkError(f"{request}: the connection to {host}:{port} failed: {_innermost(causes)}")


def _causes(error: BaseException) -> Iterator[BaseException]:
    """`error` and everything it wraps: causes, contexts, urllib3's `reason`, exception args."""
    seen: set[int] = set()
    pending = [error]
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        wrapped = [current.__cause__, current.__context__, getattr(current, "reason", None)]
        wrapped += list(current.args)
        pending += [item for item in wrapped if isinstance(item, BaseException)]


def _any(causes: list[BaseException], kinds: tuple[type[BaseException], ...]) -> bool:
    return any(isinstance(cause, kinds) for cause in causes)


def _innermost(causes: list[BaseException]) -> str:
    """The most specific message: the last cause that says something."""
    messages = [str(cause) for cause in causes if str(cause)]
    return messages[-1] if messages else type(causes[0]).__name__
