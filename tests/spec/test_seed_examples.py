"""Every seed page example validates against the spec; chosen broken variants do not."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import jsonpointer
import pytest
from jsonschema import Draft202012Validator

from spec import Spec
from tests.seeds import SEED_EXAMPLES, seed

FIXTURES = sorted(SEED_EXAMPLES.glob("*.json"))
_REMOVE = object()


def _validator(spec: Spec, fixture: str) -> Draft202012Validator:
    """The validator for a fixture named `<seed>_<operationId>.<request|response_NNN>`."""
    operation_id, direction = fixture.split("_", 1)[1].split(".")
    if direction == "request":
        return spec.request_validator(operation_id)
    return spec.response_validator(operation_id, direction.removeprefix("response_"))


def _edit(document: Any, pointer: str, value: Any) -> Any:
    """A copy of `document` with the member at `pointer` set to `value` (or removed)."""
    edited = copy.deepcopy(document)
    parent_pointer, _, name = pointer.rpartition("/")
    parent = jsonpointer.resolve_pointer(edited, parent_pointer)
    if value is _REMOVE:
        del parent[name]
    else:
        parent[name] = value
    return edited


def _error_pointers(validator: Draft202012Validator, instance: Any) -> set[str]:
    return {
        "".join(f"/{part}" for part in error.absolute_path)
        for error in validator.iter_errors(instance)
    }


def test_every_seed_page_with_an_example_has_fixtures() -> None:
    seeds = {path.name.split("_")[0] for path in FIXTURES}
    assert seeds == {"000", "002", "003", "004"}
    assert len(FIXTURES) == 8


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.stem)
def test_seed_example_validates(spec: Spec, path: Path) -> None:
    validator = _validator(spec, path.stem)
    errors = [error.message for error in validator.iter_errors(seed(path.stem))]
    assert errors == []


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.stem)
def test_spec_carries_the_seed_example_verbatim(spec: Spec, path: Path) -> None:
    operation_id, direction = path.stem.split("_", 1)[1].split(".")
    operation = spec.operations[operation_id]
    if direction == "request":
        pointer = operation.request_schema
    else:
        pointer = operation.responses[direction.removeprefix("response_")].schema
    assert pointer is not None
    media = spec.schema(pointer.removesuffix("/schema"))
    assert media["examples"]["seed"]["value"] == seed(path.stem)


def test_every_example_in_the_spec_validates(spec: Spec) -> None:
    checked = 0
    for operation in spec.operations.values():
        pointers = [operation.request_schema] + [r.schema for r in operation.responses.values()]
        for pointer in filter(None, pointers):
            media = spec.schema(pointer.removesuffix("/schema"))
            for name, example in media.get("examples", {}).items():
                errors = [e.message for e in spec.validator(pointer).iter_errors(example["value"])]
                assert errors == [], (operation.operation_id, name)
                checked += 1
    assert checked >= 12


BROKEN = [
    # (fixture, pointer, value, why it must fail)
    ("000_createAppointment.request", "/customer_id", _REMOVE, "required field dropped"),
    ("000_createAppointment.request", "/consumer_at_pickup", _REMOVE, "required field dropped"),
    ("000_createAppointment.request", "/delivery_location_id", _REMOVE, "required field dropped"),
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
    ("000_createAppointment.response_201", "/id", _REMOVE, "required field dropped"),
    ("002_replaceAppointment.request", "/consumer_at_pickup", _REMOVE, "required field dropped"),
    ("002_replaceAppointment.request", "/delivery_location_id", None, "cannot be null"),
    ("002_replaceAppointment.request", "/transportation_type", "bicycle", "enum value outside"),
    ("002_replaceAppointment.request", "/customer_id", 1234, "not a PUT field"),
    ("002_replaceAppointment.request", "/gate_code", "1234", "unknown property"),
    ("002_replaceAppointment.response_200", "/updatedat", _REMOVE, "documented field absent"),
    ("002_replaceAppointment.response_200", "/move_id", _REMOVE, "documented field absent"),
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
    ("003_createConciergeLoanerMove.request", "/customer_name", _REMOVE, "required dropped"),
    ("003_createConciergeLoanerMove.request", "/customer_action", "dropoff", "enum outside"),
    ("003_createConciergeLoanerMove.request", "/appointment_time_utc", "tomorrow", "not a time"),
    (
        "003_createConciergeLoanerMove.request",
        "/customer_move/vehicle/manual",
        _REMOVE,
        "manual required for the customer's vehicle",
    ),
    ("003_createConciergeLoanerMove.request", "/customer_move/vehicle", _REMOVE, "required"),
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
        _REMOVE,
        "zip required for concierge",
    ),
    ("003_createConciergeLoanerMove.request", "/loaner_move/valet_key", "box", "unknown property"),
    (
        "003_createConciergeLoanerMove.request",
        "/loaner_move/pickup_location/full_address",
        "11161 Research Plaza Way, Richmond, VA",
        "full_address is a round-trip member only",
    ),
    ("003_createConciergeLoanerMove.response_200", "/ready_by_time_utc", _REMOVE, "absent"),
    (
        "003_createConciergeLoanerMove.response_200",
        "/loaner_move/pickup_location/lat",
        "north",
        "wrong type",
    ),
    (
        "003_createConciergeLoanerMove.response_200",
        "/customer_move/reference_id",
        _REMOVE,
        "documented field absent",
    ),
    ("004_createRoundTripMove.request", "/ready_by_time_utc", _REMOVE, "required dropped"),
    ("004_createRoundTripMove.request", "/move_two", _REMOVE, "required dropped"),
    ("004_createRoundTripMove.request", "/duplicate_check", "vehicle_color", "enum outside"),
    ("004_createRoundTripMove.request", "/move_one/vehicle/make", _REMOVE, "required dropped"),
    ("004_createRoundTripMove.request", "/move_one/vehicle/manual", _REMOVE, "required dropped"),
    (
        "004_createRoundTripMove.request",
        "/move_one/pickup_workflow_data/nested",
        {"too": "deep"},
        "workflow data is one level deep",
    ),
    (
        "004_createRoundTripMove.request",
        "/move_two/pickup_location/address_one",
        _REMOVE,
        "no street address and no full_address",
    ),
    ("004_createRoundTripMove.request", "/move_two/pickup_location/zip", "232201", "6 digits"),
    ("004_createRoundTripMove.request", "/move_one/vehicle/trim", "LX", "unknown property"),
    ("004_createRoundTripMove.request", "/reference_num", "RO 1", "reference_num is per move"),
    ("004_createRoundTripMove.request", "/rooftop", "42", "a number sent as text"),
    ("004_createRoundTripMove.response_200", "/earliest_available_time", _REMOVE, "absent"),
    ("004_createRoundTripMove.response_200", "/move_one/move_id", None, "a move has an id"),
    ("004_createRoundTripMove.response_200", "/move_two/sla_id", _REMOVE, "documented absent"),
    (
        "004_createRoundTripMove.response_200",
        "/ready_by_time_utc",
        "2022-03-25 14:00:00",
        "responses give RFC 3339 with Z",
    ),
]


@pytest.mark.parametrize(
    ("fixture", "pointer", "value", "why"),
    BROKEN,
    ids=[f"{f.split('.')[0]}.{f.split('.')[1]}{p}:{w}" for f, p, _, w in BROKEN],
)
def test_broken_variant_fails_at_the_edited_place(
    spec: Spec, fixture: str, pointer: str, value: Any, why: str
) -> None:
    validator = _validator(spec, fixture)
    broken = _edit(seed(fixture), pointer, value)
    failing = _error_pointers(validator, broken)
    assert failing, f"accepted although {why}"
    # The failure must be about the edited member (or the object holding it), not elsewhere.
    parent = pointer.rpartition("/")[0]
    assert failing & {pointer, parent}, failing


ACCEPTED = [
    # (fixture, pointer, value, the documented alternative it shows)
    ("000_createAppointment.request", "/appointment_time", _REMOVE, "optional"),
    ("000_createAppointment.request", "/consumer_name", None, "null clears"),
    ("000_createAppointment.request", "/config", {"dms": {"ro": 7}}, "config is free-form"),
    ("000_createAppointment.request", "/vehicle_year", 0, "D22: a year has no range"),
    ("000_createAppointment.request", "/vehicle_year", 2**53 - 1, "D22: I-JSON's largest"),
    ("000_createAppointment.request", "/consumer_name", "", "D21: the empty string"),
    ("000_createAppointment.request", "/appointment_time", "0001-01-01T00:00:00Z", "D23"),
    ("000_createAppointment.request", "/appointment_time", "9999-12-31t23:59:59z", "RFC 3339"),
    ("002_replaceAppointment.request", "/transportation_type", _REMOVE, "no type elected"),
    ("002_replaceAppointment.request", "/transportation_type", "rideshare", "another type"),
    ("002_replaceAppointment.request", "/appointment_time", "2026-03-10T14:00:00Z", "Z offset"),
    ("003_createConciergeLoanerMove.request", "/loaner_move/vehicle", _REMOVE, "loaner unknown"),
    (
        "003_createConciergeLoanerMove.request",
        "/loaner_move/vehicle",
        {"stock": "LOAN01", "manual": None},
        "a loaner's manual may be left open",
    ),
    (
        "003_createConciergeLoanerMove.request",
        "/appointment_time_utc",
        "2022-03-25 14:00:00",
        "the documented YYYY-MM-DD hh:mm:ss form",
    ),
    ("003_createConciergeLoanerMove.request", "/customer_action", "return", "the other action"),
    ("004_createRoundTripMove.request", "/move_one/pickup_location/zip", _REMOVE, "zip optional"),
    (
        "004_createRoundTripMove.request",
        "/move_two/pickup_location",
        {"full_address": "888 W Broad St, Richmond, VA 23220"},
        "full_address instead of the parts",
    ),
    ("004_createRoundTripMove.request", "/rooftop", _REMOVE, "rooftop optional"),
    ("004_createRoundTripMove.request", "/duplicate_check", "reference_num", "another check"),
    ("004_createRoundTripMove.request", "/move_one/special_instructions", None, "null = omitted"),
    ("004_createRoundTripMove.request", "/move_one/vehicle/make", "", "D21: empty is a value"),
    ("004_createRoundTripMove.request", "/move_one/pickup_location/city", "", "D21"),
    ("004_createRoundTripMove.request", "/move_one/sla_id", 0, "D22: an id has no range"),
    ("004_createRoundTripMove.request", "/rooftop", -(2**53) + 1, "D22: within I-JSON"),
    (
        "004_createRoundTripMove.request",
        "/move_one/delivery_workflow_data",
        {"count": 3, "ok": True, "none": None},
        "scalar workflow values",
    ),
]


@pytest.mark.parametrize(
    ("fixture", "pointer", "value", "why"),
    ACCEPTED,
    ids=[f"{f.split('.')[0]}{p}:{w}" for f, p, _, w in ACCEPTED],
)
def test_documented_alternative_is_accepted(
    spec: Spec, fixture: str, pointer: str, value: Any, why: str
) -> None:
    edited = _edit(seed(fixture), pointer, value)
    errors = [e.message for e in _validator(spec, fixture).iter_errors(edited)]
    assert errors == [], why


def test_empty_patch_is_a_valid_body(spec: Spec) -> None:
    assert spec.request_validator("updateAppointment").is_valid({})


@pytest.mark.parametrize("field", ["consumer_at_pickup", "delivery_location_id"])
def test_patch_cannot_null_the_required_fields(spec: Spec, field: str) -> None:
    assert not spec.request_validator("updateAppointment").is_valid({field: None})
