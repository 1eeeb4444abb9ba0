"""The fault plan at work: per operation, answers delayed, refused (429, 500, 503) or dropped."""

from __future__ import annotations

import asyncio
import math
import random
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mock_server.faults import EVERY_OPERATION, FaultPlan, OperationFaults
from mock_server.http_protocol import CONNECTION_EXTENSION
from mock_server.problems import Problem
from mock_server.throttles import Delays, TokenBuckets
from spec import Spec

# On every answer a fault produced or altered: what the faults were, comma-separated.
FAULT_HEADER = "HopDrive-Mock-Fault"
# What a 503 fault asks a client to wait.
UNAVAILABLE_RETRY_AFTER = "1"


class Chance:
    """A seeded draw that comes true for `share` (0 to 1) of the calls."""

    def __init__(self, share: float, seed: str) -> None:
        self.share = share
        self._random = random.Random(seed)

    def __call__(self) -> bool:
        """Whether this call's draw comes true."""
        return self._random.random() < self.share


@dataclass(frozen=True)
class Refusal:
    """A fault that answers a request in place of the API: its name, and its answer (None: the
    connection is dropped)."""

    fault: str
    problem: Problem | None


@dataclass(frozen=True)
class Injector:
    """The faults one operation meets, ready to draw from."""

    operation_id: str
    faults: OperationFaults
    delays: Delays | None
    buckets: TokenBuckets | None
    drop: Chance | None
    error: Chance | None

    def refusal(self, authorization: str | None) -> Refusal | None:
        """How this request is answered in place of the API, or None to pass it on: over the
        rate limit, then dropped, then an error, as the draws say."""
        wait = self.buckets.take(authorization) if self.buckets is not None else 0.0
        if wait:
            assert self.buckets is not None
            return Refusal("rate-limit", _too_many_requests(wait, self.buckets.rate))
        if self.drop is not None and self.drop():
            return Refusal("drop", None)
        if self.error is not None and self.error():
            assert self.faults.error is not None
            return Refusal("error", _server_error(self.faults.error.status))
        return None


class Faults:
    """The fault plan in force in this process, what it makes of each operation, its counts."""

    def __init__(self, spec: Spec, plan: FaultPlan | None = None) -> None:
        self._spec = spec
        self._base = urlsplit(spec.document["servers"][0]["url"]).path.rstrip("/")
        self.replace(plan or FaultPlan())

    def replace(self, plan: FaultPlan) -> None:
        """Put `plan` in force, its buckets, random choices and counts from scratch."""
        every = plan.faults.get(EVERY_OPERATION, OperationFaults()).rate_limit
        # One bucket per token for every operation that takes its limit from `*`: a limit on
        # the whole API.
        shared = TokenBuckets(every.per_second) if every is not None else None
        injectors = {}
        for operation_id in self._spec.operations:
            faults = plan.of(operation_id)
            if faults == OperationFaults():
                continue
            own = plan.faults.get(operation_id, OperationFaults()).rate_limit
            buckets = TokenBuckets(own.per_second) if own is not None else shared
            injectors[operation_id] = _injector(operation_id, faults, buckets, plan.seed)
        self.plan = plan
        self._injectors = injectors
        self.produced: defaultdict[str, Counter[str]] = defaultdict(Counter)

    @property
    def operation_ids(self) -> tuple[str, ...]:
        """The operations a plan may name, besides `*`."""
        return tuple(self._spec.operations)

    @property
    def active(self) -> bool:
        """Whether any operation meets a fault."""
        return bool(self._injectors)

    def injector(self, method: str, path: str) -> Injector | None:
        """The faults of the operation a request is for; None for any other request."""
        if not path.startswith(self._base + "/"):
            return None
        operation = self._spec.operation_for(method, path.removeprefix(self._base))
        return self._injectors.get(operation.operation_id) if operation is not None else None

    def state(self) -> dict[str, Any]:
        """The plan in force and what it produced, as control.yaml's FaultsInForce."""
        produced = {name: dict(counts) for name, counts in self.produced.items() if counts}
        return {"plan": self.plan.document(), "produced": produced}


