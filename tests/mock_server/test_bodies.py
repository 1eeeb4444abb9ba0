"""Strict JSON and the body limits: every malformed body is a 4xx problem, nothing stored."""

from __future__ import annotations

import json

import httpx
import pytest

from mock_server.bodies import MAX_BODY_BYTES, check, parse_json
from mock_server.problems import Problem
from spec import Spec
from tests.seeds import seed

CREATE = seed("000_createAppointment.request")


@pytest.mark.parametrize(
    "raw",
    [
        b'{"a": NaN}',
        b'{"a": Infinity}',
        b'{"a": 1e400}',
        b'{"a": 1, "a": 2}',
        b'{"a": "\xff"}',
        b'{"a": ["\\udc00"]}',
        b'{"\\ud800x": 1}',
        b"[" * 100_000 + b"]" * 100_000,
        b'{"a": ' + b"9" * 5000 + b"}",
        b"",
    ],
    ids=[
        "NaN",
        "Infinity",
        "overflowing float",
        "duplicate key",
        "invalid UTF-8",
        "unpaired low surrogate",
        "unpaired high surrogate in a key",
        "deep nesting",
        "5000 digits",
        "empty",
    ],
)
def test_malformed_json_is_a_400_problem(raw: bytes) -> None:
    with pytest.raises(Problem) as caught:
        parse_json(raw)
    assert caught.value.status == 400


def test_a_byte_order_mark_is_a_400_problem_that_names_it() -> None:
    with pytest.raises(Problem) as caught:
        parse_json(b'\xef\xbb\xbf{"a": 1}')
    assert caught.value.status == 400
    assert "byte order mark" in caught.value.detail


def test_unpaired_surrogate_deep_inside_a_body_is_a_400_problem() -> None:
    with pytest.raises(Problem) as caught:
        parse_json(b"[" * 900 + b'"\\ud800"' + b"]" * 900)
    assert caught.value.status == 400


def test_escaped_surrogate_pairs_are_characters() -> None:
    assert parse_json(b'{"a": "\\ud83d\\ude97", "b": "\\\\ud800"}') == {
        "a": "\U0001f697",
        "b": "\\ud800",
    }


def test_integral_floats_are_integers() -> None:
    assert parse_json(b'{"id": 1234.0, "lat": 37.5}') == {"id": 1234, "lat": 37.5}


def test_check_lists_what_jsonschema_finds_when_both_validators_refuse(spec: Spec) -> None:
    pointer = spec.request_pointer("createAppointment")
    body = {**CREATE, "customer_id": "1234", "unknown": 1}
    with pytest.raises(Problem) as caught:
        check(spec.compiled_validator(pointer), spec.validator(pointer), body)
    assert [e["pointer"] for e in caught.value.errors] == ["/customer_id", "/unknown"]


def test_check_accepts_a_body_only_the_compiled_validator_refuses(spec: Spec) -> None:
    # ECMA regexes (jsonschema-rs) refuse "23220\n" for ^[0-9]{5}$; Python's `$` matches before
    # the newline. jsonschema, the suite's validator, has the last word.
    pointer = spec.request_pointer("createConciergeLoanerMove")
    body = seed("003_createConciergeLoanerMove.request")
    body["loaner_move"]["pickup_location"]["zip"] = "23220\n"
    assert not spec.compiled_validator(pointer).is_valid(body)
    assert spec.validator(pointer).is_valid(body)
    check(spec.compiled_validator(pointer), spec.validator(pointer), body)


def test_body_of_exactly_the_limit_is_read_and_one_byte_more_is_413(api: httpx.Client) -> None:
    prefix = {**CREATE, "config": {"pad": ""}}
    room = MAX_BODY_BYTES - len(json.dumps(prefix).encode())
    body = json.dumps({**CREATE, "config": {"pad": "x" * room}}).encode()
    assert len(body) == MAX_BODY_BYTES
    headers = {"Content-Type": "application/json"}
    assert api.post("/appointments", content=body, headers=headers).status_code == 201
    over = api.post("/appointments", content=body[:-1] + b" }", headers=headers)
    assert over.status_code == 413
    assert over.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(
    "content_type", [None, "text/plain", "application/xml", "application/json-patch+json"]
)
def test_body_not_sent_as_json_is_415(api: httpx.Client, content_type: str | None) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    response = api.post("/appointments", content=json.dumps(CREATE).encode(), headers=headers)
    assert response.status_code == 415
    assert response.headers["content-type"] == "application/problem+json"


def test_json_with_a_charset_parameter_is_accepted(api: httpx.Client) -> None:
    headers = {"Content-Type": "application/json; charset=utf-8"}
    assert (
        api.post("/appointments", content=json.dumps(CREATE).encode(), headers=headers).status_code
        == 201
    )
