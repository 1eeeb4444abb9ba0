"""Persistence and serialised writes: the store, and the mock process killed mid-run."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from mock_server.problems import Problem
from mock_server.store import Store, StoreError, open_store
from tests.live_server import free_port, mock_process
from tests.seeds import seed

TOKEN = {"Authorization": "Bearer dev-token-a"}


def test_store_keeps_appointments_across_reopen(location: str) -> None:
    store = open_store(location)
    with store.transaction() as tx:
        appointment_id = tx.insert_appointment(1234, {"status": "new"})
    store.close()
    reopened = open_store(location)
    with reopened.transaction() as tx:
        assert tx.appointment(appointment_id) == (1234, {"status": "new", "id": appointment_id})


def test_store_uses_wal_and_commits_without_waiting_for_the_disk(tmp_path: Path) -> None:
    store = Store(tmp_path / "state.db")
    connection = store._connection
    assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert connection.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL


def test_one_fsync_serves_every_waiter_and_a_later_commit_gets_its_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = Store(tmp_path / "state.db")
    synced: list[int] = []

    def slow_fsync(descriptor: int) -> None:
        time.sleep(0.1)
        synced.append(descriptor)

    monkeypatch.setattr(os, "fsync", slow_fsync)

    async def scenario() -> None:
        with store.transaction() as tx:
            tx.insert_appointment(1234, {})
        first = [asyncio.create_task(store.durable()) for _ in range(3)]
        await asyncio.sleep(0.05)  # the first fsync is under way
        with store.transaction() as tx:
            tx.insert_appointment(1234, {})
        second = [asyncio.create_task(store.durable()) for _ in range(3)]
        await asyncio.gather(*first)
        assert not any(task.done() for task in second)  # its commit came after that fsync began
        await asyncio.gather(*second)

    asyncio.run(scenario())
    assert len(synced) == 2


def test_writes_during_an_fsync_are_committed_together_by_the_next_round(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = Store(tmp_path / "state.db")
    monkeypatch.setattr(os, "fsync", lambda descriptor: time.sleep(0.1))
    other = sqlite3.connect(tmp_path / "state.db")

    def visible() -> int:
        return int(other.execute("SELECT count(*) FROM appointments").fetchone()[0])

    async def scenario() -> None:
        with store.transaction() as tx:
            tx.insert_appointment(1234, {})
        first = asyncio.create_task(store.durable())
        await asyncio.sleep(0.05)  # that write is committed, its fsync under way
        assert visible() == 1
        for _ in range(3):
            with store.transaction() as tx:
                tx.insert_appointment(1234, {})
        assert visible() == 1  # the three wait, uncommitted, for the next round
        await first
        await store.durable()
        assert visible() == 4

    asyncio.run(scenario())


def test_close_commits_a_group_still_waiting_for_its_round(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = Store(tmp_path / "state.db")
    monkeypatch.setattr(os, "fsync", lambda descriptor: time.sleep(0.1))

    async def scenario() -> None:
        with store.transaction() as tx:
            tx.insert_appointment(1234, {})
        syncing = asyncio.create_task(store.durable())
        await asyncio.sleep(0.05)
        with store.transaction() as tx:
            tx.insert_appointment(1234, {})
        store.close()
        await syncing

    asyncio.run(scenario())
    with Store(tmp_path / "state.db").transaction() as tx:
        assert tx.appointment(2) == (1234, {"id": 2})


@pytest.mark.parametrize("failing", ["commit", "fsync"])
def test_a_failed_round_fails_its_waiters_and_the_next_round_starts_afresh(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failing: str
) -> None:
    store = Store(tmp_path / "state.db")
    failures = [OSError(5, "Input/output error")]

    def once(step: Callable[..., None]) -> Callable[..., None]:
        def flaky(*args: object) -> None:
            if failures:
                raise failures.pop()
            step(*args)

        return flaky

    async def scenario() -> None:
        with store.transaction() as tx:
            tx.insert_appointment(1234, {})
        if failing == "commit":
            monkeypatch.setattr(store, "_commit", once(store._commit))
        else:
            monkeypatch.setattr(os, "fsync", once(os.fsync))
        with pytest.raises(OSError, match="Input/output error"):
            await store.durable()
        with store.transaction() as tx:
            tx.insert_appointment(1234, {})
        await store.durable()

    asyncio.run(scenario())


def test_durable_syncs_nothing_when_nothing_was_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    synced: list[int] = []
    monkeypatch.setattr(os, "fsync", synced.append)
    for store in (Store(tmp_path / "state.db"), Store(":memory:")):
        with store.transaction() as tx:
            assert tx.appointment(1) is None
        asyncio.run(store.durable())
    memory = Store(":memory:")
    with memory.transaction() as tx:
        tx.insert_appointment(1234, {})
    asyncio.run(memory.durable())
    assert synced == []


def test_transaction_that_raises_changes_nothing(location: str) -> None:
    store = open_store(location)
    with store.transaction() as tx:
        appointment_id = tx.insert_appointment(1234, {"status": "new"})

    def refused_change() -> None:
        with store.transaction() as tx:
            tx.put_appointment(appointment_id, {"status": "ready"})
            tx.insert_move(1234, {"vehicle_vin": "X"})
            raise Problem(409, "frozen-field", "refused")

    with pytest.raises(Problem):
        refused_change()
    with store.transaction() as tx:
        assert tx.appointment(appointment_id) == (1234, {"status": "new", "id": appointment_id})
        assert tx.moves_matching(1234, "vehicle_vin", ["X"]) == []


def test_duplicate_history_is_per_rooftop_and_field(location: str) -> None:
    store = open_store(location)
    with store.transaction() as tx:
        first = tx.insert_move(42, {"vehicle_vin": "VIN1", "vehicle_stock": "S1"})
        tx.insert_move(1234, {"vehicle_vin": "VIN1"})
        assert tx.moves_matching(42, "vehicle_vin", ["VIN1", "VIN2"]) == [first]
        assert tx.moves_matching(42, "vehicle_stock", ["VIN1"]) == []


@pytest.mark.parametrize("value", ["with\x00NUL", "lone \ud800 surrogate", "plain"])
def test_any_compared_value_is_stored_and_found_again(location: str, value: str) -> None:
    store = open_store(location)
    with store.transaction() as tx:
        move_id = tx.insert_move(42, {"vehicle_vin": value})
        assert tx.moves_matching(42, "vehicle_vin", [value]) == [move_id]
        assert tx.moves_matching(42, "vehicle_vin", [value + "x"]) == []


def test_unopenable_database_is_a_one_line_store_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError) as caught:
        Store(tmp_path / "missing-dir" / "state.db")
    assert str(caught.value).startswith(str(tmp_path / "missing-dir" / "state.db"))
    assert "\n" not in str(caught.value)


def test_unreachable_postgresql_is_a_one_line_error_without_the_password() -> None:
    with pytest.raises(StoreError) as caught:
        open_store(f"postgresql://mock:secret@127.0.0.1:{free_port()}/sandbox")
    message = str(caught.value)
    assert message.startswith("postgresql://mock:***@127.0.0.1:")
    assert "secret" not in message
    assert "\n" not in message


def test_writers_on_separate_connections_lose_no_update(location: str) -> None:
    # Each thread has its own connection, as two mock processes on one database would.
    with open_store(location).transaction() as tx:
        appointment_id = tx.insert_appointment(1234, {"count": 0})
    rounds, writers = 25, 8

    def increment() -> None:
        store = open_store(location)
        for _ in range(rounds):
            with store.transaction() as tx:
                _, record = tx.appointment(appointment_id) or (0, {})
                tx.put_appointment(appointment_id, {**record, "count": record["count"] + 1})
        store.close()

    threads = [threading.Thread(target=increment) for _ in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with open_store(location).transaction() as tx:
        assert tx.appointment(appointment_id) == (
            1234,
            {"count": rounds * writers, "id": appointment_id},
        )


def test_eight_concurrent_patches_of_different_fields_all_land(api: httpx.Client) -> None:
    appointment_id = api.post("/appointments", json=seed("000_createAppointment.request")).json()[
        "id"
    ]
    changes = {
        "consumer_name": "A",
        "consumer_phone": "+15555550100",
        "driver_notes": "C",
        "vehicle_vin": "D",
        "vehicle_make": "E",
        "vehicle_model": "F",
        "vehicle_color": "G",
        "vehicle_year": 2024,
    }
    barrier = threading.Barrier(len(changes))
    statuses: list[int] = []

    def patch(name: str) -> None:
        with httpx.Client(base_url=api.base_url, headers=TOKEN) as client:
            barrier.wait()
            response = client.patch(f"/appointments/{appointment_id}", json={name: changes[name]})
            statuses.append(response.status_code)

    threads = [threading.Thread(target=patch, args=(name,)) for name in changes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200] * len(changes)
    final = api.patch(f"/appointments/{appointment_id}", json={}).json()
    assert {name: final[name] for name in changes} == changes


def test_sigkill_right_after_a_2xx_loses_nothing(tmp_path: Path) -> None:
    db = tmp_path / "state.db"
    port = free_port()
    base = f"http://127.0.0.1:{port}/v1"
    trip = seed("004_createRoundTripMove.request")
    with mock_process(db, port) as process:
        # This process runs on the real clock: the appointment must lie ahead of it.
        future = (datetime.now(UTC) + timedelta(days=30)).isoformat()
        body = {**seed("000_createAppointment.request"), "appointment_time": future}
        created = httpx.post(f"{base}/appointments", json=body, headers=TOKEN)
        appointment_id = created.json()["id"]
        updated = httpx.patch(
            f"{base}/appointments/{appointment_id}", json={"driver_notes": "kept"}, headers=TOKEN
        )
        moved = httpx.post(f"{base}/round-trip-moves", json=trip, headers=TOKEN)
        assert (created.status_code, updated.status_code, moved.status_code) == (201, 200, 200)
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
    with mock_process(db, port):
        after = httpx.patch(f"{base}/appointments/{appointment_id}", json={}, headers=TOKEN)
        duplicate = httpx.post(f"{base}/round-trip-moves", json=trip, headers=TOKEN)
    assert after.status_code == 200
    assert after.json()["driver_notes"] == "kept"
    assert duplicate.status_code == 409
    move_ids = [moved.json()[leg]["move_id"] for leg in ("move_one", "move_two")]
    assert duplicate.json()["conflicting_move_ids"] == move_ids
