"""What every store shares: the tables, the transactions on them, the protocols, StoreError."""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Protocol

from hopdrive.errors import HopDriveError
from mock_server.json_text import dumps

# One schema for both databases; only the id column and integer width differ.
SCHEMA = """
CREATE TABLE IF NOT EXISTS appointments (
    id {id},
    rooftop {int} NOT NULL,
    record TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS move_pairs (
    id {id},
    kind TEXT NOT NULL,
    rooftop {int} NOT NULL
);
CREATE TABLE IF NOT EXISTS moves (
    id {id},
    rooftop {int} NOT NULL,
    pair_id {int} REFERENCES move_pairs (id),
    appointment_id {int} REFERENCES appointments (id)
);
CREATE TABLE IF NOT EXISTS move_keys (
    move_id {int} NOT NULL REFERENCES moves (id),
    rooftop {int} NOT NULL,
    field TEXT NOT NULL,
    value TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS move_keys_lookup ON move_keys (rooftop, field, value);
-- The fixtures loaded (--fixtures), so that loading the file again adds nothing.
CREATE TABLE IF NOT EXISTS fixtures (
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    rooftop {int} NOT NULL,
    digest TEXT NOT NULL,
    PRIMARY KEY (kind, name)
);
-- When each appointment entered its status, for HopDrive's own steps (--advance).
CREATE TABLE IF NOT EXISTS status_since (
    appointment_id {int} PRIMARY KEY,
    status TEXT NOT NULL,
    since TEXT NOT NULL
);
"""


class StoreError(HopDriveError):
    """The database cannot be opened or used any more; `str()` is one line naming it."""


class Cursor(Protocol):
    """What the store needs of a DB-API cursor (sqlite3's and psycopg's both fit)."""

    @property
    def rowcount(self) -> int:
        """The rows the last statement changed."""

    def fetchone(self) -> Any:
        """The next row, or None."""

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]], /) -> Any:
        """Run `sql` once per row."""

    def __iter__(self) -> Iterator[Any]:
        """The remaining rows."""


class Connection(Protocol):
    """What the store needs of a DB-API connection."""

    def execute(self, sql: str, parameters: Sequence[Any], /) -> Cursor:
        """Run one statement."""

    def cursor(self) -> Cursor:
        """A fresh cursor."""


class Database(Protocol):
    """A store the mock can use: SQLite (`Store`) or PostgreSQL (`PostgresStore`)."""

    path: str  # where it is, fit to print (no password)

    def transaction(self) -> AbstractContextManager[Transaction]:
        """One serialised transaction, its changes kept when the block ends (see `durable`)."""

    async def ready(self) -> None:
        """Return once a transaction may begin."""

    async def durable(self) -> None:
        """Return once every transaction ended so far is as durable as the store promises."""

    def close(self) -> None:
        """Release the database."""


