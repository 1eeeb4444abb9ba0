"""Answers chosen with Prefer (as in Prism): every documented status, example and dynamic
answer valid, nothing run or stored, and every refusal naming what there is."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import httpx
import pytest

from mock_server.app import create_app
from mock_server.chosen import ChosenAnswers, UnanswerableResponse
from mock_server.store import Store
from spec import Spec, load
from spec.pointer import escape
from spec.schemas import local_ref
from testbeds import LiveServer
from tests.mock_server.test_appointments import COMPLETE, create, record
from tests.seeds import seed

SPEC = load()
CASES = [(op.operation_id, status) for op in SPEC.operations.values() for status in op.responses]
DYNAMIC_DRAWS = 4
# Where createAppointment's 201 documents its body, as keys into the document.
CREATED_CONTENT = ("paths", "/appointments", "post", "responses", "201", "content")


def _followed(pointer: str) -> tuple[Any, str]:
    node = SPEC.schema(pointer)
    while (target := local_ref(node)) is not None:
        node, pointer = SPEC.schema(target), target
    return node, pointer


def _documented(operation_id: str, status: str) -> tuple[Any, str]:
    """The response object the spec documents, and where it is."""
    op = SPEC.operations[operation_id]
    return _followed(f"/paths/{escape(op.path)}/{op.method.lower()}/responses/{status}")


def _examples(operation_id: str, status: str) -> dict[str, Any]:
    node, _ = _documented(operation_id, status)
    media = node["content"][SPEC.operations[operation_id].responses[status].media_type]
    return {name: example["value"] for name, example in media.get("examples", {}).items()}


EXAMPLES = [(op, status, name) for op, status in CASES for name in _examples(op, status)]


def _choose(
    client: httpx.Client,
    operation_id: str,
    prefer: str,
    headers: dict[str, str] | None = None,
    content: bytes | None = None,
) -> httpx.Response:
    """`operation_id` called for appointment 1 with `Prefer: prefer`, and nothing else asked."""
    op = SPEC.operations[operation_id]
    sent = {"Prefer": prefer, **(headers or {})}
    return client.request(op.method, op.path.replace("{id}", "1"), headers=sent, content=content)


def _assert_answers(response: httpx.Response, operation_id: str, status: str) -> None:
    """The response is the documented one: status, media type, body and required headers."""
    documented = SPEC.operations[operation_id].responses[status]
    assert response.status_code == int(status), response.text
    assert response.headers["content-type"] == documented.media_type
    errors = list(SPEC.response_validator(operation_id, status).iter_errors(response.json()))
    assert not errors, [error.message for error in errors]
    node, at = _documented(operation_id, status)
    for name in node.get("headers", {}):
        header, where = _followed(f"{at}/headers/{escape(name)}")
        if header.get("required"):
            text = response.headers[name]
            value = int(text) if header["schema"].get("type") == "integer" else text
            assert SPEC.validator(f"{where}/schema").is_valid(value), (name, text)


def _ids(cases: Sequence[tuple[str, ...]]) -> list[str]:
    return [" ".join(case) for case in cases]


@pytest.mark.parametrize(("operation_id", "status"), CASES, ids=_ids(CASES))
def test_every_documented_status_is_answered_as_documented(
    api: httpx.Client, operation_id: str, status: str
) -> None:
    response = _choose(api, operation_id, f"code={status}")
    _assert_answers(response, operation_id, status)
    assert response.headers["preference-applied"] == f"code={status}"
    examples = _examples(operation_id, status)
    if examples:
        assert response.json() == next(iter(examples.values()))


@pytest.mark.parametrize(("operation_id", "status"), CASES, ids=_ids(CASES))
def test_every_documented_status_is_answered_dynamically_as_documented(
    api: httpx.Client, operation_id: str, status: str
) -> None:
    for _ in range(DYNAMIC_DRAWS):
        response = _choose(api, operation_id, f"code={status}, dynamic=true")
        _assert_answers(response, operation_id, status)
        assert response.headers["preference-applied"] == f"code={status}, dynamic=true"


@pytest.mark.parametrize(("operation_id", "status", "name"), EXAMPLES, ids=_ids(EXAMPLES))
def test_every_named_example_is_answered_as_written(
    api: httpx.Client, operation_id: str, status: str, name: str
) -> None:
    response = _choose(api, operation_id, f"code={status}, example={name}")
    _assert_answers(response, operation_id, status)
    assert response.json() == _examples(operation_id, status)[name]
    assert response.headers["preference-applied"] == f"code={status}, example={name}"


def test_dynamic_answers_differ_from_one_request_to_the_next(api: httpx.Client) -> None:
    bodies = {_choose(api, "updateAppointment", "dynamic=true").text for _ in range(10)}
    assert len(bodies) > 1


def test_without_code_the_answer_is_the_success_one(api: httpx.Client) -> None:
    response = _choose(api, "createAppointment", "dynamic=true")
    _assert_answers(response, "createAppointment", "201")
    assert response.headers["preference-applied"] == "dynamic=true"


def test_without_code_an_example_is_looked_for_in_every_response_success_first(
    api: httpx.Client,
) -> None:
    found = _choose(api, "createAppointment", "example=missing_field")
    assert found.status_code == 400
    assert found.json() == _examples("createAppointment", "400")["missing_field"]
    assert _choose(api, "createAppointment", "example=seed").status_code == 201


def test_an_example_outranks_dynamic(api: httpx.Client) -> None:
    response = _choose(api, "createAppointment", "dynamic=true, example=seed")
    assert response.json() == _examples("createAppointment", "201")["seed"]
    assert response.headers["preference-applied"] == "example=seed"


def test_a_drawn_problem_reads_as_one(api: httpx.Client) -> None:
    response = _choose(api, "updateAppointment", "code=409")
    assert response.json() == {
        "type": "about:blank",
        "title": "Conflict",
        "status": 409,
        "detail": "The answer chosen by Prefer: code=409.",
    }


def test_a_drawn_problem_keeps_what_its_schema_requires(api: httpx.Client) -> None:
    body = _choose(api, "createRoundTripMove", "code=409").json()
    assert body["status"] == 409
    assert body["conflicting_move_ids"]


@pytest.mark.parametrize(
    ("path", "allow"), [("/appointments", "POST"), ("/appointments/{id}", "PATCH, PUT")]
)
def test_a_chosen_405_allows_the_methods_the_path_offers(
    api: httpx.Client, path: str, allow: str
) -> None:
    operation = next(op for op in SPEC.operations.values() if op.path == path)
    response = _choose(api, operation.operation_id, "code=405, dynamic=true")
    assert response.headers["allow"] == allow


def test_a_chosen_401_challenges_as_the_mock_does(api: httpx.Client) -> None:
    assert _choose(api, "createAppointment", "code=401").headers["www-authenticate"] == (
        'Bearer realm="hopdrive"'
    )


@pytest.mark.parametrize(
    ("prefer", "applied"),
    [
        ("code=429, dynamic=true", "code=429, dynamic=true"),
        ("CODE=409; foo=bar", "code=409"),
        ('example="after_pickup_address"', "example=after_pickup_address"),
        ("dynamic", "dynamic=true"),
        ("dynamic=FALSE", "dynamic=false"),
        ("code=409, code=404", "code=409"),
        ("return=minimal, code=409, respond-async", "code=409"),
    ],
)
def test_preference_applied_names_the_preferences_honoured(
    api: httpx.Client, prefer: str, applied: str
) -> None:
    assert _choose(api, "updateAppointment", prefer).headers["preference-applied"] == applied


def test_prefer_lines_are_read_together(api: httpx.Client) -> None:
    response = api.patch(
        "/appointments/1", headers=[("Prefer", "code=429"), ("Prefer", "dynamic=true")]
    )
    assert response.status_code == 429
    assert response.headers["preference-applied"] == "code=429, dynamic=true"


def test_the_body_is_not_read(api: httpx.Client) -> None:
    response = _choose(
        api, "createAppointment", "code=201", content=b"{", headers={"Content-Type": "text/plain"}
    )
    assert response.status_code == 201


def test_a_chosen_post_stores_nothing(api: httpx.Client) -> None:
    before = create(api)
    chosen = api.post(
        "/appointments", json=seed("000_createAppointment.request"), headers={"Prefer": "code=201"}
    )
    assert chosen.json() == _examples("createAppointment", "201")["seed"]
    assert create(api) == before + 1


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("PUT", "/appointments/{id}", COMPLETE),
        ("PATCH", "/appointments/{id}", {"consumer_name": "Someone Else"}),
        ("POST", "/_test/appointments/{id}/status", {"status": "canceled"}),
    ],
)
def test_a_chosen_success_changes_no_record(
    api: httpx.Client, method: str, path: str, body: dict[str, Any]
) -> None:
    appointment_id = create(api)
    before = record(api, appointment_id)
    response = api.request(
        method, path.format(id=appointment_id), json=body, headers={"Prefer": "code=200"}
    )
    assert response.status_code == 200
    assert record(api, appointment_id) == before


def test_an_undocumented_code_is_400_naming_the_documented_ones(api: httpx.Client) -> None:
    response = _choose(api, "createAppointment", "code=409")
    assert response.status_code == 400
    assert response.json()["detail"] == (
        "Prefer: code=409 names no status createAppointment documents: "
        "201, 400, 401, 403, 405, 413, 415, 429."
    )


@pytest.mark.parametrize(
    ("prefer", "detail"),
    [
        (
            "example=nope",
            "Prefer: example=nope names no example of createAppointment; "
            "it has seed (201), missing_field (400).",
        ),
        (
            "code=201, example=missing_field",
            "Prefer: example=missing_field names no example of the 201 answer of "
            "createAppointment; it has seed.",
        ),
        (
            "code=403, example=seed",
            "Prefer: example=seed names no example of the 403 answer of createAppointment; "
            "it has none.",
        ),
    ],
)
def test_an_unknown_example_is_400_naming_the_examples_there_are(
    api: httpx.Client, prefer: str, detail: str
) -> None:
    response = _choose(api, "createAppointment", prefer)
    assert response.status_code == 400
    assert response.json()["detail"] == detail


@pytest.mark.parametrize(
    ("prefer", "detail"),
    [
        ("code=abc", "Prefer: code=abc names no status"),
        ("code", "Prefer: code names no status"),
        ("code=2010", "Prefer: code=2010 names no status"),
        ("dynamic=maybe", "Prefer: dynamic=maybe is neither true nor false."),
        ("example=seed, dynamic=maybe", "Prefer: dynamic=maybe is neither true nor false."),
        ("example", "Prefer: example names no example"),
    ],
)
def test_a_malformed_preference_is_400_naming_what_is_accepted(
    api: httpx.Client, prefer: str, detail: str
) -> None:
    response = _choose(api, "createAppointment", prefer)
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"].startswith(detail)


@pytest.mark.parametrize("authorization", [None, "Bearer nobody-knows-me", "Basic ZGV2OnRva2Vu"])
@pytest.mark.parametrize(
    ("operation_id", "status"), [("createAppointment", "201"), ("updateAppointment", "401")]
)
def test_no_valid_token_is_401_whatever_is_preferred(
    anonymous: httpx.Client, authorization: str | None, operation_id: str, status: str
) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    response = _choose(anonymous, operation_id, f"code={status}", headers=headers)
    assert response.status_code == 401
    assert "preference-applied" not in response.headers


def test_a_malformed_path_id_is_400_whatever_is_preferred(api: httpx.Client) -> None:
    response = api.patch("/appointments/abc", headers={"Prefer": "code=200"})
    assert response.status_code == 400
    assert response.json()["type"].endswith("/invalid-id")


@pytest.mark.parametrize("prefer", [None, "return=minimal, respond-async", "wait=5"])
def test_without_a_choice_the_mock_answers_as_ever(api: httpx.Client, prefer: str | None) -> None:
    headers = {"Prefer": prefer} if prefer else {}
    response = api.post(
        "/appointments", json=seed("000_createAppointment.request"), headers=headers
    )
    assert response.status_code == 201
    assert "preference-applied" not in response.headers
    assert api.post("/appointments", json={}, headers=headers).status_code == 400


@pytest.fixture
def public_only() -> Iterator[httpx.Client]:
    """A live mock without the test-control operation; its client holds dev-token-a."""
    with LiveServer(create_app(store=Store(":memory:"), test_control=False)) as live:
        headers = {"Authorization": "Bearer dev-token-a"}
        with httpx.Client(base_url=live.url, headers=headers, timeout=10) as client:
            yield client


def test_an_operation_not_served_has_no_chosen_answer(public_only: httpx.Client) -> None:
    response = public_only.post("/_test/appointments/1/status", headers={"Prefer": "code=200"})
    assert response.status_code == 404
    assert _choose(public_only, "updateAppointment", "code=200").status_code == 200


def test_only_the_operations_given_get_answers(spec: Spec) -> None:
    answers = ChosenAnswers.from_spec(spec, spec.public_operations).answers
    assert set(answers) == {op.operation_id for op in spec.public_operations}


def _answer(spec: Spec, operation_id: str, prefer: str) -> tuple[int, Any]:
    answer = ChosenAnswers.from_spec(spec, spec.operations.values()).answer(operation_id, [prefer])
    assert answer is not None
    return answer.status_code, json.loads(bytes(answer.body))


def _at(document: dict[str, Any], *keys: str) -> dict[str, Any]:
    """The object `keys` lead to in `document`, to edit."""
    node: dict[str, Any] = document
    for name in keys:
        node = node[name]
    return node


def test_an_example_beside_the_media_type_is_the_first(
    document: dict[str, Any], write_spec: Any
) -> None:
    problem = {"type": "about:blank", "title": "Forbidden", "status": 403, "detail": "No."}
    forbidden = _at(document, "components", "responses", "Forbidden", "content")
    forbidden["application/problem+json"]["example"] = problem
    assert _answer(load(write_spec(document)), "createAppointment", "code=403") == (403, problem)


def test_an_example_of_the_schema_is_the_first_when_the_media_type_has_none(
    document: dict[str, Any], write_spec: Any
) -> None:
    created = {"id": 7, "status": "new"}
    document["components"]["schemas"]["AppointmentCreated"]["examples"] = [created]
    content = _at(document, *CREATED_CONTENT)
    del content["application/json"]["examples"]
    assert _answer(load(write_spec(document)), "createAppointment", "code=201") == (201, created)


@pytest.mark.parametrize(
    ("where", "member", "value", "reason"),
    [
        ((*CREATED_CONTENT, "application/json", "examples", "seed", "value"), "id", 0, "seed"),
        (("components", "headers", "Retry-After"), "schema", {"format": "email"}, "'email'"),
        (("components", "headers", "Allow", "schema"), "pattern", "^GET", "header Allow: POST"),
    ],
)
def test_a_response_no_valid_answer_is_given_for_stops_the_start_in_one_line(
    document: dict[str, Any],
    write_spec: Any,
    where: tuple[str, ...],
    member: str,
    value: Any,
    reason: str,
) -> None:
    _at(document, *where)[member] = value
    path: Path = write_spec(document)
    with pytest.raises(UnanswerableResponse) as refused:
        create_app(store=Store(":memory:"), spec=load(path))
    message = str(refused.value)
    assert message.startswith(f"{path}: the mock cannot answer createAppointment ")
    assert reason in message
    assert "\n" not in message
