"""The HTTP surface of the mock: base path, auth, tenants, problem documents, methods, ids."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from hopdrive.errors import HopDriveError
from mock_server.app import HANDLERS, UnservedOperations, create_app
from mock_server.store import Store
from spec import Spec, load
from tests.seeds import seed

CREATE = seed("000_createAppointment.request")
OPERATIONS = [(op.method, op.path) for op in load().operations.values()]
HTTP_METHODS = ("GET", "HEAD", "OPTIONS", "TRACE", "PUT", "POST", "DELETE", "PATCH")


def _create(api: httpx.Client) -> int:
    return int(api.post("/appointments", json=CREATE).json()["id"])


def _is_problem(response: httpx.Response) -> bool:
    body = response.json()
    return (
        response.headers["content-type"] == "application/problem+json"
        and {"type", "title", "status", "detail"} <= set(body)
        and body["status"] == response.status_code
    )


def test_operations_live_under_v1_d1(api: httpx.Client, server: object) -> None:
    outside = api.post(str(api.base_url).removesuffix("/v1/") + "/appointments", json=CREATE)
    assert outside.status_code == 404
    assert _is_problem(outside)
    assert api.post("/appointments", json=CREATE).status_code == 201


@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_every_operation_without_a_token_is_401_with_a_bearer_challenge_d2(
    anonymous: httpx.Client, method: str, path: str
) -> None:
    response = anonymous.request(method, path.replace("{id}", "1"), json={})
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert _is_problem(response)


@pytest.mark.parametrize(
    "authorization",
    [
        "Bearer",
        "Basic ZGV2OnRva2Vu",
        "Bearer dev-token-a extra",
        "Bearer nobody-knows-me",
        "dev-token-a",
    ],
)
def test_malformed_or_unknown_token_is_401_d2(anonymous: httpx.Client, authorization: str) -> None:
    response = anonymous.post(
        "/appointments", json=CREATE, headers={"Authorization": authorization}
    )
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")


def test_customer_the_token_does_not_hold_is_403_d2(other: httpx.Client) -> None:
    response = other.post("/appointments", json=CREATE)
    assert response.status_code == 403
    assert _is_problem(response)


@pytest.mark.parametrize("method", ["PUT", "PATCH"])
def test_another_tenants_appointment_is_404_exactly_like_a_missing_one_d2(
    api: httpx.Client, other: httpx.Client, method: str
) -> None:
    ours = _create(api)
    body = seed("002_replaceAppointment.request")
    foreign = other.request(method, f"/appointments/{ours}", json=body)
    missing = other.request(method, "/appointments/999999999", json=body)
    assert foreign.status_code == missing.status_code == 404
    assert foreign.json()["type"] == missing.json()["type"]
    assert api.request(method, f"/appointments/{ours}", json=body).status_code == 200


def test_validation_errors_are_problems_with_pointers_d3(api: httpx.Client) -> None:
    body = {**CREATE, "customer_id": "1234", "vehicle_year": 1.5}
    del body["delivery_location_id"]
    response = api.post("/appointments", json=body)
    assert response.status_code == 400
    assert _is_problem(response)
    pointers = [error["pointer"] for error in response.json()["errors"]]
    assert pointers == ["/customer_id", "/delivery_location_id", "/vehicle_year"]


def test_problem_bodies_match_the_spec_problem_schema_d3(api: httpx.Client, spec: Spec) -> None:
    response = api.post("/appointments", json={})
    assert spec.validator("/components/schemas/Problem").is_valid(response.json())


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("GET", "/appointments", "POST"),
        ("DELETE", "/appointments/1", "PATCH, PUT"),
        ("GET", "/round-trip-moves", "POST"),
        ("PUT", "/concierge-loaner-moves", "POST"),
    ],
)
def test_method_the_path_lacks_is_405_with_allow_d3(
    api: httpx.Client, method: str, path: str, allow: str
) -> None:
    response = api.request(method, path)
    assert response.status_code == 405
    assert response.headers["allow"] == allow
    assert _is_problem(response)


def _resolved(spec: Spec, node: Any) -> Any:
    ref = node.get("$ref")
    return _resolved(spec, spec.schema(ref.removeprefix("#"))) if isinstance(ref, str) else node


@pytest.mark.parametrize("route", sorted(load().document["paths"]))
def test_every_path_documents_the_405_it_answers_with_allow_d3(
    api: httpx.Client, spec: Spec, route: str
) -> None:
    item = spec.document["paths"][route]
    offered = {method.upper() for method in item if method.upper() in HTTP_METHODS}
    for method in sorted(set(HTTP_METHODS) - offered):
        response = api.request(method, route.replace("{id}", "1"))
        assert response.status_code == 405, method
        assert set(response.headers["allow"].split(", ")) == offered, method
    for method in offered:
        documented = item[method.lower()]["responses"].get("405")
        assert documented is not None, f"{method} {route} does not document its 405"
        allow = _resolved(spec, _resolved(spec, documented)["headers"]["Allow"])
        assert allow["required"] is True


def test_unknown_path_is_a_404_problem(api: httpx.Client) -> None:
    response = api.get("/appointments/1/history")
    assert response.status_code == 404
    assert _is_problem(response)


def test_request_bodies_are_closed_d4(api: httpx.Client) -> None:
    response = api.post("/appointments", json={**CREATE, "loyalty_tier": "gold"})
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"pointer": "/loyalty_tier", "message": "is not a known member here"}
    ]


def test_config_accepts_any_members_d4(api: httpx.Client) -> None:
    nested = {"dms": {"ro": [1, 2, {"deep": True}]}}
    assert api.post("/appointments", json={**CREATE, "config": nested}).status_code == 201


@pytest.mark.parametrize(
    "raw_id", ["abc", "0", "-1", "1.5", "9007199254740992", "99999999999999999999999", "1e3", "%00"]
)
def test_path_id_that_is_not_a_positive_integer_is_400_d5(api: httpx.Client, raw_id: str) -> None:
    response = api.patch(f"/appointments/{raw_id}", json={})
    assert response.status_code == 400
    assert _is_problem(response)


def test_access_log_writes_one_json_line_per_request(
    api: httpx.Client, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="hopdrive.mock.access"):
        api.post("/appointments", json=CREATE)
        api.get("/appointments")
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "hopdrive.mock.access"]
    assert [(line["method"], line["path"], line["status"]) for line in lines] == [
        ("POST", "/v1/appointments", 201),
        ("GET", "/v1/appointments", 405),
    ]
    assert all(isinstance(line["ms"], float) for line in lines)


def test_a_write_is_answered_only_once_its_fsync_returns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    disk = threading.Event()
    monkeypatch.setattr(os, "fsync", lambda descriptor: disk.wait(10))
    app = create_app(store=Store(tmp_path / "state.db", fsync=True))
    future = (datetime.now(UTC) + timedelta(days=30)).isoformat()

    async def scenario() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        headers = {"Authorization": "Bearer dev-token-a"}
        async with httpx.AsyncClient(transport=transport, base_url="http://mock/v1") as client:
            answer = asyncio.create_task(
                client.post(
                    "/appointments", json={**CREATE, "appointment_time": future}, headers=headers
                )
            )
            await asyncio.sleep(0.2)
            assert not answer.done()
            disk.set()
            return await answer

    assert asyncio.run(scenario()).status_code == 201


def test_every_request_waits_for_the_store_to_be_ready_before_its_transaction(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Store.ready is where due checkpoints start and where writes wait for the last copy.
    store = Store(tmp_path / "state.db")
    events: list[str] = []
    transaction = store.transaction

    async def ready() -> None:
        events.append("ready")

    def recorded_transaction() -> object:
        events.append("transaction")
        return transaction()

    monkeypatch.setattr(store, "ready", ready)
    monkeypatch.setattr(store, "transaction", recorded_transaction)
    transport = httpx.ASGITransport(app=create_app(store=store))

    async def post() -> httpx.Response:
        async with httpx.AsyncClient(transport=transport, base_url="http://mock/v1") as client:
            headers = {"Authorization": "Bearer dev-token-a"}
            return await client.post("/appointments", json=CREATE, headers=headers)

    assert asyncio.run(post()).status_code == 201
    assert events == ["ready", "transaction"]


def test_a_stopped_store_answers_500_naming_the_failure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def failing_fsync(descriptor: int) -> None:
        raise OSError(5, "disk I/O error")

    # A log that cannot be synced stops the store for good (see Store).
    monkeypatch.setattr(os, "fsync", failing_fsync)
    store = Store(tmp_path / "state.db", fsync=True)
    with store.transaction():
        pass
    with pytest.raises(OSError, match="disk I/O error"):
        asyncio.run(store.durable())
    # Starlette re-raises after answering, for the server to log; the answer is what counts.
    transport = httpx.ASGITransport(app=create_app(store=store), raise_app_exceptions=False)

    async def post() -> httpx.Response:
        async with httpx.AsyncClient(transport=transport, base_url="http://mock/v1") as client:
            headers = {"Authorization": "Bearer dev-token-a"}
            return await client.post("/appointments", json=CREATE, headers=headers)

    answer = asyncio.run(post())
    assert answer.status_code == 500
    assert answer.headers["content-type"] == "application/problem+json"
    assert "disk I/O error" in answer.json()["detail"]
    assert "restart the mock" in answer.json()["detail"]


def test_an_operation_without_a_handler_stops_the_mock_at_start_up(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delitem(HANDLERS, "createRoundTripMove")
    with pytest.raises(UnservedOperations) as caught:
        create_app(store=Store(":memory:"))
    assert isinstance(caught.value, HopDriveError)
    message = str(caught.value)
    assert "createRoundTripMove (POST /round-trip-moves) has no handler" in message
    assert "\n" not in message


def test_the_test_control_handler_is_needed_only_when_its_endpoint_is_served(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delitem(HANDLERS, "setAppointmentStatusForTest")
    create_app(store=Store(":memory:"), test_control=False)
    with pytest.raises(UnservedOperations, match="setAppointmentStatusForTest"):
        create_app(store=Store(":memory:"))
