"""The lifecycle data: consistent with itself and the schemas, and the D10 derivation."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator, FormatChecker

from spec import Lifecycle, Spec
from spec.loader import LIFECYCLE_SCHEMA_PATH, read_yaml


def test_every_state_is_reachable_from_new(spec: Spec) -> None:
    assert spec.lifecycle.initial == "new"
    assert spec.lifecycle.reachable() == set(spec.lifecycle.states)


def test_terminal_states_have_no_outgoing_public_edges(spec: Spec) -> None:
    assert spec.lifecycle.terminal_states == {"canceled", "refunded", "failed"}
    for state in spec.lifecycle.terminal_states:
        assert spec.lifecycle.edges_from(state, "public") == ()


def test_staged_mutable_fields_exist_in_the_appointment_schemas(spec: Spec) -> None:
    schemas = spec.document["components"]["schemas"]
    fields = spec.lifecycle.staged_mutable_fields
    assert fields == ("consumer_name", "consumer_phone", "driver_notes", "config")
    for name in ("Appointment", "AppointmentReplace", "AppointmentUpdate"):
        assert set(fields) <= set(schemas[name]["properties"]), name


def test_states_are_the_status_enum(spec: Spec) -> None:
    enum = spec.document["components"]["schemas"]["AppointmentStatus"]["enum"]
    assert list(spec.lifecycle.states) == enum


def test_staged_states_are_ready_paying_paid(spec: Spec) -> None:
    assert spec.lifecycle.staged_states == {"ready", "paying", "paid"}


def test_public_edges_are_put_and_patch_from_open_and_staged_states(spec: Spec) -> None:
    public = {(e.source, e.target) for e in spec.lifecycle.edges if e.by == "public"}
    assert public == {
        *((s, t) for s in ("new", "pending") for t in ("new", "pending", "ready")),
        ("ready", "ready"),
        ("paying", "paying"),
        ("paid", "paid"),
    }
    for edge in spec.lifecycle.edges:
        if edge.by == "public":
            assert edge.via == ("replaceAppointment", "updateAppointment")


def test_internal_edges_are_the_contract_list(spec: Spec) -> None:
    internal = {(e.source, e.target) for e in spec.lifecycle.edges if e.by == "internal"}
    assert internal == {
        ("ready", "paying"),
        ("ready", "paid"),
        ("paying", "paid"),
        ("paying", "failed"),
        ("ready", "failed"),
        *((s, "canceled") for s in ("new", "pending", "ready", "paying", "paid")),
        ("canceled", "refunded"),
    }


def test_allows_answers_per_driver(spec: Spec) -> None:
    assert spec.lifecycle.allows("ready", "paid", "internal")
    assert not spec.lifecycle.allows("ready", "paid", "public")
    assert not spec.lifecycle.allows("paid", "ready", "internal")


def test_move_is_created_on_paid(spec: Spec) -> None:
    assert spec.lifecycle.move_created_on == "paid"


def test_the_change_stamp_and_the_move_are_the_seeds_members_d14(spec: Spec) -> None:
    assert (spec.lifecycle.updated_field, spec.lifecycle.move_field) == ("updatedat", "move_id")


def _record(**overrides: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "appointment_time": "2026-03-10T14:00:00+00:00",
        "consumer_at_pickup": True,
        "pickup_location_id": 9012,
        "delivery_location_id": 5678,
        "config": {"transportation_type": "valet"},
    }
    record.update(overrides)
    return record


@pytest.mark.parametrize(
    ("record", "status"),
    [
        (_record(config=None), "new"),
        (_record(config={}), "new"),
        (_record(config={"dms": 1}, appointment_time=None), "new"),
        (_record(), "ready"),
        (_record(appointment_time=None), "pending"),
        (_record(pickup_location_id=None), "pending"),
        (_record(pickup_location_id=None, consumer_at_pickup=False), "ready"),
        (_record(delivery_location_id=None), "pending"),
    ],
    ids=[
        "no config: new",
        "no type: new",
        "no type, incomplete: new",
        "type and complete: ready",
        "no time: pending",
        "vehicle with the consumer, no pickup location: pending",
        "vehicle at the dealership needs no pickup location: ready",
        "no delivery location: pending",
    ],
)
def test_derive_status_follows_d10(spec: Spec, record: dict[str, Any], status: str) -> None:
    assert spec.lifecycle.derive_status(record) == status


_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 3),
    st.sampled_from([1.0, 1.5, -0.0, 2**63, 10**30]),
    st.sampled_from(["", "2026-03-10T14:00:00Z", "x"]),
    st.just([]),
    st.just({}),
)


def _members(rule: Any) -> set[str]:
    """Every member name a schema requires or describes, at any depth (anyOf branches too)."""
    if isinstance(rule, list):
        return set().union(*map(_members, rule))
    if not isinstance(rule, dict):
        return set()
    named = set(rule.get("required", [])) | set(rule.get("properties", {}))
    return named | set().union(*map(_members, rule.values()))


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_is_complete_agrees_with_jsonschema(spec: Spec, data: st.DataObject) -> None:
    # The rule is compiled for speed; jsonschema, the reference validator, must agree both ways.
    rule = spec.lifecycle.derivation.complete_when
    names = sorted(_members(rule))
    record = data.draw(st.dictionaries(st.sampled_from(names), _VALUES))
    reference = Draft202012Validator(rule, format_checker=FormatChecker())
    assert spec.lifecycle.is_complete(record) == reference.is_valid(record)


def test_elected_type_is_read_from_config(spec: Spec) -> None:
    assert spec.lifecycle.elected_type(_record()) == "valet"
    assert spec.lifecycle.elected_type({"transportation_type": "valet", "config": {}}) is None


def test_elected_member_is_the_config_member_and_its_key(spec: Spec) -> None:
    assert spec.lifecycle.elected_member == ("config", "transportation_type")


@pytest.mark.parametrize("pointer", ["/config", "/config/service/type", "/config/"])
def test_elected_type_must_sit_one_key_inside_a_record_member(
    document: dict[str, Any], pointer: str
) -> None:
    edited = copy.deepcopy(document["x-lifecycle"])
    edited["electedType"]["responsePointer"] = pointer
    assert not Draft202012Validator(read_yaml(LIFECYCLE_SCHEMA_PATH)).is_valid(edited)


def _problems(document: dict[str, Any], edit: Callable[[dict[str, Any]], None]) -> list[str]:
    edited = copy.deepcopy(document)
    edit(edited["x-lifecycle"])
    return list(Lifecycle.from_extension(edited["x-lifecycle"]).problems(edited))


def test_bundled_lifecycle_has_no_problems(document: dict[str, Any]) -> None:
    assert _problems(document, lambda _: None) == []


def _drop_refund(lifecycle: dict[str, Any]) -> None:
    lifecycle["edges"] = [e for e in lifecycle["edges"] if e["to"] != "refunded"]


BROKEN_LIFECYCLES: list[tuple[str, Callable[[dict[str, Any]], None], str]] = [
    ("unreachable state", _drop_refund, "state 'refunded' is not reachable from 'new'"),
    (
        "public edge out of a terminal state",
        lambda lc: lc["edges"].append(
            {"from": "canceled", "to": "new", "by": "public", "via": ["replaceAppointment"]}
        ),
        "terminal state 'canceled' has a public edge to 'new'",
    ),
    (
        "mutable field missing from the schema",
        lambda lc: lc["stagedMutableFields"].append("nickname"),
        "field 'nickname' is not a property of #/components/schemas/Appointment",
    ),
    (
        "state missing from the enum",
        lambda lc: lc["states"].update(archived={"kind": "terminal", "description": "x"}),
        "differ from the enum",
    ),
    (
        "edge to an unknown state",
        lambda lc: lc["edges"].append({"from": "paid", "to": "shipped", "by": "internal"}),
        "edges names unknown state 'shipped'",
    ),
    (
        "edge through an unknown operation",
        lambda lc: lc["edges"][0].update(via=["deleteAppointment"]),
        "names unknown operation 'deleteAppointment'",
    ),
    (
        "derivation that public edges do not allow",
        lambda lc: lc["derivation"].update(complete="paid"),
        "public edges from 'new' reach ['new', 'pending', 'ready'], but the derivation gives",
    ),
    (
        "derivation in a staged state",
        lambda lc: lc["derivation"]["appliesIn"].append("ready"),
        "derivation applies in 'ready', which is not an open state",
    ),
    (
        "completeness rule that is no schema",
        lambda lc: lc["derivation"].update(completeWhen={"type": 5}),
        "derivation.completeWhen is not a valid JSON Schema",
    ),
    (
        "past-time lock on a field the record lacks",
        lambda lc: lc.update(pastTimeLock="pickup_time"),
        "field 'pickup_time' is not a property",
    ),
    (
        "change stamp on a field the record lacks",
        lambda lc: lc.update(updatedField="updated_at"),
        "field 'updated_at' is not a property",
    ),
    (
        "move on a field the record lacks",
        lambda lc: lc.update(moveField="move"),
        "field 'move' is not a property",
    ),
]


@pytest.mark.parametrize(
    ("edit", "expected"),
    [(edit, expected) for _, edit, expected in BROKEN_LIFECYCLES],
    ids=[name for name, _, _ in BROKEN_LIFECYCLES],
)
def test_inconsistent_lifecycle_is_reported(
    document: dict[str, Any], edit: Callable[[dict[str, Any]], None], expected: str
) -> None:
    problems = _problems(document, edit)
    assert any(expected in problem for problem in problems), problems


def test_path_is_the_fewest_states_along_the_driver_edges(spec: Spec) -> None:
    lifecycle = spec.lifecycle
    assert lifecycle.path("ready", "paid", "internal") == ["paid"]
    assert lifecycle.path("ready", "refunded", "internal") == ["canceled", "refunded"]
    assert lifecycle.path("paid", "ready", "internal") is None
    assert lifecycle.path("new", "new", "internal") == []
