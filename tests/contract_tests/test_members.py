"""contract_tests/members.py: request members, nested ones too, and the classes of their values,
read from the bundled spec."""

from __future__ import annotations

from typing import Any

import pytest

from contract_tests import members
from contract_tests.values import SAFE_INTEGER
from spec import Spec, load

SPEC = load()
WITH_BODIES = [op.operation_id for op in SPEC.operations.values() if op.request_schema]
EVERY_MEMBER = [
    (operation_id, path)
    for operation_id in WITH_BODIES
    for path in members.paths(SPEC, SPEC.request_pointer(operation_id))
]
LOANER = "createConciergeLoanerMove"
VIN = ("customer_move", "vehicle", "vin")


def _pointer(spec: Spec, operation_id: str) -> str:
    return spec.request_pointer(operation_id)


def _body(path: tuple[str, ...], value: Any) -> dict[str, Any]:
    """A body holding `value` at `path`, its parents objects with nothing else."""
    body: dict[str, Any] = {path[-1]: value}
    for name in reversed(path[:-1]):
        body = {name: body}
    return body


def _classify(spec: Spec, operation_id: str, path: tuple[str, ...], body: Any) -> str | None:
    return members.classify(spec, _pointer(spec, operation_id), path, body)


def test_paths_include_the_nested_members_of_a_move_body(spec: Spec) -> None:
    found = members.paths(spec, _pointer(spec, LOANER))
    for path in [
        ("customer_move",),
        ("customer_move", "vehicle"),
        VIN,
        ("loaner_move", "pickup_location", "zip"),
        ("appointment_time_utc",),
    ]:
        assert path in found


def test_paths_name_each_parent_before_its_members(spec: Spec) -> None:
    found = members.paths(spec, _pointer(spec, LOANER))
    assert found.index(("customer_move",)) < found.index(("customer_move", "vehicle"))
    assert found.index(("customer_move", "vehicle")) < found.index(VIN)
    assert len(found) == len(set(found))


def test_the_paths_of_a_flat_body_are_its_top_level_members(spec: Spec) -> None:
    pointer = _pointer(spec, "createAppointment")
    assert members.paths(spec, pointer) == [(name,) for name in spec.fields(pointer)]


@pytest.mark.parametrize(
    ("operation_id", "free_form"),
    [
        ("createAppointment", ("config",)),
        ("updateAppointment", ("config",)),
        ("createRoundTripMove", ("move_one", "pickup_workflow_data")),
    ],
)
def test_paths_do_not_descend_into_a_free_form_member(
    spec: Spec, operation_id: str, free_form: tuple[str, ...]
) -> None:
    found = members.paths(spec, _pointer(spec, operation_id))
    assert free_form in found
    assert [path for path in found if path[: len(free_form)] == free_form] == [free_form]


@pytest.mark.parametrize("operation_id", ["createAppointment", "updateAppointment", LOANER])
def test_a_member_the_body_leaves_out_is_omitted(spec: Spec, operation_id: str) -> None:
    first = members.paths(spec, _pointer(spec, operation_id))[0]
    assert _classify(spec, operation_id, first, {}) == "omitted"


def test_a_nested_member_its_parent_leaves_out_is_omitted(spec: Spec) -> None:
    assert _classify(spec, LOANER, VIN, {"customer_move": {"vehicle": {}}}) == "omitted"


@pytest.mark.parametrize(
    ("operation_id", "path"),
    [
        ("updateAppointment", ("appointment_time",)),
        ("replaceAppointment", ("transportation_type",)),
        ("createAppointment", ("config",)),
        (LOANER, ("loaner_move", "vehicle")),
        (LOANER, VIN),
        ("createRoundTripMove", ("move_one", "sla_id")),
    ],
)
def test_null_is_its_own_class_where_the_member_admits_it(
    spec: Spec, operation_id: str, path: tuple[str, ...]
) -> None:
    assert members.admits(spec, _pointer(spec, operation_id), path, None)
    assert _classify(spec, operation_id, path, _body(path, None)) == "null"


