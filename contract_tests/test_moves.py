"""Concierge + loaner and round-trip moves: seed shapes, required members, times, duplicates."""

from __future__ import annotations

import copy
from datetime import datetime
from typing import Any

import pytest

from contract_tests import examples, move_answers
from contract_tests.exchanges import Api
from contract_tests.target import Target
from contract_tests.test_security import assert_problem
from spec import Spec
from spec.instants import instant

CONCIERGE = "createConciergeLoanerMove"
ROUND_TRIP = "createRoundTripMove"


def contract(operation: str, *decisions: str) -> pytest.MarkDecorator:
    return pytest.mark.contract(operation, check="moves", decisions=decisions)


def _edit(body: dict[str, Any], pointer: str, value: Any = ...) -> dict[str, Any]:
    """A copy of `body` with the member at `pointer` removed (no value) or set."""
    edited = copy.deepcopy(body)
    *parents, name = pointer.strip("/").split("/")
    holder = edited
    for part in parents:
        holder = holder[part]
    if value is ...:
        del holder[name]
    else:
        holder[name] = value
    return edited


def _pointers(response: Any) -> list[str]:
    return [error.get("pointer", "") for error in response.json().get("errors", [])]


def _instant(value: str) -> datetime:
    moment = instant(value, spaced_utc=True)
    assert moment is not None, f"D20: {value!r} is no timestamp"
    return moment


@contract(CONCIERGE, "D16", "D17")
def test_concierge_seed_example_answers_200_in_the_seed_shape(api: Api, spec: Spec) -> None:
    body = examples.concierge(spec)
    response = api.post("/concierge-loaner-moves", body)
    assert response.status_code == 200, f"D16: {response.status_code}"
    answer = response.json()
    errors = [e.message for e in spec.response_validator(CONCIERGE, 200).iter_errors(answer)]
    assert errors == [], f"D16: the answer breaks the seed shape: {errors[:3]}"
    for stamp in ("ready_by_time_utc", "appointment_time_utc"):
        _instant(answer[stamp])  # D20: each names an instant
    wrong = move_answers.concierge(body, answer)
    assert not wrong, "; ".join(finding.message for finding in wrong)


@contract(ROUND_TRIP, "D16", "D18")
def test_round_trip_seed_example_answers_200_in_the_seed_shape(
    api: Api, spec: Spec, target: Target
) -> None:
    body = examples.round_trip(spec, target)
    response = api.post("/round-trip-moves", body)
    assert response.status_code == 200, f"D16: {response.status_code}"
    answer = response.json()
    errors = [e.message for e in spec.response_validator(ROUND_TRIP, 200).iter_errors(answer)]
    assert errors == [], f"D16: the answer breaks the seed shape: {errors[:3]}"
    wrong = move_answers.round_trip(body, answer)
    assert not wrong, "; ".join(finding.message for finding in wrong)


@contract(CONCIERGE, "D17")
@pytest.mark.parametrize(
    "pointer",
    [
        "/appointment_time_utc",
        "/customer_name",
        "/customer_phone",
        "/customer_action",
        "/loaner_move",
        "/customer_move",
        "/customer_move/vehicle",
        "/customer_move/vehicle/make",
        "/customer_move/vehicle/manual",
        "/loaner_move/pickup_location/zip",
        "/customer_move/pickup_location/address_one",
    ],
)
def test_concierge_without_a_required_member_is_400_naming_it(
    api: Api, spec: Spec, pointer: str
) -> None:
    response = api.post("/concierge-loaner-moves", _edit(examples.concierge(spec), pointer))
    assert_problem(response, 400)
    parent = pointer.rsplit("/", 1)[0]
    assert any(p in (pointer, parent) for p in _pointers(response)), _pointers(response)


@contract(CONCIERGE, "D17")
@pytest.mark.parametrize(
    ("pointer", "value"),
    [
        ("/customer_action", "dropoff"),
        ("/loaner_move/pickup_location/zip", "2323"),
        ("/customer_move/pickup_location/zip", "232201"),
        ("/customer_move/vehicle/manual", "no"),
    ],
)
def test_concierge_with_a_wrong_value_is_400_naming_it(
    api: Api, spec: Spec, pointer: str, value: Any
) -> None:
    response = api.post("/concierge-loaner-moves", _edit(examples.concierge(spec), pointer, value))
    assert_problem(response, 400)
    assert pointer in _pointers(response), _pointers(response)


@contract(CONCIERGE, "D17")
def test_concierge_without_a_loaner_vehicle_is_accepted(api: Api, spec: Spec) -> None:
    response = api.post(
        "/concierge-loaner-moves", _edit(examples.concierge(spec), "/loaner_move/vehicle")
    )
    assert response.status_code == 200
    # 003's example answers false for a transmission nobody stated, D4 null where unknown (Q3).
    assert response.json()["loaner_move"]["vehicle"]["manual"] in (False, None)


