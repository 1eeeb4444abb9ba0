"""`load()`: reading, validating and indexing the spec, and its one-line errors."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator, FormatChecker

from spec import SPEC_PATH, Spec, SpecInvalid, SpecUnreadable, load
from spec.loader import SPEC_URI


def test_load_is_done_once_per_path(spec: Spec) -> None:
    assert load() is spec
    assert load(SPEC_PATH) is spec


def test_operations_are_indexed_by_operation_id(spec: Spec) -> None:
    assert len(spec.operations) == 6
    replace = spec.operations["replaceAppointment"]
    assert (replace.method, replace.path, replace.public) == ("PUT", "/appointments/{id}", True)
    assert replace.request_media_type == "application/json"
    assert replace.request_schema == (
        "/paths/~1appointments~1{id}/put/requestBody/content/application~1json/schema"
    )


def test_response_pointers_follow_component_responses(spec: Spec) -> None:
    conflict = spec.operations["replaceAppointment"].responses["409"]
    assert (
        conflict.schema == "/components/responses/Conflict/content/application~1problem+json/schema"
    )
    assert conflict.media_type == "application/problem+json"
    assert spec.operations["createAppointment"].responses["401"].headers == ("WWW-Authenticate",)


def test_validators_resolve_component_references(spec: Spec) -> None:
    validator = spec.request_validator("createAppointment")
    assert validator.is_valid(
        {"customer_id": 1, "consumer_at_pickup": False, "delivery_location_id": 2}
    )
    assert not validator.is_valid({"customer_id": 1})
    assert spec.validator("/components/schemas/Id") is spec.validator("/components/schemas/Id")


def test_validators_check_formats(spec: Spec) -> None:
    timestamp = spec.validator("/components/schemas/Timestamp")
    assert timestamp.is_valid("2026-03-10T09:00:00-05:00")
    assert not timestamp.is_valid("2026-02-30T09:00:00Z")


def test_validator_for_an_operation_without_such_a_body_is_a_key_error(spec: Spec) -> None:
    with pytest.raises(KeyError):
        spec.response_validator("createAppointment", 200)


def test_missing_file_is_unreadable_and_named(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    with pytest.raises(SpecUnreadable) as caught:
        load(missing)
    assert str(caught.value) == f"{missing}: no such file"


def test_directory_is_unreadable(tmp_path: Path) -> None:
    with pytest.raises(SpecUnreadable, match="is a directory"):
        load(tmp_path)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("openapi: [3.1.0\n", "not valid YAML: did not find expected ',' or ']'"),
        ("a: 1\na: 2\n", "mapping key 'a' appears twice at line 2, column 1"),
        ("responses:\n  201: {}\n", "mapping key 201 is not a string (quote it) at line 2"),
        ("\tkey: value\n", "not valid YAML"),
    ],
    ids=["unclosed list", "duplicate key", "unquoted status code", "tab indentation"],
)
def test_bad_yaml_is_one_line_naming_file_and_place(
    tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SpecUnreadable) as caught:
        load(path)
    assert str(caught.value).startswith(f"{path}: ")
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_timestamps_in_yaml_stay_strings(tmp_path: Path) -> None:
    from spec.loader import read_yaml

    path = tmp_path / "t.yaml"
    path.write_text("when: 2026-03-10T09:00:00-05:00\n", encoding="utf-8")
    assert read_yaml(path) == {"when": "2026-03-10T09:00:00-05:00"}


def _break(document: dict[str, Any], how: str) -> Any:
    if how == "list":
        return [document]
    if how == "openapi 3.0":
        document["openapi"] = "3.0.3"
    elif how == "dangling ref":
        schemas = document["components"]["schemas"]
        schemas["Vehicle"]["properties"]["stock"]["$ref"] = "#/components/schemas/Car"
    elif how == "info without title":
        del document["info"]["title"]
    elif how == "no lifecycle":
        del document["x-lifecycle"]
    elif how == "lifecycle state without kind":
        del document["x-lifecycle"]["states"]["paid"]["kind"]
    elif how == "unreachable lifecycle state":
        edges = document["x-lifecycle"]["edges"]
        document["x-lifecycle"]["edges"] = [e for e in edges if e["to"] != "failed"]
    return document


@pytest.mark.parametrize(
    ("how", "message"),
    [
        ("list", "not an OpenAPI document (the top level is not a mapping)"),
        ("openapi 3.0", "not a valid OpenAPI 3.1 document"),
        (
            "dangling ref",
            "$ref '#/components/schemas/Car' at /components/schemas/Vehicle/properties/stock",
        ),
        ("info without title", "is a required property (at /info)"),
        ("no lifecycle", "has no x-lifecycle extension"),
        ("lifecycle state without kind", "x-lifecycle/states/paid: 'kind' is a required property"),
        ("unreachable lifecycle state", "x-lifecycle: state 'failed' is not reachable from 'new'"),
    ],
)
def test_invalid_spec_is_one_line_naming_file(
    document: dict[str, Any], write_spec: Callable[[Any], Path], how: str, message: str
) -> None:
    path = write_spec(_break(document, how))
    with pytest.raises(SpecInvalid) as caught:
        load(path)
    assert str(caught.value).startswith(f"{path}: ")
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)
    assert len(str(caught.value)) < 400


def test_fields_follow_refs_and_all_of(spec: Spec) -> None:
    move = spec.fields("/components/schemas/ConciergeMove", required=True)
    assert move[0] == "move_id"
    assert move[-1] == "reference_id"
    assert "pickup_location" in move
    assert spec.fields("/components/schemas/Vehicle", required=True) == ("make", "model", "manual")
    assert spec.fields("/components/schemas/Vehicle")[:2] == ("stock", "vin")
    created = spec.operations["createAppointment"].responses["201"].schema
    assert created is not None
    assert spec.fields(created) == ("id", "status")


def test_member_schemas_follow_refs_and_every_branch(spec: Spec) -> None:
    request = spec.request_pointer("createRoundTripMove")
    street = spec.member_schemas(request, ["move_one", "pickup_location", "address_one"])
    assert street == (
        "/components/schemas/RoundTripLocation/properties/address_one",
        "/components/schemas/RoundTripLocation/anyOf/1/properties/address_one",
    )
    ready_by = spec.member_schemas(request, ["ready_by_time_utc"])
    assert "/components/schemas/Timestamp" in ready_by
    workflow = spec.member_schemas(request, ["move_two", "delivery_workflow_data", "any_name"])
    assert workflow == ("/components/schemas/WorkflowData/additionalProperties",)
    problem = spec.response_pointer("createAppointment", 400)
    assert spec.member_schemas(problem, ["errors", "0", "pointer"]) == (
        "/components/schemas/FieldError/properties/pointer",
    )
    assert spec.member_schemas(request, ["move_one", "no_such_member"]) == ()


def test_validators_follow_no_references_and_judge_as_the_document_does(spec: Spec) -> None:
    for operation in spec.operations.values():
        if operation.request_schema is None:
            continue
        inlined = spec.validator(operation.request_schema)
        assert "$ref" not in json.dumps(inlined.schema), operation.operation_id
        by_reference = Draft202012Validator(
            {"$ref": f"{SPEC_URI}#{operation.request_schema}"},
            registry=spec.registry,
            format_checker=FormatChecker(),
        )
        example = spec.schema(operation.request_schema.removesuffix("/schema"))["examples"]
        for body in [*(e["value"] for e in example.values()), {}, {"unknown": 1}, []]:
            assert _errors(inlined, body) == _errors(by_reference, body), operation.operation_id


def test_a_recursive_schema_keeps_its_reference_and_still_validates(
    document: dict[str, Any], write_spec: Callable[[Any], Path]
) -> None:
    document["components"]["schemas"]["Node"] = {
        "type": "object",
        "properties": {"child": {"$ref": "#/components/schemas/Node"}, "n": {"type": "integer"}},
    }
    validator = load(write_spec(document)).validator("/components/schemas/Node")
    assert validator.is_valid({"child": {"child": {"n": 1}}})
    assert not validator.is_valid({"child": {"child": {"n": "one"}}})


def _example_bodies(spec: Spec) -> list[tuple[str, str, Any]]:
    """(operation, pointer, body) for every example of every request and response schema."""
    found = []
    for operation in spec.operations.values():
        pointers = [operation.request_schema, *(r.schema for r in operation.responses.values())]
        for pointer in filter(None, pointers):
            media = spec.schema(pointer.removesuffix("/schema"))
            for example in media.get("examples", {}).values():
                found.append((operation.operation_id, pointer, example["value"]))
    return found


_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner),
    max_leaves=5,
)


def _places(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """The path of every value inside `value`, itself included."""
    places = [path]
    if isinstance(value, dict):
        for key, member in value.items():
            places += _places(member, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            places += _places(item, (*path, index))
    return places


@st.composite
def _near_misses(draw: st.DrawFn, body: Any) -> Any:
    """`body` with one change: a value replaced, a member dropped or added, a string edited."""
    body = copy.deepcopy(body)
    path = draw(st.sampled_from(_places(body)))
    if not path:
        return draw(_JSON)
    parent = body
    for step in path[:-1]:
        parent = parent[step]
    key, value = path[-1], parent[path[-1]]
    change = draw(st.sampled_from(["replace", "drop", "add", "edit"]))
    if change == "drop" and isinstance(parent, dict):
        del parent[key]
    elif change == "add" and isinstance(value, dict):
        value[draw(st.text(max_size=12))] = draw(_JSON)
    elif change == "edit" and isinstance(value, str):
        at = draw(st.integers(0, len(value)))
        cut = draw(st.integers(0, 1))
        parent[key] = value[:at] + draw(st.text(max_size=2)) + value[at + cut :]
    else:
        parent[key] = draw(_JSON)
    return body


@pytest.mark.parametrize(("operation", "pointer", "body"), _example_bodies(load()))
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_compiled_validator_accepts_nothing_jsonschema_refuses(
    spec: Spec, operation: str, pointer: str, body: Any, data: st.DataObject
) -> None:
    # The mock lets the compiled validator clear a body alone; it may be stricter (ECMA regex
    # `$` does not match before a final newline, Python's does) but never more lenient.
    assert spec.compiled_validator(pointer).is_valid(body), operation
    candidate = data.draw(_near_misses(body))
    if spec.compiled_validator(pointer).is_valid(candidate):
        assert spec.validator(pointer).is_valid(candidate), candidate


def test_compiled_validator_checks_formats_as_jsonschema_does(spec: Spec) -> None:
    pointer = "/components/schemas/Timestamp"
    for moment in ["2026-03-10T09:00:00-05:00", "0000-01-01T00:00:00Z", "2026-02-30T09:00:00Z"]:
        expected = spec.validator(pointer).is_valid(moment)
        assert spec.compiled_validator(pointer).is_valid(moment) == expected, moment
    assert not spec.compiled_validator(pointer).is_valid("0000-01-01T00:00:00Z")


@pytest.mark.parametrize(
    "value", [0, 1, -1, 2**31, 2**53 + 1, 2**63 - 1, 2**63, 2**64, 10**30, 10**400, 1.0, True]
)
def test_compiled_path_id_check_agrees_with_jsonschema(spec: Spec, value: object) -> None:
    # The mock checks every `{id}` with the compiled validator; beyond 64 bits it must not
    # fail or differ.
    pointer = "/components/parameters/AppointmentId/schema"
    assert spec.compiled_validator(pointer).is_valid(value) == spec.validator(pointer).is_valid(
        value
    )


def _errors(validator: Draft202012Validator, body: Any) -> list[tuple[str, str]]:
    return sorted((error.json_path, error.message) for error in validator.iter_errors(body))
