"""SQLite checkpoints (the write-ahead log copied into the database file), off the event loop."""

from __future__ import annotations

import asyncio
import logging
import os
import sqlite3
import threading

logger = logging.getLogger("hopdrive.mock.store")

# Commits between two checkpoints: 600 to 3,600 pages of log, by the kind of write. Each copy is a
# burst of work on the mock's one core, slowing the requests in flight; every 128 commits, that
# was a few percent of all requests, enough to show in the p99.
COMMITS_PER_CHECKPOINT = 512
# The log starts over only once a checkpoint has copied all of it, which under steady writes takes
# a short stop of new transactions (see Checkpoints). Each stop holds every request in flight;
# at every checkpoint, those stops were the mock's p99. So the log grows to this many pages
# (31 MiB with SQLite's 4 KiB pages) before a checkpoint stops transactions.
RESTART_PAGES = 8_000
# SQLite's checkpoint inside a COMMIT, kept as a safety net: it runs only should the log outgrow
# this many pages, as it may when other processes keep writing to the same file.
FALLBACK_PAGES = 20_000


class Checkpoints:
    """Checkpoints of a WAL database, run on a worker thread through a connection of their own.

    SQLite checkpoints inside the COMMIT that takes the log past wal_autocheckpoint pages, and
    with synchronous=NORMAL that checkpoint fsyncs the log and the database file while the event
    loop stands still: that was the mock's p99, and a tenth of its core left idle. Here the loop
    starts one every so many commits and goes on serving while a thread copies the log; a PASSIVE
    checkpoint neither waits for a writer nor makes one wait.

    The log only starts over once a checkpoint has copied all of it. Once it has reached
    RESTART_PAGES and commits came in during the copy, a second copy takes those, and then new
    transactions wait at `ready` while a last copy takes the few that came in during the second.
    SQLite fsyncs the database file only after a copy that empties the log, so that last copy's
    fsync would write every page copied since the previous one, with transactions held back (up
    to 15 ms): the second copy fsyncs the file itself, before they are.
    """

    def __init__(self, path: str, file: int) -> None:
        """Checkpoints of the database at `path`; `file` is a descriptor of it to fsync, which
        the caller closes once no connection to the file is left (closing it drops the locks)."""
        self._connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._file = file
        self._lock = threading.Lock()  # one user of the connection: a copy, or close
        self._closed = False
        self._commits = 0
        self._running: asyncio.Task[None] | None = None
        self._gate: asyncio.Future[None] | None = None  # while set, transactions wait for it

    def committed(self) -> None:
        """Count a commit towards the next checkpoint."""
        self._commits += 1

    async def ready(self) -> None:
        """Return once a transaction may begin; start a checkpoint if one is due."""
        if self._commits >= COMMITS_PER_CHECKPOINT and not self.running:
            self._commits = 0
            self._running = asyncio.ensure_future(self._checkpoint())
            self._running.add_done_callback(_log_failure)
        if self._gate is not None:
            # Shielded: a waiter cancelled (its client gone) must not open the gate for all.
            await asyncio.shield(self._gate)

    async def _checkpoint(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            log = await loop.run_in_executor(None, self.copy)  # the bulk, while writes go on
            # Commits that came in meanwhile keep the log from starting over; a short log may
            # grow on, and a long one is emptied.
            if log is None or self._commits == 0 or log < RESTART_PAGES:
                return
            # What came in during the bulk, writes going on; then its pages are synced, so that
            # the last copy's sync, with transactions held back, has only its own to write.
            self._commits = 0
            log = await loop.run_in_executor(None, self.copy, True)
            if log is None or self._commits == 0:
                return
            self._gate = loop.create_future()
            try:
                # No transaction of this process is open (each one begins and ends within one
                # step of the loop), and none begins until this copy has emptied the log.
                await loop.run_in_executor(None, self.copy)
            finally:
                self._gate.set_result(None)
                self._gate = None
        finally:
            self._running = None

    @property
    def running(self) -> bool:
        """Whether a checkpoint started by `ready` is under way."""
        # A task left by a loop that is gone (tests run several) counts as finished.
        return self._running is not None and not self._running.done()

    def copy(self, sync: bool = False) -> int | None:
        """A PASSIVE checkpoint here, then with `sync` the file's sync: the log's pages, or None."""
        with self._lock:
            if self._closed:
                return None
            try:
                row = self._connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
            except sqlite3.Error as error:
                # Nothing is lost: the commits stay in the log for the next checkpoint to copy.
                logger.warning("checkpoint failed, to be retried: %s", error)
                return None
            busy, log, _ = row
            if busy:  # another process's checkpoint runs, and the log is its to finish
                return None
            if sync:
                try:
                    _sync_data(self._file)
                except OSError as error:
                    logger.warning("checkpoint could not sync the database file: %s", error)
                    return None
            return int(log)

    def close(self) -> None:
        """Close the connection, once the copy under way (if any) is done."""
        with self._lock:
            if not self._closed:
                self._closed = True
                self._connection.close()


def _sync_data(descriptor: int) -> None:
    """Sync the file's data: fdatasync leaves its times alone; macOS has only fsync."""
    # Looked up at each call, so that a test can stand in for os.fdatasync.
    getattr(os, "fdatasync", os.fsync)(descriptor)


def _log_failure(task: asyncio.Task[None]) -> None:
    """Say why a checkpoint task failed, rather than leave it for asyncio to report."""
    if not task.cancelled() and task.exception() is not None:
        logger.warning("checkpoint abandoned: %s", task.exception())
