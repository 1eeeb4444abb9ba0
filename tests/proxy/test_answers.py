"""proxy/answers.py: an answer held to the spec, a violation there the server's."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from contract_tests.examples import seed_example
from proxy.answers import judge_answer
from proxy.exchange import Exchange, Headers
from proxy.requests import RequestVerdict
from proxy.violations import Violation
from spec import Spec
from tests.proxy.test_requests import APPOINTMENT, HEADERS, NOW, judge

JSON = "application/json"
PROBLEM = "application/problem+json"


def exchange(
    verdict: RequestVerdict,
    status: int,
    body: Any = None,
    *,
    media: str | None = JSON,
    headers: Headers = (),
    forwarded: bool = True,
) -> Exchange:
    """The exchange of a judged request and an answer, `body` sent as JSON unless it is bytes."""
    raw = body if isinstance(body, bytes) else b"" if body is None else json.dumps(body).encode()
    typed = () if media is None else (("content-type", media),)
    operation = verdict.operation
    return Exchange(
        number=1,
        started=NOW,
        method="POST" if operation is None else operation.method,
        path="/v1/anything",
        query="",
        route=None,
        request_headers=HEADERS,
        request_body=b"" if verdict.body is None else json.dumps(verdict.body).encode(),
        status=status,
        response_headers=typed + headers,
        response_body=raw,
        elapsed=0.01,
        url="http://upstream.test/v1/anything",
        forwarded=forwarded,
    )


def answered(spec: Spec, verdict: RequestVerdict, status: int, body: Any = None, **kw: Any) -> Any:
    """The server's violations in that answer, each as its decision and member."""
    found = judge_answer(spec, verdict, exchange(verdict, status, body, **kw))
    assert {v.side for v in found} <= {"server"}
    return [(v.decision, v.member) for v in found]


def violations(spec: Spec, verdict: RequestVerdict, status: int, body: Any) -> list[Violation]:
    """The server's violations in an answer of JSON."""
    return judge_answer(spec, verdict, exchange(verdict, status, body))


def a_problem(status: int) -> dict[str, Any]:
    """A valid problem document (RFC 9457) with the status."""
    return {"type": "about:blank", "title": "Refused", "status": status, "detail": "No."}


def _success_examples(spec: Spec) -> Iterator[tuple[str, str, Any]]:
    for operation in spec.public_operations:
        for status, response in operation.responses.items():
            if response.schema is None or not status.startswith("2"):
                continue
            media = spec.schema(response.schema.removesuffix("/schema"))
            for example in media.get("examples", {}).values():
                yield operation.operation_id, status, example["value"]


def _request(spec: Spec, operation_id: str) -> RequestVerdict:
    """The verdict on the operation's first request example: a valid request."""
    operation = spec.operations[operation_id]
    assert operation.request_schema is not None
    media = spec.schema(operation.request_schema.removesuffix("/schema"))
    body = next(iter(media["examples"].values()))["value"]
    route = operation.path.replace("{id}", "12")
    return judge(spec, operation.method, route, body)


def test_every_success_example_of_the_spec_has_no_violation(spec: Spec) -> None:
    examples = list(_success_examples(spec))
    assert len(examples) >= 5
    for operation_id, status, body in examples:
        assert answered(spec, _request(spec, operation_id), int(status), body) == [], operation_id


def test_the_spec_s_400_example_answers_a_body_without_the_member_it_names(spec: Spec) -> None:
    media = spec.schema("/components/responses/BadRequest/content")[PROBLEM]
    body = media["examples"]["missing_field"]["value"]
    example = seed_example(spec, "createAppointment")
    del example[body["errors"][0]["pointer"].removeprefix("/")]
    verdict = judge(spec, "POST", "/appointments", example)
    assert answered(spec, verdict, 400, body, media=PROBLEM) == []


@pytest.mark.parametrize("operation_id", ["createConciergeLoanerMove", "createRoundTripMove"])
def test_moves_answered_201_is_a_server_violation_naming_d16(spec: Spec, operation_id: str) -> None:
    verdict = _request(spec, operation_id)
    body = seed_example(spec, operation_id, "200")
    assert answered(spec, verdict, 201, body) == [("D16", None)]


def test_undocumented_error_status_is_a_server_violation_naming_d3(spec: Spec) -> None:
    verdict = _request(spec, "createConciergeLoanerMove")
    assert answered(spec, verdict, 500, a_problem(500), media=PROBLEM) == [("D3", None)]


def test_problem_answered_as_plain_json_is_a_server_violation_naming_d3(spec: Spec) -> None:
    verdict = judge(spec, "PATCH", APPOINTMENT, {})
    assert answered(spec, verdict, 409, a_problem(409)) == [("D3", "Content-Type")]


def test_401_without_www_authenticate_names_d2(spec: Spec) -> None:
    verdict = judge(spec, "PATCH", APPOINTMENT, {}, headers=())
    found = answered(spec, verdict, 401, a_problem(401), media=PROBLEM)
    assert found == [("D2", "WWW-Authenticate")]


