"""A live mock built for one test, a client for each dev dealer, fixtures files to start from."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from mock_server.app import create_app
from mock_server.auth import Tenants
from mock_server.fixtures import Fixtures
from spec import load
from testbeds import LiveServer

# Ahead of the tests' clock and of the real one, so that fixtures may still be changed.
LATER = "2030-03-10T09:00:00-05:00"
APPOINTMENT: dict[str, Any] = {
    "customer_id": 1234,
    "consumer_at_pickup": False,
    "delivery_location_id": 5678,
}
ROUND_TRIP = {
    "ready_by_time_utc": "2030-03-25T14:00:00Z",
    "move_one": {
        "vehicle": {"make": "Mercedes-Benz", "model": "C-Class", "manual": True, "vin": "VIN-1"},
        "pickup_location": {"address_one": "888 W Broad St", "city": "Richmond", "state": "VA"},
    },
    "move_two": {
        "vehicle": {"make": "Honda", "model": "Accord", "manual": False},
        "pickup_location": {"address_one": "1 Main St", "city": "Richmond", "state": "VA"},
    },
}
# One of each kind: a paid appointment of dealer a, a new one of dealer b, a's round trip.
FIXTURES: dict[str, Any] = {
    "appointments": [
        {
            "id": 1001,
            "status": "paid",
            **APPOINTMENT,
            "appointment_time": LATER,
            "transportation_type": "valet",
        },
        {"id": 2001, **APPOINTMENT, "customer_id": 777, "consumer_name": "B's customer"},
    ],
    "round_trip_moves": [{"name": "vin-1", "rooftop": 1234, **ROUND_TRIP}],
}


@dataclass(frozen=True)
class Dealers:
    """Clients of one live mock."""

    a: httpx.Client  # dev-token-a: rooftops 1234 and 42
    b: httpx.Client  # dev-token-b: rooftop 777
    anonymous: httpx.Client


@contextmanager
def live_mock(**settings: Any) -> Iterator[Dealers]:
    """`create_app(**settings)` served on loopback while the block runs."""
    with LiveServer(create_app(**settings)) as live, ExitStack() as clients:

        def client(token: str | None) -> httpx.Client:
            headers = {"Authorization": f"Bearer {token}"} if token else {}
            return clients.enter_context(
                httpx.Client(base_url=live.url, headers=headers, timeout=10)
            )

        yield Dealers(client("dev-token-a"), client("dev-token-b"), client(None))


def fixtures_file(directory: Path, document: Any = None) -> Path:
    """A fixtures file holding `document` (FIXTURES by default)."""
    path = directory / "fixtures.json"
    path.write_text(json.dumps(FIXTURES if document is None else document), encoding="utf-8")
    return path


def read_fixtures(directory: Path, document: Any = None) -> Fixtures:
    """A fixtures file holding `document` (FIXTURES by default), read for the dev tenants."""
    return Fixtures.read(fixtures_file(directory, document), load(), Tenants.load())
