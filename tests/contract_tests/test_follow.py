"""The one judgement of appointment behaviour: what it finds, and the decision each names."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import pytest

from contract_tests import follow
from contract_tests.model import Appointment, Expectation, Model
from spec import Spec

NOW = datetime(2026, 12, 1, tzinfo=UTC)
LATER = "2030-01-15T14:00:00+00:00"


@pytest.fixture
def model(spec: Spec) -> Model:
    return Model(spec)


def _ready(model: Model) -> Appointment:
    """A ready appointment as a server reported it, valet elected."""
    record = dict.fromkeys(model.record_fields)
    record.update(
        id=7,
        status="ready",
        consumer_at_pickup=False,
        delivery_location_id=5678,
        appointment_time=LATER,
        driver_notes="Gate",
        config={"transportation_type": "valet"},
    )
    return Appointment(id=7, record=record)


def _new(model: Model) -> Appointment:
    """A new appointment, no type elected: every member may change."""
    appointment = _ready(model)
    appointment.record.update(status="new", config=None, vehicle_year=2022)
    return appointment


def _patched(model: Model, appointment: Appointment, body: Mapping[str, Any]) -> list[Expectation]:
    return follow.expected(
        model, appointment, lambda r: model.update(r, body, replace=False, now=NOW)
    )


def _answer(appointment: Appointment, **changes: object) -> dict[str, object]:
    return {**appointment.record, "updatedat": "2026-12-01T00:00:00+00:00", **changes}


def test_an_answer_as_the_model_expects_finds_nothing(model: Model) -> None:
    appointment = _ready(model)
    body = {"driver_notes": "Ring twice"}
    expected = _patched(model, appointment, body)
    answer = _answer(appointment, driver_notes="Ring twice")
    assert (
        follow.judge(model, appointment, expected, "PATCH /appointments/7", body, 200, answer) == []
    )
    assert appointment.record["driver_notes"] == "Ring twice"


def test_a_frozen_member_changed_by_a_staged_patch_names_d11(model: Model) -> None:
    appointment = _ready(model)
    body = {"vehicle_vin": "2HGBH41JXMN109187"}
    expected = _patched(model, appointment, body)
    answer = _answer(appointment, vehicle_vin="2HGBH41JXMN109187")
    (finding,) = follow.judge(model, appointment, expected, "PATCH", body, 200, answer)
    assert finding.decisions == ("D11",)
    assert "expected [409]" in finding.message


def test_a_member_a_refused_request_sent_seen_later_names_the_refusals_decision(
    model: Model,
) -> None:
    appointment = _ready(model)
    refused = {"consumer_name": "Ann Lee", "vehicle_vin": "3HGBH41JXMN109188"}
    assert (
        follow.judge(
            model, appointment, _patched(model, appointment, refused), "PATCH", refused, 409, {}
        )
        == []
    )
    assert appointment.refused is not None
    answer = _answer(appointment, consumer_name="Ann Lee")
    (finding,) = follow.judge(
        model, appointment, _patched(model, appointment, {}), "PATCH", {}, 200, answer
    )
    assert finding.decisions == ("D11",)
    assert finding.member == "consumer_name"
    assert "the refused PATCH changed it" in finding.message


@pytest.mark.parametrize(
    ("member", "sent", "answered", "decision"),
    [
        ("driver_notes", "a" * 300, "a" * 255, "D21"),
        ("driver_notes", "", None, "D21"),
        ("vehicle_year", 2**40, 0, "D22"),
        ("appointment_time", "2030-01-15T09:00:00+05:30", "2030-01-15T09:00:00+00:00", "D9"),
        ("config", {"a": {"b": 1}}, {"a.b": 1}, "D13"),
        ("driver_notes", None, "Gate", "D8"),
    ],
)
def test_a_value_changed_into_another_of_its_kind_names_that_kinds_decision(
    model: Model, member: str, sent: object, answered: object, decision: str
) -> None:
    appointment = _new(model)
    body = {member: sent}
    answer = _answer(appointment, **{member: answered})
    findings = follow.judge(
        model, appointment, _patched(model, appointment, body), "PATCH", body, 200, answer
    )
    assert [f.decisions for f in findings] == [(decision,)]


def test_updatedat_going_backwards_names_d14(model: Model) -> None:
    appointment = _ready(model)
    first = _answer(appointment)
    assert follow.stamped(model, appointment, first, written=True) == []
    earlier = {**first, "updatedat": "2026-11-30T00:00:00+00:00"}
    (finding,) = follow.stamped(model, appointment, earlier, written=True)
    assert finding.decisions == ("D14",)
    assert "went backwards" in finding.message
