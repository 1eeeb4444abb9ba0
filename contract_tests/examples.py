"""Request bodies for the server under test, made from the spec's own seed examples."""

from __future__ import annotations

import copy
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from contract_tests.run import this_run
from contract_tests.target import Target
from spec import Spec


def seed_example(spec: Spec, operation_id: str, status: str | None = None) -> Any:
    """The `seed` example of an operation's request (or of its response with `status`)."""
    pointer = (
        spec.request_pointer(operation_id)
        if status is None
        else spec.response_pointer(operation_id, status)
    )
    media = spec.schema(pointer.removesuffix("/schema"))
    return copy.deepcopy(media["examples"]["seed"]["value"])


def moment(days: float) -> str:
    """An RFC 3339 time `days` from now (negative: in the past)."""
    return (datetime.now(UTC) + timedelta(days=days)).replace(microsecond=0).isoformat()


def appointment(spec: Spec, target: Target, **overrides: Any) -> dict[str, Any]:
    """The seed's creation body for the target's dealer, its appointment a month ahead, marked
    as this run's."""
    body = seed_example(spec, "createAppointment")
    body.update(
        customer_id=target.customer_id,
        delivery_location_id=target.delivery_location_id,
        appointment_time=moment(30),
    )
    body.update(overrides)
    return marked(spec, body)


def locations(target: Target) -> dict[str, int | None]:
    """The location members and the target's own ids for them: the only valid ones it knows (Q9)."""
    return {
        "delivery_location_id": target.delivery_location_id,
        "pickup_location_id": target.pickup_location_id,
    }


def marked(spec: Spec, body: dict[str, Any]) -> dict[str, Any]:
    """A creation body whose metadata (`config`) also carries the run's mark."""
    metadata = spec.lifecycle.elected_member[0]
    kept = body.get(metadata)
    return {**body, metadata: {**(kept if isinstance(kept, dict) else {}), **this_run().mark()}}


def replacement(spec: Spec, target: Target, **overrides: Any) -> dict[str, Any]:
    """The seed's full replacement (complete data, valet elected) for the target."""
    body = seed_example(spec, "replaceAppointment")
    body.update(
        delivery_location_id=target.delivery_location_id,
        pickup_location_id=target.pickup_location_id,
        appointment_time=moment(30),
    )
    body.update(overrides)
    return dict(body)


def unique(prefix: str) -> str:
    """A value no earlier run used, so duplicate checks only see this test's moves."""
    return f"{prefix}{uuid.uuid4().hex[:12].upper()}"


def concierge(spec: Spec) -> dict[str, Any]:
    """The seed's concierge + loaner body, with a vehicle no other run sent."""
    body = seed_example(spec, "createConciergeLoanerMove")
    body["customer_move"]["vehicle"].update(vin=unique("VIN"), stock=unique("STK"))
    return dict(body)


def round_trip(spec: Spec, target: Target) -> dict[str, Any]:
    """The seed's round-trip body for the target's rooftop, with vehicles no other run sent."""
    body = seed_example(spec, "createRoundTripMove")
    body["rooftop"] = target.customer_id
    for leg in ("move_one", "move_two"):
        body[leg]["vehicle"].update(vin=unique("VIN"), stock=unique("STK"))
        body[leg]["reference_num"] = unique("RO")
    return dict(body)
