"""One exchange the proxy carried: the client's request and the answer it got, as they were."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

Headers = tuple[tuple[str, str], ...]
# What a body that is not JSON reads as: no member of it can be judged.
NOT_JSON = object()


@dataclass(frozen=True)
class Exchange:
    """A request as the client sent it and the answer as the client got it."""

    number: int  # 1 for the first exchange of the proxy's life
    started: datetime  # UTC, when the request arrived
    method: str
    path: str  # the path the client sent, without its query
    query: str  # the raw query string, "" for none
    route: str | None  # the path inside the API's base path (`/appointments/12`), None outside
    request_headers: Headers  # names in lower case, in the order sent
    request_body: bytes
    status: int
    response_headers: Headers  # names in lower case
    response_body: bytes
    elapsed: float  # seconds from the request's arrival to its answer's end
    url: str  # the upstream URL the request went to
    forwarded: bool  # False when the proxy answered itself (refused, or no upstream answer)

    def request_header(self, name: str) -> str | None:
        """The first value of a request header, by its name in any case."""
        return _first(self.request_headers, name)

    def response_header(self, name: str) -> str | None:
        """The first value of a response header, by its name in any case."""
        return _first(self.response_headers, name)

    def request_json(self) -> Any:
        """The request body as JSON: None for no body, NOT_JSON for bytes that are not JSON."""
        return _json(self.request_body)

    def response_json(self) -> Any:
        """The answer's body as JSON: None for no body, NOT_JSON for bytes that are not JSON."""
        return _json(self.response_body)


def _first(headers: Headers, name: str) -> str | None:
    wanted = name.lower()
    return next((value for key, value in headers if key == wanted), None)


def _json(body: bytes) -> Any:
    if not body:
        return None
    try:
        return json.loads(body)
    except ValueError:
        return NOT_JSON
