"""The shared sandbox: mock processes and workers on one PostgreSQL database behave as one mock."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import httpx

from tests.live_server import free_port, mock_process
from tests.mock_server.contention import TOKEN, contend, future_appointment

CONTRACT = Path(sys.executable).with_name("hopdrive-contract")
ROOT = Path(__file__).parents[2]
CONTENTION_SECONDS = 5


def test_two_mock_processes_on_one_database_lose_no_update(postgres_url: str) -> None:
    ports = (free_port(), free_port())
    with mock_process(postgres_url, ports[0]), mock_process(postgres_url, ports[1]):
        seen = contend([f"http://127.0.0.1:{port}/v1" for port in ports], CONTENTION_SECONDS)
    assert seen.failures == []
    assert seen.lost_updates() == {}
    assert seen.backwards() == []
    # The final read is a PATCH too, so it stamps the record once more.
    assert datetime.fromisoformat(seen.final["updatedat"]) >= max(
        max(stamps) for stamps in seen.stamps.values()
    )


def test_what_one_process_writes_the_other_answers_for(postgres_url: str) -> None:
    one, two = free_port(), free_port()
    with mock_process(postgres_url, one), mock_process(postgres_url, two):
        created = httpx.post(
            f"http://127.0.0.1:{one}/v1/appointments", json=future_appointment(), headers=TOKEN
        )
        appointment_id = created.json()["id"]
        other = httpx.patch(
            f"http://127.0.0.1:{two}/v1/appointments/{appointment_id}",
            json={"driver_notes": "from two"},
            headers=TOKEN,
        )
        back = httpx.patch(
            f"http://127.0.0.1:{one}/v1/appointments/{appointment_id}", json={}, headers=TOKEN
        )
    assert other.status_code == 200
    assert back.json()["driver_notes"] == "from two"


def test_contract_slice_passes_against_two_workers_on_postgresql(postgres_url: str) -> None:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("HOPDRIVE_")}
    result = subprocess.run(
        [
            str(CONTRACT),
            *("--mock-db", postgres_url, "--mock-workers", "2", "--profile", "quick"),
            *("--seed", "1", "--junit", os.devnull, "-q"),
            "contract_tests/test_appointments.py",
            "contract_tests/test_moves.py",
            "contract_tests/test_lifecycle.py",
        ],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
        env=environment,
        timeout=300,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    assert " passed" in output
