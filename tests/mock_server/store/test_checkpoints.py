"""SQLite checkpoints off the event loop: the log starts over, transactions rarely wait."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from mock_server.store import Checkpoints, Store
from mock_server.store.checkpoints import COMMITS_PER_CHECKPOINT, RESTART_PAGES

# Patched where Checkpoints reads it; RESTART_PAGES above stays the shipped length.
RESTART_SETTING = "mock_server.store.checkpoints.RESTART_PAGES"


def _insert(store: Store) -> None:
    with store.transaction() as tx:
        tx.insert_appointment(1234, {"notes": "x" * 300})


def test_the_log_starts_over_while_transactions_keep_coming(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Past this length the log starts over at the next checkpoint: the commits below make far more.
    monkeypatch.setattr(RESTART_SETTING, COMMITS_PER_CHECKPOINT // 4)
    store = Store(tmp_path / "state.db")
    commits = 12 * COMMITS_PER_CHECKPOINT

    async def serve() -> None:
        for _ in range(commits):
            await store.ready()
            _insert(store)
            await asyncio.sleep(0)  # the loop's turn between requests, as under uvicorn

    asyncio.run(serve())
    # The log's header counts its restarts (the checkpoint sequence number, bytes 12-15).
    restarts = int.from_bytes((tmp_path / "state.db-wal").read_bytes()[12:16], "big")
    store.close()
    assert restarts >= 6  # of the 12 checkpoints, each of which should empty the log


COPY_SECONDS = 0.5


@pytest.fixture
def copies(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Whether each checkpoint copy began so far synced the file; each takes COPY_SECONDS and
    finds a long log."""
    began: list[bool] = []

    def slow_copy(self: Checkpoints, sync: bool = False) -> int:
        began.append(sync)
        time.sleep(COPY_SECONDS)
        return RESTART_PAGES

    monkeypatch.setattr(Checkpoints, "copy", slow_copy)
    return began


def _due(tmp_path: Path) -> Store:
    """A store whose next `ready` starts a checkpoint."""
    store = Store(tmp_path / "state.db")
    for _ in range(COMMITS_PER_CHECKPOINT):
        _insert(store)
    return store


async def _until(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + 10 * COPY_SECONDS
    while not condition():
        assert time.monotonic() < deadline
        await asyncio.sleep(0.005)


async def _during_copy(store: Store, copies: list[bool], number: int, commit: bool) -> None:
    """Once copy `number` (from 1) runs, commit (or not); return as the next copy begins, or
    the checkpoint ends."""
    checkpoints = store.checkpoints
    assert checkpoints is not None
    await _until(lambda: len(copies) >= number)
    if commit:
        _insert(store)
    await _until(lambda: len(copies) > number or not checkpoints.running)


def test_transactions_wait_at_ready_only_while_the_last_copy_runs(
    tmp_path: Path, copies: list[bool]
) -> None:
    store = _due(tmp_path)

    async def scenario() -> None:
        await store.ready()  # starts the checkpoint
        await asyncio.sleep(COPY_SECONDS / 5)
        assert copies == [False]
        await asyncio.wait_for(store.ready(), 0.01)  # the bulk copy lets writes go on
        await _during_copy(store, copies, 1, commit=True)
        assert copies == [False, True]  # the second copy, which syncs the file
        await asyncio.wait_for(store.ready(), 0.01)  # lets writes go on too
        await _during_copy(store, copies, 2, commit=True)
        assert len(copies) == 3  # the last copy, for that commit
        waiting = asyncio.create_task(store.ready())
        await asyncio.sleep(COPY_SECONDS / 5)
        assert not waiting.done()
        await asyncio.wait_for(waiting, 5)

    asyncio.run(scenario())
    store.close()


@pytest.mark.parametrize("commits", [[False], [True, False]], ids=["first", "second"])
def test_a_copy_with_no_commit_during_it_ends_the_checkpoint_without_a_wait(
    tmp_path: Path, copies: list[bool], commits: list[bool]
) -> None:
    store = _due(tmp_path)

    async def scenario() -> None:
        await store.ready()
        for number, commit in enumerate(commits, 1):
            await _during_copy(store, copies, number, commit)
        await asyncio.wait_for(store.ready(), 0.01)

    asyncio.run(scenario())
    assert len(copies) == len(commits)  # the last of them emptied the log
    store.close()


def test_a_short_log_grows_on_rather_than_hold_transactions_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, copies: list[bool]
) -> None:
    monkeypatch.setattr(RESTART_SETTING, RESTART_PAGES + 1)
    store = _due(tmp_path)

    async def scenario() -> None:
        await store.ready()
        await _during_copy(store, copies, 1, commit=True)
        await asyncio.wait_for(store.ready(), 0.01)

    asyncio.run(scenario())
    assert copies == [False]  # the next checkpoint copies what came in meanwhile
    store.close()


