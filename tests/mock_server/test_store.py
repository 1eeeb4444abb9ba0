"""Persistence and serialised writes: the store, and the mock process killed mid-run."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import threading
import time
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


def test_ids_keep_rising_across_reopen(location: str) -> None:
    store = open_store(location)
    with store.transaction() as tx:
        first = tx.insert_appointment(1234, {})
    store.close()
    reopened = open_store(location)
    with reopened.transaction() as tx:
        assert tx.insert_appointment(1234, {}) == first + 1
    reopened.close()


def test_records_are_stored_as_ascii_text_for_any_database_encoding(tmp_path: Path) -> None:
    store = Store(tmp_path / "state.db")
    with store.transaction() as tx:
        appointment_id = tx.insert_appointment(1234, {"customer_name": "Łukasz 東京"})
        found = tx.appointment(appointment_id)
    store.close()
    assert found is not None
    assert found[1]["customer_name"] == "Łukasz 東京"
    with sqlite3.connect(tmp_path / "state.db") as raw:
        assert raw.execute("SELECT record FROM appointments").fetchone()[0].isascii()


def test_store_uses_wal_and_commits_without_waiting_for_the_disk(tmp_path: Path) -> None:
    store = Store(tmp_path / "state.db")
    connection = store._connection
    assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert connection.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL


def test_by_default_a_commit_is_answered_without_an_fsync(
    tmp_path: Path, synced: list[int]
) -> None:
    store = Store(tmp_path / "state.db")
    appointment_id = _insert(store)
    # Answers wait for nothing: the commit is in the kernel's page cache, safe from a kill.
    asyncio.run(asyncio.wait_for(store.durable(), timeout=0.05))
    assert synced == []
    store.close()
    reopened = Store(tmp_path / "state.db")
    with reopened.transaction() as tx:
        assert tx.appointment(appointment_id) is not None
    reopened.close()


@pytest.fixture
def synced(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The descriptors fsynced from now on; each fsync takes 0.1 s, so groups can form."""
    calls: list[int] = []

    def slow_fsync(descriptor: int) -> None:
        time.sleep(0.1)
        calls.append(descriptor)

    monkeypatch.setattr(os, "fsync", slow_fsync)
    return calls


def _rows(db: Path) -> list[int]:
    """The appointment ids another connection sees committed."""
    with sqlite3.connect(db) as other:
        return [row[0] for row in other.execute("SELECT id FROM appointments ORDER BY id")]


def _insert(store: Store) -> int:
    with store.transaction() as tx:
        return tx.insert_appointment(1234, {})


async def _round_under_way(store: Store) -> asyncio.Task[None]:
    """Write appointment 1 and start the round that syncs it; return while its fsync runs."""
    _insert(store)
    round_ = asyncio.create_task(store.durable())
    await asyncio.sleep(0.05)
    return round_


def test_one_fsync_serves_every_waiter_and_a_later_commit_gets_its_own(
    tmp_path: Path, synced: list[int]
) -> None:
    store = Store(tmp_path / "state.db", fsync=True)

    async def scenario() -> None:
        _insert(store)
        first = [asyncio.create_task(store.durable()) for _ in range(3)]
        await asyncio.sleep(0.05)  # the first fsync is under way
        _insert(store)
        second = [asyncio.create_task(store.durable()) for _ in range(3)]
        await asyncio.gather(*first)
        assert not any(task.done() for task in second)  # its commit came after that fsync began
        await asyncio.gather(*second)

    asyncio.run(scenario())
    assert len(synced) == 2


def test_writes_during_an_fsync_are_committed_together_by_the_next_round(
    tmp_path: Path, synced: list[int]
) -> None:
    db = tmp_path / "state.db"
    store = Store(db, fsync=True)

    async def scenario() -> None:
        first = await _round_under_way(store)  # that write is committed, its fsync under way
        assert _rows(db) == [1]
        group = [_insert(store) for _ in range(3)]
        assert _rows(db) == [1]  # the three wait, uncommitted, for the next round
        await first
        await store.durable()
        assert _rows(db) == [1, *group]

    asyncio.run(scenario())


def _refused(store: Store) -> None:
    """A transaction that writes, then raises (as a handler's Problem does)."""
    with store.transaction() as tx:
        tx.insert_appointment(1234, {"refused": True})
        raise Problem(409, "frozen-field", "refused")


@pytest.mark.parametrize("before", [1, 0], ids=["inside a group", "opening a group"])
def test_a_transaction_that_raises_in_a_group_undoes_only_itself(
    tmp_path: Path, synced: list[int], before: int
) -> None:
    db = tmp_path / "state.db"
    store = Store(db, fsync=True)

    async def scenario() -> None:
        first = await _round_under_way(store)
        kept = [_insert(store) for _ in range(before)]
        with pytest.raises(Problem):
            _refused(store)  # opening a group, it began with BEGIN, not a savepoint
        also_kept = _insert(store)
        await first
        await store.durable()
        assert _rows(db) == [1, *kept, also_kept]

    asyncio.run(scenario())


def test_a_cancelled_waiter_leaves_the_round_to_the_others(
    tmp_path: Path, synced: list[int]
) -> None:
    store = Store(tmp_path / "state.db", fsync=True)

    async def scenario() -> None:
        _insert(store)
        leaving, staying = (asyncio.create_task(store.durable()) for _ in range(2))
        await asyncio.sleep(0.05)
        leaving.cancel()  # its client hung up
        await staying

    asyncio.run(scenario())
    assert len(synced) == 1


