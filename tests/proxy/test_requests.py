"""proxy/requests.py: what a request breaks on its own, and the status every server refuses."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from contract_tests.examples import seed_example
from proxy.exchange import NOT_JSON, Headers
from proxy.requests import MAX_BODY, RequestVerdict, allowed_methods, judge_request, problem
from spec import Spec

NOW = datetime(2026, 1, 1, 12, tzinfo=UTC)
HEADERS: Headers = (("authorization", "Bearer dev-token-a"), ("content-type", "application/json"))
APPOINTMENT = "/appointments/12"


def judge(
    spec: Spec,
    method: str,
    route: str | None,
    body: Any = None,
    *,
    headers: Headers = HEADERS,
    now: datetime = NOW,
) -> RequestVerdict:
    """The verdict on a request with a valid token, `body` sent as JSON unless it is bytes."""
    raw = body if isinstance(body, bytes) else b"" if body is None else json.dumps(body).encode()
    return judge_request(spec, method, route, headers, raw, now)


def decisions(verdict: RequestVerdict) -> list[tuple[str, str | None]]:
    """Each violation's decision and member."""
    return [(v.decision, v.member) for v in verdict.violations]


def _request_examples(spec: Spec) -> Iterator[tuple[str, str, Any]]:
    for operation in spec.operations.values():
        if operation.request_schema is None:
            continue
        media = spec.schema(operation.request_schema.removesuffix("/schema"))
        route = re.sub(r"\{[^}/]+\}", "12", operation.path)
        for example in media.get("examples", {}).values():
            yield operation.method, route, example["value"]


def test_valid_creation_has_no_violation(spec: Spec) -> None:
    verdict = judge(spec, "POST", "/appointments", seed_example(spec, "createAppointment"))
    assert verdict.violations == ()
    assert verdict.refusal is None
    assert verdict.operation == spec.operations["createAppointment"]
    assert verdict.body == seed_example(spec, "createAppointment")


def test_every_request_example_of_the_spec_has_no_violation(spec: Spec) -> None:
    examples = list(_request_examples(spec))
    assert len(examples) >= 5
    for method, route, body in examples:
        verdict = judge(spec, method, route, body)
        assert (verdict.violations, verdict.refusal) == ((), None), (method, route)


def test_unknown_member_is_a_client_violation_naming_d4(spec: Spec) -> None:
    body = {**seed_example(spec, "createAppointment"), "colour": "red", "trim": "LX"}
    verdict = judge(spec, "POST", "/appointments", body)
    assert decisions(verdict) == [("D4", "/colour"), ("D4", "/trim")]
    assert {v.side for v in verdict.violations} == {"client"}
    assert verdict.refusal == 400


def test_missing_member_points_where_it_should_be_naming_the_quote_that_requires_it(
    spec: Spec,
) -> None:
    body = seed_example(spec, "createAppointment")
    del body["delivery_location_id"]
    (violation,) = judge(spec, "POST", "/appointments", body).violations
    assert violation.member == "/delivery_location_id"
    assert violation.decision == "000: delivery_location_id | Number | Required"
    assert set(violation.sources) == set(
        spec.schema("/components/schemas/AppointmentCreate")["x-source-required"]
    )


def test_zip_not_five_digits_is_a_client_violation_naming_d17(spec: Spec) -> None:
    body = seed_example(spec, "createConciergeLoanerMove")
    body["customer_move"]["pickup_location"]["zip"] = "2322"
    verdict = judge(spec, "POST", "/concierge-loaner-moves", body)
    assert decisions(verdict) == [("D17", "/customer_move/pickup_location/zip")]
    assert "does not match" in verdict.violations[0].message


def test_missing_token_is_refused_with_401(spec: Spec) -> None:
    headers = (("content-type", "application/json"),)
    body = seed_example(spec, "createAppointment")
    verdict = judge(spec, "POST", "/appointments", body, headers=headers)
    assert verdict.refusal == 401
    assert decisions(verdict) == [("D2", "Authorization")]