def test_the_second_copy_syncs_what_it_copied_to_the_database_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = Store(tmp_path / "state.db")
    synced: list[int] = []
    # raising=False: macOS has no fdatasync, and the checkpoints fall back on fsync.
    monkeypatch.setattr(
        os, "fdatasync", lambda fd: synced.append(os.fstat(fd).st_ino), raising=False
    )
    _insert(store)
    checkpoints = store.checkpoints
    assert checkpoints is not None
    checkpoints.copy(sync=False)
    assert synced == []  # the bulk copy leaves the file to SQLite
    _insert(store)
    assert checkpoints.copy(sync=True) is not None
    assert synced == [(tmp_path / "state.db").stat().st_ino]
    store.close()


def test_a_failed_last_copy_still_lets_transactions_begin(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    copies: list[bool],
    caplog: pytest.LogCaptureFixture,
) -> None:
    slow_copy = Checkpoints.copy

    def last_copy_fails(self: Checkpoints, sync: bool = False) -> int | None:
        if len(copies) < 2:
            return slow_copy(self, sync)
        copies.append(sync)
        time.sleep(COPY_SECONDS / 5)
        raise RuntimeError("the disk is gone")

    monkeypatch.setattr(Checkpoints, "copy", last_copy_fails)
    store = _due(tmp_path)

    async def scenario() -> None:
        await store.ready()
        await _during_copy(store, copies, 1, commit=True)
        await _during_copy(store, copies, 2, commit=True)
        await asyncio.wait_for(store.ready(), 5)

    asyncio.run(scenario())
    assert len(copies) == 3
    assert "checkpoint abandoned: the disk is gone" in caplog.text
    store.close()


def test_closing_the_checkpoints_leaves_the_database_locks_to_the_store(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    store = Store(path)
    _insert(store)
    assert store.checkpoints is not None
    store.checkpoints.close()
    # Another process that took itself for the file's last user would delete the log under us.
    other = (
        "import sqlite3, sys; sqlite3.connect(sys.argv[1]).execute('SELECT 1').connection.close()"
    )
    subprocess.run([sys.executable, "-c", other, str(path)], check=True)
    assert Path(f"{path}-wal").exists()
    store.close()


def test_with_fsync_no_checkpoint_waits_at_ready(tmp_path: Path) -> None:
    store = Store(tmp_path / "state.db", fsync=True)
    for _ in range(COMMITS_PER_CHECKPOINT):
        _insert(store)
    asyncio.run(asyncio.wait_for(store.ready(), 0.01))
    assert store.checkpoints is None  # SQLite checkpoints inside the group's COMMIT
    store.close()


def test_a_cancelled_waiter_leaves_the_gate_to_the_others(
    tmp_path: Path, copies: list[bool]
) -> None:
    store = _due(tmp_path)

    async def scenario() -> None:
        await store.ready()
        await _during_copy(store, copies, 1, commit=True)
        await _during_copy(store, copies, 2, commit=True)  # the last copy runs: the gate is closed
        gone, staying = asyncio.create_task(store.ready()), asyncio.create_task(store.ready())
        await asyncio.sleep(0.01)
        gone.cancel()
        await asyncio.sleep(0.01)
        assert not staying.done()
        await asyncio.wait_for(staying, 5)

    asyncio.run(scenario())
    store.close()
