"""A typed HopDrive dealer API client, generated from the spec. Do not edit."""

from __future__ import annotations

from typing import Any, cast

import httpx

from hopdrive_types import (
    Appointment,
    AppointmentCreate,
    AppointmentCreated,
    AppointmentReplace,
    AppointmentUpdate,
    ConciergeLoanerMoveRequest,
    ConciergeLoanerMoveResult,
    Problem,
    RoundTripMoveRequest,
    RoundTripMoveResult,
)


class ProblemError(Exception):
    """The server answered with an RFC 9457 problem document."""

    def __init__(self, status: int, problem: Problem) -> None:
        super().__init__(f"{status}: {problem.get('detail', '')}")
        self.status = status
        self.problem = problem


class HopDriveClient:
    """One method per operation; each sends its body as JSON and returns the typed answer."""

    def __init__(self, base_url: str, token: str, *, client: httpx.Client | None = None) -> None:
        self._client = client or httpx.Client(
            base_url=base_url.rstrip("/") + "/", headers={"Authorization": f"Bearer {token}"}
        )

    def close(self) -> None:
        """Close the connections."""
        self._client.close()

    def _send(self, method: str, path: str, body: object) -> Any:
        response = self._client.request(method, path, json=body)
        if response.status_code >= 400:
            raise ProblemError(response.status_code, cast(Problem, response.json()))
        return response.json()

    def create_appointment(self, body: AppointmentCreate) -> AppointmentCreated:
        """Create an appointment (POST /appointments)."""
        return cast(AppointmentCreated, self._send("POST", "appointments", body))

    def create_concierge_loaner_move(self, body: ConciergeLoanerMoveRequest) -> ConciergeLoanerMoveResult:
        """Create a concierge + loaner move pair (POST /concierge-loaner-moves)."""
        return cast(ConciergeLoanerMoveResult, self._send("POST", "concierge-loaner-moves", body))

    def create_round_trip_move(self, body: RoundTripMoveRequest) -> RoundTripMoveResult:
        """Create a round-trip move pair (POST /round-trip-moves)."""
        return cast(RoundTripMoveResult, self._send("POST", "round-trip-moves", body))

    def replace_appointment(self, id: int, body: AppointmentReplace) -> Appointment:
        """Replace an appointment (PUT /appointments/{id})."""
        return cast(Appointment, self._send("PUT", f"appointments/{id}", body))

    def update_appointment(self, id: int, body: AppointmentUpdate) -> Appointment:
        """Update part of an appointment (PATCH /appointments/{id})."""
        return cast(Appointment, self._send("PATCH", f"appointments/{id}", body))
