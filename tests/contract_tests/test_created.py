"""contract_tests/created.py: the ids a server hands out, found through the spec's examples."""

from __future__ import annotations

import pytest

from contract_tests.created import MOVES, handed_out
from contract_tests.examples import seed_example
from spec import Spec


def test_a_created_appointment_is_named_by_its_id(spec: Spec) -> None:
    body = seed_example(spec, "createAppointment", "201")
    assert handed_out(spec, "POST", "/appointments", 201, body) == {"appointments": [88001234]}


@pytest.mark.parametrize(
    ("operation", "path", "legs"),
    [
        ("createRoundTripMove", "/round-trip-moves", ("move_one", "move_two")),
        ("createConciergeLoanerMove", "/concierge-loaner-moves", ("customer_move", "loaner_move")),
    ],
)
def test_created_moves_are_named_by_their_move_ids(
    spec: Spec, operation: str, path: str, legs: tuple[str, str]
) -> None:
    body = seed_example(spec, operation, "200")
    found = handed_out(spec, "POST", path, 200, body)
    assert set(found) == {MOVES}
    assert sorted(found[MOVES]) == sorted(body[leg]["move_id"] for leg in legs)


def test_an_appointment_with_a_move_names_the_move(spec: Spec) -> None:
    body = seed_example(spec, "replaceAppointment", "200")
    assert handed_out(spec, "PUT", "/appointments/88001234", 200, body) == {}
    body["move_id"] = 10038
    assert handed_out(spec, "PUT", "/appointments/88001234", 200, body) == {MOVES: [10038]}
    assert handed_out(spec, "PATCH", "/appointments/88001234", 200, {"move_id": 7}) == {MOVES: [7]}


def test_a_refusal_hands_out_nothing(spec: Spec) -> None:
    body = {"id": 88001234, "move_id": 10038, "status": 409}
    assert handed_out(spec, "POST", "/appointments", 409, body) == {}
    assert handed_out(spec, "POST", "/appointments", 400, {"status": 400}) == {}


def test_a_path_no_operation_has_hands_out_nothing(spec: Spec) -> None:
    assert handed_out(spec, "POST", "/dealers", 201, {"id": 5, "move_id": 6}) == {}
    assert handed_out(spec, "GET", "/appointments", 200, {"id": 5, "move_id": 6}) == {}


def test_a_path_without_its_leading_slash_is_the_same_path(spec: Spec) -> None:
    assert handed_out(spec, "POST", "appointments", 201, {"id": 5}) == {"appointments": [5]}


def test_booleans_are_not_ids(spec: Spec) -> None:
    assert handed_out(spec, "POST", "/appointments", 201, {"id": True}) == {}
    assert handed_out(spec, "POST", "/appointments", 201, {"id": 5, "move_id": False}) == {
        "appointments": [5]
    }
