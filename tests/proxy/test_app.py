"""proxy/app.py: a request forwarded and its answer returned as they were, whatever the judging
finds; refused by the proxy itself only where asked (strict) or where no upstream answers."""

from __future__ import annotations

import gzip
import io
import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from contract_tests.processes import free_port
from mock_server.app import create_app
from mock_server.store import Store
from proxy.answers import judge_answer
from proxy.app import Proxy, Receive, Scope, Send
from proxy.behaviour import Behaviour
from proxy.exchange import Exchange, Headers
from proxy.requests import RequestVerdict, judge_request
from proxy.session import Session
from proxy.violations import Log, Violation
from spec import Spec
from testbeds import LiveServer
from tests.proxy.clients import creation

UPSTREAM = "http://up.test/v1"
TOKEN = "dev-token-a"  # a token the mock knows
AUTH = ("authorization", f"Bearer {TOKEN}")
PROBLEM = "application/problem+json"
# What the proxy never forwards, either way (RFC 9110 7.6.1), and what the transport writes.
HOP_BY_HOP = {"connection", "keep-alive", "proxy-authorization", "te", "host", "content-length"}
# The test's uvicorn writes these into every answer; the proxy's CLI turns them off.
SERVED_BY_UVICORN = {"date", "server"}

ASGIApp = Callable[[Scope, Receive, Send], Any]


@dataclass(frozen=True)
class Seen:
    """A request as the upstream got it."""

    method: str
    raw_path: bytes
    query: bytes
    headers: list[tuple[str, str]]
    body: bytes


@dataclass
class Upstream:
    """A raw ASGI server that records each request and gives one chosen answer to all."""

    status: int = 200
    headers: list[tuple[bytes, bytes]] = field(default_factory=list)
    body: bytes = b""
    seen: list[Seen] = field(default_factory=list)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        assert scope["type"] == "http"
        chunks = []
        while True:
            message = await receive()
            chunks.append(bytes(message.get("body", b"")))
            if not message.get("more_body", False):
                break
        headers = [(n.decode("latin-1"), v.decode("latin-1")) for n, v in scope["headers"]]
        raw, query = bytes(scope["raw_path"]), bytes(scope["query_string"])
        self.seen.append(Seen(scope["method"], raw, query, headers, b"".join(chunks)))
        await send({"type": "http.response.start", "status": self.status, "headers": self.headers})
        await send({"type": "http.response.body", "body": self.body})


class Recording(Session):
    """A session that also keeps each exchange it recorded, and the violations found in it."""

    def __init__(self, spec: Spec, upstream: str) -> None:
        behaviour = Behaviour(spec, advances=False, skew=timedelta(seconds=60))
        super().__init__(spec, upstream, behaviour, Log(io.StringIO()), None)
        self.seen: list[tuple[Exchange, list[Violation]]] = []

    def record(self, verdict: RequestVerdict, exchange: Exchange) -> list[Violation]:
        violations = super().record(verdict, exchange)
        self.seen.append((exchange, violations))
        return violations


@contextmanager
def proxy_over(
    spec: Spec, upstream: ASGIApp | None, url: str = UPSTREAM, *, strict: bool = False
) -> Iterator[tuple[httpx.Client, Recording]]:
    """A client of a proxy on a loopback port in front of `upstream` (None: the network)."""
    session = Recording(spec, url)
    transport = None if upstream is None else httpx.ASGITransport(app=upstream)
    proxy = Proxy(spec, url, session, strict_client=strict, transport=transport)
    with LiveServer(proxy) as live:
        origin = live.url.removesuffix("/v1")
        with httpx.Client(base_url=origin, headers=[AUTH], timeout=10) as client:
            yield client, session


def recorded(session: Session, count: int) -> None:
    """Wait until the session has recorded `count` exchanges, judged or failed."""
    deadline = time.monotonic() + 5
    while sum(t.exchanges for t in session.tallies.values()) + len(session.failures) < count:
        assert time.monotonic() < deadline, "the proxy did not record the exchange"
        time.sleep(0.01)


