"""Faults at work on a live mock: late, limited, failed and dropped answers, each marked."""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from mock_server.app import create_app
from mock_server.faults import FaultPlan, Latency, OperationFaults
from mock_server.store import Store
from spec import load
from testbeds import Clock, LiveServer, free_port, mock_process
from testbeds.suite import run_suite
from tests.seeds import seed

CREATE = seed("000_createAppointment.request")
# dev-token-b holds rooftop 777 only.
CREATE_B = {**CREATE, "customer_id": 777}
FAULTS = "/_test/faults"
HEADER = "hopdrive-mock-fault"
SPEC = load()
PROBLEM = SPEC.validator("/components/schemas/Problem")


@pytest.fixture(scope="module")
def mock() -> Iterator[LiveServer]:
    with LiveServer(create_app(store=Store(":memory:"), clock=Clock())) as live:
        yield live


def _client(mock: LiveServer, token: str) -> httpx.Client:
    return httpx.Client(base_url=mock.url, headers={"Authorization": f"Bearer {token}"})


@pytest.fixture
def api(mock: LiveServer) -> Iterator[httpx.Client]:
    """dev-token-a's client; the plan is emptied after the test."""
    with _client(mock, "dev-token-a") as client:
        yield client
        assert client.put(FAULTS, json={}).status_code == 200


@pytest.fixture
def other(mock: LiveServer) -> Iterator[httpx.Client]:
    with _client(mock, "dev-token-b") as client:
        yield client


def _plan(api: httpx.Client, faults: dict[str, Any], seed: int = 0) -> None:
    answer = api.put(FAULTS, json={"seed": seed, "faults": faults})
    assert answer.status_code == 200, answer.text


def _created(api: httpx.Client) -> int:
    answer = api.post("/appointments", json=CREATE)
    assert answer.status_code == 201, answer.text
    return int(answer.json()["id"])


def _retry_after(answer: httpx.Response) -> int:
    """The answer's Retry-After: whole seconds, as D24 has it."""
    value = answer.headers["retry-after"]
    assert re.fullmatch(r"[0-9]+", value), value
    return int(value)


def test_without_a_plan_no_answer_is_marked(api: httpx.Client) -> None:
    answers = [api.post("/appointments", json=CREATE), api.patch("/appointments/1", json={})]
    assert [answer.status_code for answer in answers] == [201, 200]
    assert all(HEADER not in answer.headers for answer in answers)


def test_latency_delays_the_answer_at_least_its_fixed_part_and_marks_it(
    api: httpx.Client,
) -> None:
    _plan(api, {"createAppointment": {"latency": {"ms": 200, "jitter_ms": 50}}})
    started = time.monotonic()
    answer = api.post("/appointments", json=CREATE)
    assert time.monotonic() - started >= 0.2
    assert answer.status_code == 201
    marked = re.fullmatch(r"latency=([0-9]+)ms", answer.headers[HEADER])
    assert marked is not None
    assert 200 <= int(marked.group(1)) <= 250


def test_over_the_rate_limit_a_request_is_the_specs_429_and_changes_nothing(
    api: httpx.Client,
) -> None:
    appointment = _created(api)
    _plan(api, {"updateAppointment": {"rate_limit": {"per_second": 0.5}}})
    assert api.patch(f"/appointments/{appointment}", json={"driver_notes": "1st"}).is_success
    refused = api.patch(f"/appointments/{appointment}", json={"driver_notes": "2nd"})
    assert refused.status_code == 429
    assert refused.headers[HEADER] == "rate-limit"
    assert refused.headers["content-type"] == "application/problem+json"
    assert _retry_after(refused) >= 1
    SPEC.response_validator("updateAppointment", 429).validate(refused.json())
    _plan(api, {})
    assert api.patch(f"/appointments/{appointment}", json={}).json()["driver_notes"] == "1st"


def test_a_post_answered_429_creates_nothing_and_another_token_is_not_limited(
    api: httpx.Client, other: httpx.Client
) -> None:
    _plan(api, {"createAppointment": {"rate_limit": {"per_second": 0.5}}})
    first = _created(api)
    assert api.post("/appointments", json=CREATE).status_code == 429
    # The store hands out the next id: none went to the refused request.
    answer = other.post("/appointments", json=CREATE_B)
    assert answer.status_code == 201
    assert answer.json()["id"] == first + 1


def test_a_rate_limit_of_the_star_entry_is_one_bucket_over_every_operation(
    api: httpx.Client,
) -> None:
    appointment = _created(api)
    _plan(api, {"*": {"rate_limit": {"per_second": 0.5}}})
    assert api.patch(f"/appointments/{appointment}", json={}).status_code == 200
    assert api.post("/appointments", json=CREATE).status_code == 429


def test_operations_with_their_own_rate_limits_have_their_own_buckets(
    api: httpx.Client,
) -> None:
    appointment = _created(api)
    limit = {"rate_limit": {"per_second": 0.5}}
    _plan(api, {"createAppointment": limit, "updateAppointment": limit})
    assert api.patch(f"/appointments/{appointment}", json={}).status_code == 200
    assert api.post("/appointments", json=CREATE).status_code == 201


@pytest.mark.parametrize("status", [503, 500])
def test_an_error_share_of_1_answers_every_request_with_it_marked(
    api: httpx.Client, status: int
) -> None:
    _plan(api, {"createAppointment": {"error": {"share": 1, "status": status}}})
    answers = [api.post("/appointments", json=CREATE) for _ in range(5)]
    for answer in answers:
        assert answer.status_code == status
        assert answer.headers[HEADER] == "error"
        assert answer.headers["content-type"] == "application/problem+json"
        PROBLEM.validate(answer.json())
        if status == 503:
            assert _retry_after(answer) >= 1
        else:
            assert "retry-after" not in answer.headers


