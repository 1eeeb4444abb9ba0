"""The PostgreSQL store: its one-line errors, and mock processes on one database as one mock."""

from __future__ import annotations

import os
from datetime import datetime

import httpx
import pytest

from mock_server.store import StoreError, open_store
from testbeds import free_port, mock_process
from testbeds.suite import run_contract
from tests.mock_server.contention import TOKEN, contend, future_appointment

CONTENTION_SECONDS = 5


def test_unreachable_postgresql_is_a_one_line_error_without_the_password() -> None:
    with pytest.raises(StoreError) as caught:
        open_store(f"postgresql://mock:secret@127.0.0.1:{free_port()}/sandbox")
    message = str(caught.value)
    assert message.startswith("postgresql://mock:***@127.0.0.1:")
    assert "secret" not in message
    assert "\n" not in message


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
    result = run_contract(
        *("--mock-db", postgres_url, "--mock-workers", "2", "--profile", "quick"),
        *("--seed", "1", "--junit", os.devnull, "-q"),
        "contract_tests/test_appointments.py",
        "contract_tests/test_moves.py",
        "contract_tests/test_lifecycle.py",
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    assert " passed" in output
