"""contract_tests/values.py: what a schema of the spec admits, and only that, drawn from it."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from contract_tests.values import values
from spec import load

SPEC = load()
REPLACE = SPEC.request_pointer("replaceAppointment")
MEMBERS = SPEC.fields(REPLACE)
JSON_TYPES = {bool: "boolean", int: "integer", float: "number", str: "string"}


def _member(name: str) -> str:
    return SPEC.member_schemas(REPLACE, [name])[0]


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, dict):
        return "object"
    return "array" if isinstance(value, list) else JSON_TYPES[type(value)]


@pytest.mark.parametrize("name", MEMBERS)
def test_every_drawn_value_is_one_the_member_schema_admits(name: str) -> None:
    validator = SPEC.validator(_member(name))

    @settings(max_examples=60, database=None, suppress_health_check=list(HealthCheck))
    @given(values(SPEC, _member(name)))
    def admitted(value: Any) -> None:
        assert validator.is_valid(value), value

    admitted()


@pytest.mark.parametrize(
    ("name", "kinds"),
    [
        ("consumer_name", {"string", "null"}),
        ("vehicle_year", {"integer", "null"}),
        ("vehicle_manual", {"boolean", "null"}),
        ("config", {"object", "null"}),
    ],
)
def test_every_type_a_member_admits_is_drawn(name: str, kinds: set[str]) -> None:
    seen: set[str] = set()

    @settings(max_examples=200, database=None, suppress_health_check=list(HealthCheck))
    @given(values(SPEC, _member(name)))
    def record(value: Any) -> None:
        seen.add(_kind(value))

    record()
    assert seen == kinds


def test_an_enum_draws_its_values_and_no_other() -> None:
    drawn: set[Any] = set()

    @settings(max_examples=100, database=None)
    @given(values(SPEC, _member(SPEC.lifecycle.elected_request_field)))
    def record(value: Any) -> None:
        drawn.add(value)

    record()
    elected = SPEC.member_schemas(REPLACE, [SPEC.lifecycle.elected_request_field])
    enum = {kind for pointer in elected for kind in SPEC.schema(pointer).get("enum", [])}
    assert drawn == enum | {None}