@pytest.mark.parametrize(
    ("operation_id", "path"),
    [
        ("createAppointment", ("customer_id",)),
        ("updateAppointment", ("delivery_location_id",)),
        ("updateAppointment", ("consumer_at_pickup",)),
        (LOANER, ("appointment_time_utc",)),
        ("setAppointmentStatusForTest", ("status",)),
    ],
)
def test_null_is_invalid_where_the_member_refuses_it(
    spec: Spec, operation_id: str, path: tuple[str, ...]
) -> None:
    assert not members.admits(spec, _pointer(spec, operation_id), path, None)
    assert _classify(spec, operation_id, path, {path[0]: None}) == "invalid"


def test_a_nested_null_is_invalid_where_the_member_refuses_it(spec: Spec) -> None:
    make = ("customer_move", "vehicle", "make")
    assert _classify(spec, LOANER, make, _body(make, None)) == "invalid"


@pytest.mark.parametrize(
    ("path", "value", "kind"),
    [
        (("appointment_time",), "2030-01-01T09:00:00-05:00", "valid"),
        (("appointment_time",), "2030-01-01T09:00:00", "invalid"),  # no offset (D9)
        (("appointment_time",), "0000-01-01T00:00:00Z", "invalid"),  # year 0 (D23)
        (("delivery_location_id",), SAFE_INTEGER, "valid"),
        (("delivery_location_id",), SAFE_INTEGER + 1, "invalid"),  # past I-JSON (D22)
        (("delivery_location_id",), "5678", "invalid"),
        (("consumer_name",), "", "valid"),  # the empty string is a value (D21)
        (("vehicle_manual",), 1, "invalid"),
    ],
)
def test_a_value_is_valid_or_invalid_as_the_member_admits_it(
    spec: Spec, path: tuple[str, ...], value: Any, kind: str
) -> None:
    assert _classify(spec, "updateAppointment", path, {path[0]: value}) == kind


def test_a_nested_value_is_classed_by_the_nested_members_schema(spec: Spec) -> None:
    zip_code = ("loaner_move", "pickup_location", "zip")
    assert _classify(spec, LOANER, zip_code, _body(zip_code, "12345")) == "valid"
    assert _classify(spec, LOANER, zip_code, _body(zip_code, "1234")) == "invalid"


@pytest.mark.parametrize(
    "body",
    [
        None,
        [],
        "customer_move",
        {},
        {"customer_move": None},
        {"customer_move": "x"},
        {"customer_move": {"vehicle": ["vin"]}},
        {"customer_move": {"vehicle": 7}},
    ],
    ids=[
        "no body",
        "array body",
        "string body",
        "no parent",
        "null parent",
        "string parent",
        "array parent",
        "number parent",
    ],
)
def test_a_member_whose_parent_is_no_object_has_no_class(spec: Spec, body: Any) -> None:
    assert _classify(spec, LOANER, VIN, body) is None


@pytest.mark.parametrize("body", [None, [1], "x", 7], ids=["none", "array", "string", "number"])
def test_a_top_level_member_of_a_body_that_is_no_object_has_no_class(spec: Spec, body: Any) -> None:
    assert _classify(spec, "createAppointment", ("customer_id",), body) is None


@pytest.mark.parametrize(
    ("operation_id", "path"),
    [
        ("createAppointment", ("customer_id",)),
        ("updateAppointment", ("vehicle_year",)),
        ("createRoundTripMove", ("move_one", "sla_id")),
        ("createRoundTripMove", ("rooftop",)),
    ],
)
def test_the_near_misses_of_an_integer_member_include_one_past_i_json(
    spec: Spec, operation_id: str, path: tuple[str, ...]
) -> None:
    assert 2**53 in members.near_misses(spec, _pointer(spec, operation_id), path)


