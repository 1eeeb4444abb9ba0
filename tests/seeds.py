"""The seed pages' examples, as the JSON fixtures copied from them."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import jsonpointer

SEED_EXAMPLES = Path(__file__).parent / "fixtures" / "seed_examples"
# The value `edited` takes for "remove the member".
REMOVE = object()


def seed(name: str) -> Any:
    """A seed page example by its fixture name (`000_createAppointment.request`)."""
    return json.loads((SEED_EXAMPLES / f"{name}.json").read_text(encoding="utf-8"))


def edited(document: Any, pointer: str, value: Any) -> Any:
    """A copy of `document` with the member at `pointer` set to `value` (or removed)."""
    edited = copy.deepcopy(document)
    parent_pointer, _, name = pointer.rpartition("/")
    parent = jsonpointer.resolve_pointer(edited, parent_pointer)
    if value is REMOVE:
        del parent[name]
    else:
        parent[name] = value
    return edited


BROKEN = [
    # (fixture, pointer, value, why it must fail)
    ("000_createAppointment.request", "/customer_id", REMOVE, "required field dropped"),
    ("000_createAppointment.request", "/consumer_at_pickup", REMOVE, "required field dropped"),
    ("000_createAppointment.request", "/delivery_location_id", REMOVE, "required field dropped"),
    ("000_createAppointment.request", "/customer_id", "1234", "a number sent as text"),
    ("000_createAppointment.request", "/customer_id", 2**53, "beyond I-JSON's exact range"),
    ("000_createAppointment.request", "/customer_id", None, "a required member is not null"),
    ("000_createAppointment.request", "/vehicle_year", -(2**53), "beyond I-JSON's exact range"),
    ("000_createAppointment.request", "/vehicle_year", 2022.5, "not an integer"),
    ("000_createAppointment.request", "/appointment_time", "0000-03-10T09:00:00Z", "year 0000"),
    ("000_createAppointment.request", "/nickname", "JJ", "unknown property"),
    ("000_createAppointment.request", "/transportation_type", "valet", "not a POST field"),
    ("000_createAppointment.request", "/appointment_time", "2026-03-10T09:00:00", "no offset"),
    ("000_createAppointment.request", "/vehicle_year", "2022", "year is a number here"),
    ("000_createAppointment.request", "/config", [], "config is an object"),
    ("000_createAppointment.response_201", "/status", "ready", "creation always answers new"),
    ("000_createAppointment.response_201", "/status", "archived", "enum value outside the list"),
    ("000_createAppointment.response_201", "/id", REMOVE, "required field dropped"),
    ("002_replaceAppointment.request", "/consumer_at_pickup", REMOVE, "required field dropped"),
    ("002_replaceAppointment.request", "/delivery_location_id", None, "cannot be null"),
    ("002_replaceAppointment.request", "/transportation_type", "bicycle", "enum value outside"),
    ("002_replaceAppointment.request", "/customer_id", 1234, "not a PUT field"),
    ("002_replaceAppointment.request", "/gate_code", "1234", "unknown property"),
    ("002_replaceAppointment.response_200", "/updatedat", REMOVE, "documented field absent"),
    ("002_replaceAppointment.response_200", "/move_id", REMOVE, "documented field absent"),
    ("002_replaceAppointment.response_200", "/status", "archived", "enum value outside"),
    (
        "002_replaceAppointment.response_200",
        "/appointment_time",
        "2026-03-10T09:00:00-05:00",
        "not normalised to UTC",
    ),
    (
        "002_replaceAppointment.response_200",
        "/config/transportation_type",
        "bicycle",
        "enum value outside",
    ),
    ("003_createConciergeLoanerMove.request", "/customer_name", REMOVE, "required dropped"),
    ("003_createConciergeLoanerMove.request", "/customer_action", "dropoff", "enum outside"),
    ("003_createConciergeLoanerMove.request", "/appointment_time_utc", "tomorrow", "not a time"),
    (
        "003_createConciergeLoanerMove.request",
        "/customer_move/vehicle/manual",
        REMOVE,
        "manual required for the customer's vehicle",
    ),
    ("003_createConciergeLoanerMove.request", "/customer_move/vehicle", REMOVE, "required"),
    ("003_createConciergeLoanerMove.request", "/customer_move/vehicle/make", None, "null make"),
    (
        "003_createConciergeLoanerMove.request",
        "/appointment_time_utc",
        "0000-03-25 14:00:00",
        "year 0000",
    ),
    (
        "003_createConciergeLoanerMove.request",
        "/loaner_move/pickup_location/zip",
        "2323",
        "4 digits",
    ),
    (
        "003_createConciergeLoanerMove.request",
        "/customer_move/pickup_location/zip",
        REMOVE,
        "zip required for concierge",
    ),
    ("003_createConciergeLoanerMove.request", "/loaner_move/valet_key", "box", "unknown property"),
    (
        "003_createConciergeLoanerMove.request",
        "/loaner_move/pickup_location/full_address",
        "11161 Research Plaza Way, Richmond, VA",
        "full_address is a round-trip member only",
    ),
    ("003_createConciergeLoanerMove.response_200", "/ready_by_time_utc", REMOVE, "absent"),
    (
        "003_createConciergeLoanerMove.response_200",
        "/loaner_move/pickup_location/lat",
        "north",
        "wrong type",
    ),
    (
        "003_createConciergeLoanerMove.response_200",
        "/customer_move/reference_id",
        REMOVE,
        "documented field absent",
    ),
    ("004_createRoundTripMove.request", "/ready_by_time_utc", REMOVE, "required dropped"),
    ("004_createRoundTripMove.request", "/move_two", REMOVE, "required dropped"),
    ("004_createRoundTripMove.request", "/duplicate_check", "vehicle_color", "enum outside"),
    ("004_createRoundTripMove.request", "/move_one/vehicle/make", REMOVE, "required dropped"),
    ("004_createRoundTripMove.request", "/move_one/vehicle/manual", REMOVE, "required dropped"),
    (
        "004_createRoundTripMove.request",
        "/move_one/pickup_workflow_data/nested",
        {"too": "deep"},
        "workflow data is one level deep",
    ),
    (
        "004_createRoundTripMove.request",
        "/move_two/pickup_location/address_one",
        REMOVE,
        "no street address and no full_address",
    ),
    ("004_createRoundTripMove.request", "/move_two/pickup_location/zip", "232201", "6 digits"),
    ("004_createRoundTripMove.request", "/move_one/vehicle/trim", "LX", "unknown property"),
    ("004_createRoundTripMove.request", "/reference_num", "RO 1", "reference_num is per move"),
    ("004_createRoundTripMove.request", "/rooftop", "42", "a number sent as text"),
    ("004_createRoundTripMove.response_200", "/earliest_available_time", REMOVE, "absent"),
    ("004_createRoundTripMove.response_200", "/move_one/move_id", None, "a move has an id"),
    ("004_createRoundTripMove.response_200", "/move_two/sla_id", REMOVE, "documented absent"),
    (
        "004_createRoundTripMove.response_200",
        "/ready_by_time_utc",
        "2022-03-25 14:00:00",
        "responses give RFC 3339 with Z",
    ),
]
