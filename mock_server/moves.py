"""Concierge + loaner and round-trip moves (D16-D20), shaped as the spec's responses."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from mock_server.geocode import geocode
from mock_server.problems import Problem
from mock_server.store import Transaction
from mock_server.timestamps import parse_utc, utc_z
from spec import Spec
from spec.pointer import Pointer

# As in the seed's example: a 14:00 appointment has the loaner ready by 13:37.
READY_BY_LEAD = timedelta(minutes=23)
PUBLIC_BASE = "https://api.hopdrive.com/v1"
CONCIERGE_LEGS = ("loaner_move", "customer_move")
ROUND_TRIP_LEGS = ("move_one", "move_two")
_SCHEMAS = "/components/schemas/"


def _ready_by(appointment: datetime) -> datetime:
    """When the first vehicle must be ready: the lead before the appointment, never after it."""
    try:
        return appointment - READY_BY_LEAD
    except OverflowError:  # an appointment in the first minutes of year 1
        return appointment


@dataclass(frozen=True)
class MoveRules:
    """The response shapes and duplicate-check fields, read from the spec once."""

    concierge_fields: tuple[str, ...]
    concierge_leg_fields: tuple[str, ...]
    round_trip_fields: tuple[str, ...]
    round_trip_leg_fields: tuple[str, ...]
    vehicle_fields: tuple[str, ...]
    location_fields: tuple[str, ...]
    compares: Mapping[str, Pointer]

    @classmethod
    def from_spec(cls, spec: Spec) -> MoveRules:
        """Gather the members of each response shape from the spec's schemas."""

        def required(name: str) -> tuple[str, ...]:
            return spec.fields(_SCHEMAS + name, required=True)

        compared = spec.schema(_SCHEMAS + "DuplicateCheckField")["x-compares"]
        return cls(
            concierge_fields=required("ConciergeLoanerMoveResult"),
            concierge_leg_fields=required("ConciergeMove"),
            round_trip_fields=required("RoundTripMoveResult"),
            round_trip_leg_fields=required("RoundTripMove"),
            vehicle_fields=required("VehicleResult"),
            location_fields=required("LocationResult"),
            compares={name: Pointer(text) for name, text in compared.items()},
        )

    def concierge(self, tx: Transaction, rooftop: int, body: Mapping[str, Any]) -> dict[str, Any]:
        """Create a concierge + loaner pair for the rooftop and answer it."""
        appointment = parse_utc(body["appointment_time_utc"], "/appointment_time_utc")
        pair = tx.new_pair("concierge-loaner", rooftop)
        response = {name: body.get(name) for name in self.concierge_fields}
        for leg in CONCIERGE_LEGS:
            response[leg] = self._leg(tx, rooftop, pair, body[leg], self.concierge_leg_fields)
        response["appointment_time_utc"] = utc_z(appointment)
        response["ready_by_time_utc"] = utc_z(_ready_by(appointment))
        return response

    def round_trip(self, tx: Transaction, rooftop: int, body: Mapping[str, Any]) -> dict[str, Any]:
        """Create a round-trip pair for the rooftop, unless `duplicate_check` finds one (D19)."""
        ready_by = parse_utc(body["ready_by_time_utc"], "/ready_by_time_utc")
        check = body.get("duplicate_check")
        if check is not None:
            values = [self._keys(body[leg]).get(check) for leg in ROUND_TRIP_LEGS]
            conflicts = tx.moves_matching(rooftop, check, [v for v in values if v is not None])
            if conflicts:
                raise Problem(
                    409,
                    "duplicate-move",
                    f"Moves already created for rooftop {rooftop} have the same {check}.",
                    extra={"conflicting_move_ids": conflicts},
                )
        pair = tx.new_pair("round-trip", rooftop)
        response = {name: body.get(name) for name in self.round_trip_fields}
        for leg in ROUND_TRIP_LEGS:
            response[leg] = self._leg(tx, rooftop, pair, body[leg], self.round_trip_leg_fields)
        response["ready_by_time_utc"] = utc_z(ready_by)
        response["earliest_available_time"] = utc_z(ready_by)
        return response

    def _leg(
        self,
        tx: Transaction,
        rooftop: int,
        pair: int,
        leg: Mapping[str, Any],
        fields: tuple[str, ...],
    ) -> dict[str, Any]:
        """One created move: the request's members, then what the server adds."""
        move_id = tx.insert_move(rooftop, self._keys(leg), pair_id=pair)
        vehicle = leg.get("vehicle") or {}
        reported = {name: vehicle.get(name) for name in self.vehicle_fields}
        # S1: a transmission nobody stated is reported as automatic.
        reported["manual"] = bool(vehicle.get("manual"))
        result = {name: leg.get(name) for name in fields}
        result.update(
            move_id=move_id,
            move_uri=f"{PUBLIC_BASE}/moves/{move_id}",
            lane_uri=f"{PUBLIC_BASE}/lanes/{pair}",
            vehicle=reported,
            pickup_location=geocode(leg["pickup_location"], self.location_fields),
        )
        return result

    def _keys(self, leg: Mapping[str, Any]) -> dict[str, str]:
        """The values a later duplicate check compares, where the move has them."""
        found = {name: pointer.value_in(leg) for name, pointer in self.compares.items()}
        return {name: str(value) for name, value in found.items() if value is not None}