@contract(ROUND_TRIP, "D18")
@pytest.mark.parametrize(
    "pointer",
    [
        "/ready_by_time_utc",
        "/move_one",
        "/move_two",
        "/move_one/vehicle/make",
        "/move_two/vehicle/manual",
    ],
)
def test_round_trip_without_a_required_member_is_400_naming_it(
    api: Api, spec: Spec, target: Target, pointer: str
) -> None:
    response = api.post("/round-trip-moves", _edit(examples.round_trip(spec, target), pointer))
    assert_problem(response, 400)
    parent = pointer.rsplit("/", 1)[0]
    assert any(p in (pointer, parent) for p in _pointers(response)), _pointers(response)


@contract(ROUND_TRIP, "D18")
@pytest.mark.parametrize(
    ("pointer", "value", "status"),
    [
        ("/move_two/pickup_location", {"full_address": "888 W Broad St, Richmond, VA 23220"}, 200),
        ("/move_two/pickup_location", {"name": "Lot 4", "city": "Richmond", "state": "VA"}, 400),
        ("/move_one/pickup_location/zip", ..., 200),
        ("/rooftop", ..., 200),
        ("/move_one/pickup_workflow_data", {"nested": {"too": "deep"}}, 400),
        ("/move_one/vehicle/trim", "LX", 400),
    ],
    ids=[
        "full_address alone",
        "no street",
        "no zip",
        "no rooftop",
        "nested workflow data",
        "unknown member",
    ],
)
def test_round_trip_location_rooftop_and_workflow_rules(
    api: Api, spec: Spec, target: Target, pointer: str, value: Any, status: int
) -> None:
    response = api.post(
        "/round-trip-moves", _edit(examples.round_trip(spec, target), pointer, value)
    )
    if status == 200:
        assert response.status_code == 200, f"D18: {pointer} -> {response.status_code}"
    else:
        assert_problem(response, status)


@contract(ROUND_TRIP, "D20")
@pytest.mark.parametrize(
    ("sent", "answered"),
    [
        ("2022-03-25 14:00:00", "2022-03-25T14:00:00Z"),
        ("2022-03-25T16:00:00+02:00", "2022-03-25T14:00:00Z"),
        ("2022-03-25T14:00:00Z", "2022-03-25T14:00:00Z"),
    ],
)
def test_utc_times_are_read_in_both_forms_and_answered_with_z(
    api: Api, spec: Spec, target: Target, sent: str, answered: str
) -> None:
    body = {**examples.round_trip(spec, target), "ready_by_time_utc": sent}
    response = api.post("/round-trip-moves", body)
    assert response.status_code == 200, f"D20: {sent!r} -> {response.status_code}"
    got = response.json()["ready_by_time_utc"]
    assert got.endswith("Z"), f"D20: answered {got!r}"
    assert _instant(got) == _instant(answered)


@contract(CONCIERGE, "D20")
def test_impossible_date_is_400_naming_it(api: Api, spec: Spec) -> None:
    body = {**examples.concierge(spec), "appointment_time_utc": "2022-02-30 10:00:00"}
    response = api.post("/concierge-loaner-moves", body)
    assert_problem(response, 400)
    assert "/appointment_time_utc" in _pointers(response)


@contract(ROUND_TRIP, "D19")
@pytest.mark.parametrize("field", ["vehicle_vin", "vehicle_stock", "reference_num"])
def test_duplicate_check_refuses_a_repeat_with_the_conflicting_ids(
    api: Api, spec: Spec, target: Target, field: str
) -> None:
    body = {**examples.round_trip(spec, target), "duplicate_check": field}
    first = api.post("/round-trip-moves", body)
    assert first.status_code == 200
    first_ids = {first.json()[leg]["move_id"] for leg in ("move_one", "move_two")}
    repeat = api.post("/round-trip-moves", body)
    problem = assert_problem(repeat, 409)
    assert set(problem.get("conflicting_move_ids", [])) == first_ids, "D19: wrong conflicting ids"
    # Left out, not null: a null optional move member is an open question (Q2).
    without = {name: value for name, value in body.items() if name != "duplicate_check"}
    unchecked = api.post("/round-trip-moves", without)
    assert unchecked.status_code == 200, "D19: without duplicate_check a repeat is allowed"
    third_ids = {unchecked.json()[leg]["move_id"] for leg in ("move_one", "move_two")}
    again = assert_problem(api.post("/round-trip-moves", body), 409)
    assert set(again["conflicting_move_ids"]) == first_ids | third_ids, (
        "D19: refused one created moves"
    )


@contract(ROUND_TRIP, "D19")
def test_duplicate_check_compares_only_its_own_field(api: Api, spec: Spec, target: Target) -> None:
    body = {**examples.round_trip(spec, target), "duplicate_check": "vehicle_stock"}
    assert api.post("/round-trip-moves", body).status_code == 200
    fresh_stock = copy.deepcopy(body)
    for leg in ("move_one", "move_two"):
        fresh_stock[leg]["vehicle"]["stock"] = examples.unique("STK")
    assert api.post("/round-trip-moves", fresh_stock).status_code == 200, (
        "D19: same VIN is no stock dup"
    )