def test_a_group_is_committed_even_when_all_who_wait_for_it_are_gone(
    tmp_path: Path, synced: list[int]
) -> None:
    db = tmp_path / "state.db"
    store = Store(db, fsync=True)

    async def scenario() -> None:
        first = await _round_under_way(store)
        late = _insert(store)
        gone = asyncio.create_task(store.durable())
        await asyncio.sleep(0)
        gone.cancel()
        await first
        await asyncio.sleep(0.3)  # the group's own round
        assert _rows(db) == [1, late]

    asyncio.run(scenario())
    assert len(synced) == 2


def test_a_read_on_a_file_waits_for_an_fsync_and_memory_needs_none(
    tmp_path: Path, synced: list[int]
) -> None:
    # With several processes on one file, what a read saw may be another's unsynced commit.
    for store in (Store(tmp_path / "state.db", fsync=True), Store(":memory:")):
        with store.transaction() as tx:
            assert tx.appointment(1) is None
        asyncio.run(store.durable())
    memory = Store(":memory:")
    _insert(memory)
    asyncio.run(memory.durable())
    assert len(synced) == 1


class _FailingCommit:
    """A sqlite3 connection whose next COMMIT fails once `armed`, as on a full disk."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._connection = connection
        self.armed = False

    def __getattr__(self, name: str) -> object:
        return getattr(self._connection, name)

    def execute(self, sql: str, *parameters: object) -> sqlite3.Cursor:
        if sql == "COMMIT" and self.armed:
            self.armed = False
            raise sqlite3.OperationalError("database or disk is full")
        return self._connection.execute(sql, *parameters)


def test_a_group_that_cannot_be_committed_stops_the_store(
    tmp_path: Path, synced: list[int]
) -> None:
    db = tmp_path / "state.db"
    store = Store(db, fsync=True)
    failing = _FailingCommit(store._connection)
    store._connection = failing  # type: ignore[assignment]

    async def answered(inserted: int) -> int:
        await store.durable()
        return inserted

    async def scenario() -> list[int | BaseException]:
        first = asyncio.create_task(answered(_insert(store)))
        await asyncio.sleep(0.05)  # its fsync is under way; the next COMMIT is the group's
        failing.armed = True
        group = [asyncio.create_task(answered(_insert(store))) for _ in range(3)]
        return await asyncio.gather(first, *group, return_exceptions=True)

    first, *group = asyncio.run(scenario())
    assert first == 1
    assert all(isinstance(outcome, BaseException) for outcome in group)
    assert _rows(db) == [1]
    with pytest.raises(StoreError, match=r"could not be made durable.*restart the mock"):
        _insert(store)


def test_a_failed_fsync_stops_the_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # After a failed fsync Linux may report the lost pages to no later one: never go on.
    def failing_fsync(descriptor: int) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, "fsync", failing_fsync)
    store = Store(tmp_path / "state.db", fsync=True)
    _insert(store)
    with pytest.raises(OSError, match="Input/output error"):
        asyncio.run(store.durable())
    with pytest.raises(StoreError, match=r"Input/output error.*restart the mock"):
        _insert(store)
    with pytest.raises(StoreError):
        asyncio.run(store.durable())


def _overflow(store: Store) -> None:
    """A transaction the "full" disk refuses, and for which SQLite rolls back its whole group.

    SQLite undoes a refused INSERT alone, but rolls back the transaction when an UPDATE cannot
    grow its record.
    """
    with store.transaction() as tx:
        appointment_id = tx.insert_appointment(1234, {})
        tx.put_appointment(appointment_id, {"large": "x" * 200_000})


def test_sqlite_rolling_back_a_whole_group_stops_the_store(
    tmp_path: Path, synced: list[int]
) -> None:
    db = tmp_path / "state.db"
    store = Store(db, fsync=True)

    async def scenario() -> None:
        first = await _round_under_way(store)
        _insert(store)  # joins the group
        waiting = asyncio.create_task(store.durable())
        pages = store._connection.execute("PRAGMA page_count").fetchone()[0]
        store._connection.execute(f"PRAGMA max_page_count={pages + 2}")
        with pytest.raises(sqlite3.Error):
            _overflow(store)
        await first
        with pytest.raises(StoreError, match="rolled back a group"):
            await waiting

    asyncio.run(scenario())
    assert _rows(db) == [1]


def test_close_commits_and_syncs_the_pending_group_then_refuses_calls(
    tmp_path: Path, synced: list[int]
) -> None:
    db = tmp_path / "state.db"
    store = Store(db, fsync=True)

    async def scenario() -> None:
        first = await _round_under_way(store)
        _insert(store)
        store.close()
        await first
        with pytest.raises(StoreError, match="closed"):
            await store.durable()

    asyncio.run(scenario())
    assert len(synced) == 2  # the first round's, and close's own
    assert _rows(db) == [1, 2]
    with pytest.raises(StoreError, match="closed"):
        _insert(store)
    store.close()  # a second close does nothing


def test_a_database_reached_through_a_symlink_syncs_its_real_log(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    link = tmp_path / "link.db"
    link.symlink_to(tmp_path / "real" / "state.db")
    store = Store(link, fsync=True)
    _insert(store)
    real_log = tmp_path / "real" / "state.db-wal"
    assert os.fstat(store._log or -1).st_ino == real_log.stat().st_ino
    asyncio.run(store.durable())


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