@pytest.mark.parametrize("credentials", ["Basic secret", "Bearer", "Bearer secret words"])
def test_malformed_token_is_refused_with_401_without_quoting_it(
    spec: Spec, credentials: str
) -> None:
    headers = (("authorization", credentials), ("content-type", "application/json"))
    verdict = judge(spec, "PATCH", APPOINTMENT, {}, headers=headers)
    assert (verdict.refusal, decisions(verdict)) == (401, [("D2", "Authorization")])
    assert "secret" not in verdict.violations[0].message


def test_bearer_scheme_is_read_in_any_letter_case(spec: Spec) -> None:
    headers = (("authorization", "bEaReR dev-token-a"), ("content-type", "application/json"))
    assert judge(spec, "PATCH", APPOINTMENT, {}, headers=headers).violations == ()


@pytest.mark.parametrize("route", ["/moves", "/appointments/12/extra", None])
def test_path_the_spec_lacks_is_refused_with_404_naming_d1(spec: Spec, route: str | None) -> None:
    verdict = judge(spec, "GET", route)
    assert (verdict.operation, verdict.refusal, decisions(verdict)) == (None, 404, [("D1", None)])


def test_method_the_path_lacks_is_refused_with_405_naming_d3(spec: Spec) -> None:
    verdict = judge(spec, "DELETE", APPOINTMENT)
    assert (verdict.operation, verdict.refusal, decisions(verdict)) == (None, 405, [("D3", None)])
    assert allowed_methods(spec, APPOINTMENT) == ("PUT", "PATCH")
    assert "PUT, PATCH" in verdict.violations[0].message


@pytest.mark.parametrize(
    ("segment", "decision"),
    [("abc", "D5"), ("0", "D5"), ("-3", "D5"), ("1.5", "D5"), ("9007199254740992", "D22")],
)
def test_path_id_that_is_not_a_positive_integer_is_refused_with_400(
    spec: Spec, segment: str, decision: str
) -> None:
    verdict = judge(spec, "PATCH", f"/appointments/{segment}", {})
    assert (verdict.refusal, decisions(verdict)) == (400, [(decision, None)])


def test_body_not_sent_as_json_is_refused_with_415(spec: Spec) -> None:
    headers = (("authorization", "Bearer t"), ("content-type", "text/plain"))
    verdict = judge(spec, "PATCH", APPOINTMENT, {}, headers=headers)
    assert (verdict.refusal, decisions(verdict)) == (415, [("D3", "Content-Type")])


def test_media_type_parameters_and_letter_case_are_accepted(spec: Spec) -> None:
    headers = (("authorization", "Bearer t"), ("content-type", "Application/JSON; charset=utf-8"))
    assert judge(spec, "PATCH", APPOINTMENT, {}, headers=headers).violations == ()


def test_body_over_1_mib_is_refused_with_413(spec: Spec) -> None:
    body = {"driver_notes": "x" * MAX_BODY}
    verdict = judge(spec, "PATCH", APPOINTMENT, body)
    assert (verdict.refusal, decisions(verdict)) == (413, [("D3", None)])


def test_body_of_exactly_1_mib_is_not_refused_for_its_size(spec: Spec) -> None:
    frame = len(json.dumps({"driver_notes": ""}).encode())
    raw = json.dumps({"driver_notes": "x" * (MAX_BODY - frame)}).encode()
    assert len(raw) == MAX_BODY
    assert judge(spec, "PATCH", APPOINTMENT, raw).violations == ()


@pytest.mark.parametrize(
    "raw",
    [b"{", b'{"vehicle_year": NaN}', b'{"vehicle_year": -Infinity}', b'{"a": 1, "a": 2}', b"\xff"],
    ids=["truncated", "NaN", "Infinity", "a member twice", "not UTF-8"],
)
def test_body_that_is_not_strict_json_is_refused_with_400(spec: Spec, raw: bytes) -> None:
    verdict = judge(spec, "PATCH", APPOINTMENT, raw)
    assert (verdict.refusal, decisions(verdict)) == (400, [("D3", None)])
    assert verdict.body is NOT_JSON


def test_missing_body_is_refused_with_400(spec: Spec) -> None:
    verdict = judge(spec, "PATCH", APPOINTMENT)
    assert (verdict.refusal, decisions(verdict), verdict.body) == (400, [("D3", None)], None)


