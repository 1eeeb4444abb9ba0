"""contract_tests/preflight.py: the run's first request, against small live servers."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from contract_tests.errors import ConnectionRefused, NotTheApi
from contract_tests.preflight import Findings, check
from contract_tests.target import Target
from testbeds import LiveServer, free_port, mock_process

TIMEOUT = 2.0
PROBLEM = {"type": "about:blank", "title": "Bad Request", "status": 400, "detail": "empty"}
Answer = Callable[[Request], Response]


def _refused(_: Request) -> Response:
    """What a conforming server answers the empty creation: a 400 problem."""
    return JSONResponse(PROBLEM, status_code=400, media_type="application/problem+json")


def _preflight(url: str, **env: str) -> Findings:
    """`check` of the target at `url`, the environment being `env` and that URL."""
    variables = {"HOPDRIVE_BASE_URL": url, **env}
    return check(Target.from_env(variables), variables, TIMEOUT)


class Api:
    """A small API answering every POST as its `answer` says, which each test sets."""

    def __init__(self) -> None:
        self.answer: Answer = _refused
        self.app = Starlette(routes=[Route("/{path:path}", self._endpoint, methods=["POST"])])
        self.url = ""  # once served

    async def _endpoint(self, request: Request) -> Response:
        return self.answer(request)

    def serving(self, answer: Answer, path: str = "/v1") -> str:
        """The base URL, ending in `path`, of this API answering with `answer` from now on."""
        self.answer = answer
        return self.url.removesuffix("/v1") + path


@pytest.fixture(scope="module")
def api() -> Iterator[Api]:
    """One live server for the file: a uvicorn server takes a while to stop."""
    served = Api()
    with LiveServer(served.app) as live:
        served.url = live.url
        yield served


def _only_token(token: str) -> Answer:
    """An API that takes `token` alone: any other bearer is refused 401."""

    def answer(request: Request) -> Response:
        if request.headers.get("authorization") != f"Bearer {token}":
            return JSONResponse({"status": 401}, status_code=401)
        return _refused(request)

    return answer


def test_a_redirect_is_not_the_api_and_names_where_it_goes(api: Api) -> None:
    location = "https://dealers.example.com/v1/appointments"
    url = api.serving(lambda _: RedirectResponse(location, status_code=301))
    with pytest.raises(NotTheApi, match="redirects") as raised:
        _preflight(url)
    assert location in str(raised.value)


def test_an_html_page_is_not_the_api(api: Api) -> None:
    page = "<!doctype html><html><body>Sign in</body></html>"
    url = api.serving(lambda _: HTMLResponse(page))
    with pytest.raises(NotTheApi, match="HTML"):
        _preflight(url)


def test_a_404_at_a_base_url_without_v1_suggests_adding_it(api: Api) -> None:
    url = api.serving(lambda _: Response(status_code=404), path="/api")
    with pytest.raises(NotTheApi, match="404") as raised:
        _preflight(url)
    assert f"try {url}/v1" in str(raised.value)


def test_a_refused_default_token_is_not_the_api_and_says_it_is_the_mocks(api: Api) -> None:
    url = api.serving(_only_token("a-real-token"))
    with pytest.raises(NotTheApi, match="HOPDRIVE_TOKEN") as raised:
        _preflight(url)
    assert "the bundled mock's default" in str(raised.value)


def test_a_refused_given_token_is_not_the_api(api: Api) -> None:
    url = api.serving(_only_token("a-real-token"))
    with pytest.raises(NotTheApi, match="HOPDRIVE_TOKEN") as raised:
        _preflight(url, HOPDRIVE_TOKEN="a-stale-token")
    assert "default" not in str(raised.value)


def test_429s_with_retry_after_are_waited_out(api: Api) -> None:
    answered: list[int] = []

    def answer(request: Request) -> Response:
        answered.append(429 if len(answered) < 3 else 400)
        if answered[-1] == 429:
            return JSONResponse({"status": 429}, status_code=429, headers={"Retry-After": "0"})
        return _refused(request)

    findings = _preflight(api.serving(answer))
    assert findings.notes == ()
    # Three 429s and the 400 for the token, then the other token's 400.
    assert answered == [429, 429, 429, 400, 400]


def test_the_bundled_mock_passes_with_nothing_to_note(tmp_path: Path) -> None:
    port = free_port()
    with mock_process(tmp_path / "mock.db", port):
        findings = _preflight(f"http://127.0.0.1:{port}/v1")
    assert findings.notes == ()
    assert findings.round_trip > 0


def test_a_refused_default_other_token_notes_tenant_isolation_is_not_checked(api: Api) -> None:
    findings = _preflight(api.serving(_only_token("dev-token-a")))
    assert len(findings.notes) == 1
    assert "tenant isolation" in findings.notes[0]
    assert findings.round_trip > 0


def test_a_refused_given_other_token_is_not_the_api(api: Api) -> None:
    url = api.serving(_only_token("dev-token-a"))
    with pytest.raises(NotTheApi, match="HOPDRIVE_OTHER_TOKEN"):
        _preflight(url, HOPDRIVE_OTHER_TOKEN="dealer-b-token")


def test_a_closed_port_is_refused_in_one_line() -> None:
    with pytest.raises(ConnectionRefused) as raised:
        _preflight(f"http://127.0.0.1:{free_port()}/v1")
    assert "\n" not in str(raised.value)
    assert "POST /appointments" in str(raised.value)
