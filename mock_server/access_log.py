"""One structured line per request: method, path, status and milliseconds."""

from __future__ import annotations

import json
import logging
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

logger = logging.getLogger("hopdrive.mock.access")


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
        status = 500

        async def record_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, record_status)
        finally:
            elapsed = round((time.perf_counter() - started) * 1000, 2)
            line = {"method": scope["method"], "path": scope["path"], "status": status}
            logger.info(json.dumps({**line, "ms": elapsed}))