def test_shares_of_0_answer_every_request_as_the_mock_would(api: httpx.Client) -> None:
    _plan(api, {"createAppointment": {"error": {"share": 0}, "drop": {"share": 0}}})
    answers = [api.post("/appointments", json=CREATE) for _ in range(20)]
    assert {answer.status_code for answer in answers} == {201}
    assert all(HEADER not in answer.headers for answer in answers)


class Recording(logging.Handler):
    """A log handler keeping every record."""

    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextmanager
def _uvicorn_logs() -> Iterator[list[logging.LogRecord]]:
    """What uvicorn logs meanwhile (its logger does not propagate to pytest's caplog)."""
    recording = Recording()
    logger = logging.getLogger("uvicorn.error")
    logger.addHandler(recording)
    try:
        yield recording.records
    finally:
        logger.removeHandler(recording)


def test_a_dropped_connection_closes_unanswered_and_a_new_one_is_served(
    api: httpx.Client,
) -> None:
    appointment = _created(api)
    _plan(api, {"updateAppointment": {"drop": {"share": 1}}})
    with _uvicorn_logs() as logged, pytest.raises(httpx.RemoteProtocolError):
        api.patch(f"/appointments/{appointment}", json={"driver_notes": "dropped"})
    # uvicorn neither reports the unanswered request nor answers it 500 in the mock's place.
    assert logged == []
    # The client's pool let the closed connection go: this request opens a new one.
    assert api.post("/appointments", json=CREATE).status_code == 201
    _plan(api, {})
    assert api.patch(f"/appointments/{appointment}", json={}).json()["driver_notes"] != "dropped"


def test_the_star_entry_reaches_every_operation_but_not_the_mocks_own_endpoints(
    api: httpx.Client,
) -> None:
    _plan(api, {"*": {"error": {"share": 1}}})
    assert api.post("/appointments", json=CREATE).status_code == 500
    assert api.patch("/appointments/1", json={}).status_code == 500
    assert api.post("/round-trip-moves", json={}).status_code == 500
    assert api.get(FAULTS).status_code == 200


def test_an_operations_own_kind_replaces_the_star_entrys_and_the_rest_is_kept(
    api: httpx.Client,
) -> None:
    _plan(
        api,
        {
            "*": {"error": {"share": 1}, "latency": {"ms": 10}},
            "createAppointment": {"error": {"share": 0}},
        },
    )
    created = api.post("/appointments", json=CREATE)
    assert created.status_code == 201
    assert created.headers[HEADER].startswith("latency=")
    refused = api.patch("/appointments/1", json={})
    assert refused.status_code == 500
    assert re.fullmatch(r"latency=[0-9]+ms, error", refused.headers[HEADER])


def _statuses(api: httpx.Client, seed: int) -> list[int]:
    _plan(api, {"createAppointment": {"error": {"share": 0.5}}}, seed=seed)
    return [api.post("/appointments", json=CREATE).status_code for _ in range(20)]


def test_the_same_seed_makes_the_same_choices(api: httpx.Client) -> None:
    first = _statuses(api, 3)
    assert set(first) == {201, 500}
    assert _statuses(api, 3) == first


def test_a_request_outside_the_operations_meets_no_fault(api: httpx.Client) -> None:
    _plan(api, {"*": {"drop": {"share": 1}}})
    assert api.get("/nowhere").status_code == 404
    assert api.delete("/appointments/1").status_code == 405


def test_the_access_log_names_the_fault_and_an_unanswered_request(
    api: httpx.Client, caplog: pytest.LogCaptureFixture
) -> None:
    _plan(
        api,
        {"createAppointment": {"error": {"share": 1}}, "updateAppointment": {"drop": {"share": 1}}},
    )
    with caplog.at_level(logging.INFO, logger="hopdrive.mock.access"):
        api.post("/appointments", json=CREATE)
        with pytest.raises(httpx.RemoteProtocolError):
            api.patch("/appointments/1", json={})
    lines = [
        json.loads(record.getMessage())
        for record in caplog.records
        if record.name == "hopdrive.mock.access" and "/appointments" in record.getMessage()
    ]
    assert [(line["status"], line.get("fault")) for line in lines] == [(500, "error"), (None, None)]


def test_without_test_control_a_plan_still_applies() -> None:
    plan = FaultPlan(faults={"*": OperationFaults(latency=Latency(1))})
    app = create_app(store=Store(":memory:"), clock=Clock(), test_control=False, faults=plan)
    with LiveServer(app) as live, _client(live, "dev-token-a") as client:
        answer = client.post("/appointments", json=CREATE)
        assert answer.status_code == 201
        assert answer.headers[HEADER] == "latency=1ms"
        assert client.get(FAULTS).status_code == 404


def test_the_suite_passes_a_mock_that_answers_429s(tmp_path: Path) -> None:
    # The quick suite creates appointments in bursts well above 20 a second.
    plan = tmp_path / "faults.yaml"
    plan.write_text("faults:\n  createAppointment:\n    rate_limit: {per_second: 20}\n")
    port = free_port()
    with mock_process(tmp_path / "mock.db", port, "--faults", str(plan)):
        url = f"http://127.0.0.1:{port}/v1"
        result = run_suite(url, workers=2)
        state = httpx.get(f"{url}{FAULTS}", headers={"Authorization": "Bearer dev-token-a"})
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"the suite failed a mock answering 429s:\n{output[-4000:]}"
    limited = state.json()["produced"]["createAppointment"]["rate-limit"]
    assert limited > 0
    assert f"{limited} answered 429" in output