def test_past_appointment_time_on_patch_is_a_client_violation_naming_d9(spec: Spec) -> None:
    past = (NOW - timedelta(days=1)).isoformat()
    verdict = judge(spec, "PATCH", APPOINTMENT, {"appointment_time": past})
    assert (verdict.refusal, decisions(verdict)) == (400, [("D9", "/appointment_time")])


def test_past_appointment_time_on_creation_is_accepted(spec: Spec) -> None:
    body = {**seed_example(spec, "createAppointment"), "appointment_time": "2020-01-01T09:00:00Z"}
    assert judge(spec, "POST", "/appointments", body).violations == ()


def test_time_within_the_clock_skew_is_a_violation_no_server_must_refuse(spec: Spec) -> None:
    soon = (NOW + timedelta(minutes=1)).isoformat()
    verdict = judge(spec, "PATCH", APPOINTMENT, {"appointment_time": soon})
    assert (verdict.refusal, decisions(verdict)) == (None, [("D9", "/appointment_time")])


def test_impossible_instant_is_a_client_violation_naming_d23(spec: Spec) -> None:
    body = {**seed_example(spec, "createRoundTripMove"), "ready_by_time_utc": "2027-02-30 10:00:00"}
    verdict = judge(spec, "POST", "/round-trip-moves", body)
    assert (verdict.refusal, decisions(verdict)) == (400, [("D23", "/ready_by_time_utc")])


def test_naive_appointment_time_breaks_the_schema_naming_d9(spec: Spec) -> None:
    verdict = judge(spec, "PATCH", APPOINTMENT, {"appointment_time": "2027-01-01T09:00:00"})
    assert (verdict.refusal, decisions(verdict)) == (400, [("D9", "/appointment_time")])


def test_what_only_an_open_question_lets_a_server_refuse_is_no_violation(spec: Spec) -> None:
    body = seed_example(spec, "createRoundTripMove")
    body["move_one"]["dealer_contact"] = None  # Q2
    body["third_party_payer"] = 777  # Q12
    assert judge(spec, "POST", "/round-trip-moves", body).violations == ()


def _refused(spec: Spec) -> Iterator[RequestVerdict]:
    invalid = {**seed_example(spec, "createAppointment"), "colour": "red"}
    yield judge(spec, "POST", "/appointments", invalid)
    yield judge(spec, "POST", "/appointments", invalid, headers=())
    yield judge(spec, "PATCH", "/appointments/abc", {})
    yield judge(spec, "PATCH", APPOINTMENT, {"appointment_time": "2020-01-01T00:00:00Z"})
    yield judge(spec, "DELETE", APPOINTMENT)
    yield judge(spec, "GET", "/moves")
    yield judge(spec, "PATCH", APPOINTMENT, {"driver_notes": "x" * MAX_BODY})
    yield judge(spec, "PATCH", APPOINTMENT, b"{}", headers=(("authorization", "Bearer t"),))


def test_strict_problem_validates_against_the_spec(spec: Spec) -> None:
    statuses = []
    for verdict in _refused(spec):
        status, _, raw = problem(spec, verdict, APPOINTMENT)
        statuses.append(status)
        document = json.loads(raw)
        # The request's operation documents the status; for a path or method the spec lacks,
        # any operation documenting it.
        operation = verdict.operation or next(
            op for op in spec.operations.values() if str(status) in op.responses
        )
        spec.response_validator(operation.operation_id, status).validate(document)
        assert document["status"] == status == (verdict.refusal or 400)
    assert sorted(set(statuses)) == [400, 401, 404, 405, 413, 415]


def test_strict_problem_lists_each_broken_member_of_the_body(spec: Spec) -> None:
    body = {**seed_example(spec, "createAppointment"), "colour": "red"}
    del body["customer_id"]
    _, _, raw = problem(spec, judge(spec, "POST", "/appointments", body), "/appointments")
    pointers = [error["pointer"] for error in json.loads(raw)["errors"]]
    assert sorted(pointers) == ["/colour", "/customer_id"]


def test_strict_problem_lists_no_member_for_a_refusal_outside_the_body(spec: Spec) -> None:
    status, _, raw = problem(
        spec, judge(spec, "PATCH", "/appointments/abc", {}), "/appointments/abc"
    )
    assert status == 400
    assert "errors" not in json.loads(raw)
