"""The WAN proxy: answers passed on unchanged, overlapping delays, a limit per token, a stall."""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from mock_server.app import create_app
from mock_server.store import Store
from testbeds import LiveServer, free_port
from testbeds.wan import (
    WanSettings,
    WanStats,
    main,
    split_origin,
    wan,
    wan_app,
)

TOKEN_A = {"Authorization": "Bearer dev-token-a"}
TOKEN_B = {"Authorization": "Bearer dev-token-b"}


@pytest.fixture(scope="module")
def upstream() -> Iterator[LiveServer]:
    with LiveServer(create_app(store=Store(":memory:"))) as live:
        yield live


async def _echo(request: Request) -> Response:
    """What reached the server, as JSON, with two cookies set."""
    seen = {
        "method": request.method,
        "raw_path": request.scope["raw_path"].decode(),
        "query": request.scope["query_string"].decode(),
        "headers": [[name.decode(), value.decode()] for name, value in request.headers.raw],
        "body": (await request.body()).decode(),
    }
    response = JSONResponse(seen, headers={"X-Echo": "yes"})
    response.raw_headers += [(b"set-cookie", b"a=1"), (b"set-cookie", b"b=2")]
    return response


@pytest.fixture(scope="module")
def echo() -> Iterator[LiveServer]:
    methods = ["GET", "POST", "PUT", "PATCH", "DELETE"]
    with LiveServer(Starlette(routes=[Route("/{path:path}", _echo, methods=methods)])) as live:
        yield live


@contextmanager
def proxy(upstream: LiveServer, **settings: Any) -> Iterator[tuple[str, WanStats]]:
    """The proxy to `upstream` in this process: its base URL, and what it counts."""
    stats = WanStats()
    origin, _ = split_origin(upstream.url)
    with LiveServer(wan_app(origin, WanSettings(**settings), stats=stats)) as live:
        yield live.url, stats


def _created(base_url: str) -> tuple[int, str, bytes]:
    """Status, content type and body of an empty POST /appointments to `base_url`."""
    answer = httpx.post(f"{base_url}/appointments", json={}, headers=TOKEN_A)
    return answer.status_code, answer.headers["content-type"], answer.content


def _statuses(base_url: str, count: int, headers: dict[str, str]) -> list[httpx.Response]:
    """`count` GETs in a row on one connection."""
    with httpx.Client(headers=headers) as client:
        return [client.get(f"{base_url}/appointments/1") for _ in range(count)]


def test_answers_pass_through_unchanged(upstream: LiveServer) -> None:
    with proxy(upstream) as (url, stats):
        assert _created(url) == _created(upstream.url)
    assert stats == WanStats(forwarded=1, limited=0)


def test_the_request_reaches_the_upstream_as_sent_but_for_hop_by_hop_headers(
    echo: LiveServer,
) -> None:
    headers = {"X-Trace": "t1", "X-Drop": "1", "Connection": "keep-alive, X-Drop"}
    with proxy(echo) as (url, _):
        answer = httpx.patch(f"{url}/a%2Fb?x=1&y=%20", content=b"{[", headers=headers)
    seen = answer.json()
    assert (seen["method"], seen["raw_path"], seen["query"]) == ("PATCH", "/v1/a%2Fb", "x=1&y=%20")
    assert seen["body"] == "{["
    sent = dict(seen["headers"])
    assert sent["x-trace"] == "t1"
    assert sent["host"] == split_origin(echo.url)[0].removeprefix("http://")
    assert "x-drop" not in sent
    assert "connection" not in sent
    assert answer.headers["x-echo"] == "yes"
    assert answer.headers.get_list("set-cookie") == ["a=1", "b=2"]


def test_requests_over_the_rate_are_answered_429_with_retry_after(upstream: LiveServer) -> None:
    with proxy(upstream, rate=5) as (url, stats):
        answers = _statuses(url, 12, TOKEN_A)
    refused = [answer for answer in answers if answer.status_code == 429]
    # A second's worth passes at once; the rest come faster than the bucket refills.
    assert all(answer.status_code != 429 for answer in answers[:5])
    assert refused
    for answer in refused:
        assert answer.headers["content-type"] == "application/problem+json"
        assert answer.headers["retry-after"].isdigit()
        assert int(answer.headers["retry-after"]) >= 1
        problem = answer.json()
        assert problem.pop("detail")
        assert problem == {"type": "about:blank", "title": "Too Many Requests", "status": 429}
    assert stats == WanStats(forwarded=12 - len(refused), limited=len(refused))