def test_request_and_answer_pass_through_unchanged(spec: Spec) -> None:
    answer = [
        (b"x-upstream", b"1"),
        (b"set-cookie", b"a=1; Path=/"),
        (b"set-cookie", b"b=2"),
        (b"content-type", b"application/octet-stream"),
        (b"keep-alive", b"timeout=5"),
        (b"x-list", b"one, two"),
    ]
    body = b"\x00\xffnot text at all\r\n"
    upstream = Upstream(418, [*answer, (b"content-length", str(len(body)).encode())], body)
    target = "/v1/appointments/caf%C3%A9%2F1%20x?b=%20x&a=1&a=2&flag"
    sent = b'{"driver_notes": "Gate"}\n'
    headers = [
        ("content-type", "application/merge-patch+json"),
        ("x-trace", "a"),
        ("x-trace", "b"),
        ("keep-alive", "timeout=5"),
        ("proxy-authorization", "Basic c2VjcmV0"),
        ("te", "trailers"),
    ]
    with proxy_over(spec, upstream) as (client, session):
        response = client.patch(target, content=sent, headers=headers)
        recorded(session, 1)
    [seen] = upstream.seen
    assert seen.method == "PATCH"
    assert seen.raw_path == b"/v1/appointments/caf%C3%A9%2F1%20x"
    assert seen.query == b"b=%20x&a=1&a=2&flag"
    assert seen.body == sent
    client_sent = [h for h in response.request.headers.multi_items() if h[0] not in HOP_BY_HOP]
    assert [h for h in seen.headers if h[0] not in HOP_BY_HOP] == client_sent
    assert ("x-trace", "b") in client_sent
    assert ("host", "up.test") in seen.headers
    assert ("content-length", str(len(sent))) in seen.headers
    assert not {n for n, _ in seen.headers} & {"keep-alive", "proxy-authorization", "te"}
    assert response.status_code == 418
    got = [h for h in response.headers.multi_items() if h[0] not in SERVED_BY_UVICORN]
    passed = [(n.decode(), v.decode()) for n, v in answer if n != b"keep-alive"]
    assert got == [*passed, ("content-length", str(len(body)))]
    assert response.content == body
    [(exchange, _)] = session.seen
    assert exchange.forwarded
    assert exchange.url == "http://up.test" + target
    assert exchange.response_body == body


