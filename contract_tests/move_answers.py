"""What a move's answer must say of its request: what it echoes (D16), and the concierge's
ready-by time (D17). The suite's move checks and `hopdrive-proxy` both hold answers to it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from contract_tests.follow import Finding
from spec.instants import instant

# What each leg of the seed's answer repeats of the request, beside the vehicle sent.
CONCIERGE_LEGS = ("loaner_move", "customer_move")
CONCIERGE_ECHOED = ("customer_name", "customer_phone", "customer_action")
CONCIERGE_LEG_ECHOED = ("dealer_contact", "special_instructions")
ROUND_TRIP_LEGS = ("move_one", "move_two")
ROUND_TRIP_LEG_ECHOED = (
    "reference_num",
    "dealer_contact",
    "sla_id",
    "workflowset_id",
    "pickup_workflow_data",
)


def concierge(body: Mapping[str, Any], answer: Mapping[str, Any]) -> list[Finding]:
    """What a concierge + loaner answer gets wrong of its request."""
    findings = _echoes(body, answer, CONCIERGE_ECHOED, "")
    for leg in CONCIERGE_LEGS:
        findings += _leg(body, answer, leg, CONCIERGE_LEG_ECHOED)
    ready, appointment = answer.get("ready_by_time_utc"), answer.get("appointment_time_utc")
    early, late = _instant(ready), _instant(appointment)
    if early is not None and late is not None and early > late:
        findings.append(
            Finding(("D17",), f"D17: ready by {ready}, after {appointment}", "ready_by_time_utc")
        )
    return findings


def round_trip(body: Mapping[str, Any], answer: Mapping[str, Any]) -> list[Finding]:
    """What a round-trip answer gets wrong of its request."""
    findings: list[Finding] = []
    for leg in ROUND_TRIP_LEGS:
        findings += _leg(body, answer, leg, ROUND_TRIP_LEG_ECHOED)
    return findings


def _leg(
    body: Mapping[str, Any], answer: Mapping[str, Any], leg: str, echoed: tuple[str, ...]
) -> list[Finding]:
    sent, answered = _object(body.get(leg)), _object(answer.get(leg))
    vehicle = _object(sent.get("vehicle"))
    findings = _echoes(sent, answered, echoed, f"{leg}/")
    return findings + _echoes(
        vehicle, _object(answered.get("vehicle")), tuple(vehicle), f"{leg}/vehicle/"
    )


def _echoes(
    sent: Mapping[str, Any], answered: Mapping[str, Any], members: tuple[str, ...], where: str
) -> list[Finding]:
    return [
        Finding(
            ("D16",),
            f"D16: {where}{m}: sent {sent.get(m)!r}, answered {answered.get(m)!r}",
            f"{where}{m}",
        )
        for m in members
        # A null sent is a value left to the server, which may answer its own default.
        if sent.get(m) is not None and sent.get(m) != answered.get(m)
    ]


def _object(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _instant(value: Any) -> Any:
    return instant(value, spaced_utc=True) if isinstance(value, str) else None
