"""The SQLite store: writers serialised, commits grouped round one fsync with --fsync."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Protocol

from mock_server.store.base import SCHEMA, StoreError, Transaction
from mock_server.store.checkpoints import FALLBACK_PAGES, Checkpoints

CHECKPOINT_PAGES = 300


class Connect(Protocol):
    """How a Store opens the connection its transactions run on; `sqlite3.connect` fits."""

    def __call__(
        self, database: str, *, isolation_level: None, check_same_thread: bool, timeout: float
    ) -> sqlite3.Connection:
        """A connection to `database`, opened with these options."""


class Store:
    """A SQLite database, writers serialised, in one of two durability modes.

    By default each transaction is committed when its block ends, and the commit writes the
    write-ahead log without waiting for the disk (synchronous=NORMAL, what SQLite advises for
    WAL): from then on a crash or kill of the mock loses nothing, as the data sits in the
    kernel's page cache; a power cut or an OS crash may lose the last commits, never the
    database's consistency. Checkpoints run off the event loop (see Checkpoints): a coroutine
    awaits `ready` before it begins a transaction.

    With `fsync=True` a power cut loses nothing answered either: `durable` fsyncs the log, and
    the mock awaits it before it answers. While one fsync runs (off the event loop), the
    transactions that arrive join one SQLite transaction, each as a savepoint, and the next
    round commits them together and fsyncs once for all (group commit): synchronous=FULL would
    block the loop for a commit and an fsync per request. One event loop drives `durable`, as
    in the mock. A group that cannot be committed or synced may hold writes a later answer
    would rest on, so the store then stops: every call raises StoreError until the mock is
    restarted.

    `connect` opens the connection transactions run on (the checkpoints open their own): a
    caller may hand in one that wraps or watches sqlite3's, as the tests do to fail a COMMIT.
    """

    def __init__(
        self,
        path: str | Path = ":memory:",
        *,
        fsync: bool = False,
        connect: Connect = sqlite3.connect,
    ) -> None:
        self.path = str(path)
        try:
            # Autocommit mode: transactions are begun explicitly, IMMEDIATE, below.
            self._connection = connect(
                self.path, isolation_level=None, check_same_thread=False, timeout=30
            )
            wal = self._connection.execute("PRAGMA journal_mode=WAL").fetchone()[0] == "wal"
            # Without a log (:memory:, or a file system where WAL is refused) nothing groups
            # commits, and each commit syncs itself.
            level = "NORMAL" if wal else "FULL"
            self._connection.execute(f"PRAGMA synchronous={level}")
            self._connection.execute("PRAGMA foreign_keys=ON")
            self._connection.executescript(
                # The rowid alias hands out the largest id plus one: as AUTOINCREMENT would,
                # without a write of its sqlite_sequence page in every commit, but for the ids
                # of the newest rows a reset deleted, which it may hand out again.
                SCHEMA.format(id="INTEGER PRIMARY KEY", int="INTEGER")
            )
            main = self._main_file()
            # Descriptors to fsync: the log with --fsync, else the file the checkpoints copy to.
            self._log = os.open(f"{main}-wal", os.O_RDONLY) if wal and fsync else None
            self._file = os.open(main, os.O_RDONLY) if wal and not fsync else None
            self._checkpoints = Checkpoints(main, self._file) if self._file is not None else None
            # With --fsync, checkpoints stay inside a COMMIT, every 300 pages rather than
            # SQLite's 1,000: their two fsyncs stop the loop for ~1.5 ms rather than ~5 ms.
            pages = FALLBACK_PAGES if self._checkpoints else CHECKPOINT_PAGES
            self._connection.execute(f"PRAGMA wal_autocheckpoint={pages}")
        except sqlite3.Error as error:
            raise StoreError(f"{self.path}: cannot be opened as a database ({error})") from None
        except OSError as error:
            self._connection.close()
            raise StoreError(f"{self.path}: cannot be opened ({error.strerror})") from None
        self._lock = threading.Lock()
        self._grouped = 0  # transactions in the open group, committed by the next round
        self._ended = 0  # transactions ended on a file whose answers wait for an fsync
        self._synced = 0  # of those, how many a finished round covers
        self._syncing: asyncio.Future[None] | None = None
        self._failure: str | None = None

    @property
    def checkpoints(self) -> Checkpoints | None:
        """The checkpoints run off the event loop; None where SQLite runs them in a COMMIT."""
        return self._checkpoints

    def _main_file(self) -> str:
        """The file SQLite opened: through a symlink, its target (the log lies beside it)."""
        return str(next(row[2] for row in self._connection.execute("PRAGMA database_list")))

    def close(self) -> None:
        """Commit and sync what is pending, then close the database."""
        with self._lock:
            if self._failure == _CLOSED:
                return
            try:
                if self._checkpoints is not None:
                    self._checkpoints.close()
                self._commit()
                if self._log is not None:
                    os.fsync(self._log)
            finally:
                self._failure = _CLOSED
                self._connection.close()
                # Only now: closing any descriptor of the database file drops every POSIX lock
                # this process holds on it, SQLite's included.
                for descriptor in (self._log, self._file):
                    if descriptor is not None:
                        os.close(descriptor)

    async def ready(self) -> None:
        """Return once a transaction may begin: at once, unless a checkpoint is finishing."""
        if self._checkpoints is not None:
            await self._checkpoints.ready()

    async def durable(self) -> None:
        """Return once every transaction ended so far is committed (and, with fsync, on disk)."""
        target = self._ended
        while self._synced < target:
            self._check()
            if self._syncing is None:
                self._syncing = asyncio.ensure_future(self._sync())
                # Retrieved here, so a round nobody awaits any more fails without a warning.
                self._syncing.add_done_callback(_retrieve)
            # Shielded: a caller cancelled (its client gone) must not cancel the others' round.
            await asyncio.shield(self._syncing)

    async def _sync(self) -> None:
        """One round: commit the group gathered while the last fsync ran, then fsync the log."""
        assert self._log is not None
        try:
            with self._lock:
                self._check()
                self._commit()
                covered = self._ended
            await asyncio.get_running_loop().run_in_executor(None, os.fsync, self._log)
        except Exception as error:
            self._fail(f"a group of writes could not be made durable ({error})")
            self._syncing = None
            raise
        self._synced = covered
        # Transactions that arrived during this fsync form the next group: its round follows
        # at once, even if all who wait for it have gone.
        self._syncing = asyncio.ensure_future(self._sync()) if self._grouped else None
        if self._syncing is not None:
            self._syncing.add_done_callback(_retrieve)

    def _commit(self) -> None:
        """Commit the open group, if any (the lock is held)."""
        if not self._connection.in_transaction:
            return
        try:
            self._connection.execute("COMMIT")
        except sqlite3.Error:
            if self._connection.in_transaction:
                self._connection.execute("ROLLBACK")
            raise
        finally:
            self._grouped = 0

    def _check(self) -> None:
        if self._failure is not None:
            raise StoreError(f"{self.path}: {self._failure}")

    def _fail(self, reason: str) -> None:
        if self._failure is None:
            self._failure = f"{reason}; restart the mock"

    @contextmanager
    def transaction(self) -> Iterator[Transaction]:
        """One transaction: kept when the block ends, undone if it raises.

        BEGIN IMMEDIATE takes SQLite's write lock at the start, so two requests (or two mock
        processes on one file) can never interleave a read-modify-write of the same record.
        While a `durable` round runs, the transaction joins (or opens) the group the next
        round commits, as a savepoint that undoes it alone; otherwise it is committed here.
        """
        with self._lock:
            self._check()
            joined = self._connection.in_transaction
            self._connection.execute("SAVEPOINT request" if joined else "BEGIN IMMEDIATE")
            try:
                yield Transaction(self._connection)
            except BaseException:
                self._undo(joined)
                raise
            if joined:
                self._connection.execute("RELEASE request")
            self._grouped += 1
            if self._syncing is None:
                self._commit()
                if self._checkpoints is not None:
                    self._checkpoints.committed()
            # A read counts too: with several processes on the file, what it read may be
            # another's commit that only an fsync of the shared log makes durable.
            if self._log is not None:
                self._ended += 1

    def _undo(self, joined: bool) -> None:
        """Undo a transaction that raised; should SQLite have dropped its group, stop."""
        try:
            if self._connection.in_transaction:
                if not joined:
                    self._connection.execute("ROLLBACK")  # a group of this transaction alone
                    return
                self._connection.execute("ROLLBACK TO request")
                self._connection.execute("RELEASE request")
                if self._syncing is None:
                    self._commit()
                return
        except sqlite3.Error:
            if self._connection.in_transaction:
                self._connection.execute("ROLLBACK")
        # An I/O error or a full disk can roll back SQLite's whole transaction: with it went
        # the group's earlier transactions, whose answers wait for their round.
        if self._grouped:
            self._fail("SQLite rolled back a group of writes waiting for their fsync")
        self._grouped = 0


_CLOSED = "the store is closed"


def _retrieve(round_: asyncio.Future[None]) -> None:
    if not round_.cancelled():
        round_.exception()
