"""The mock held up under pressure: kills mid-run, contending writers, hostile bodies.

Each test is bounded in rounds or seconds and stays on loopback.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from mock_server.app import create_app
from mock_server.bodies import MAX_BODY_BYTES
from mock_server.store import Store
from tests.live_server import LiveServer, free_port, wait_until_answering
from tests.seeds import seed

MOCK = Path(sys.executable).with_name("hopdrive-mock")
TOKEN = {"Authorization": "Bearer dev-token-a"}
KILL_ROUNDS = 50
CONTENTION_SECONDS = 10
# Eight fields PATCH may change on a `new` appointment, one per writer.
WRITER_FIELDS = (
    "consumer_name",
    "consumer_phone",
    "driver_notes",
    "vehicle_make",
    "vehicle_model",
    "vehicle_color",
    "vehicle_vin",
    "config",
)


def _future_appointment() -> dict[str, Any]:
    """The seed's creation body, its time ahead of the real clock these processes run on."""
    ahead = (datetime.now(UTC) + timedelta(days=30)).isoformat()
    return {**seed("000_createAppointment.request"), "appointment_time": ahead}


@contextmanager
def _mock_process(db: Path, port: int) -> Iterator[subprocess.Popen[bytes]]:
    """The installed `hopdrive-mock` serving `db`, ready to answer."""
    process = subprocess.Popen(
        [str(MOCK), "--port", str(port), "--db", str(db), "--quiet"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until_answering(f"http://127.0.0.1:{port}/v1/appointments", process)
        yield process
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()


def test_fifty_sigkills_lose_nothing_acknowledged(tmp_path: Path) -> None:
    db = tmp_path / "state.db"
    port = free_port()
    base = f"http://127.0.0.1:{port}/v1"
    acknowledged: dict[int, str] = {}  # appointment id -> the driver_notes its last 2xx set
    for round_number in range(KILL_ROUNDS):
        with _mock_process(db, port) as process, httpx.Client(base_url=base, headers=TOKEN) as api:
            for appointment_id, notes in acknowledged.items():
                found = api.patch(f"/appointments/{appointment_id}", json={})
                assert found.status_code == 200, f"round {round_number}: {appointment_id} lost"
                assert found.json()["driver_notes"] == notes, f"round {round_number}"
            created = api.post("/appointments", json=_future_appointment())
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
    base = f"http://127.0.0.1:{port}/v1"
    with _mock_process(tmp_path / "state.db", port):
        created = httpx.post(f"{base}/appointments", json=_future_appointment(), headers=TOKEN)
        appointment_id = created.json()["id"]
        last: dict[str, Any] = {}
        stamps: list[list[datetime]] = [[] for _ in WRITER_FIELDS]
        failures: list[str] = []
        deadline = time.monotonic() + CONTENTION_SECONDS

        def write(index: int, field: str) -> None:
            with httpx.Client(base_url=base, headers=TOKEN, timeout=30) as api:
                count = 0
                while time.monotonic() < deadline:
                    count += 1
                    value: Any = {"n": count} if field == "config" else f"{field} {count}"
                    answer = api.patch(f"/appointments/{appointment_id}", json={field: value})
                    if answer.status_code != 200:
                        failures.append(f"{field}: {answer.status_code} {answer.text}")
                        return
                    last[field] = value
                    stamps[index].append(datetime.fromisoformat(answer.json()["updatedat"]))

        writers = [
            threading.Thread(target=write, args=(index, field))
            for index, field in enumerate(WRITER_FIELDS)
        ]
        for writer in writers:
            writer.start()
        for writer in writers:
            writer.join()
        final = httpx.patch(f"{base}/appointments/{appointment_id}", json={}, headers=TOKEN).json()
    assert failures == []
    assert {field: final[field] for field in WRITER_FIELDS} == last
    for field, seen in zip(WRITER_FIELDS, stamps, strict=True):
        assert len(seen) > 10, f"{field} wrote only {len(seen)} times"
        assert seen == sorted(seen), f"updatedat went backwards for the {field} writer"
    assert datetime.fromisoformat(final["updatedat"]) >= max(max(seen) for seen in stamps)


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
        assert client.post("/v1/appointments", json=_future_appointment()).status_code == 201
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
