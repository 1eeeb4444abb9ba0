"""Values drawn from the spec's schemas: valid for every response, seeded, bounded, refused."""

from __future__ import annotations

import copy
import json
from random import Random
from typing import Any

import pytest

from mock_server.synthesis import SPAN, SynthesisError, synthesize
from spec import Spec, load

SPEC = load()
RESPONSE_SCHEMAS = sorted(
    {
        response.schema
        for operation in SPEC.operations.values()
        for response in operation.responses.values()
        if response.schema is not None
    }
)
HEADER_SCHEMAS = [
    f"/components/headers/{name}/schema" for name in SPEC.document["components"]["headers"]
]
APPOINTMENT = "/components/schemas/Appointment"
SCHEMAS: dict[str, Any] = {
    "Bounded": {"type": "integer", "minimum": 5, "maximum": 7},
    "BelowZero": {"type": "integer", "maximum": -1000},
    "Exclusive": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1},
    "Lists": {"type": "array", "items": {"enum": ["a", "b"]}, "minItems": 2, "maxItems": 3},
    "Open": {"type": "object", "required": ["must"], "additionalProperties": {"type": "integer"}},
    "Patterned": {"type": "string", "pattern": "^[A-Z]{3}-[0-9]{2}$"},
    "Untyped": {},
    "Empty": {"type": "integer", "minimum": 3, "maximum": 2},
    "Refused": {"type": "string", "not": {"type": "string"}},
    "UnknownFormat": {"type": "string", "format": "email"},
    "Contradiction": {"allOf": [{"type": "string"}, {"type": "integer"}]},
    "NoEnum": {"allOf": [{"enum": ["a"]}, {"enum": ["b"]}]},
    "Endless": {
        "type": "object",
        "required": ["next"],
        "properties": {"next": {"$ref": "#/components/schemas/Endless"}},
    },
}


@pytest.fixture(scope="module")
def extended(tmp_path_factory: pytest.TempPathFactory) -> Spec:
    """The bundled spec with the schemas of SCHEMAS among its components."""
    document = copy.deepcopy(dict(SPEC.document))
    document["components"]["schemas"].update(SCHEMAS)
    path = tmp_path_factory.mktemp("spec") / "openapi.yaml"
    path.write_text(json.dumps(document), encoding="utf-8")
    return load(path)


def _draws(spec: Spec, name: str, count: int = 100, **options: Any) -> list[Any]:
    rng = Random(0)
    return [synthesize(spec, f"/components/schemas/{name}", rng, **options) for _ in range(count)]


@pytest.mark.parametrize("pointer", RESPONSE_SCHEMAS + HEADER_SCHEMAS)
def test_every_response_and_header_schema_of_the_spec_is_drawn_valid(pointer: str) -> None:
    validator = SPEC.validator(pointer)
    for seed in range(30):
        for optional in (0, 0.7, 1):
            value = synthesize(SPEC, pointer, Random(seed), optional=optional)
            assert validator.is_valid(value), (seed, value)


def test_the_same_seed_draws_the_same_value() -> None:
    assert synthesize(SPEC, APPOINTMENT, Random(3)) == synthesize(SPEC, APPOINTMENT, Random(3))


def test_one_source_of_randomness_draws_different_values() -> None:
    rng = Random()
    assert len({json.dumps(synthesize(SPEC, APPOINTMENT, rng)) for _ in range(10)}) > 1


def test_with_no_optional_members_only_the_required_ones_are_drawn() -> None:
    required = set(SPEC.fields("/components/schemas/Problem", required=True))
    assert all(set(value) == required for value in _draws(SPEC, "Problem", optional=0))


def test_every_optional_member_is_drawn_when_asked_for() -> None:
    members = set(SPEC.fields("/components/schemas/Problem"))
    assert all(set(value) == members for value in _draws(SPEC, "Problem", optional=1))


def test_a_constant_beside_its_base_enum_is_the_value() -> None:
    assert {value["status"] for value in _draws(SPEC, "AppointmentCreated")} == {"new"}


def test_an_allof_brings_in_its_base_s_members_first() -> None:
    base = list(SPEC.schema("/components/schemas/Move")["required"])
    value = synthesize(SPEC, "/components/schemas/ConciergeMove", Random(0), optional=0)
    assert list(value) == [*base, "reference_id"]


@pytest.mark.parametrize(
    ("name", "ending"), [("UtcTimestamp", "Z"), ("UtcOffsetTimestamp", "+00:00")]
)
def test_a_date_time_is_written_as_its_pattern_asks(name: str, ending: str) -> None:
    assert all(value.endswith(ending) for value in _draws(SPEC, name))


def test_a_patterned_string_is_drawn_from_its_pattern(extended: Spec) -> None:
    assert all(len(value) == 6 and value[3] == "-" for value in _draws(extended, "Patterned"))


def test_integers_take_every_value_within_their_bounds(extended: Spec) -> None:
    assert set(_draws(extended, "Bounded")) == {5, 6, 7}


def test_unbounded_integers_are_drawn_near_zero() -> None:
    assert all(0 <= value <= SPAN for value in _draws(SPEC, "Integer"))


def test_integers_bounded_away_from_zero_are_drawn_near_the_bound(extended: Spec) -> None:
    assert all(-1000 - SPAN <= value <= -1000 for value in _draws(extended, "BelowZero"))


def test_exclusive_bounds_are_kept(extended: Spec) -> None:
    assert all(0 < value < 1 for value in _draws(extended, "Exclusive"))


def test_arrays_are_as_long_as_their_bounds_allow(extended: Spec) -> None:
    values = _draws(extended, "Lists")
    assert {len(value) for value in values} == {2, 3}
    assert {item for value in values for item in value} == {"a", "b"}


def test_a_required_member_no_property_names_takes_additional_properties(extended: Spec) -> None:
    values = _draws(extended, "Open")
    assert all(isinstance(value["must"], int) for value in values)
    assert any(len(value) > 1 for value in values)


def test_an_untyped_schema_draws_values_of_several_types(extended: Spec) -> None:
    assert len({type(value) for value in _draws(extended, "Untyped")}) > 2


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("Empty", "no number is within 3 and 2"),
        ("Refused", "no value of 20 drawn is valid"),
        ("UnknownFormat", "no value of format 'email' is built here"),
        ("Contradiction", "no type satisfies every part"),
        ("NoEnum", "no value is in every enum"),
        ("Endless", "nests deeper than 32 levels"),
    ],
)
def test_a_schema_no_value_is_drawn_for_is_refused_in_one_line(
    extended: Spec, name: str, reason: str
) -> None:
    with pytest.raises(SynthesisError) as refused:
        synthesize(extended, f"/components/schemas/{name}", Random(0))
    message = str(refused.value)
    assert message.startswith(f"/components/schemas/{name}: ")
    assert reason in message
    assert "\n" not in message
