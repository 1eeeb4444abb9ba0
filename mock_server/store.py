"""Persistent state: appointments, moves and duplicate-check history in SQLite."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

_SCHEMA = """
CREATE TABLE IF NOT EXISTS appointments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    rooftop INTEGER NOT NULL,
    record TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS move_pairs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    rooftop INTEGER NOT NULL,
    response TEXT
);
CREATE TABLE IF NOT EXISTS moves (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    rooftop INTEGER NOT NULL,
    pair_id INTEGER REFERENCES move_pairs (id),
    appointment_id INTEGER REFERENCES appointments (id)
);
CREATE TABLE IF NOT EXISTS move_keys (
    move_id INTEGER NOT NULL REFERENCES moves (id),
    rooftop INTEGER NOT NULL,
    field TEXT NOT NULL,
    value TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS move_keys_lookup ON move_keys (rooftop, field, value);
"""


class StoreError(Exception):
    """The database cannot be opened; `str()` is one line naming it."""


class Store:
    """A SQLite database; every write is one durable transaction, writers serialised."""

    def __init__(self, path: str | Path = ":memory:") -> None:
        self.path = str(path)
        try:
            # Autocommit mode: transactions are begun explicitly, IMMEDIATE, below.
            self._connection = sqlite3.connect(
                self.path, isolation_level=None, check_same_thread=False, timeout=30
            )
            self._connection.execute("PRAGMA journal_mode=WAL")
            # FULL: a write is on disk before its 2xx is sent, so SIGKILL loses nothing.
            self._connection.execute("PRAGMA synchronous=FULL")
            self._connection.execute("PRAGMA foreign_keys=ON")
            self._connection.executescript(_SCHEMA)
        except sqlite3.Error as error:
            raise StoreError(f"{self.path}: cannot be opened as a database ({error})") from None
        self._lock = threading.Lock()

    def close(self) -> None:
        """Close the database."""
        with self._lock:
            self._connection.close()

    @contextmanager
    def transaction(self) -> Iterator[Transaction]:
        """One write transaction: committed when the block ends, rolled back if it raises.

        BEGIN IMMEDIATE takes SQLite's write lock at the start, so two requests (or two mock
        processes on one file) can never interleave a read-modify-write of the same record.
        """
        with self._lock:
            self._connection.execute("BEGIN IMMEDIATE")
            try:
                yield Transaction(self._connection)
            except BaseException:
                self._connection.execute("ROLLBACK")
                raise
            self._connection.execute("COMMIT")


class Transaction:
    """The reads and writes available inside one transaction."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._db = connection

    def insert_appointment(self, rooftop: int, record: Mapping[str, Any]) -> int:
        """Store a new appointment; its id is assigned here and written into the record."""
        cursor = self._db.execute(
            "INSERT INTO appointments (rooftop, record) VALUES (?, '{}')", (rooftop,)
        )
        appointment_id = _rowid(cursor)
        self.put_appointment(appointment_id, {**record, "id": appointment_id})
        return appointment_id

    def appointment(self, appointment_id: int) -> tuple[int, dict[str, Any]] | None:
        """The rooftop and record of an appointment, or None when there is none."""
        row = self._db.execute(
            "SELECT rooftop, record FROM appointments WHERE id = ?", (appointment_id,)
        ).fetchone()
        return None if row is None else (row[0], json.loads(row[1]))

    def put_appointment(self, appointment_id: int, record: Mapping[str, Any]) -> None:
        """Replace an appointment's record."""
        self._db.execute(
            "UPDATE appointments SET record = ? WHERE id = ?", (json.dumps(record), appointment_id)
        )

    def new_pair(self, kind: str, rooftop: int) -> int:
        """Open a pair of moves (it is the lane both moves share); returns its id."""
        cursor = self._db.execute(
            "INSERT INTO move_pairs (kind, rooftop) VALUES (?, ?)", (kind, rooftop)
        )
        return _rowid(cursor)

    def save_pair(self, pair_id: int, response: Mapping[str, Any]) -> None:
        """Keep the answer given for a pair."""
        self._db.execute(
            "UPDATE move_pairs SET response = ? WHERE id = ?", (json.dumps(response), pair_id)
        )

    def insert_move(
        self,
        rooftop: int,
        keys: Mapping[str, str],
        *,
        pair_id: int | None = None,
        appointment_id: int | None = None,
    ) -> int:
        """Create a move with the values duplicate checks compare; returns its id."""
        cursor = self._db.execute(
            "INSERT INTO moves (rooftop, pair_id, appointment_id) VALUES (?, ?, ?)",
            (rooftop, pair_id, appointment_id),
        )
        move_id = _rowid(cursor)
        self._db.executemany(
            "INSERT INTO move_keys (move_id, rooftop, field, value) VALUES (?, ?, ?, ?)",
            [(move_id, rooftop, field, value) for field, value in keys.items()],
        )
        return move_id

    def moves_matching(self, rooftop: int, field: str, values: Sequence[str]) -> list[int]:
        """The ids of the rooftop's moves whose `field` holds one of `values`."""
        if not values:
            return []
        marks = ", ".join("?" * len(values))
        rows = self._db.execute(
            "SELECT DISTINCT move_id FROM move_keys"
            f" WHERE rooftop = ? AND field = ? AND value IN ({marks}) ORDER BY move_id",
            (rooftop, field, *values),
        )
        return [row[0] for row in rows]


def _rowid(cursor: sqlite3.Cursor) -> int:
    rowid = cursor.lastrowid
    if rowid is None:  # an INSERT always has one; this satisfies the type
        raise StoreError("the database assigned no id")
    return rowid
