"""The content of spec/openapi.yaml: operations, security, errors, closed bodies, links."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import jsonpointer
import pytest
from openapi_spec_validator import OpenAPIV31SpecValidator

from spec import Spec
from tests.seeds import seed

PROBLEM = "application/problem+json"
PROBLEM_SCHEMAS = {"#/components/schemas/Problem", "#/components/schemas/DuplicateMoveProblem"}
# Objects whose members are the integration's own (D4): config and the workflow data.
FREE_FORM = {
    "/components/schemas/AppointmentCreate/properties/config",
    "/components/schemas/WorkflowData",
}
# Response members the seeds never show, so they may be absent.
OPTIONAL_IN_RESPONSES = {
    ("/components/schemas/LocationResult", "address_two"),
    ("/components/schemas/Appointment/properties/config", "transportation_type"),
    ("/components/schemas/Problem", "instance"),
    ("/components/schemas/Problem", "errors"),
}


def _walk(spec: Spec, pointer: str, seen: set[str] | None = None) -> Iterator[tuple[str, Any]]:
    """Every subschema reachable from the schema at `pointer`, with its pointer, refs followed."""
    seen = set() if seen is None else seen
    if pointer in seen:
        return
    seen.add(pointer)
    node = spec.schema(pointer)
    if not isinstance(node, dict):
        return
    yield pointer, node
    if isinstance(node.get("$ref"), str):
        yield from _walk(spec, node["$ref"].removeprefix("#"), seen)
    for keyword in ("properties",):
        for name in node.get(keyword, {}):
            yield from _walk(spec, f"{pointer}/{keyword}/{name}", seen)
    for keyword in ("allOf", "anyOf", "oneOf"):
        for index in range(len(node.get(keyword, []))):
            yield from _walk(spec, f"{pointer}/{keyword}/{index}", seen)
    for keyword in ("items", "additionalProperties"):
        if isinstance(node.get(keyword), dict):
            yield from _walk(spec, f"{pointer}/{keyword}", seen)


def _is_object_type(node: dict[str, Any]) -> bool:
    kind = node.get("type")
    return kind == "object" or (isinstance(kind, list) and "object" in kind)


def test_spec_validates_as_openapi_3_1(spec: Spec) -> None:
    assert spec.document["openapi"].startswith("3.1.")
    assert list(OpenAPIV31SpecValidator(spec.document).iter_errors()) == []


def test_every_seed_operation_is_described(spec: Spec) -> None:
    described = {(op.method, op.path, op.operation_id) for op in spec.public_operations}
    assert described == {
        ("POST", "/appointments", "createAppointment"),
        ("PUT", "/appointments/{id}", "replaceAppointment"),
        ("PATCH", "/appointments/{id}", "updateAppointment"),
        ("POST", "/concierge-loaner-moves", "createConciergeLoanerMove"),
        ("POST", "/round-trip-moves", "createRoundTripMove"),
    }


def test_servers_are_production_then_local(spec: Spec) -> None:
    urls = [server["url"] for server in spec.document["servers"]]
    assert urls == ["https://api.hopdrive.com/v1", "http://127.0.0.1:8000/v1"]


def test_every_operation_requires_the_bearer_scheme(spec: Spec) -> None:
    scheme = spec.document["components"]["securitySchemes"]["bearerAuth"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    for route, item in spec.document["paths"].items():
        for method, operation in item.items():
            if method == "parameters":
                continue
            effective = operation.get("security", spec.document["security"])
            assert effective == [{"bearerAuth": []}], f"{method.upper()} {route}"


@pytest.mark.parametrize(
    ("operation_id", "status"),
    [
        ("createAppointment", "201"),
        ("replaceAppointment", "200"),
        ("updateAppointment", "200"),
        ("createConciergeLoanerMove", "200"),
        ("createRoundTripMove", "200"),
    ],
)
def test_success_status_is_the_seeds(spec: Spec, operation_id: str, status: str) -> None:
    successes = [s for s in spec.operations[operation_id].responses if s.startswith("2")]
    assert successes == [status]
    assert spec.operations[operation_id].responses[status].media_type == "application/json"


def test_component_responses_cover_every_contract_error(spec: Spec) -> None:
    by_status = {
        "400": "BadRequest",
        "401": "Unauthorized",
        "403": "Forbidden",
        "404": "NotFound",
        "405": "MethodNotAllowed",
        "409": "Conflict",
        "413": "PayloadTooLarge",
        "415": "UnsupportedMediaType",
    }
    responses = spec.document["components"]["responses"]
    for name in by_status.values():
        schema = responses[name]["content"][PROBLEM]["schema"]
        assert schema == {"$ref": "#/components/schemas/Problem"}, name
    assert "WWW-Authenticate" in responses["Unauthorized"]["headers"]
    assert "Allow" in responses["MethodNotAllowed"]["headers"]


def test_every_error_response_is_problem_json(spec: Spec) -> None:
    for operation in spec.operations.values():
        for status, response in operation.responses.items():
            if status.startswith(("4", "5")):
                assert response.media_type == PROBLEM, (operation.operation_id, status)
                assert response.schema is not None
                assert spec.schema(response.schema)["$ref"] in PROBLEM_SCHEMAS


@pytest.mark.parametrize("operation_id", ["replaceAppointment", "updateAppointment"])
def test_appointment_updates_document_not_found_and_conflict(spec: Spec, operation_id: str) -> None:
    statuses = set(spec.operations[operation_id].responses)
    assert {"400", "401", "404", "409", "413", "415"} <= statuses


def test_every_operation_documents_the_body_errors(spec: Spec) -> None:
    for operation in spec.operations.values():
        assert {"400", "401", "413", "415"} <= set(operation.responses), operation.operation_id


def test_tenant_scoped_bodies_document_forbidden(spec: Spec) -> None:
    assert "403" in spec.operations["createAppointment"].responses
    assert "403" in spec.operations["createRoundTripMove"].responses


def test_round_trip_conflict_carries_conflicting_move_ids(spec: Spec) -> None:
    pointer = spec.operations["createRoundTripMove"].responses["409"].schema
    assert pointer is not None
    validator = spec.validator(pointer)
    problem = {"type": "about:blank", "title": "Duplicate", "status": 409, "detail": "x"}
    assert not validator.is_valid(problem)
    assert validator.is_valid({**problem, "conflicting_move_ids": [10038]})


def test_request_bodies_are_closed_except_free_form_objects(spec: Spec) -> None:
    checked = 0
    for operation in spec.operations.values():
        if operation.request_schema is None:
            continue
        for pointer, node in _walk(spec, operation.request_schema):
            if not _is_object_type(node):
                continue
            checked += 1
            if pointer in FREE_FORM:
                assert node.get("additionalProperties", True) is not False, pointer
            else:
                assert node.get("additionalProperties") is False, pointer
    assert checked >= 10


def test_response_schemas_require_every_documented_field(spec: Spec) -> None:
    for operation in spec.operations.values():
        for response in operation.responses.values():
            if response.schema is None:
                continue
            for pointer, node in _walk(spec, response.schema):
                optional = set(node.get("properties", {})) - set(node.get("required", []))
                allowed = {name for where, name in OPTIONAL_IN_RESPONSES if where == pointer}
                if pointer.split("/")[-2] not in {"anyOf", "oneOf"}:
                    assert optional <= allowed, (pointer, optional - allowed)


def test_responses_are_open_to_extra_fields(spec: Spec) -> None:
    for operation in spec.operations.values():
        for response in operation.responses.values():
            if response.schema is not None:
                for pointer, node in _walk(spec, response.schema):
                    assert node.get("additionalProperties", True) is not False, pointer


def test_creation_links_to_put_and_patch_by_id(spec: Spec) -> None:
    links = spec.document["paths"]["/appointments"]["post"]["responses"]["201"]["links"]
    targets = {link["operationId"]: link["parameters"] for link in links.values()}
    assert targets == {
        "replaceAppointment": {"id": "$response.body#/id"},
        "updateAppointment": {"id": "$response.body#/id"},
    }


def test_every_link_names_an_existing_operation(spec: Spec) -> None:
    for operation in spec.operations.values():
        for status in operation.responses:
            raw = spec.document["paths"][operation.path][operation.method.lower()]
            for link in raw["responses"][status].get("links", {}).values():
                assert link["operationId"] in spec.operations


def test_test_control_operation_is_marked_not_public(spec: Spec) -> None:
    operation = spec.operations["setAppointmentStatusForTest"]
    assert (operation.method, operation.path) == ("POST", "/_test/appointments/{id}/status")
    assert not operation.public
    assert operation.tags == ("test-control",)
    tag = next(t for t in spec.document["tags"] if t["name"] == "test-control")
    assert tag["x-internal"] is True


def test_path_id_is_a_positive_integer(spec: Spec) -> None:
    parameter = spec.document["components"]["parameters"]["AppointmentId"]
    validator = spec.validator("/components/parameters/AppointmentId/schema")
    assert (parameter["in"], parameter["required"]) == ("path", True)
    assert validator.is_valid(88001234)
    for bad in (0, -1, "abc", 1.5, 2**53):
        assert not validator.is_valid(bad), bad


def test_shared_shapes_are_components_not_copies(spec: Spec) -> None:
    schemas = spec.document["components"]["schemas"]
    for name in ("Vehicle", "VehicleDetails", "Location", "RoundTripLocation", "Move", "Problem"):
        assert name in schemas
    # Each shape is referenced from more than one place instead of being repeated inline.
    text = repr(spec.document)
    for name in ("Vehicle", "Move", "Problem", "Id", "WorkflowData"):
        assert text.count(f"'#/components/schemas/{name}'") >= 2, name


def test_lifecycle_extension_is_present_with_the_eight_states(spec: Spec) -> None:
    states = jsonpointer.resolve_pointer(spec.document, "/x-lifecycle/states")
    assert list(states) == [
        "new",
        "pending",
        "ready",
        "paying",
        "paid",
        "canceled",
        "refunded",
        "failed",
    ]


def test_duplicate_check_says_where_each_value_lives(spec: Spec) -> None:
    field = spec.document["components"]["schemas"]["DuplicateCheckField"]
    assert list(field["x-compares"]) == field["enum"]
    leg = seed("004_createRoundTripMove.request")["move_one"]
    found = {
        name: jsonpointer.resolve_pointer(leg, ptr, None)
        for name, ptr in field["x-compares"].items()
    }
    assert found == {
        "reference_num": None,
        "vehicle_stock": "BK0018",
        "vehicle_vin": "5GAKRBED5BJ262438",
    }
