"""RFC 9457 problem documents: the one shape of every error the mock answers (D3)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any

from starlette.responses import Response

from mock_server.json_text import dumps

PROBLEM_JSON = "application/problem+json"
PROBLEM_BASE = "https://api.hopdrive.com/problems/"


class Problem(Exception):
    """An error to answer as a problem document; raising it anywhere in a handler answers it."""

    def __init__(
        self,
        status: int,
        kind: str,
        detail: str,
        *,
        errors: Sequence[Mapping[str, str]] = (),
        headers: Mapping[str, str] | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.kind = kind
        self.detail = detail
        self.errors = list(errors)
        self.headers = dict(headers or {})
        self.extra = dict(extra or {})

    def body(self) -> dict[str, Any]:
        """The problem document."""
        document: dict[str, Any] = {
            "type": PROBLEM_BASE + self.kind,
            "title": HTTPStatus(self.status).phrase,
            "status": self.status,
            "detail": self.detail,
        }
        if self.errors:
            document["errors"] = self.errors
        document.update(self.extra)
        return document

    def response(self) -> Response:
        """The HTTP response carrying the problem document."""
        return Response(
            dumps(self.body()),
            status_code=self.status,
            headers=self.headers,
            media_type=PROBLEM_JSON,
        )


def field_error(pointer: str, message: str) -> dict[str, str]:
    """One `errors[]` member: where in the body, and what is wrong there."""
    return {"pointer": pointer, "message": message}
