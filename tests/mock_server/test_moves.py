"""Moves through HTTP: D16-D20 pinned by name."""

from __future__ import annotations

import copy
import uuid
from typing import Any

import httpx
import pytest

from spec import Spec
from tests.seeds import seed

CONCIERGE = seed("003_createConciergeLoanerMove.request")
SERVER_MADE = {"move_id", "move_uri", "lane_uri", "pickup_location"}


def _round_trip(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = copy.deepcopy(seed("004_createRoundTripMove.request"))
    for leg in ("move_one", "move_two"):
        body[leg]["vehicle"]["vin"] = uuid.uuid4().hex[:17].upper()
    body.update(overrides)
    return body


def _concierge_with(pointer: str, value: Any) -> dict[str, Any]:
    """The seed's concierge body with the member at `pointer` set to `value`."""
    body: dict[str, Any] = copy.deepcopy(CONCIERGE)
    *parents, name = pointer.strip("/").split("/")
    holder = body
    for part in parents:
        holder = holder[part]
    holder[name] = value
    return body


def _without_server_made(leg: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in leg.items() if k not in SERVER_MADE}


def test_concierge_seed_answers_200_with_the_seed_shape_d16(api: httpx.Client, spec: Spec) -> None:
    response = api.post("/concierge-loaner-moves", json=CONCIERGE)
    assert response.status_code == 200
    answer = response.json()
    assert spec.response_validator("createConciergeLoanerMove", 200).is_valid(answer)
    expected = seed("003_createConciergeLoanerMove.response_200")
    for leg in ("loaner_move", "customer_move"):
        assert _without_server_made(answer[leg]) == _without_server_made(expected[leg])
        assert answer[leg]["lane_uri"] == answer["loaner_move"]["lane_uri"]
    assert answer["appointment_time_utc"] == expected["appointment_time_utc"]


def test_round_trip_seed_answers_200_with_the_seed_shape_d16(api: httpx.Client, spec: Spec) -> None:
    response = api.post("/round-trip-moves", json=_round_trip(duplicate_check=None))
    assert response.status_code == 200
    answer = response.json()
    assert spec.response_validator("createRoundTripMove", 200).is_valid(answer)
    expected = seed("004_createRoundTripMove.response_200")
    assert answer["move_two"]["special_instructions"] is None
    assert (
        answer["move_one"]["pickup_workflow_data"] == expected["move_one"]["pickup_workflow_data"]
    )
    assert answer["earliest_available_time"] == expected["earliest_available_time"]


def test_concierge_ready_by_is_before_the_appointment_d17(api: httpx.Client) -> None:
    answer = api.post("/concierge-loaner-moves", json=CONCIERGE).json()
    assert answer["ready_by_time_utc"] == "2022-03-25T13:37:00Z"


def test_concierge_loaner_vehicle_may_be_left_out_d17(api: httpx.Client) -> None:
    body = copy.deepcopy(CONCIERGE)
    del body["loaner_move"]["vehicle"]
    vehicle = api.post("/concierge-loaner-moves", json=body).json()["loaner_move"]["vehicle"]
    assert vehicle == {
        "stock": None,
        "vin": None,
        "year": None,
        "make": None,
        "model": None,
        "color": None,
        "manual": False,
    }


@pytest.mark.parametrize(
    ("pointer", "value"),
    [
        ("/customer_move/pickup_location/zip", "2323"),
        ("/customer_action", "dropoff"),
        ("/customer_move/vehicle/make", None),
    ],
)
def test_concierge_wrong_value_is_400_with_its_pointer_d17(
    api: httpx.Client, pointer: str, value: Any
) -> None:
    response = api.post("/concierge-loaner-moves", json=_concierge_with(pointer, value))
    assert response.status_code == 400
    assert pointer in [error["pointer"] for error in response.json()["errors"]]


def test_round_trip_full_address_replaces_the_parts_d18(api: httpx.Client) -> None:
    body = _round_trip()
    body["move_two"]["pickup_location"] = {"full_address": "888 W Broad St, Richmond, VA 23220"}
    location = api.post("/round-trip-moves", json=body).json()["move_two"]["pickup_location"]
    assert (location["address_one"], location["city"], location["state"], location["zip"]) == (
        "888 W Broad St",
        "Richmond",
        "VA",
        "23220",
    )


def test_round_trip_nested_workflow_data_is_400_d18(api: httpx.Client) -> None:
    body = _round_trip()
    body["move_one"]["pickup_workflow_data"] = {"a": {"b": 1}}
    response = api.post("/round-trip-moves", json=body)
    assert response.status_code == 400
    assert response.json()["errors"][0]["pointer"] == "/move_one/pickup_workflow_data/a"


def test_round_trip_rooftop_the_token_lacks_is_403_d18(api: httpx.Client) -> None:
    assert api.post("/round-trip-moves", json=_round_trip(rooftop=777)).status_code == 403


def test_duplicate_check_answers_409_with_the_conflicting_ids_d19(api: httpx.Client) -> None:
    body = _round_trip(duplicate_check="vehicle_vin")
    first = api.post("/round-trip-moves", json=body).json()
    repeat = api.post("/round-trip-moves", json=body)
    assert repeat.status_code == 409
    assert repeat.json()["conflicting_move_ids"] == [
        first["move_one"]["move_id"],
        first["move_two"]["move_id"],
    ]
    assert api.post("/round-trip-moves", json={**body, "rooftop": 1234}).status_code == 200


@pytest.mark.parametrize(
    ("sent", "answered"),
    [
        ("2022-03-25 14:00:00", "2022-03-25T14:00:00Z"),
        ("2022-03-25T16:00:00+02:00", "2022-03-25T14:00:00Z"),
    ],
)
def test_utc_inputs_in_both_forms_are_answered_with_z_d20(
    api: httpx.Client, sent: str, answered: str
) -> None:
    answer = api.post("/round-trip-moves", json=_round_trip(ready_by_time_utc=sent)).json()
    assert answer["ready_by_time_utc"] == answered


def test_impossible_utc_date_is_400_d20(api: httpx.Client) -> None:
    response = api.post(
        "/round-trip-moves", json=_round_trip(ready_by_time_utc="2022-02-30 10:00:00")
    )
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "pointer": "/ready_by_time_utc",
            "message": "is not a real date and time in years 0001-9999 in UTC",
        }
    ]


