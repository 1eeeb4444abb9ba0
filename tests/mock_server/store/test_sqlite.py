"""The SQLite store: serialised writes, group commit, a store that stops, a process killed."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from hopdrive.errors import HopDriveError
from mock_server.problems import Problem
from mock_server.store import Store, StoreError
from testbeds import free_port, mock_process
from tests.seeds import seed

TOKEN = {"Authorization": "Bearer dev-token-a"}


class FailingCommit(sqlite3.Connection):
    """A sqlite3 connection whose next COMMIT fails once `armed`, as on a full disk."""

    armed = False

    def execute(self, sql: str, parameters: Any = (), /) -> sqlite3.Cursor:
        if sql == "COMMIT" and self.armed:
            self.armed = False
            raise sqlite3.OperationalError("database or disk is full")
        return super().execute(sql, parameters)


class Kept:
    """A `connect` for Store that keeps the connection it opens (a FailingCommit) at hand."""

    connection: FailingCommit

    def __call__(
        self, database: str, *, isolation_level: None, check_same_thread: bool, timeout: float
    ) -> sqlite3.Connection:
        self.connection = sqlite3.connect(
            database,
            isolation_level=isolation_level,
            check_same_thread=check_same_thread,
            timeout=timeout,
            factory=FailingCommit,
        )
        return self.connection


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "state.db"


@pytest.fixture
def kept() -> Kept:
    return Kept()


@pytest.fixture
def synced(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The descriptors fsynced from now on; each fsync takes 0.1 s, so groups can form."""
    calls: list[int] = []

    def slow_fsync(descriptor: int) -> None:
        time.sleep(0.1)
        calls.append(descriptor)

    monkeypatch.setattr(os, "fsync", slow_fsync)
    return calls


@pytest.fixture
def grouped(db: Path, kept: Kept, synced: list[int]) -> Store:
    """A store on `db` with fsync, whose slow fsyncs (see `synced`) let groups form."""
    return Store(db, fsync=True, connect=kept)


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


def test_store_uses_wal_and_commits_without_waiting_for_the_disk(db: Path, kept: Kept) -> None:
    Store(db, connect=kept)
    assert kept.connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert kept.connection.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL


def test_by_default_a_commit_is_answered_without_an_fsync(db: Path, synced: list[int]) -> None:
    store = Store(db)
    appointment_id = _insert(store)
    # Answers wait for nothing: the commit is in the kernel's page cache, safe from a kill.
    asyncio.run(asyncio.wait_for(store.durable(), timeout=0.05))
    assert synced == []
    store.close()
    reopened = Store(db)
    with reopened.transaction() as tx:
        assert tx.appointment(appointment_id) is not None
    reopened.close()


def test_one_fsync_serves_every_waiter_and_a_later_commit_gets_its_own(
    grouped: Store, synced: list[int]
) -> None:
    async def scenario() -> None:
        _insert(grouped)
        first = [asyncio.create_task(grouped.durable()) for _ in range(3)]
        await asyncio.sleep(0.05)  # the first fsync is under way
        _insert(grouped)
        second = [asyncio.create_task(grouped.durable()) for _ in range(3)]
        await asyncio.gather(*first)
        assert not any(task.done() for task in second)  # its commit came after that fsync began
        await asyncio.gather(*second)

    asyncio.run(scenario())
    assert len(synced) == 2


def test_writes_during_an_fsync_are_committed_together_by_the_next_round(
    db: Path, grouped: Store
) -> None:
    async def scenario() -> None:
        first = await _round_under_way(grouped)  # that write is committed, its fsync under way
        assert _rows(db) == [1]
        group = [_insert(grouped) for _ in range(3)]
        assert _rows(db) == [1]  # the three wait, uncommitted, for the next round
        await first
        await grouped.durable()
        assert _rows(db) == [1, *group]

    asyncio.run(scenario())


def _refused(store: Store) -> None:
    """A transaction that writes, then raises (as a handler's Problem does)."""
    with store.transaction() as tx:
        tx.insert_appointment(1234, {"refused": True})
        raise Problem(409, "frozen-field", "refused")


@pytest.mark.parametrize("before", [1, 0], ids=["inside a group", "opening a group"])
def test_a_transaction_that_raises_in_a_group_undoes_only_itself(
    db: Path, grouped: Store, before: int
) -> None:
    async def scenario() -> None:
        first = await _round_under_way(grouped)
        kept = [_insert(grouped) for _ in range(before)]
        with pytest.raises(Problem):
            _refused(grouped)  # opening a group, it began with BEGIN, not a savepoint
        also_kept = _insert(grouped)
        await first
        await grouped.durable()
        assert _rows(db) == [1, *kept, also_kept]

    asyncio.run(scenario())


