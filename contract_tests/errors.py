"""The suite's errors: what stops a run before or during its checks, each with its exit status."""

from __future__ import annotations

from hopdrive.errors import HopDriveError


class ContractError(HopDriveError):
    """The suite cannot judge the server: its target or its run is unusable; `str()` is one line."""


class NotTheApi(ContractError):
    """The first request's answer shows the base URL is not the API: no /v1, a redirect, HTML,
    a refused token."""

    exit_status = 10


class NetworkError(ContractError):
    """A request got no HTTP answer (the connection broke); never a contract failure."""

    exit_status = 15


class ConnectionRefused(NetworkError):
    """Nothing listens at the base URL's host and port."""

    exit_status = 11


class NameNotResolved(NetworkError):
    """The base URL's host name does not resolve (DNS)."""

    exit_status = 12


class TlsFailure(NetworkError):
    """The TLS handshake failed: a certificate not trusted, or no TLS at all."""

    exit_status = 13


class RequestTimedOut(NetworkError):
    """No answer within --timeout."""

    exit_status = 14


class RateLimited(ContractError):
    """The server kept answering 429 past the suite's patience (D24)."""

    exit_status = 16


# What stops a run part-way, by name: a worker process records the name, the runner raises it.
STOPS: dict[str, type[ContractError]] = {
    cls.__name__: cls
    for cls in (
        NotTheApi,
        NetworkError,
        ConnectionRefused,
        NameNotResolved,
        TlsFailure,
        RequestTimedOut,
        RateLimited,
    )
}
