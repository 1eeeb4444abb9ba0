"""The rule table over a catalogue of spec edits, each made on a copy of the spec."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from gate.diff import RULES, compare
from spec import Spec, load

Edit = Callable[[dict[str, Any]], object]


def _schemas(doc: dict[str, Any]) -> dict[str, Any]:
    return dict(doc["components"]["schemas"])


def _set(path: str, value: Any) -> Edit:
    def edit(doc: dict[str, Any]) -> None:
        *parents, name = [p.replace("~1", "/").replace("~0", "~") for p in path.split("/")]
        holder = doc
        for part in parents:
            holder = holder[part]
        if value is None:
            del holder[name]
        else:
            holder[name] = value

    return edit


def _new_operation(doc: dict[str, Any]) -> None:
    doc["paths"]["/appointments/{id}/notes"] = {
        "post": {
            "operationId": "addNote",
            "parameters": [{"$ref": "#/components/parameters/AppointmentId"}],
            "responses": {"204": {"description": "Added."}},
        }
    }


def _status_201_to_200(doc: dict[str, Any]) -> None:
    responses = doc["paths"]["/appointments"]["post"]["responses"]
    responses["200"] = responses.pop("201")


def _drop_required(schema: str, name: str) -> Edit:
    def edit(doc: dict[str, Any]) -> None:
        _schemas(doc)[schema]["required"].remove(name)

    return edit


def _add_required(schema: str, name: str, member: dict[str, Any] | None = None) -> Edit:
    def edit(doc: dict[str, Any]) -> None:
        target = _schemas(doc)[schema]
        if member is not None:
            target["properties"][name] = member
        target.setdefault("required", []).append(name)

    return edit


def _enum(schema: str, change: Callable[[list[str]], None]) -> Edit:
    def edit(doc: dict[str, Any]) -> None:
        change(_schemas(doc)[schema]["enum"])

    return edit


def _edges(change: Callable[[list[dict[str, Any]]], None]) -> Edit:
    def edit(doc: dict[str, Any]) -> None:
        change(doc["x-lifecycle"]["edges"])

    return edit


def _staged(change: Callable[[list[str]], None]) -> Edit:
    def edit(doc: dict[str, Any]) -> None:
        change(doc["x-lifecycle"]["stagedMutableFields"])

    return edit


S = "components/schemas"
CATALOGUE: list[tuple[str, Edit, str, str, bool]] = [
    # (edit, how, expected kind, where it is reported, breaks clients)
    (
        "remove vehicle_vin from the PATCH body",
        _set(f"{S}/AppointmentUpdate/properties/vehicle_vin", None),
        "request-member-removed",
        "updateAppointment request /",
        True,
    ),
    (
        "make consumer_name required on POST",
        _add_required("AppointmentCreate", "consumer_name"),
        "request-member-now-required",
        "createAppointment request /",
        True,
    ),
    (
        "drop rideshare from transportation_type",
        _enum("TransportationType", lambda e: e.remove("rideshare")),
        "request-enum-value-removed",
        "replaceAppointment request /transportation_type",
        True,
    ),
    (
        "add an optional POST field",
        _set(f"{S}/AppointmentCreate/properties/loyalty_tier", {"type": "string"}),
        "request-member-added",
        "createAppointment request /",
        False,
    ),
    (
        "add an enum value seen in a response",
        _enum("CustomerAction", lambda e: e.append("swap")),
        "response-enum-value-added",
        "createConciergeLoanerMove 200 response /customer_action",
        True,
    ),
    (
        "the same value is new in the request",
        _enum("CustomerAction", lambda e: e.append("swap")),
        "request-enum-value-added",
        "createConciergeLoanerMove request /customer_action",
        False,
    ),
    (
        "remove an operation",
        _set("paths/~1round-trip-moves", None),
        "operation-removed",
        "createRoundTripMove",
        True,
    ),
    ("add an operation", _new_operation, "operation-added", "addNote", False),
    (
        "creation answers 200 instead of 201",
        _status_201_to_200,
        "success-status-changed",
        "createAppointment",
        True,
    ),
    (
        "vehicle_year may no longer be null",
        _set(f"{S}/AppointmentCreate/properties/vehicle_year", {"$ref": f"#/{S}/Integer"}),
        "request-type-narrowed",
        "createAppointment request /vehicle_year",
        True,
    ),
    (
        "the same narrowing in the response",
        _set(f"{S}/AppointmentCreate/properties/vehicle_year", {"$ref": f"#/{S}/Integer"}),
        "response-type-narrowed",
        "replaceAppointment 200 response /vehicle_year",
        False,
    ),
    (
        "customer_name may now be null in the concierge answer",
        _set(f"{S}/ConciergeLoanerMoveResult/properties/customer_name/type", ["string", "null"]),
        "response-type-widened",
        "createConciergeLoanerMove 200 response /customer_name",
        True,
    ),
    (
        "lane_uri no longer typed",
        _set(f"{S}/Move/properties/lane_uri", {"description": "Any value."}),
        "response-type-widened",
        "createRoundTripMove 200 response /move_one/lane_uri",
        True,
    ),
    (
        "tracking_link removed from moves",
        lambda d: (
            _set(f"{S}/Move/properties/tracking_link", None)(d),
            _drop_required("Move", "tracking_link")(d),
        ),
        "response-member-removed",
        "createRoundTripMove 200 response /move_one",
        True,
    ),
    (
        "updatedat no longer promised",
        _drop_required("Appointment", "updatedat"),
        "response-member-now-optional",
        "updateAppointment 200 response /",
        True,
    ),
    (
        "a new response member",
        _add_required("Appointment", "created_at", {"type": "string"}),
        "response-member-added",
        "replaceAppointment 200 response /",
        False,
    ),
    (
        "consumer_at_pickup optional on POST",
        _drop_required("AppointmentCreate", "consumer_at_pickup"),
        "request-member-now-optional",
        "createAppointment request /",
        False,
    ),
    (
        "a new duplicate_check field",
        _enum("DuplicateCheckField", lambda e: e.append("vehicle_plate")),
        "request-enum-value-added",
        "createRoundTripMove request /duplicate_check",
        False,
    ),
    (
        "concierge city capped at 100 characters",
        _set(f"{S}/Location/properties/city/maxLength", 100),
        "request-constraint-tightened",
        "/pickup_location/city",
        True,
    ),
    (
        "zip pattern changed",
        _set(f"{S}/Zip/pattern", "^[0-9]{5}(-[0-9]{4})?$"),
        "request-constraint-tightened",
        "/pickup_location/zip",
        True,
    ),
    (
        "ids may be larger",
        _set(f"{S}/Integer/maximum", 9223372036854775807),
        "request-constraint-loosened",
        "createAppointment request /customer_id",
        False,
    ),
    (
        "paying -> failed removed",
        _edges(
            lambda e: e.remove(next(x for x in e if (x["from"], x["to"]) == ("paying", "failed")))
        ),
        "lifecycle-edge-removed",
        "x-lifecycle",
        True,
    ),
    (
        "failed -> canceled added",
        _edges(lambda e: e.append({"from": "failed", "to": "canceled", "by": "internal"})),
        "lifecycle-edge-added",
        "x-lifecycle",
        False,
    ),
    (
        "driver_notes frozen once staged",
        _staged(lambda f: f.remove("driver_notes")),
        "staged-field-frozen",
        "x-lifecycle",
        True,
    ),
    (
        "vehicle_color mutable once staged",
        _staged(lambda f: f.append("vehicle_color")),
        "staged-field-unfrozen",
        "x-lifecycle",
        False,
    ),
]


def _edited(document: dict[str, Any], write_spec: Callable[[Any], Path], edit: Edit) -> Spec:
    edited = copy.deepcopy(document)
    edit(edited)
    return load(write_spec(edited))


@pytest.mark.parametrize(
    ("edit", "kind", "where", "breaks"),
    [entry[1:] for entry in CATALOGUE],
    ids=[entry[0] for entry in CATALOGUE],
)
def test_edit_is_classified_by_its_rule(
    spec: Spec,
    document: dict[str, Any],
    write_spec: Callable[[Any], Path],
    edit: Edit,
    kind: str,
    where: str,
    breaks: bool,
) -> None:
    changes = compare(spec, _edited(document, write_spec, edit))
    found = [c for c in changes if c.rule.kind == kind and where in f"{c.where} {c.detail}"]
    assert found, [(c.rule.kind, c.where, c.detail) for c in changes]
    assert all(c.breaks_clients is breaks for c in found)


def test_catalogue_has_at_least_twenty_edits_over_most_rules() -> None:
    assert len(CATALOGUE) >= 20
    assert len({kind for _, _, kind, _, _ in CATALOGUE}) >= 18
    assert {kind for _, _, kind, _, _ in CATALOGUE} <= set(RULES)


@pytest.mark.parametrize(
    "edit",
    [
        _set(f"{S}/Vehicle/description", "Another description."),
        _set(f"{S}/Zip/x-source", "D17"),
        _set("paths/~1_test~1appointments~1{id}~1status/post/summary", "Renamed"),
    ],
    ids=["a description", "a source", "the internal operation"],
)
def test_edits_outside_the_public_contract_are_no_change(
    spec: Spec, document: dict[str, Any], write_spec: Callable[[Any], Path], edit: Edit
) -> None:
    assert compare(spec, _edited(document, write_spec, edit)) == []


def test_same_spec_has_no_changes(spec: Spec) -> None:
    assert compare(spec, spec) == []