def gzipped(app: Any, spoil: Callable[[dict[str, Any]], None] | None = None) -> Any:
    """`app` with its answers gzip-encoded (the JSON first spoiled by `spoil`); each encoded
    body it sent is kept in its `sent`."""
    sent: list[bytes] = []

    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        start: dict[str, Any] = {}
        chunks: list[bytes] = []

        async def keep(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            else:
                chunks.append(bytes(message.get("body", b"")))

        await app(scope, receive, keep)
        content = b"".join(chunks)
        if spoil is not None:
            document = json.loads(content)
            spoil(document)
            content = json.dumps(document).encode()
        wire = gzip.compress(content)
        sent.append(wire)
        headers = [(n, v) for n, v in start["headers"] if n.lower() != b"content-length"]
        headers += [(b"content-encoding", b"gzip"), (b"content-length", str(len(wire)).encode())]
        await send({"type": "http.response.start", "status": start["status"], "headers": headers})
        await send({"type": "http.response.body", "body": wire})

    wrapped.sent = sent  # type: ignore[attr-defined]
    return wrapped


def _not_new(document: dict[str, Any]) -> None:
    document["status"] = "ready"  # D6: a creation's answer says `new`


@pytest.mark.parametrize(
    ("spoil", "broken"), [(None, []), (_not_new, ["/status"])], ids=["kept", "broken"]
)
def test_gzip_answer_is_forwarded_as_sent_and_judged_decoded(
    spec: Spec, spoil: Callable[[dict[str, Any]], None] | None, broken: list[str]
) -> None:
    upstream = gzipped(create_app(store=Store(":memory:"), spec=spec), spoil)
    with proxy_over(spec, upstream) as (client, session):
        with client.stream("POST", "/v1/appointments", json=creation(spec)) as response:
            wire = b"".join(response.iter_raw())
        recorded(session, 1)
    assert response.status_code == 201
    assert response.headers["content-encoding"] == "gzip"
    assert wire == upstream.sent[0]
    created = json.loads(gzip.decompress(wire))
    assert isinstance(created["id"], int)
    [(exchange, violations)] = session.seen
    assert exchange.response_json() == created
    assert session.failures == []
    server = [v for v in violations if v.side == "server"]
    assert sorted({v.member for v in server if v.member is not None}) == broken
    assert bool(server) == bool(broken)


def test_upstream_that_does_not_answer_is_a_502_problem(spec: Spec) -> None:
    closed = f"http://127.0.0.1:{free_port()}/v1"
    with proxy_over(spec, None, closed) as (client, session):
        response = client.post("/v1/appointments", json=creation(spec))
        recorded(session, 1)
    assert response.status_code == 502
    assert response.headers["content-type"] == PROBLEM
    document = response.json()
    assert document["status"] == 502
    assert closed.removesuffix("/v1") in document["detail"]
    [(exchange, violations)] = session.seen
    assert not exchange.forwarded
    assert exchange.status == 502
    assert exchange.url == f"{closed}/appointments"
    assert [v for v in violations if v.side == "server"] == []
    assert session.report()["totals"]["server_violations"] == 0


def _invalid_creation(client: httpx.Client, spec: Spec) -> httpx.Response:
    return client.post("/v1/appointments", json=creation(spec, vehicle_year="2022"))


def _without_credentials(client: httpx.Client, spec: Spec) -> httpx.Response:
    request = client.build_request("POST", "/v1/appointments", json=creation(spec))
    del request.headers["authorization"]
    return client.send(request)


def _method_the_path_lacks(client: httpx.Client, spec: Spec) -> httpx.Response:
    return client.delete("/v1/appointments/1")


Refused = Callable[[httpx.Client, Spec], httpx.Response]


def refused_strictly(spec: Spec, send: Refused) -> tuple[httpx.Response, Recording]:
    """The strict proxy's answer to a request, over an upstream that must see none."""
    upstream = Upstream(200, [(b"content-type", b"application/json")], b"{}")
    with proxy_over(spec, upstream, strict=True) as (client, session):
        response = send(client, spec)
        recorded(session, 1)
    assert upstream.seen == []
    [(exchange, violations)] = session.seen
    assert not exchange.forwarded
    assert violations
    assert {v.side for v in violations} == {"client"}
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["status"] == response.status_code
    return response, session


def test_strict_proxy_refuses_a_body_breaking_the_schema_naming_the_member(spec: Spec) -> None:
    response, _ = refused_strictly(spec, _invalid_creation)
    assert response.status_code == 400
    assert [e["pointer"] for e in response.json()["errors"]] == ["/vehicle_year"]


def test_strict_proxy_refuses_a_request_without_credentials_with_401_naming_bearer(
    spec: Spec,
) -> None:
    response, _ = refused_strictly(spec, _without_credentials)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert "errors" not in response.json()


def test_strict_proxy_refuses_a_method_the_path_lacks_with_405_and_allow(spec: Spec) -> None:
    response, _ = refused_strictly(spec, _method_the_path_lacks)
    assert response.status_code == 405
    methods = [op.method for op in spec.operations.values() if op.path == "/appointments/{id}"]
    assert response.headers["allow"].split(", ") == methods


def as_forwarded(spec: Spec, response: httpx.Response) -> list[Violation]:
    """The violations `judge_answer` finds in an answer, as if a server had sent it."""
    request = response.request
    headers: Headers = tuple(request.headers.multi_items())
    route = request.url.path.removeprefix("/v1")
    now = datetime.now(UTC)
    verdict = judge_request(spec, request.method, route, headers, request.content, now)
    assert verdict.refusal == response.status_code
    exchange = Exchange(
        number=1,
        started=now,
        method=request.method,
        path=request.url.path,
        query="",
        route=route,
        request_headers=headers,
        request_body=request.content,
        status=response.status_code,
        response_headers=tuple(response.headers.multi_items()),
        response_body=response.content,
        elapsed=0.0,
        url=f"{UPSTREAM}{route}",
        forwarded=True,
    )
    return judge_answer(spec, verdict, exchange)


@pytest.mark.parametrize(
    "send",
    [_invalid_creation, _without_credentials, _method_the_path_lacks],
    ids=["400", "401", "405"],
)
def test_strict_refusal_is_an_answer_a_conforming_server_could_give(
    spec: Spec, send: Refused
) -> None:
    response, _ = refused_strictly(spec, send)
    assert as_forwarded(spec, response) == []


def test_without_strict_a_request_the_contract_refuses_is_forwarded(
    proxied: Callable[..., Any], spec: Spec
) -> None:
    with proxied() as through:
        response = _invalid_creation(through.client, spec)
        recorded(through.session, 1)
        client = through.side("client")
        server = through.side("server")
    assert response.status_code == 400
    assert response.headers["content-type"] == PROBLEM
    assert client
    assert all(v["exchange"]["forwarded"] for v in client)
    assert {v["member"] for v in client} == {"/vehicle_year"}
    assert server == []


def test_fault_of_the_judging_never_stops_the_forwarding(
    proxied: Callable[..., Any], spec: Spec, monkeypatch: pytest.MonkeyPatch
) -> None:
    def planted(*_: object) -> None:
        raise RuntimeError("planted")

    monkeypatch.setattr(Behaviour, "judge", planted)
    with proxied() as through:
        first = through.client.post("/v1/appointments", json=creation(spec))
        second = through.client.post("/v1/appointments", json=creation(spec))
        recorded(through.session, 2)
        failures = list(through.session.failures)
    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json()["id"] != second.json()["id"]
    assert failures == [
        "could not judge exchange 1: RuntimeError: planted",
        "could not judge exchange 2: RuntimeError: planted",
    ]