def test_geocoding_is_deterministic(api: httpx.Client) -> None:
    first = api.post("/round-trip-moves", json=_round_trip()).json()["move_one"]["pickup_location"]
    second = api.post("/round-trip-moves", json=_round_trip()).json()["move_one"]["pickup_location"]
    assert first == second


@pytest.mark.parametrize(
    ("pointer", "value"),
    [
        ("/customer_name", ""),
        ("/customer_move/vehicle/make", ""),
        ("/customer_move/pickup_location/address_one", ""),
        ("/loaner_move/pickup_location/city", ""),
    ],
)
def test_an_empty_string_is_a_value_wherever_a_string_is_d21(
    api: httpx.Client, pointer: str, value: str
) -> None:
    response = api.post("/concierge-loaner-moves", json=_concierge_with(pointer, value))
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("member", "value"),
    [
        ("ready_by_time_utc", "0000-03-25 14:00:00"),
        ("ready_by_time_utc", "0001-01-01T00:10:00+00:30"),
        ("rooftop", 2**53),
    ],
)
def test_a_round_trip_beyond_d22_or_d23_is_400_naming_it(
    api: httpx.Client, member: str, value: Any
) -> None:
    response = api.post("/round-trip-moves", json=_round_trip(**{member: value}))
    assert response.status_code == 400, response.text
    assert [error["pointer"] for error in response.json()["errors"]] == [f"/{member}"]
