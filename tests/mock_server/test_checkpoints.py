from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from mock_server.checkpoints import COMMITS_PER_CHECKPOINT, Checkpoints
from mock_server.store import Store

PAGE = 4096


def _insert(store: Store) -> None:
    with store.transaction() as tx:
        tx.insert_appointment(1234, {"notes": "x" * 300})


def test_the_log_starts_over_while_transactions_keep_coming(tmp_path: Path) -> None:
    store = Store(tmp_path / "state.db")
    commits = 12 * COMMITS_PER_CHECKPOINT

    async def serve() -> None:
        for _ in range(commits):
            await store.ready()
            _insert(store)
            await asyncio.sleep(0)  # the loop's turn between requests, as under uvicorn

    asyncio.run(serve())
    log = (tmp_path / "state.db-wal").stat().st_size
    store.close()
    # Never restarted, the log would hold a page or more per commit.
    assert log < commits * PAGE / 2


@pytest.fixture
def copies(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """When each checkpoint copy began; each takes 0.2 s."""
    began: list[float] = []

    def slow_copy(self: Checkpoints) -> None:
        began.append(time.monotonic())
        time.sleep(0.2)

    monkeypatch.setattr(Checkpoints, "_copy", slow_copy)
    return began


def _due(tmp_path: Path) -> Store:
    """A store whose next `ready` starts a checkpoint."""
    store = Store(tmp_path / "state.db")
    for _ in range(COMMITS_PER_CHECKPOINT):
        _insert(store)
    return store


def test_transactions_wait_at_ready_only_while_the_last_copy_runs(
    tmp_path: Path, copies: list[float]
) -> None:
    store = _due(tmp_path)

    async def scenario() -> None:
        await store.ready()  # starts the checkpoint
        await asyncio.sleep(0.05)
        assert len(copies) == 1
        await asyncio.wait_for(store.ready(), 0.01)  # the bulk copy lets writes go on
        await asyncio.sleep(0.25)
        assert len(copies) == 2  # the last copy, with the log to empty
        waiting = asyncio.create_task(store.ready())
        await asyncio.sleep(0.05)
        assert not waiting.done()
        await asyncio.wait_for(waiting, 1)

    asyncio.run(scenario())
    store.close()


def test_with_fsync_no_checkpoint_waits_at_ready(tmp_path: Path) -> None:
    store = Store(tmp_path / "state.db", fsync=True)
    for _ in range(COMMITS_PER_CHECKPOINT):
        _insert(store)
    asyncio.run(asyncio.wait_for(store.ready(), 0.01))
    assert store._checkpoints is None  # SQLite checkpoints inside the group's COMMIT
    store.close()


def test_a_cancelled_waiter_leaves_the_gate_to_the_others(
    tmp_path: Path, copies: list[float]
) -> None:
    store = _due(tmp_path)

    async def scenario() -> None:
        await store.ready()
        await asyncio.sleep(0.25)  # the last copy runs: the gate is closed
        gone, staying = asyncio.create_task(store.ready()), asyncio.create_task(store.ready())
        await asyncio.sleep(0.01)
        gone.cancel()
        await asyncio.sleep(0.01)
        assert not staying.done()
        await asyncio.wait_for(staying, 1)

    asyncio.run(scenario())
    store.close()
