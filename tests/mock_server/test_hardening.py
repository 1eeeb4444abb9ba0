"""The mock held up under pressure: kills mid-run, contending writers, hostile bodies.

Each test is bounded in rounds or seconds and stays on loopback.
"""

from __future__ import annotations

import os
import signal
import sqlite3
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import httpx
import pytest

from mock_server.app import create_app
from mock_server.bodies import MAX_BODY_BYTES
from mock_server.store import Store
from testbeds import LiveServer, free_port, mock_process
from tests.mock_server.contention import TOKEN, contend, future_appointment

KILL_ROUNDS = 50
CONTENTION_SECONDS = 10


def test_fifty_sigkills_lose_nothing_acknowledged(tmp_path: Path) -> None:
    db = tmp_path / "state.db"
    port = free_port()
    base = f"http://127.0.0.1:{port}/v1"
    acknowledged: dict[int, str] = {}  # appointment id -> the driver_notes its last 2xx set
    for round_number in range(KILL_ROUNDS):
        with mock_process(db, port) as process, httpx.Client(base_url=base, headers=TOKEN) as api:
            for appointment_id, notes in acknowledged.items():
                found = api.patch(f"/appointments/{appointment_id}", json={})
                assert found.status_code == 200, f"round {round_number}: {appointment_id} lost"
                assert found.json()["driver_notes"] == notes, f"round {round_number}"
            created = api.post("/appointments", json=future_appointment())
            assert created.status_code == 201
            new_id = created.json()["id"]
            notes = f"round {round_number}"
            changed = api.patch(f"/appointments/{new_id}", json={"driver_notes": notes})
            assert changed.status_code == 200
            acknowledged[new_id] = notes
            # Killed the moment the 2xx is in: nothing after it may be needed to keep the write.
            os.kill(process.pid, signal.SIGKILL)
    assert len(acknowledged) == KILL_ROUNDS


def test_eight_writers_for_ten_seconds_lose_no_update(tmp_path: Path) -> None:
    port = free_port()
    with mock_process(tmp_path / "state.db", port):
        seen = contend([f"http://127.0.0.1:{port}/v1"], CONTENTION_SECONDS)
    assert seen.failures == []
    assert seen.lost_updates() == {}
    assert seen.backwards() == []
    assert all(len(stamps) > 10 for stamps in seen.stamps.values()), seen.stamps
    # The final read is a PATCH too, so it stamps the record once more.
    assert datetime.fromisoformat(seen.final["updatedat"]) >= max(
        max(stamps) for stamps in seen.stamps.values()
    )


JSON = "application/json"
OVERSIZED = b'{"driver_notes": "' + b"x" * MAX_BODY_BYTES + b'"}'
UNDERSIZED = b'{"driver_notes": "' + b"x" * (MAX_BODY_BYTES - 100) + b'"}'
ABUSE: dict[str, tuple[bytes, str | None, int]] = {
    "just over 1 MiB": (OVERSIZED, JSON, 413),
    "just under 1 MiB, but breaks the schema": (UNDERSIZED[:-2] + b'", "x": 1}', JSON, 400),
    "deeply nested": (b"[" * 100_000 + b"]" * 100_000, JSON, 400),
    "huge integer": (b'{"customer_id": ' + b"9" * 5000 + b"}", JSON, 400),
    "integer past 2^53": (b'{"customer_id": 9007199254740993}', JSON, 400),
    "invalid UTF-8": (b'{"driver_notes": "\xff\xfe"}', JSON, 400),
    "unpaired surrogate escape": (b'{"driver_notes": "\\ud800"}', JSON, 400),
    "NaN": (b'{"vehicle_year": NaN}', JSON, 400),
    "Infinity": (b'{"vehicle_year": Infinity}', JSON, 400),
    "duplicate keys": (b'{"driver_notes": "a", "driver_notes": "b"}', JSON, 400),
    "not JSON at all": (b"driver_notes=a", JSON, 400),
    "form content type": (b"driver_notes=a", "application/x-www-form-urlencoded", 415),
    "text content type": (b'{"driver_notes": "a"}', "text/plain", 415),
    "no content type": (b'{"driver_notes": "a"}', None, 415),
    "JSON array": (b"[]", JSON, 400),
}
WRITES = [
    ("POST", "/v1/appointments"),
    ("PUT", "/v1/appointments/1"),
    ("PATCH", "/v1/appointments/1"),
    ("POST", "/v1/concierge-loaner-moves"),
    ("POST", "/v1/round-trip-moves"),
]


@pytest.fixture(scope="module")
def abused(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[httpx.Client, Path]]:
    """A client of the mock on a file database holding one appointment, and that file."""
    db = tmp_path_factory.mktemp("abuse") / "state.db"
    with (
        LiveServer(create_app(store=Store(db))) as live,
        httpx.Client(base_url=live.url.removesuffix("/v1"), headers=TOKEN) as client,
    ):
        assert client.post("/v1/appointments", json=future_appointment()).status_code == 201
        yield client, db


def _dump(db: Path) -> list[str]:
    with sqlite3.connect(db) as connection:
        return list(connection.iterdump())


@pytest.mark.parametrize(("method", "path"), WRITES, ids=[f"{m} {p}" for m, p in WRITES])
@pytest.mark.parametrize("name", list(ABUSE))
def test_hostile_body_is_a_clear_4xx_and_stores_nothing(
    abused: tuple[httpx.Client, Path], name: str, method: str, path: str
) -> None:
    client, db = abused
    body, content_type, status = ABUSE[name]
    before = _dump(db)
    headers = {"Content-Type": content_type} if content_type else {}
    answer = client.request(method, path, content=body, headers=headers)
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    problem = answer.json()
    assert problem["status"] == status
    assert problem["title"]
    assert problem["detail"]
    assert _dump(db) == before
