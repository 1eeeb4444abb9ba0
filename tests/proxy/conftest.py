"""A proxy in front of an in-process mock (with a planted fault, where asked), its client."""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
import pytest

from mock_server.app import create_app
from mock_server.store import Store
from proxy.app import Proxy
from proxy.behaviour import Behaviour
from proxy.session import Session
from proxy.violations import Log
from spec import Spec
from testbeds import LiveServer
from testbeds.faults import FAULTS

UPSTREAM = "http://mock.test/v1"
TOKEN = "dev-token-a"


@dataclass
class Through:
    """A client talking to the mock through the proxy, and what the proxy found."""

    client: httpx.Client
    session: Session
    log: io.StringIO

    def violations(self) -> list[dict[str, Any]]:
        """Every violation logged so far, as its JSON line reads."""
        # JSON lines end at "\n" alone: a member's text may hold any other line separator.
        return [json.loads(line) for line in self.log.getvalue().split("\n") if line]

    def side(self, side: str) -> list[dict[str, Any]]:
        """The violations of one side."""
        return [v for v in self.violations() if v["side"] == side]


@pytest.fixture
def proxied(spec: Spec, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Any]:
    """Make a proxy over a fresh mock: `proxied(fault=NAME, strict=True)` as a context."""

    @contextmanager
    def make(fault: str | None = None, *, strict: bool = False) -> Iterator[Through]:
        wrap = FAULTS[fault][1](monkeypatch) if fault else None
        mock: Any = create_app(store=Store(":memory:"), spec=spec)
        upstream = wrap(mock) if wrap else mock
        log = io.StringIO()
        behaviour = Behaviour(spec, advances=False, skew=timedelta(seconds=60))
        session = Session(spec, UPSTREAM, behaviour, Log(log), None)
        app = Proxy(
            spec,
            UPSTREAM,
            session,
            strict_client=strict,
            transport=httpx.ASGITransport(app=upstream, raise_app_exceptions=False),
        )
        headers = {"Authorization": f"Bearer {TOKEN}"}
        with LiveServer(app) as live:
            origin = live.url.removesuffix("/v1")
            with httpx.Client(base_url=origin, headers=headers, timeout=10) as client:
                yield Through(client, session, log)

    return make
