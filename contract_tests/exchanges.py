"""HTTP to the server under test, every exchange kept for the failure report and its curl line."""

from __future__ import annotations

import json
import shlex
from collections import deque
from dataclasses import dataclass
from typing import Any

import httpx

from contract_tests.delivery import Answer, deliver
from contract_tests.run import this_run
from contract_tests.target import Target

# Tokens are shown as the variables they came from, so a reproduction line is safe to paste.
_TOKEN_VARIABLES = {"token": "HOPDRIVE_TOKEN", "other_token": "HOPDRIVE_OTHER_TOKEN"}
KEPT = 3


@dataclass(frozen=True)
class Exchange:
    """One request and the answer to it."""

    method: str
    url: str
    headers: dict[str, str]
    body: bytes | None
    status: int
    response_headers: dict[str, str]
    response_body: str

    def curl(self, target: Target) -> str:
        """A shell command that sends the same request."""
        parts = ["curl", "-sS", "-i", "-X", self.method, shlex.quote(self.url)]
        for name, value in self.headers.items():
            shown = value
            for attribute, variable in _TOKEN_VARIABLES.items():
                secret = getattr(target, attribute)
                if secret and secret in value:
                    shown = value.replace(secret, f"${{{variable}}}")
            quoted = f'"{name}: {shown}"' if "${" in shown else shlex.quote(f"{name}: {shown}")
            parts += ["-H", quoted]
        if self.body is not None:
            parts += ["--data-binary", shlex.quote(self.body.decode("utf-8", "replace"))]
        return " ".join(parts)

    def describe(self, limit: int = 2000) -> str:
        """The exchange as a person reads it."""
        body = "" if self.body is None else self.body.decode("utf-8", "replace")
        media = self.response_headers.get("content-type", "")
        return (
            f"> {self.method} {self.url}\n> {_cut(body, limit)}\n"
            f"< {self.status} {media}\n< {_cut(self.response_body, limit)}"
        )


class Api:
    """A client for one token that remembers its last exchanges."""

    def __init__(self, target: Target, token: str | None, history: deque[Exchange]) -> None:
        self.target = target
        self.history = history
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._client = httpx.Client(
            base_url=target.base_url + "/", headers=headers, timeout=this_run().timeout
        )

    def close(self) -> None:
        """Close the connection pool."""
        self._client.close()

    def send(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        raw: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        """Send a request; `body` as JSON, or `raw` bytes as they are."""
        content = raw if raw is not None else (None if body is None else json.dumps(body).encode())
        sent = dict(headers or {})
        if content is not None and raw is None:
            sent.setdefault("Content-Type", "application/json")
        response = deliver(
            method,
            self.target.base_url,
            path,
            lambda: self._client.request(method, path.lstrip("/"), content=content, headers=sent),
            Answer.of,
        )
        request = response.request
        self.history.append(
            Exchange(
                method=method,
                url=str(request.url),
                headers={k: v for k, v in request.headers.items() if k.lower() in _SHOWN},
                body=content,
                status=response.status_code,
                response_headers={k.lower(): v for k, v in response.headers.items()},
                response_body=response.text,
            )
        )
        return response

    def post(self, path: str, body: Any = None, **kwargs: Any) -> httpx.Response:
        """POST `body` as JSON."""
        return self.send("POST", path, body, **kwargs)

    def put(self, path: str, body: Any = None, **kwargs: Any) -> httpx.Response:
        """PUT `body` as JSON."""
        return self.send("PUT", path, body, **kwargs)

    def patch(self, path: str, body: Any = None, **kwargs: Any) -> httpx.Response:
        """PATCH `body` as JSON."""
        return self.send("PATCH", path, body, **kwargs)


_SHOWN = {"authorization", "content-type"}


def new_history() -> deque[Exchange]:
    """An empty record of the last few exchanges."""
    return deque(maxlen=KEPT)


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit] + f"... ({len(text)} characters)"
