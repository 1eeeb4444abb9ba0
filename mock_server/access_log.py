"""One structured line per request: method, path, status and milliseconds."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mock_server.fault_injection import FAULT_HEADER

logger = logging.getLogger("hopdrive.mock.access")
# Lower case, as ASGI passes header names.
_FAULT_HEADER = FAULT_HEADER.lower().encode()


class AccessLog:
    """ASGI middleware logging each request as a JSON line at INFO (silent unless configured)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # Quiet (--quiet, or logging not configured): no wrapper around `send` to pay for.
        if scope["type"] != "http" or not logger.isEnabledFor(logging.INFO):
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        # None: the connection was closed with no answer (a fault of the plan dropped it).
        status: int | None = None
        fault = None

        async def record_status(message: Message) -> None:
            nonlocal status, fault
            if message["type"] == "http.response.start":
                status = message["status"]
                fault = _fault(message.get("headers", ()))
            await send(message)

        try:
            await self.app(scope, receive, record_status)
        except Exception:
            # Starlette's ServerErrorMiddleware, around this one, answers it with a 500.
            status = status or 500
            raise
        finally:
            elapsed = round((time.perf_counter() - started) * 1000, 2)
            line = {"method": scope["method"], "path": scope["path"], "status": status}
            # Answers a fault produced or altered, told from the mock's own.
            faulted = {"fault": fault} if fault is not None else {}
            logger.info(json.dumps({**line, **faulted, "ms": elapsed}))


def _fault(headers: Iterable[tuple[bytes, bytes]]) -> str | None:
    """The answer's HopDrive-Mock-Fault header, if it has one."""
    return next((value.decode() for name, value in headers if name == _FAULT_HEADER), None)
