"""GET /_test/requests: the caller's exchanges from the journal, newest first, tokens masked."""

from __future__ import annotations

import codecs
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from hopdrive.masking import Masker
from mock_server import control_api
from mock_server.auth import Tenants
from mock_server.fault_injection import FAULT_HEADER
from mock_server.journal import BODY_LIMIT, HEADER_LIMIT, Body, Exchange, Headers, Journal
from mock_server.json_text import JSONAnswer
from mock_server.problems import Problem
from spec import Spec
from spec.instants import instant

REQUESTS_PATH = "/_test/requests"
DEFAULT_LIMIT = 100
FILTERS = ("operation", "status", "since", "limit")
# Headers whose whole value is a credential: shown as the scheme and a tag.
_CREDENTIALS = frozenset({"authorization", "proxy-authorization"})
_STATUS = re.compile(r"[1-5][0-9]{2}")
_COUNT = re.compile(r"[0-9]{1,9}")


@dataclass(frozen=True)
class Filters:
    """What a read of the journal asks for."""

    operation: str | None = None
    status: int | None = None
    since: datetime | None = None
    limit: int = DEFAULT_LIMIT

    def admit(self, exchange: Exchange, operation: str | None) -> bool:
        """Whether an exchange, sent to `operation`, is one asked for."""
        return (
            (self.operation is None or operation == self.operation)
            and (self.status is None or exchange.status == self.status)
            and (self.since is None or exchange.at >= self.since)
        )


class JournalView:
    """The journal as GET /_test/requests shows it: to each token only its own exchanges."""

    def __init__(self, journal: Journal, tenants: Tenants, spec: Spec, base: str) -> None:
        self.journal = journal
        self.tenants = tenants
        self.spec = spec
        self.base = base
        self.masker = Masker(tenants.by_token)
        self.operations = {*spec.operations, *_control_operations()}

    async def endpoint(self, request: Request) -> Response:
        """GET /_test/requests: the caller's exchanges, newest first, filtered (400 naming a
        filter that is not one)."""
        tenant = self.tenants.authenticate(request.headers.get("authorization"))
        filters = self.filters(request.query_params.multi_items())
        shown: list[dict[str, Any]] = []
        for exchange in self.journal.of(tenant.token):
            if len(shown) == filters.limit:
                break
            operation = self.operation_of(exchange)
            if filters.admit(exchange, operation):
                shown.append(self.entry(exchange, operation))
        return JSONAnswer({"capacity": self.journal.size, "requests": shown})

    def filters(self, parameters: Sequence[tuple[str, str]]) -> Filters:
        """The filters of a query string; a 400 naming the first parameter that is unfit."""
        given: dict[str, str] = {}
        for name, value in parameters:
            if name not in FILTERS:
                raise _unfit(name, f"is not one of this endpoint's: {', '.join(FILTERS)}")
            if name in given:
                raise _unfit(name, "is given more than once")
            given[name] = value
        operation, status, since, limit = (given.get(name) for name in FILTERS)
        if operation is not None and operation not in self.operations:
            raise _unfit("operation", "is not an operationId of the spec or the control API")
        if status is not None and not _STATUS.fullmatch(status):
            raise _unfit("status", "is not an HTTP status code (100 to 599)")
        moment = None if since is None else instant(since)
        if since is not None and moment is None:
            raise _unfit("since", "is not an RFC 3339 date-time with an offset")
        if limit is not None and not (_COUNT.fullmatch(limit) and int(limit) > 0):
            raise _unfit("limit", "is not a positive integer")
        return Filters(
            operation,
            None if status is None else int(status),
            moment,
            DEFAULT_LIMIT if limit is None else int(limit),
        )

    def operation_of(self, exchange: Exchange) -> str | None:
        """The operationId the exchange was sent to, of the spec or the control API, if any."""
        if not exchange.path.startswith(self.base + "/"):
            return None
        path = exchange.path.removeprefix(self.base)
        found = self.spec.operation_for(exchange.method, path)
        if found is not None:
            return found.operation_id
        return control_api.operation_for(exchange.method, path)

    def entry(self, exchange: Exchange, operation: str | None) -> dict[str, Any]:
        """An exchange as control.yaml's JournalEntry shows it, every token masked."""
        _, _, credentials = (exchange.authorization or "").strip().partition(" ")
        sent = [credentials.strip()] if credentials.strip() else []
        fault = next(
            (v for n, v in exchange.response_headers if n == FAULT_HEADER.lower().encode()),
            None,
        )
        return {
            "at": exchange.at.astimezone(UTC).isoformat(timespec="microseconds")[:-6] + "Z",
            "operation": operation,
            "method": exchange.method,
            "path": self.masker.text(exchange.path, *sent),
            "query": self.masker.text(exchange.query.decode("latin-1"), *sent),
            "status": exchange.status,
            "ms": exchange.ms,
            "fault": None if fault is None else self.masker.text(fault.decode("latin-1"), *sent),
            "request": self.message(exchange.request_headers, exchange.request_body, sent),
            "response": self.message(exchange.response_headers, exchange.response_body, sent),
        }

    def message(self, headers: Headers, body: Body, sent: Collection[str]) -> dict[str, Any]:
        """One side of an exchange: its headers (repeated ones joined), then its body."""
        shown: dict[str, str] = {}
        for raw_name, raw_value in headers:
            name = raw_name.decode("latin-1").lower()
            value = raw_value.decode("latin-1")
            if name in _CREDENTIALS:
                value = Masker.credentials(value)
            else:
                value = self.masker.text(value, *sent)
                if len(raw_value) > HEADER_LIMIT:
                    value = value[:HEADER_LIMIT] + "..."
            shown[name] = f"{shown[name]}, {value}" if name in shown else value
        return {"headers": shown, "body": self.body(body, sent)}

    def body(self, body: Body, sent: Collection[str]) -> dict[str, Any] | None:
        """A body as UTF-8 text, tokens masked, cut after BODY_LIMIT; None when empty."""
        if body.size == 0:
            return None
        truncated = body.size > BODY_LIMIT
        # Cut short, the kept bytes may end inside a character: the decoder leaves that out.
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        text = self.masker.text(decoder.decode(bytes(body.kept), final=not truncated), *sent)
        return {
            "text": text[:BODY_LIMIT] if truncated else text,
            "size": body.size,
            "truncated": truncated,
        }


def _control_operations() -> set[str]:
    """Every operationId of the control API."""
    return {
        operation["operationId"]
        for item in control_api.document()["paths"].values()
        for operation in item.values()
        if isinstance(operation, dict) and "operationId" in operation
    }


def _unfit(name: str, reason: str) -> Problem:
    return Problem(
        400,
        "invalid-parameter",
        f"The query parameter {name} {reason}.",
        extra={"parameter": name},
    )
