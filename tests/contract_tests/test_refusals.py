"""contract_tests/refusals.py: the 400s the contract allows for schema-valid requests."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from contract_tests.refusals import allowed_refusal, error_pointers, refusal_reasons
from spec import Spec

NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)
PAST = "2026-11-30T12:00:00Z"
FUTURE = "2027-01-10T09:00:00-05:00"


@pytest.mark.parametrize(
    ("operation", "body", "pointer", "reason"),
    [
        ("updateAppointment", {"appointment_time": PAST}, "/appointment_time", "D9"),
        ("replaceAppointment", {"appointment_time": PAST}, "/appointment_time", "D9"),
        ("createAppointment", {"appointment_time": PAST}, "/appointment_time", None),
        ("updateAppointment", {"appointment_time": FUTURE}, "/appointment_time", None),
        (
            "createAppointment",
            {"appointment_time": "0001-01-01T00:30:00+01:00"},
            "/appointment_time",
            "D23",
        ),
        (
            "createRoundTripMove",
            {"ready_by_time_utc": "2022-02-30 10:00:00"},
            "/ready_by_time_utc",
            "D23",
        ),
        ("createRoundTripMove", {"ready_by_time_utc": PAST}, "/ready_by_time_utc", None),
        (
            "createRoundTripMove",
            {"move_one": {"dealer_contact": None}},
            "/move_one/dealer_contact",
            "Q2",
        ),
        ("createRoundTripMove", {"duplicate_check": None}, "/duplicate_check", "Q2"),
        ("createAppointment", {"consumer_name": None}, "/consumer_name", None),
        ("createAppointment", {"consumer_name": "not a time"}, "/consumer_name", None),
        ("createAppointment", {"vehicle_year": 0}, "/vehicle_year", None),
        ("createAppointment", {}, "/appointment_time", None),
        ("createAppointment", {"appointment_time": PAST}, "", None),
        ("createRoundTripMove", {"third_party_payer": 9}, "/third_party_payer", "Q12"),
        ("createRoundTripMove", {}, "/third_party_payer", "Q12"),
        ("createRoundTripMove", {"move_two": {"sla_id": 1}}, "/move_two/sla_id", "Q12"),
        ("createRoundTripMove", {"rooftop": 42}, "/rooftop", None),
    ],
    ids=[
        "PATCH into the past",
        "PUT into the past",
        "POST into the past is accepted",
        "PATCH into the future",
        "an instant before year 1 in UTC",
        "a date that does not exist",
        "a past move is no update",
        "a null only Q2 admits",
        "a null duplicate_check",
        "a null D8 admits",
        "text that is no time",
        "a year D22 admits",
        "a member not sent",
        "the body as a whole",
        "a payer the account may not have",
        "a payer the account may require",
        "an SLA the account may not have",
        "a rooftop is D2's, never a 400",
    ],
)
def test_only_the_contracts_reasons_allow_a_400(
    spec: Spec, operation: str, body: Any, pointer: str, reason: str | None
) -> None:
    assert allowed_refusal(spec, operation, body, pointer, NOW) == reason


def _problem(*pointers: str) -> dict[str, Any]:
    return {"status": 400, "errors": [{"pointer": p, "message": "x"} for p in pointers]}


def test_a_400_is_allowed_only_when_every_member_it_names_is(spec: Spec) -> None:
    body = {"appointment_time": PAST, "consumer_name": "Jane"}
    path = "/appointments/{id}"
    one = _problem("/appointment_time")
    assert refusal_reasons(spec, "PATCH", path, body, one, NOW) == ["D9"]
    both = _problem("/appointment_time", "/consumer_name")
    assert refusal_reasons(spec, "PATCH", path, body, both, NOW) is None


def test_a_400_naming_no_member_has_the_reasons_of_the_body(spec: Spec) -> None:
    # D3 asks for errors[].pointer only when the body breaks the schema; a past time does not.
    path = "/appointments/{id}"
    bare = {"status": 400, "title": "Bad Request"}
    past = {"appointment_time": PAST, "consumer_name": "Jane"}
    assert refusal_reasons(spec, "PATCH", path, past, bare, NOW) == ["D9"]
    assert refusal_reasons(spec, "PATCH", path, {"consumer_name": "Jane"}, bare, NOW) is None
    assert refusal_reasons(spec, "PATCH", path, "not a body", bare, NOW) is None


def test_an_operation_the_spec_lacks_has_no_reasons(spec: Spec) -> None:
    problem = _problem("/appointment_time")
    assert refusal_reasons(spec, "GET", "/appointments", {}, problem, NOW) is None


def test_pointers_are_read_from_a_problem_document() -> None:
    problem = {"errors": [{"pointer": "/a", "message": "x"}, {"message": "no pointer"}]}
    assert error_pointers(problem) == ["/a"]
    assert error_pointers({"errors": "none"}) == []
    assert error_pointers(["not", "a", "problem"]) == []
