"""GET and PUT /_test/faults: the plan in force and its counts, a bad plan a 400 naming where."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from mock_server.app import create_app
from mock_server.control_api import validator
from mock_server.fault_injection import FaultInjection
from mock_server.store import Store
from testbeds import Clock, LiveServer
from tests.seeds import seed

CREATE = seed("000_createAppointment.request")
FAULTS = "/_test/faults"
PLAN = {
    "seed": 7,
    "faults": {
        "*": {"latency": {"ms": 1, "jitter_ms": 0}},
        "createAppointment": {"error": {"share": 1, "status": 503}},
    },
}
EMPTY = {"plan": {"seed": 0, "faults": {}}, "produced": {}}


@pytest.fixture(scope="module")
def mock() -> Iterator[LiveServer]:
    with LiveServer(create_app(store=Store(":memory:"), clock=Clock())) as live:
        yield live


@pytest.fixture
def api(mock: LiveServer) -> Iterator[httpx.Client]:
    """dev-token-a's client; the plan is emptied after the test."""
    headers = {"Authorization": "Bearer dev-token-a"}
    with httpx.Client(base_url=mock.url, headers=headers) as client:
        yield client
        assert client.put(FAULTS, json={}).status_code == 200


def _in_force(answer: httpx.Response) -> Any:
    """The body of a 200 answer of the faults endpoint, held to control.yaml's FaultsInForce."""
    assert answer.status_code == 200, answer.text
    body = answer.json()
    validator("FaultsInForce").validate(body)
    return body


def test_without_a_plan_none_is_in_force(api: httpx.Client) -> None:
    assert _in_force(api.get(FAULTS)) == EMPTY


def test_a_plan_put_is_answered_and_read_back_in_force(api: httpx.Client) -> None:
    assert _in_force(api.put(FAULTS, json=PLAN)) == {"plan": PLAN, "produced": {}}
    assert _in_force(api.get(FAULTS)) == {"plan": PLAN, "produced": {}}


def test_the_counts_say_what_each_fault_produced_until_the_plan_is_replaced(
    api: httpx.Client,
) -> None:
    api.put(FAULTS, json=PLAN)
    for _ in range(2):
        assert api.post("/appointments", json=CREATE).status_code == 503
    assert api.patch("/appointments/1", json={}).status_code == 404
    produced = _in_force(api.get(FAULTS))["produced"]
    assert produced == {
        "createAppointment": {"latency": 2, "error": 2},
        "updateAppointment": {"latency": 1},
    }
    assert _in_force(api.put(FAULTS, json=PLAN))["produced"] == {}


BAD_BODIES: dict[str, tuple[Any, str]] = {
    "a share above 1": (
        {"faults": {"createAppointment": {"drop": {"share": 2}}}},
        "/faults/createAppointment/drop/share",
    ),
    "an unknown operation": ({"faults": {"deleteAppointment": {}}}, "/faults/deleteAppointment"),
    "an unknown kind": ({"faults": {"*": {"timeout": {}}}}, "/faults/*"),
    "not an object": ([], ""),
}


@pytest.mark.parametrize(("body", "where"), BAD_BODIES.values(), ids=list(BAD_BODIES))
def test_a_bad_plan_is_a_400_naming_where_and_the_plan_in_force_stays(
    api: httpx.Client, body: Any, where: str
) -> None:
    api.put(FAULTS, json=PLAN)
    answer = api.put(FAULTS, json=body)
    assert answer.status_code == 400
    assert answer.headers["content-type"] == "application/problem+json"
    problem = answer.json()
    validator("TestControlProblem").validate(problem)
    assert [error["pointer"] for error in problem["errors"]] == [where]
    assert f"{where or '/'}: " in problem["detail"]
    assert _in_force(api.get(FAULTS))["plan"] == PLAN


def test_an_unknown_operation_is_named_in_the_400(api: httpx.Client) -> None:
    answer = api.put(FAULTS, json={"faults": {"deleteAppointment": {}}})
    assert "'deleteAppointment' is neither * nor an operationId" in answer.json()["detail"]


@pytest.mark.parametrize(
    ("content", "content_type", "status"),
    [(b"{", "application/json", 400), (b"{}", "text/plain", 415)],
    ids=["not JSON", "not sent as JSON"],
)
def test_a_body_that_is_no_json_is_refused_as_the_api_refuses_it(
    api: httpx.Client, content: bytes, content_type: str, status: int
) -> None:
    answer = api.put(FAULTS, content=content, headers={"Content-Type": content_type})
    assert answer.status_code == status
    validator("TestControlProblem").validate(answer.json())


def test_the_plan_is_read_and_replaced_with_a_known_token_only(mock: LiveServer) -> None:
    for method in ("GET", "PUT"):
        answer = httpx.request(method, mock.url + FAULTS, json={})
        assert answer.status_code == 401
        assert answer.headers["www-authenticate"].startswith("Bearer")


def test_without_test_control_the_endpoint_is_absent_and_nothing_wraps_the_app() -> None:
    app = create_app(store=Store(":memory:"), test_control=False)
    wrapping: list[object] = [middleware.cls for middleware in app.user_middleware]
    assert FaultInjection not in wrapping
    with LiveServer(app) as live:
        answer = httpx.get(live.url + FAULTS, headers={"Authorization": "Bearer dev-token-a"})
    assert answer.status_code == 404
