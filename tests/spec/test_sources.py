"""spec/sources.py: every constraint of the spec names a sentence of the pages or a decision."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
from jsonschema import Draft202012Validator, ValidationError

from spec import Spec
from spec.sources import broken, constraints, null_question, problems

S = "/components/schemas"
Edit = Callable[[dict[str, Any]], None]


def _at(document: dict[str, Any], pointer: str) -> Any:
    node: Any = document
    for part in pointer.strip("/").split("/"):
        node = node[int(part)] if isinstance(node, list) else node[part.replace("~1", "/")]
    return node


def _set(pointer: str, key: str, value: Any = None) -> Edit:
    def edit(document: dict[str, Any]) -> None:
        node = _at(document, pointer)
        if value is None:
            del node[key]
        else:
            node[key] = value

    return edit


def test_every_constraint_of_the_spec_names_a_real_source(spec: Spec) -> None:
    assert problems(spec.document) == []


def test_the_walk_reaches_every_kind_of_claim(spec: Spec) -> None:
    found = list(constraints(spec.document))
    keywords = {c.keyword for c in found}
    assert len(found) >= 450
    assert keywords >= {
        "type",
        "null",
        "enum",
        "const",
        "required",
        "additionalProperties",
        "pattern",
        "format",
        "minimum",
        "maximum",
        "minItems",
        "anyOf",
        "allOf",
        "$ref",
        "operation",
        "response",
        "parameter",
        "header",
        "scheme",
        "state",
        "edge",
        "setting",
    }
    # Every status of every operation is a claim of its own.
    responses = [c for c in found if c.keyword == "response"]
    inline = sum(
        1
        for item in spec.document["paths"].values()
        for operation in item.values()
        if isinstance(operation, dict) and "responses" in operation
        for response in operation["responses"].values()
        if "$ref" not in response
    )
    assert len(responses) == inline + len(spec.document["components"]["responses"])


@pytest.mark.parametrize(
    ("edit", "reported"),
    [
        (
            _set(f"{S}/Location/properties/city", "maxLength", 50),
            f"{S}/Location/properties/city: maxLength has no source",
        ),
        (
            _set(f"{S}/Zip", "x-source-pattern"),
            f"{S}/Zip: pattern has no source",
        ),
        (
            _set(f"{S}/Integer", "x-source-maximum", "D99"),
            "source 'D99' is not an entry of spec/DECISIONS.md",
        ),
        (
            _set(f"{S}/Integer", "x-source-maximum", "003: zip must be a US zip code"),
            "quotes words page 003 does not hold",
        ),
        (
            _set(f"{S}/Integer", "x-source-maximum", "007: anything"),
            "names page 007, which spec/seeds/ lacks",
        ),
        (
            _set(f"{S}/Integer", "x-source-maximum", "the pages"),
            "is neither D<n>, S<n>, Q<n> nor '<page>: <quote>'",
        ),
        (
            _set(f"{S}/Integer", "x-source-maximum", "Q2"),
            "an open question (Q2) can only admit null",
        ),
        (
            _set(f"{S}/Integer", "x-source-multipleOf", "D22"),
            f"{S}/Integer: x-source-multipleOf names a constraint the schema does not have",
        ),
        (
            _set(f"{S}/Integer", "x-source", "D22"),
            f"{S}/Integer: a schema names sources per constraint (x-source-<keyword>)",
        ),
        (
            _set(f"{S}/AppointmentCreate", "required", ["customer_id", "consumer_name"]),
            "no page quote of x-source-required names 'consumer_name'",
        ),
        (
            _set(f"{S}/Location/properties/city", "maxlength", 50),
            f"{S}/Location/properties/city: maxlength has no source",
        ),
        (
            _set(f"{S}/Location/properties/city", "propertyNames", {"pattern": "^a"}),
            f"{S}/Location/properties/city/propertyNames: pattern has no source",
        ),
        (
            _set(f"{S}/RoundTripMoveRequest/properties/rooftop", "x-open", "D18"),
            "x-open 'D18' is not an open question of DECISIONS.md",
        ),
        (
            _set(f"{S}/Location", "x-source-required", "003: customer_name String Required"),
            "no page quote of x-source-required names 'name'",
        ),
        (
            _set("/x-lifecycle", "lockedAfter", "paid"),
            "/x-lifecycle/lockedAfter: setting has no source",
        ),
        (
            _set("/paths/~1appointments/post/responses/201", "x-source"),
            "/paths/~1appointments/post/responses/201: response has no source",
        ),
        (
            _set("/components/headers/Allow", "x-source"),
            "/components/headers/Allow: header has no source",
        ),
        (
            _set("/x-lifecycle/edges/3", "x-source"),
            "/x-lifecycle/edges/3: edge has no source",
        ),
    ],
    ids=[
        "a new length",
        "a source removed",
        "an unknown decision",
        "a misquote",
        "an unknown page",
        "no source form",
        "a question refusing",
        "a stale key",
        "a source for the whole schema",
        "a required member no quote names",
        "a misspelt keyword",
        "a constraint in a subschema keyword",
        "x-open naming a decision",
        "a member named only inside another name",
        "a new lifecycle setting",
        "a status without a source",
        "a header without a source",
        "a lifecycle edge without a source",
    ],
)
def test_an_unsourced_or_wrongly_sourced_constraint_is_reported(
    document: dict[str, Any], edit: Edit, reported: str
) -> None:
    edited = copy.deepcopy(document)
    edit(edited)
    found = problems(edited)
    assert any(reported in line for line in found), found


def test_quotes_ignore_whitespace_and_table_bars(document: dict[str, Any]) -> None:
    edited = copy.deepcopy(document)
    _at(edited, f"{S}/Integer")["x-source-maximum"] = "000: vehicle_year|Number |  Optional"
    assert problems(edited) == []


@pytest.mark.parametrize(
    ("pointer", "question"),
    [
        (f"{S}/RoundTripLegRequest/properties/dealer_contact", "Q2"),
        (f"{S}/LoanerMoveRequest/properties/vehicle", "Q2"),
        (f"{S}/AppointmentCreate/properties/consumer_name", None),
        (f"{S}/Vehicle/properties/make", None),
    ],
)
def test_null_admitted_only_by_an_open_question_is_told_apart(
    spec: Spec, pointer: str, question: str | None
) -> None:
    assert null_question(spec.schema(pointer)) == question


def _first_error(schema: dict[str, Any], instance: Any) -> ValidationError:
    error: ValidationError = next(Draft202012Validator(schema).iter_errors(instance))
    return error


def test_broken_names_the_sources_of_the_failing_keyword(spec: Spec) -> None:
    zip_code = spec.schema(f"{S}/Zip")
    error = next(spec.validator(f"{S}/Zip").iter_errors("2322"))
    assert error.validator == "pattern"
    assert broken(error) == tuple(zip_code["x-source-pattern"])
    error = next(spec.validator(f"{S}/Zip").iter_errors(23220))
    assert broken(error) == tuple(zip_code["x-source-type"])


def test_broken_reads_the_sources_through_the_spec_s_references(spec: Spec) -> None:
    pointer = spec.request_pointer("createAppointment")
    body = {"customer_id": "1234", "consumer_at_pickup": True, "delivery_location_id": 5678}
    (error,) = spec.validator(pointer).iter_errors(body)
    assert broken(error) == (spec.schema(f"{S}/Integer")["x-source-type"],)


def test_broken_lends_a_branch_the_sources_of_its_combinator(spec: Spec) -> None:
    pointer = f"{S}/AppointmentCreate/properties/pickup_location_id"
    member = spec.schema(pointer)
    (error,) = spec.validator(pointer).iter_errors("9012")
    assert broken(error) == (member["x-source-anyOf"],)
    by_type = {branch.validator_value: branch for branch in error.context}
    # A branch with sources of its own keeps them; the null branch has its holder's.
    assert broken(by_type["integer"]) == (spec.schema(f"{S}/Integer")["x-source-type"],)
    assert broken(by_type["null"]) == (member["x-source-null"],)


def test_broken_lends_a_branch_without_sources_those_of_its_combinator() -> None:
    schema = {"anyOf": [{"type": "integer"}, {"type": "null"}], "x-source-anyOf": ["D22", "D8"]}
    error = _first_error(schema, "x")
    assert [broken(branch) for branch in error.context] == [("D22", "D8"), ("D22", "D8")]


def test_broken_is_empty_where_nothing_names_a_source() -> None:
    assert broken(_first_error({"type": "integer"}, "x")) == ()
    assert broken(_first_error({"required": ["a"], "x-source-type": "D4"}, {})) == ()