def test_retry_after_is_the_whole_seconds_until_the_bucket_has_a_token(
    upstream: LiveServer,
) -> None:
    with proxy(upstream, rate=0.5) as (url, _):
        first, second = _statuses(url, 2, TOKEN_A)
    assert first.status_code != 429
    assert second.status_code == 429
    assert second.headers["retry-after"] == "2"


def test_each_token_has_its_own_bucket(upstream: LiveServer) -> None:
    with proxy(upstream, rate=1) as (url, _):
        statuses = [
            answer.status_code == 429
            for headers in (TOKEN_A, TOKEN_B, {})
            for answer in _statuses(url, 2, headers)
        ]
    # A request without a token is one of a shared bucket's.
    assert statuses == [False, True] * 3


def test_latency_delays_each_request_and_overlaps(upstream: LiveServer) -> None:
    with proxy(upstream, latency=0.2) as (url, _):
        started = time.monotonic()
        _created(url)
        assert time.monotonic() - started >= 0.2
        started = time.monotonic()
        with ThreadPoolExecutor(5) as pool:
            answers = list(pool.map(lambda _: _created(url), range(5)))
        elapsed = time.monotonic() - started
    assert len(answers) == 5
    assert 0.2 <= elapsed < 0.7


def test_an_upstream_that_does_not_answer_is_a_502() -> None:
    with LiveServer(wan_app(f"http://127.0.0.1:{free_port()}")) as live:
        answer = httpx.get(f"{live.url}/appointments")
    assert answer.status_code == 502
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["title"] == "Bad Gateway"


def test_the_process_serves_the_upstream_at_its_path(upstream: LiveServer) -> None:
    with wan(upstream.url, latency=0.01, jitter=0.005, rate=100) as url:
        assert url.endswith("/v1")
        assert url != upstream.url
        assert _created(url) == _created(upstream.url)


def test_a_stalled_proxy_never_answers(upstream: LiveServer) -> None:
    with wan(upstream.url, stall=True) as url, pytest.raises(httpx.ReadTimeout):
        httpx.post(f"{url}/appointments", json={}, headers=TOKEN_A, timeout=0.5)


@pytest.mark.parametrize(
    "flags",
    [
        ["--port", "8002"],
        ["--upstream", "http://127.0.0.1:8001/v1", "--port", "8002"],
        ["--upstream", "ftp://127.0.0.1:8001", "--port", "8002"],
        ["--upstream", "http://127.0.0.1:8001", "--port", "8002", "--rate", "0"],
        ["--upstream", "http://127.0.0.1:8001", "--port", "8002", "--latency-ms", "-1"],
        ["--upstream", "http://127.0.0.1:8001", "--port", "8002", "--jitter-ms", "soon"],
    ],
)
def test_bad_arguments_get_the_usage_error(
    flags: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(flags)
    assert exit_.value.code == 2
    assert capsys.readouterr().err.startswith("usage: python -m testbeds.wan")


@pytest.mark.parametrize(
    "settings", [{"rate": 0}, {"rate": -1}, {"latency": -0.1}, {"jitter": -0.1}]
)
def test_bad_settings_fail_where_they_are_given(settings: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="0"):
        WanSettings(**settings)


def test_the_upstream_of_the_app_is_an_origin() -> None:
    with pytest.raises(ValueError, match="origin"):
        wan_app("http://127.0.0.1:8001/v1")


def test_any_method_and_path_reach_the_upstream_as_its_own_answer(upstream: LiveServer) -> None:
    # A path a route's pattern cannot match (an encoded newline), and a method the proxy
    # has no list of: the server's answers come back, not the proxy's.
    path = "/appointments/%0A"
    with proxy(upstream) as (url, stats):
        for method in ("PATCH", "TRACE"):
            through = httpx.request(method, url + path, json={}, headers=TOKEN_A)
            direct = httpx.request(method, upstream.url + path, json={}, headers=TOKEN_A)
            assert (through.status_code, through.content) == (direct.status_code, direct.content)
    assert stats.forwarded == 2