def _injector(
    operation_id: str, faults: OperationFaults, buckets: TokenBuckets | None, seed: int
) -> Injector:
    """An operation's faults with their random draws, each seeded apart from the others."""

    def seeded(kind: str) -> str:
        # Apart, so that one operation's or kind's traffic does not shift another's draws.
        return f"{seed}/{operation_id}/{kind}"

    delays = None
    if faults.latency is not None:
        # Delays spreads both ways: centred half the jitter up, it is never below `ms`.
        spread = faults.latency.jitter_ms / 2000
        delays = Delays(faults.latency.ms / 1000 + spread, spread, seeded("latency"))
    return Injector(
        operation_id=operation_id,
        faults=faults,
        delays=delays,
        buckets=buckets,
        drop=Chance(faults.drop.share, seeded("drop")) if faults.drop is not None else None,
        error=Chance(faults.error.share, seeded("error")) if faults.error is not None else None,
    )


class FaultInjection:
    """ASGI middleware applying the fault plan in force to each request of an operation."""

    def __init__(self, app: ASGIApp, faults: Faults) -> None:
        self.app = app
        self.faults = faults

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # No plan in force: one attribute read per request, no wrapper.
        injector = None
        if scope["type"] == "http" and self.faults.active:
            injector = self.faults.injector(scope["method"], scope["path"])
        if injector is None:
            await self.app(scope, receive, send)
            return
        counts = self.faults.produced[injector.operation_id]
        marks = []
        if injector.delays is not None:
            seconds = injector.delays()
            await asyncio.sleep(seconds)
            counts["latency"] += 1
            marks.append(f"latency={seconds * 1000:.0f}ms")
        refusal = injector.refusal(_authorization(scope))
        if refusal is None:
            await self.app(scope, receive, _marked(send, marks) if marks else send)
            return
        counts[refusal.fault] += 1
        if refusal.problem is None:
            _drop(scope)
            return
        refusal.problem.headers[FAULT_HEADER] = ", ".join([*marks, refusal.fault])
        await refusal.problem.response()(scope, receive, send)


def _authorization(scope: Scope) -> str | None:
    """The request's Authorization header: the key of its rate-limit bucket."""
    return next(
        (value.decode("latin-1") for name, value in scope["headers"] if name == b"authorization"),
        None,
    )


def _marked(send: Send, marks: list[str]) -> Send:
    """`send`, adding the fault header to the answer's head."""
    header = (FAULT_HEADER.lower().encode(), ", ".join(marks).encode())

    async def marked(message: Message) -> None:
        if message["type"] == "http.response.start":
            message = {**message, "headers": [*message.get("headers", ()), header]}
        await send(message)

    return marked


def _drop(scope: Scope) -> None:
    """Close the request's connection with no answer, through the mock's HTTP protocol."""
    connection = scope.get("extensions", {}).get(CONNECTION_EXTENSION)
    if connection is None:
        raise RuntimeError("dropping a connection needs mock_server.http_protocol.HttpProtocol")
    drop: Callable[[], None] = connection["drop"]
    drop()


def _too_many_requests(wait: float, rate: float) -> Problem:
    """D24's answer: 429, the whole seconds until the bucket holds a token (1 or more)."""
    seconds = max(1, math.ceil(wait))
    return Problem(
        429,
        "rate-limited",
        f"Too many requests for this token (at most {rate:g} a second); retry in {seconds} s.",
        headers={"Retry-After": str(seconds)},
    )


def _server_error(status: int) -> Problem:
    """The answer of an `error` fault: what a failing server would send."""
    if status == 503:
        return Problem(
            503,
            "unavailable",
            "The service is unavailable for a moment; retry later.",
            headers={"Retry-After": UNAVAILABLE_RETRY_AFTER},
        )
    return Problem(500, "internal-error", "The server failed to answer the request.")
