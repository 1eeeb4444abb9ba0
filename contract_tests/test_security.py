"""Security and the HTTP surface: 401/403/404 per D2, problem documents, 405, 413, 415, 400."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from contract_tests import examples
from contract_tests.exchanges import Api
from contract_tests.target import Target
from spec import Operation, Spec, load

SPEC = load()
ALL_IDS = [op.operation_id for op in SPEC.operations.values()]
PROBLEM_MEMBERS = {"type", "title", "status", "detail"}
MIB = 1024 * 1024


def assert_problem(response: httpx.Response, status: int) -> dict[str, Any]:
    """The answer is an RFC 9457 problem document with this status (D3)."""
    assert response.status_code == status, f"expected {status}, got {response.status_code}"
    media = response.headers.get("content-type", "").split(";")[0].strip()
    assert media == "application/problem+json", f"error served as {media!r}"
    body = response.json()
    assert set(body) >= PROBLEM_MEMBERS, f"problem lacks {sorted(PROBLEM_MEMBERS - set(body))}"
    assert body["status"] == status, "problem status differs from the HTTP status"
    return dict(body)


def _path(operation: Operation, appointment_id: int = 1) -> str:
    return operation.path.replace("{id}", str(appointment_id))


def _operations(target: Target) -> list[Operation]:
    return [op for op in SPEC.operations.values() if op.public or target.test_control]


def _created(api: Api, spec: Spec, target: Target) -> int:
    response = api.post("/appointments", examples.appointment(spec, target))
    assert response.status_code == 201, "could not create an appointment to work on"
    return int(response.json()["id"])


@pytest.mark.contract(*ALL_IDS, check="security", decisions=("D2",))
@pytest.mark.parametrize(
    "authorization",
    [None, "Basic ZGV2OnRva2Vu", "Bearer", "Bearer two tokens", "Bearer unknown-token-0b1c"],
    ids=["missing", "basic", "empty bearer", "malformed bearer", "unknown token"],
)
def test_request_without_a_valid_token_is_401_with_a_bearer_challenge(
    anonymous: Api, target: Target, authorization: str | None
) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    for operation in _operations(target):
        response = anonymous.send(operation.method, _path(operation), {}, headers=headers)
        assert_problem(response, 401)
        challenge = response.headers.get("www-authenticate", "")
        assert challenge.lower().startswith("bearer"), f"WWW-Authenticate is {challenge!r}"


@pytest.mark.contract("createAppointment", check="security", decisions=("D2",))
def test_customer_id_the_token_does_not_hold_is_403(
    api: Api, spec: Spec, target: Target, other_customer_id: int
) -> None:
    body = examples.appointment(spec, target, customer_id=other_customer_id)
    assert_problem(api.post("/appointments", body), 403)


@pytest.mark.contract("createRoundTripMove", check="security", decisions=("D2", "D18"))
def test_rooftop_the_token_does_not_hold_is_403(
    api: Api, spec: Spec, target: Target, other_customer_id: int
) -> None:
    body = {**examples.round_trip(spec, target), "rooftop": other_customer_id}
    assert_problem(api.post("/round-trip-moves", body), 403)


@pytest.mark.contract(
    "replaceAppointment", "updateAppointment", check="security", decisions=("D2",)
)
@pytest.mark.parametrize("method", ["PUT", "PATCH"])
def test_another_dealer_gets_404_for_our_appointment_never_403_or_200(
    api: Api, other: Api, spec: Spec, target: Target, method: str
) -> None:
    ours = _created(api, spec, target)
    body = examples.replacement(spec, target) if method == "PUT" else {}
    foreign = other.send(method, f"/appointments/{ours}", body)
    assert_problem(foreign, 404)
    missing = other.send(method, "/appointments/9007199254740991", body)
    assert_problem(missing, 404)


@pytest.mark.contract("setAppointmentStatusForTest", check="security", decisions=("D2", "D15"))
def test_another_dealer_cannot_drive_our_appointment(
    api: Api, other: Api, spec: Spec, target: Target, test_control: None
) -> None:
    ours = _created(api, spec, target)
    step = SPEC.lifecycle.edges_from(SPEC.lifecycle.initial, "internal")[0].target
    assert_problem(other.post(f"/_test/appointments/{ours}/status", {"status": step}), 404)


@pytest.mark.contract(*ALL_IDS, check="errors", decisions=("D3",))
def test_method_a_path_lacks_is_405_with_allow(api: Api, target: Target) -> None:
    by_path: dict[str, set[str]] = {}
    for operation in _operations(target):
        by_path.setdefault(_path(operation), set()).add(operation.method)
    for path, offered in by_path.items():
        for method in sorted({"GET", "DELETE", "PUT", "PATCH", "POST"} - offered):
            response = api.send(method, path)
            assert_problem(response, 405)
            allow = {m.strip().upper() for m in response.headers.get("allow", "").split(",")}
            assert offered <= allow, f"Allow {sorted(allow)} lacks {sorted(offered - allow)}"


@pytest.mark.contract(*ALL_IDS, check="errors", decisions=("D3",))
@pytest.mark.parametrize(
    ("content", "content_type", "status"),
    [
        (b"{", "application/json", 400),
        (b'{"a": 1,}', "application/json", 400),
        (b"customer_id=1234", "application/x-www-form-urlencoded", 415),
        (b"{}", "text/plain", 415),
    ],
    ids=["truncated JSON", "trailing comma", "form body", "text/plain"],
)
def test_malformed_or_non_json_body_is_a_4xx_problem(
    api: Api, spec: Spec, target: Target, content: bytes, content_type: str, status: int
) -> None:
    appointment_id = _created(api, spec, target)
    for operation in _operations(target):
        response = api.send(
            operation.method,
            _path(operation, appointment_id),
            raw=content,
            headers={"Content-Type": content_type},
        )
        assert_problem(response, status)


@pytest.mark.contract(*ALL_IDS, check="errors", decisions=("D3",))
def test_body_over_one_mebibyte_is_413(api: Api, spec: Spec, target: Target) -> None:
    appointment_id = _created(api, spec, target)
    padding = b'{"driver_notes": "' + b"x" * MIB + b'"}'
    for operation in _operations(target):
        response = api.send(
            operation.method,
            _path(operation, appointment_id),
            raw=padding,
            headers={"Content-Type": "application/json"},
        )
        assert_problem(response, 413)


@pytest.mark.contract("createAppointment", check="errors", decisions=("D3", "D4"))
def test_unknown_property_is_400_pointing_at_it(api: Api, spec: Spec, target: Target) -> None:
    body = {**examples.appointment(spec, target), "loyalty_tier": "gold"}
    problem = assert_problem(api.post("/appointments", body), 400)
    pointers = [error.get("pointer") for error in problem.get("errors", [])]
    assert "/loyalty_tier" in pointers, f"errors[].pointer {pointers} does not name /loyalty_tier"


@pytest.mark.contract("createAppointment", check="errors", decisions=("D3",))
def test_missing_required_member_is_400_pointing_where_it_belongs(
    api: Api, spec: Spec, target: Target
) -> None:
    body = examples.appointment(spec, target)
    del body["delivery_location_id"]
    problem = assert_problem(api.post("/appointments", body), 400)
    pointers = [error.get("pointer") for error in problem.get("errors", [])]
    assert any(p in ("/delivery_location_id", "") for p in pointers), pointers


@pytest.mark.contract("replaceAppointment", "updateAppointment", check="errors", decisions=("D5",))
@pytest.mark.parametrize("raw_id", ["abc", "0", "-7", "1.5", "99999999999999999999999"])
def test_path_id_that_is_not_a_positive_integer_is_400_or_404(
    api: Api, spec: Spec, target: Target, raw_id: str
) -> None:
    for method, body in (("PUT", examples.replacement(spec, target)), ("PATCH", {})):
        response = api.send(method, f"/appointments/{raw_id}", body)
        assert response.status_code in (400, 404), f"{method} id {raw_id!r}: {response.status_code}"
        assert_problem(response, response.status_code)
