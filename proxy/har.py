"""The proxy's traffic as an HTTP Archive (HAR 1.2) file, tokens masked, written as it comes."""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterable
from datetime import UTC
from http import HTTPStatus
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from hopdrive.masking import Masker
from proxy.exchange import Exchange
from proxy.violations import masked_header_list

HAR_VERSION = "1.2"
CREATOR = "hopdrive-proxy"
HTTP_VERSION = "HTTP/1.1"


class Har:
    """A HAR 1.2 file open for writing: one entry per exchange, valid JSON once closed."""

    def __init__(self, path: Path, version: str) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._stream = path.open("w", encoding="utf-8")
        self._entries = 0
        creator = {"name": CREATOR, "version": version}
        empty = json.dumps({"log": {"version": HAR_VERSION, "creator": creator, "entries": []}})
        # The empty document, cut where its entries go: they are streamed in as they come, so a
        # long session holds no body in memory, and close() writes the brackets that end it.
        head, self._tail = empty[: -len("]}}")], empty[-len("]}}") :]
        self._stream.write(head)
        self._stream.flush()

    def add(self, exchange: Exchange, tokens: Iterable[str]) -> None:
        """Append the exchange's entry, every token in `tokens` and its own credentials masked."""
        line = json.dumps(entry(exchange, tokens), ensure_ascii=False)
        with self._lock:
            if self._stream.closed:
                raise ValueError(f"the HAR file {self.path} is closed")
            self._stream.write(("\n" if self._entries == 0 else ",\n") + line)
            self._stream.flush()
            self._entries += 1

    def close(self) -> None:
        """End the document and close the file; closing again does nothing."""
        with self._lock:
            if self._stream.closed:
                return
            self._stream.write(("\n" if self._entries else "") + self._tail + "\n")
            self._stream.close()


def entry(exchange: Exchange, tokens: Iterable[str]) -> dict[str, Any]:
    """The HAR entry of one exchange, every token in `tokens` and its own credentials masked."""
    own = (exchange.request_header("authorization") or "").partition(" ")[2].strip()
    # The exchange's own credentials too: a HAR written without the session's tokens still
    # keeps the bearer token out of an echoed body or a header the server sent back.
    masker = Masker([*tokens, own] if own else tokens)
    milliseconds = round(exchange.elapsed * 1000, 3)
    started = exchange.started
    if started.tzinfo is None:
        started = started.replace(tzinfo=UTC)
    request: dict[str, Any] = {
        "method": exchange.method,
        "url": masker.text(exchange.url),
        "httpVersion": HTTP_VERSION,
        "cookies": [],
        "headers": _headers(exchange.request_headers, masker),
        "queryString": [
            {"name": masker.text(name), "value": masker.text(value)}
            for name, value in parse_qsl(exchange.query, keep_blank_values=True)
        ],
        "headersSize": -1,
        "bodySize": len(exchange.request_body),
    }
    if exchange.request_body:
        text, encoding = _text(exchange.request_body, masker)
        request["postData"] = {
            "mimeType": exchange.request_header("content-type") or "",
            "text": text,
            # HAR 1.2 gives postData no `encoding`; the custom field says how to read the text.
            **({} if encoding is None else {"_encoding": encoding}),
        }
    content: dict[str, Any] = {
        "size": len(exchange.response_body),
        "mimeType": exchange.response_header("content-type") or "",
    }
    if exchange.response_body:
        text, encoding = _text(exchange.response_body, masker)
        content["text"] = text
        if encoding is not None:
            content["encoding"] = encoding
    return {
        "startedDateTime": started.isoformat(timespec="milliseconds"),
        "time": milliseconds,
        "request": request,
        "response": {
            "status": exchange.status,
            "statusText": _phrase(exchange.status),
            "httpVersion": HTTP_VERSION,
            "cookies": [],
            "headers": _headers(exchange.response_headers, masker),
            "content": content,
            "redirectURL": masker.text(exchange.response_header("location") or ""),
            "headersSize": -1,
            "bodySize": len(exchange.response_body),
        },
        "cache": {},
        # The proxy times only the whole exchange; HAR requires send, wait and receive, and
        # their sum to be the entry's time.
        "timings": {"send": 0, "wait": milliseconds, "receive": 0},
        "_forwarded": exchange.forwarded,
    }


def _headers(headers: Iterable[tuple[str, str]], masker: Masker) -> list[dict[str, str]]:
    return [{"name": name, "value": value} for name, value in masked_header_list(headers, masker)]


def _text(body: bytes, masker: Masker) -> tuple[str, str | None]:
    """The body as text with its tokens masked, and `base64` when it is not UTF-8."""
    try:
        return masker.text(body.decode("utf-8")), None
    except UnicodeDecodeError:
        pass
    # Bytes that are not UTF-8 go through masking as surrogates and come back unchanged, so a
    # token among them is masked before the base64 that would hide it from a search.
    masked = masker.text(body.decode("utf-8", "surrogateescape"))
    return base64.b64encode(masked.encode("utf-8", "surrogateescape")).decode("ascii"), "base64"


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""