class Transaction:
    """The reads and writes available inside one transaction."""

    def __init__(self, connection: Connection, *, placeholder: str = "?") -> None:
        self._connection = connection
        self._placeholder = placeholder

    def _sql(self, text: str) -> str:
        # The statements below mark parameters with `?`; psycopg wants `%s` and has no `?`.
        return text.replace("?", self._placeholder)

    def _execute(self, sql: str, parameters: Sequence[Any] = ()) -> Cursor:
        return self._connection.execute(self._sql(sql), parameters)

    def insert_appointment(
        self, rooftop: int, record: Mapping[str, Any], *, appointment_id: int | None = None
    ) -> int:
        """Store a new appointment; its id is assigned here unless given (reads put it into the
        record). A given id must be free."""
        if appointment_id is None:
            return _new_id(
                self._execute(
                    "INSERT INTO appointments (rooftop, record) VALUES (?, ?) RETURNING id",
                    (rooftop, _text(record)),
                )
            )
        self._execute(
            "INSERT INTO appointments (id, rooftop, record) VALUES (?, ?, ?)",
            (appointment_id, rooftop, _text(record)),
        )
        self._id_taken("appointments", appointment_id)
        return appointment_id

    def _id_taken(self, table: str, given: int) -> None:
        """Keep the ids the database assigns clear of one given explicitly.

        SQLite's rowid alias assigns the largest id plus one by itself; PostgreSQL's sequence
        needs moving (see PostgresTransaction).
        """

    def appointment(self, appointment_id: int) -> tuple[int, dict[str, Any]] | None:
        """The rooftop and record of an appointment, or None when there is none."""
        row = self._execute(
            "SELECT rooftop, record FROM appointments WHERE id = ?", (appointment_id,)
        ).fetchone()
        if row is None:
            return None
        # One INSERT writes a new record, before its id exists: the row's id is the record's.
        return row[0], {**json.loads(row[1]), "id": appointment_id}

    def put_appointment(self, appointment_id: int, record: Mapping[str, Any]) -> None:
        """Replace an appointment's record."""
        self._execute(
            "UPDATE appointments SET record = ? WHERE id = ?", (_text(record), appointment_id)
        )

    def new_pair(self, kind: str, rooftop: int) -> int:
        """Open a pair of moves (it is the lane both moves share); returns its id."""
        return _new_id(
            self._execute(
                "INSERT INTO move_pairs (kind, rooftop) VALUES (?, ?) RETURNING id", (kind, rooftop)
            )
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
        move_id = _new_id(
            self._execute(
                "INSERT INTO moves (rooftop, pair_id, appointment_id)"
                " VALUES (?, ?, ?) RETURNING id",
                (rooftop, pair_id, appointment_id),
            )
        )
        self._connection.cursor().executemany(
            self._sql("INSERT INTO move_keys (move_id, rooftop, field, value) VALUES (?, ?, ?, ?)"),
            [(move_id, rooftop, field, _key(value)) for field, value in keys.items()],
        )
        return move_id

    def status_since(self, appointment_id: int) -> tuple[str, str] | None:
        """The status an appointment was last noted in and when it entered it, if noted."""
        row = self._execute(
            "SELECT status, since FROM status_since WHERE appointment_id = ?", (appointment_id,)
        ).fetchone()
        return None if row is None else (row[0], row[1])

    def note_status(self, appointment_id: int, status: str, since: str) -> None:
        """Note that an appointment entered `status` at `since` (an RFC 3339 stamp)."""
        self._execute(
            "INSERT INTO status_since (appointment_id, status, since) VALUES (?, ?, ?)"
            " ON CONFLICT (appointment_id) DO UPDATE SET status = excluded.status,"
            " since = excluded.since",
            (appointment_id, status, since),
        )

    def remove(self, rooftops: Collection[int] | None) -> Removed:
        """Delete the appointments, moves and fixtures of `rooftops` (None: of every rooftop)."""
        parameters = tuple(rooftops or ())
        marks = ", ".join("?" * len(parameters))
        where = "" if rooftops is None else f" WHERE rooftop IN ({marks})"
        # Children before their parents: SQLite checks the foreign keys.
        self._execute(
            "DELETE FROM status_since WHERE appointment_id IN"
            f" (SELECT id FROM appointments{where})",
            parameters,
        )
        self._execute(f"DELETE FROM move_keys{where}", parameters)
        moves = self._execute(f"DELETE FROM moves{where}", parameters).rowcount
        self._execute(f"DELETE FROM move_pairs{where}", parameters)
        appointments = self._execute(f"DELETE FROM appointments{where}", parameters).rowcount
        self._execute(f"DELETE FROM fixtures{where}", parameters)
        return Removed(appointments=appointments, moves=moves)

    def fixture_digest(self, kind: str, name: str) -> str | None:
        """The digest of the fixture loaded under this kind and name, if one is."""
        row = self._execute(
            "SELECT digest FROM fixtures WHERE kind = ? AND name = ?", (kind, name)
        ).fetchone()
        return None if row is None else str(row[0])

    def note_fixture(self, kind: str, name: str, rooftop: int, digest: str) -> None:
        """Remember that a fixture is loaded: loading it again then adds nothing."""
        self._execute(
            "INSERT INTO fixtures (kind, name, rooftop, digest) VALUES (?, ?, ?, ?)",
            (kind, name, rooftop, digest),
        )

    def moves_matching(self, rooftop: int, field: str, values: Sequence[str]) -> list[int]:
        """The ids of the rooftop's moves whose `field` holds one of `values`."""
        if not values:
            return []
        marks = ", ".join("?" * len(values))
        rows = self._execute(
            "SELECT DISTINCT move_id FROM move_keys"
            f" WHERE rooftop = ? AND field = ? AND value IN ({marks}) ORDER BY move_id",
            (rooftop, field, *map(_key, values)),
        )
        return [row[0] for row in rows]


@dataclass(frozen=True)
class Removed:
    """How many rows `Transaction.remove` deleted."""

    appointments: int
    moves: int


def _text(value: Mapping[str, Any]) -> str:
    """A record as ASCII JSON text: a TEXT column of any database encoding holds it."""
    text = dumps(value).decode()
    # orjson writes UTF-8, which a PostgreSQL database in LATIN1 (say) cannot store.
    return text if text.isascii() else json.dumps(value)


def _key(value: str) -> str:
    """A compared value as JSON text: any string (NUL, lone surrogates) fits every database."""
    return json.dumps(value)


def _new_id(cursor: Cursor) -> int:
    """The id an INSERT ... RETURNING id assigned."""
    return int(cursor.fetchone()[0])