def test_401_with_another_scheme_than_bearer_names_d2(spec: Spec) -> None:
    verdict = judge(spec, "PATCH", APPOINTMENT, {})
    challenge = (("www-authenticate", "Basic realm=x"),)
    found = answered(spec, verdict, 401, a_problem(401), media=PROBLEM, headers=challenge)
    assert found == [("D2", "WWW-Authenticate")]


def test_405_without_allow_names_d3(spec: Spec) -> None:
    verdict = judge(spec, "PATCH", APPOINTMENT, {}, headers=())
    assert answered(spec, verdict, 405, a_problem(405), media=PROBLEM) == [("D3", "Allow")]


@pytest.mark.parametrize(
    ("retry_after", "found"),
    [("30", []), (None, [("D24", "Retry-After")]), ("soon", [("D24", "Retry-After")])],
)
def test_429_is_always_allowed_with_retry_after_in_seconds(
    spec: Spec, retry_after: str | None, found: list[tuple[str, str]]
) -> None:
    verdict = judge(spec, "PATCH", APPOINTMENT, {})
    headers = () if retry_after is None else (("retry-after", retry_after),)
    assert answered(spec, verdict, 429, a_problem(429), media=PROBLEM, headers=headers) == found


def test_2xx_to_a_schema_invalid_body_is_a_server_violation(spec: Spec) -> None:
    body = {**seed_example(spec, "createAppointment"), "colour": "red"}
    verdict = judge(spec, "POST", "/appointments", body)
    (violation,) = violations(spec, verdict, 201, {"id": 7, "status": "new"})
    # D4 closes the body; D3 has the server refuse what breaks it.
    assert (violation.decision, violation.sources) == ("D4", ("D4", "D3"))
    assert violation.message.startswith("answered 201 to a request the contract refuses with 400")
    assert "(D4: Additional properties are not allowed" in violation.message


def test_another_4xx_to_a_refused_request_is_accepted(spec: Spec) -> None:
    body = {**seed_example(spec, "createAppointment"), "colour": "red"}
    verdict = judge(spec, "POST", "/appointments", body, headers=())
    assert verdict.refusal == 401
    assert answered(spec, verdict, 400, a_problem(400), media=PROBLEM) == []
    # A bad path id may be answered 404 (D5), and 404 is documented there.
    verdict = judge(spec, "PATCH", "/appointments/abc", {})
    assert answered(spec, verdict, 404, a_problem(404), media=PROBLEM) == []


def test_creation_answered_with_another_status_than_new_names_d6(spec: Spec) -> None:
    verdict = _request(spec, "createAppointment")
    assert answered(spec, verdict, 201, {"id": 7, "status": "pending"}) == [("D6", "/status")]


def test_appointment_answered_without_a_documented_member_names_d4(spec: Spec) -> None:
    verdict = judge(spec, "PATCH", APPOINTMENT, {})
    body = seed_example(spec, "replaceAppointment", "200")
    del body["updatedat"]
    assert answered(spec, verdict, 200, body) == [("D4", "/updatedat")]


def test_answer_body_that_is_not_json_is_a_server_violation(spec: Spec) -> None:
    verdict = _request(spec, "createAppointment")
    assert answered(spec, verdict, 201, b"<html>") == [("D6", None)]


def test_400_to_a_valid_request_is_a_server_violation_naming_d3(spec: Spec) -> None:
    verdict = _request(spec, "createAppointment")
    assert answered(spec, verdict, 400, a_problem(400), media=PROBLEM) == [("D3", None)]


def test_400_naming_a_member_an_open_question_governs_is_accepted(spec: Spec) -> None:
    verdict = _request(spec, "createRoundTripMove")
    refusal = {**a_problem(400), "errors": [{"pointer": "/third_party_payer", "message": "no"}]}
    assert answered(spec, verdict, 400, refusal, media=PROBLEM) == []


@pytest.mark.parametrize("status", [405, 413, 415])
def test_refusal_the_request_alone_would_earn_is_a_server_violation_when_it_did_not(
    spec: Spec, status: int
) -> None:
    verdict = judge(spec, "PATCH", APPOINTMENT, {})
    headers = (("allow", "PUT, PATCH"),)
    found = answered(spec, verdict, status, a_problem(status), media=PROBLEM, headers=headers)
    assert found == [("D3", None)]


def test_answer_the_proxy_gave_itself_is_not_judged(spec: Spec) -> None:
    verdict = _request(spec, "createAppointment")
    # No upstream answer: the proxy's own 502 is no server's.
    assert answered(spec, verdict, 502, media=None, forwarded=False) == []
    assert answered(spec, verdict, 502, media=None) == [("D3", None)]


def test_answer_to_a_request_matching_no_operation_is_not_judged(spec: Spec) -> None:
    verdict = judge(spec, "GET", "/moves")
    assert answered(spec, verdict, 200, b"anything", media="text/html") == []
