"""What broke the contract, and on which side: the proxy's findings and their JSON-lines log."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO, Any, Literal

from hopdrive.masking import Masker
from proxy.exchange import NOT_JSON, Exchange

Side = Literal["client", "server"]
# Headers whose value is a scheme and credentials (RFC 9110 11.6.2, 11.7.2).
_CREDENTIALS = frozenset({"authorization", "proxy-authorization"})
# A logged body is cut here: enough to read the members a violation names.
BODY_LIMIT = 64 * 1024


@dataclass(frozen=True)
class Violation:
    """One rule of the contract one side broke in one exchange."""

    side: Side
    operation: str | None  # the spec's operationId, None where the request matched none
    decision: str  # the decision broken (`D11`), else the first source of the rule
    sources: tuple[str, ...]  # every source the spec gives the rule (`x-source`)
    member: str | None  # a JSON Pointer into the body judged, or a header's name
    message: str


def entry(violation: Violation, exchange: Exchange, tokens: Iterable[str]) -> dict[str, Any]:
    """The log line of a violation: what broke, and the exchange it broke in, tokens masked."""
    masker = Masker(tokens)
    return {
        "side": violation.side,
        "operation": violation.operation,
        "decision": violation.decision,
        "sources": list(violation.sources),
        "member": violation.member,
        "message": violation.message,
        "exchange": {
            "number": exchange.number,
            "started": exchange.started.isoformat(),
            "method": exchange.method,
            "url": exchange.url,
            "status": exchange.status,
            "forwarded": exchange.forwarded,
            "request": {
                "headers": masked_headers(exchange.request_headers, masker),
                "body": _body(exchange.request_body, exchange.request_json(), masker),
            },
            "response": {
                "headers": masked_headers(exchange.response_headers, masker),
                "body": _body(exchange.response_body, exchange.response_json(), masker),
            },
        },
    }


def masked_headers(headers: Iterable[tuple[str, str]], masker: Masker) -> dict[str, str]:
    """Headers by name, credentials shown as their tag and any known token masked."""
    shown: dict[str, str] = {}
    for name, text in masked_header_list(headers, masker):
        shown[name] = text if name not in shown else f"{shown[name]}, {text}"
    return shown


def masked_header_list(headers: Iterable[tuple[str, str]], masker: Masker) -> list[tuple[str, str]]:
    """Headers in their order, repeats kept, credentials shown as their tag and tokens masked."""
    return [
        (name, Masker.credentials(value) if name.lower() in _CREDENTIALS else masker.text(value))
        for name, value in headers
    ]


def _body(raw: bytes, parsed: Any, masker: Masker) -> Any:
    if parsed is not NOT_JSON and len(raw) <= BODY_LIMIT:
        return json.loads(masker.text(json.dumps(parsed, ensure_ascii=False)))
    # Masked before it is cut: a token across the limit shows none of its characters.
    text = masker.text(raw[: BODY_LIMIT + masker.longest].decode("utf-8", "replace"))
    return text if len(raw) <= BODY_LIMIT else f"{text[:BODY_LIMIT]}... ({len(raw)} bytes)"


class Log:
    """The JSON-lines record of violations, one line each, written as they are found."""

    def __init__(self, stream: IO[str]) -> None:
        self._lock = threading.Lock()
        self._stream = stream

    def write(self, violation: Violation, exchange: Exchange, tokens: Iterable[str]) -> None:
        """Append one violation's line, flushed so that a reader sees it at once."""
        line = json.dumps(entry(violation, exchange, tokens), ensure_ascii=False)
        with self._lock:
            self._stream.write(line + "\n")
            self._stream.flush()
