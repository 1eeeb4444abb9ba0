"""Every seed page example validates against the spec; chosen broken variants do not."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from spec import Spec
from tests.seeds import BROKEN, REMOVE, SEED_EXAMPLES, edited, seed

FIXTURES = sorted(SEED_EXAMPLES.glob("*.json"))


def _validator(spec: Spec, fixture: str) -> Draft202012Validator:
    """The validator for a fixture named `<seed>_<operationId>.<request|response_NNN>`."""
    operation_id, direction = fixture.split("_", 1)[1].split(".")
    if direction == "request":
        return spec.request_validator(operation_id)
    return spec.response_validator(operation_id, direction.removeprefix("response_"))


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


@pytest.mark.parametrize(
    ("fixture", "pointer", "value", "why"),
    BROKEN,
    ids=[f"{f.split('.')[0]}.{f.split('.')[1]}{p}:{w}" for f, p, _, w in BROKEN],
)
def test_broken_variant_fails_at_the_edited_place(
    spec: Spec, fixture: str, pointer: str, value: Any, why: str
) -> None:
    validator = _validator(spec, fixture)
    broken = edited(seed(fixture), pointer, value)
    failing = _error_pointers(validator, broken)
    assert failing, f"accepted although {why}"
    # The failure must be about the edited member (or the object holding it), not elsewhere.
    parent = pointer.rpartition("/")[0]
    assert failing & {pointer, parent}, failing


ACCEPTED = [
    # (fixture, pointer, value, the documented alternative it shows)
    ("000_createAppointment.request", "/appointment_time", REMOVE, "optional"),
    ("000_createAppointment.request", "/consumer_name", None, "null clears"),
    ("000_createAppointment.request", "/config", {"dms": {"ro": 7}}, "config is free-form"),
    ("000_createAppointment.request", "/vehicle_year", 0, "D22: a year has no range"),
    ("000_createAppointment.request", "/vehicle_year", 2**53 - 1, "D22: I-JSON's largest"),
    ("000_createAppointment.request", "/consumer_name", "", "D21: the empty string"),
    ("000_createAppointment.request", "/appointment_time", "0001-01-01T00:00:00Z", "D23"),
    ("000_createAppointment.request", "/appointment_time", "9999-12-31t23:59:59z", "RFC 3339"),
    ("002_replaceAppointment.request", "/transportation_type", REMOVE, "no type elected"),
    ("002_replaceAppointment.request", "/transportation_type", "rideshare", "another type"),
    ("002_replaceAppointment.request", "/appointment_time", "2026-03-10T14:00:00Z", "Z offset"),
    ("003_createConciergeLoanerMove.request", "/loaner_move/vehicle", REMOVE, "loaner unknown"),
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
    ("004_createRoundTripMove.request", "/move_one/pickup_location/zip", REMOVE, "zip optional"),
    (
        "004_createRoundTripMove.request",
        "/move_two/pickup_location",
        {"full_address": "888 W Broad St, Richmond, VA 23220"},
        "full_address instead of the parts",
    ),
    ("004_createRoundTripMove.request", "/rooftop", REMOVE, "rooftop optional"),
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
    variant = edited(seed(fixture), pointer, value)
    errors = [e.message for e in _validator(spec, fixture).iter_errors(variant)]
    assert errors == [], why


def test_empty_patch_is_a_valid_body(spec: Spec) -> None:
    assert spec.request_validator("updateAppointment").is_valid({})


@pytest.mark.parametrize("field", ["consumer_at_pickup", "delivery_location_id"])
def test_patch_cannot_null_the_required_fields(spec: Spec, field: str) -> None:
    assert not spec.request_validator("updateAppointment").is_valid({field: None})