def test_a_cancelled_waiter_leaves_the_round_to_the_others(
    grouped: Store, synced: list[int]
) -> None:
    async def scenario() -> None:
        _insert(grouped)
        leaving, staying = (asyncio.create_task(grouped.durable()) for _ in range(2))
        await asyncio.sleep(0.05)
        leaving.cancel()  # its client hung up
        await staying

    asyncio.run(scenario())
    assert len(synced) == 1


def test_a_group_is_committed_even_when_all_who_wait_for_it_are_gone(
    db: Path, grouped: Store, synced: list[int]
) -> None:
    async def scenario() -> None:
        first = await _round_under_way(grouped)
        late = _insert(grouped)
        gone = asyncio.create_task(grouped.durable())
        await asyncio.sleep(0)
        gone.cancel()
        await first
        await asyncio.sleep(0.3)  # the group's own round
        assert _rows(db) == [1, late]

    asyncio.run(scenario())
    assert len(synced) == 2


def test_a_read_on_a_file_waits_for_an_fsync_and_memory_needs_none(
    db: Path, synced: list[int]
) -> None:
    # With several processes on one file, what a read saw may be another's unsynced commit.
    for store in (Store(db, fsync=True), Store(":memory:")):
        with store.transaction() as tx:
            assert tx.appointment(1) is None
        asyncio.run(store.durable())
    memory = Store(":memory:")
    _insert(memory)
    asyncio.run(memory.durable())
    assert len(synced) == 1


def test_a_group_that_cannot_be_committed_stops_the_store(
    db: Path, grouped: Store, kept: Kept
) -> None:
    async def answered(inserted: int) -> int:
        await grouped.durable()
        return inserted

    async def scenario() -> list[int | BaseException]:
        first = asyncio.create_task(answered(_insert(grouped)))
        await asyncio.sleep(0.05)  # its fsync is under way; the next COMMIT is the group's
        kept.connection.armed = True
        group = [asyncio.create_task(answered(_insert(grouped))) for _ in range(3)]
        return await asyncio.gather(first, *group, return_exceptions=True)

    first, *group = asyncio.run(scenario())
    assert first == 1
    assert all(isinstance(outcome, BaseException) for outcome in group)
    assert _rows(db) == [1]
    with pytest.raises(StoreError, match=r"could not be made durable.*restart the mock"):
        _insert(grouped)


def test_a_failed_fsync_stops_the_store(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # After a failed fsync Linux may report the lost pages to no later one: never go on.
    def failing_fsync(descriptor: int) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, "fsync", failing_fsync)
    store = Store(db, fsync=True)
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
    db: Path, grouped: Store, kept: Kept
) -> None:
    async def scenario() -> None:
        first = await _round_under_way(grouped)
        _insert(grouped)  # joins the group
        waiting = asyncio.create_task(grouped.durable())
        pages = kept.connection.execute("PRAGMA page_count").fetchone()[0]
        kept.connection.execute(f"PRAGMA max_page_count={pages + 2}")
        with pytest.raises(sqlite3.Error):
            _overflow(grouped)
        await first
        with pytest.raises(StoreError, match="rolled back a group"):
            await waiting

    asyncio.run(scenario())
    assert _rows(db) == [1]


def test_close_commits_and_syncs_the_pending_group_then_refuses_calls(
    db: Path, grouped: Store, synced: list[int]
) -> None:
    async def scenario() -> None:
        first = await _round_under_way(grouped)
        _insert(grouped)
        grouped.close()
        await first
        with pytest.raises(StoreError, match="closed"):
            await grouped.durable()

    asyncio.run(scenario())
    assert len(synced) == 2  # the first round's, and close's own
    assert _rows(db) == [1, 2]
    with pytest.raises(StoreError, match="closed"):
        _insert(grouped)
    grouped.close()  # a second close does nothing


def test_a_database_reached_through_a_symlink_syncs_its_real_log(
    tmp_path: Path, synced: list[int]
) -> None:
    (tmp_path / "real").mkdir()
    link = tmp_path / "link.db"
    link.symlink_to(tmp_path / "real" / "state.db")
    store = Store(link, fsync=True)
    _insert(store)
    asyncio.run(store.durable())
    real_log = tmp_path / "real" / "state.db-wal"
    assert [os.fstat(descriptor).st_ino for descriptor in synced] == [real_log.stat().st_ino]


def test_unopenable_database_is_a_one_line_store_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError) as caught:
        Store(tmp_path / "missing-dir" / "state.db")
    assert isinstance(caught.value, HopDriveError)  # a command reports it as its one line
    assert str(caught.value).startswith(str(tmp_path / "missing-dir" / "state.db"))
    assert "\n" not in str(caught.value)


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


def test_sigkill_right_after_a_2xx_loses_nothing(db: Path) -> None:
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
