"""Concierge + loaner and round-trip moves (D16-D20): what to store, and the spec's answers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from mock_server.geocode import geocode
from mock_server.problems import Problem
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
class NewPair:
    """A pair of moves the rules accept: what the store keeps of it, and its answer but the ids."""

    kind: str
    rooftop: int
    # By leg, in the order the store creates them: the values a later duplicate check compares.
    keys: Mapping[str, Mapping[str, str]]
    answer: Mapping[str, Any]
    duplicate_check: str | None = None

    def checked_values(self) -> list[str]:
        """The values of the duplicate-check field in the legs that have one."""
        check = self.duplicate_check
        if check is None:
            return []
        return [keys[check] for keys in self.keys.values() if check in keys]


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

    def concierge(self, rooftop: int, body: Mapping[str, Any]) -> NewPair:
        """A concierge + loaner pair for the rooftop."""
        appointment = parse_utc(body["appointment_time_utc"], "/appointment_time_utc")
        response, keys = self._legs(
            body, self.concierge_fields, CONCIERGE_LEGS, self.concierge_leg_fields
        )
        response["appointment_time_utc"] = utc_z(appointment)
        response["ready_by_time_utc"] = utc_z(_ready_by(appointment))
        return NewPair("concierge-loaner", rooftop, keys, response)

    def round_trip(self, rooftop: int, body: Mapping[str, Any]) -> NewPair:
        """A round-trip pair for the rooftop, to create unless `duplicate_check` finds one (D19)."""
        ready_by = parse_utc(body["ready_by_time_utc"], "/ready_by_time_utc")
        response, keys = self._legs(
            body, self.round_trip_fields, ROUND_TRIP_LEGS, self.round_trip_leg_fields
        )
        response["ready_by_time_utc"] = utc_z(ready_by)
        response["earliest_available_time"] = utc_z(ready_by)
        return NewPair("round-trip", rooftop, keys, response, body.get("duplicate_check"))

    @staticmethod
    def refuse_duplicates(pair: NewPair, conflicts: list[int]) -> None:
        """A 409 naming the moves the pair's duplicate check found, if it found any (D19)."""
        if conflicts:
            raise Problem(
                409,
                "duplicate-move",
                f"Moves already created for rooftop {pair.rooftop} have the same "
                f"{pair.duplicate_check}.",
                extra={"conflicting_move_ids": conflicts},
            )

    @staticmethod
    def answer(pair: NewPair, pair_id: int, move_ids: Mapping[str, int]) -> dict[str, Any]:
        """The answer to a pair's creation, with the ids the store gave the pair and each leg."""
        answer = dict(pair.answer)
        for leg, move_id in move_ids.items():
            answer[leg] = dict(
                answer[leg],
                move_id=move_id,
                move_uri=f"{PUBLIC_BASE}/moves/{move_id}",
                lane_uri=f"{PUBLIC_BASE}/lanes/{pair_id}",
            )
        return answer

    def _legs(
        self,
        body: Mapping[str, Any],
        fields: tuple[str, ...],
        legs: tuple[str, ...],
        leg_fields: tuple[str, ...],
    ) -> tuple[dict[str, Any], dict[str, Mapping[str, str]]]:
        """A pair's answer but the ids, and by leg the values a duplicate check compares."""
        response = {name: body.get(name) for name in fields}
        for leg in legs:
            response[leg] = self._leg(body[leg], leg_fields)
        return response, {leg: self._keys(body[leg]) for leg in legs}

    def _leg(self, leg: Mapping[str, Any], fields: tuple[str, ...]) -> dict[str, Any]:
        """One move as answered: the request's members, then what the server adds."""
        vehicle = leg.get("vehicle") or {}
        reported = {name: vehicle.get(name) for name in self.vehicle_fields}
        # S1: a transmission nobody stated is reported as automatic.
        reported["manual"] = bool(vehicle.get("manual"))
        result = {name: leg.get(name) for name in fields}
        result.update(
            # Where the ids go, in the answer's order; only the store can give them (`answer`).
            move_id=None,
            move_uri=None,
            lane_uri=None,
            vehicle=reported,
            pickup_location=geocode(leg["pickup_location"], self.location_fields),
        )
        return result

    def _keys(self, leg: Mapping[str, Any]) -> dict[str, str]:
        """The values a later duplicate check compares, where the move has them."""
        found = {name: pointer.value_in(leg) for name, pointer in self.compares.items()}
        return {name: str(value) for name, value in found.items() if value is not None}