def test_the_near_misses_of_an_integer_take_its_own_type_first_and_another_last(
    spec: Spec,
) -> None:
    found = members.near_misses(spec, _pointer(spec, "createAppointment"), ("customer_id",))
    assert len(found) == 3
    *near, far = found
    assert all(isinstance(value, int | float) and not isinstance(value, bool) for value in near)
    assert not isinstance(far, int | float)


def test_the_near_misses_of_a_timestamp_are_only_what_the_contract_refuses(
    spec: Spec,
) -> None:
    found = members.near_misses(spec, _pointer(spec, LOANER), ("appointment_time_utc",))
    assert "0000-01-01T00:00:00Z" in found  # D23
    # D20 names two forms a *_utc member takes and refuses no third: a naive time is no near miss.
    assert not any(isinstance(value, str) and value.startswith("2030") for value in found)


@pytest.mark.parametrize("most", [1, 2, 3, 5])
def test_near_misses_are_at_most_as_many_as_asked_for(spec: Spec, most: int) -> None:
    pointer = _pointer(spec, "createAppointment")
    assert 1 <= len(members.near_misses(spec, pointer, ("customer_id",), most)) <= most


@pytest.mark.parametrize(("operation_id", "path"), EVERY_MEMBER)
def test_every_near_miss_is_refused_and_is_not_null(
    spec: Spec, operation_id: str, path: tuple[str, ...]
) -> None:
    pointer = _pointer(spec, operation_id)
    found = members.near_misses(spec, pointer, path)
    assert found, "no value the member refuses"
    for value in found:
        assert value is not None
        assert not members.admits(spec, pointer, path, value), value


@pytest.mark.parametrize(("operation_id", "path"), EVERY_MEMBER)
def test_a_valid_value_is_one_the_member_admits(
    spec: Spec, operation_id: str, path: tuple[str, ...]
) -> None:
    pointer = _pointer(spec, operation_id)
    value = members.a_valid_value(spec, pointer, path)
    # None where no candidate fits (an enum, an object with required members).
    assert value is None or members.classify(spec, pointer, path, _body(path, value)) == "valid"


@pytest.mark.parametrize(
    ("operation_id", "path"),
    [
        ("createAppointment", ("customer_id",)),
        ("createAppointment", ("appointment_time",)),
        ("createAppointment", ("consumer_name",)),
        ("createAppointment", ("vehicle_manual",)),
        ("createAppointment", ("config",)),
        (LOANER, ("loaner_move", "pickup_location", "zip")),
    ],
)
def test_a_valid_value_is_known_for_members_of_plain_types(
    spec: Spec, operation_id: str, path: tuple[str, ...]
) -> None:
    pointer = _pointer(spec, operation_id)
    value = members.a_valid_value(spec, pointer, path)
    assert value is not None
    assert members.admits(spec, pointer, path, value)
    assert members.classify(spec, pointer, path, _body(path, value)) == "valid"


def test_no_valid_value_is_known_for_a_member_no_candidate_fits(spec: Spec) -> None:
    # The test endpoint's status is one of the lifecycle's states: no candidate is one.
    pointer = _pointer(spec, "setAppointmentStatusForTest")
    assert members.a_valid_value(spec, pointer, ("status",)) is None
    assert members.admits(spec, pointer, ("status",), "ready")


def test_the_invalid_values_of_a_member_refusing_null_begin_with_null(spec: Spec) -> None:
    pointer = _pointer(spec, "createAppointment")
    found = members.invalid_values(spec, pointer, ("customer_id",))
    assert found[0] is None
    assert SAFE_INTEGER + 1 in found
    assert -SAFE_INTEGER - 1 in found


def test_the_invalid_values_of_a_nullable_member_leave_null_out(spec: Spec) -> None:
    pointer = _pointer(spec, "updateAppointment")
    assert None not in members.invalid_values(spec, pointer, ("appointment_time",))
