"""Fixtures (`--fixtures`): appointments and moves a partner's tests start from, loaded once.

Each fixture is loaded as the API would have made it: its members are checked with the spec's
own request schemas and pass through the same rules and store calls as the handlers'.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Collection, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NoReturn

from jsonschema.exceptions import best_match

from mock_server.appointments import AppointmentRules
from mock_server.auth import Tenants
from mock_server.bodies import MAX_MESSAGE, pointer
from mock_server.control_api import ControlFileError, read_file
from mock_server.moves import MoveRules, NewPair
from mock_server.problems import Problem
from mock_server.store import Transaction
from mock_server.writes import insert_pair, move_maker
from spec import Spec

# What the fixtures table calls each kind; a move fixture is named by its `name`.
APPOINTMENT = "appointment"
MOVES = "moves"
# Each list of moves in the file: the operation whose request body its members are, and the
# rule that turns that body into a pair of moves.
MOVE_LISTS: Mapping[str, tuple[str, Callable[[MoveRules, int, Mapping[str, Any]], NewPair]]] = {
    "concierge_loaner_moves": ("createConciergeLoanerMove", MoveRules.concierge),
    "round_trip_moves": ("createRoundTripMove", MoveRules.round_trip),
}
_APPOINTMENT_ID = "/components/parameters/AppointmentId/schema"


@dataclass(frozen=True)
class AppointmentFixture:
    """An appointment to create with its own id, then bring to `status` (None: as created)."""

    where: str  # its JSON Pointer in the file
    id: int
    rooftop: int
    create: Mapping[str, Any]  # the POST /appointments body
    replace: Mapping[str, Any] | None  # the PUT body that elects its transportation type
    status: str | None
    digest: str


@dataclass(frozen=True)
class MoveFixture:
    """A pair of moves to create for a rooftop, as the move endpoints would."""

    where: str
    name: str
    rooftop: int
    kind: str  # the list of the file it stands in, a key of MOVE_LISTS
    body: Mapping[str, Any]
    digest: str


@dataclass(frozen=True)
class Loaded:
    """What a load added: the appointments' ids and the move fixtures' names."""

    appointments: tuple[int, ...] = ()
    moves: tuple[str, ...] = ()


@dataclass(frozen=True)
class Fixtures:
    """A fixtures file, read and checked; `load` puts what is not yet loaded into a store."""

    path: str
    appointments: tuple[AppointmentFixture, ...]
    moves: tuple[MoveFixture, ...]

    @classmethod
    def read(cls, path: str | os.PathLike[str], spec: Spec, tenants: Tenants) -> Fixtures:
        """Read a fixtures file (control.yaml's Fixtures); ControlFileError naming the place."""
        data = read_file(path, "Fixtures")
        reader = _Reader(
            str(path), spec, {r for t in tenants.by_token.values() for r in t.rooftops}
        )
        appointments = tuple(
            reader.appointment(f"/appointments/{index}", item)
            for index, item in enumerate(data.get("appointments", []))
        )
        moves = tuple(
            reader.moves(f"/{key}/{index}", key, item)
            for key in MOVE_LISTS
            for index, item in enumerate(data.get(key, []))
        )
        reader.unique([(f"{f.where}/id", f.id) for f in appointments])
        reader.unique([(f"{f.where}/name", f.name) for f in moves])
        return cls(str(path), appointments, moves)

    def load(
        self,
        tx: Transaction,
        appointments: AppointmentRules,
        moves: MoveRules,
        now: datetime,
        rooftops: Collection[int] | None = None,
    ) -> Loaded:
        """Load the fixtures of `rooftops` (None: all) not loaded yet; ControlFileError if one
        cannot be, or if its id or name is taken by something else."""
        loaded_appointments = []
        for fixture in self.appointments:
            if self._due(tx, APPOINTMENT, str(fixture.id), fixture, rooftops):
                self._load_appointment(tx, fixture, appointments, now)
                loaded_appointments.append(fixture.id)
        loaded_moves = []
        for move in self.moves:
            if self._due(tx, MOVES, move.name, move, rooftops):
                with self._blamed(move.where):
                    _, rule = MOVE_LISTS[move.kind]
                    insert_pair(tx, moves, rule(moves, move.rooftop, move.body))
                loaded_moves.append(move.name)
        return Loaded(tuple(loaded_appointments), tuple(loaded_moves))

    def _due(
        self,
        tx: Transaction,
        kind: str,
        name: str,
        fixture: AppointmentFixture | MoveFixture,
        rooftops: Collection[int] | None,
    ) -> bool:
        """Whether to load the fixture now, noting it as loaded if so."""
        if rooftops is not None and fixture.rooftop not in rooftops:
            return False
        digest = tx.fixture_digest(kind, name)
        if digest is None:
            tx.note_fixture(kind, name, fixture.rooftop, fixture.digest)
            return True
        if digest != fixture.digest:
            raise ControlFileError(
                f"{self.path}: {fixture.where}: {kind} {name} was loaded before with other "
                "members; start on a fresh --db to load these"
            )
        return False

    def _load_appointment(
        self, tx: Transaction, fixture: AppointmentFixture, rules: AppointmentRules, now: datetime
    ) -> None:
        """Create the appointment with its id, PUT its data, then take the internal edges."""
        if tx.appointment(fixture.id) is not None:
            raise ControlFileError(
                f"{self.path}: {fixture.where}/id: appointment {fixture.id} already exists and "
                "is not this fixture"
            )
        with self._blamed(fixture.where):
            record = rules.create(fixture.create, now)
            tx.insert_appointment(fixture.rooftop, record, appointment_id=fixture.id)
            record["id"] = fixture.id
            if fixture.replace is not None:
                record = rules.update(record, fixture.replace, replace=True, now=now)
            reached = record["status"]
            target = fixture.status or reached
            steps = rules.lifecycle.path(reached, target, "internal")
            if steps is None:
                raise ControlFileError(
                    f"{self.path}: {fixture.where}/status: its members leave the appointment "
                    f"{reached} (D10), and no internal edge leads from {reached} to {target}"
                )
            for step in steps:
                record = rules.transition(
                    record, step, now, move_maker(tx, fixture.rooftop, fixture.id)
                )
            tx.put_appointment(fixture.id, record)

    @contextmanager
    def _blamed(self, where: str) -> Iterator[None]:
        """A rule's refusal as a ControlFileError naming the fixture (and the member, if one)."""
        try:
            yield
        except Problem as problem:
            first = problem.errors[0] if problem.errors else {"pointer": "", "message": ""}
            reason = first["message"] or problem.detail
            raise ControlFileError(f"{self.path}: {where}{first['pointer']}: {reason}") from None


class _Reader:
    """Checks each fixture of one file against the spec; errors name the file and the place."""

    def __init__(self, path: str, spec: Spec, held: Collection[int]) -> None:
        self.path = path
        self.spec = spec
        self.held = held
        self.replace_fields = spec.fields(spec.request_pointer("replaceAppointment"))

    def appointment(self, where: str, item: Mapping[str, Any]) -> AppointmentFixture:
        """An appointment fixture: its id and status, then the members of the request bodies."""
        lifecycle = self.spec.lifecycle
        if not self.spec.validator(_APPOINTMENT_ID).is_valid(item["id"]):
            self._fail(f"{where}/id", f"{item['id']} is not an appointment id (1 to 2^53-1)")
        status = item.get("status")
        if status is not None and status not in lifecycle.states:
            self._fail(f"{where}/status", f"{status!r} is not a state of the lifecycle")
        members = {k: v for k, v in item.items() if k not in ("id", "status")}
        elected = lifecycle.elected_request_field
        create = {k: v for k, v in members.items() if k != elected}
        self._check(where, "createAppointment", create)
        replace = None
        if elected in members:
            replace = {k: v for k, v in members.items() if k in self.replace_fields}
            self._check(where, "replaceAppointment", replace)
        rooftop = create["customer_id"]
        self._held(f"{where}/customer_id", rooftop)
        return AppointmentFixture(
            where, item["id"], rooftop, create, replace, status, _digest(item)
        )

    def moves(self, where: str, kind: str, item: Mapping[str, Any]) -> MoveFixture:
        """A move fixture: its name and rooftop, then the members of the request body."""
        operation, _ = MOVE_LISTS[kind]
        body = {k: v for k, v in item.items() if k not in ("name", "rooftop")}
        # A body that has a rooftop of its own (the round trip's) keeps it.
        if "rooftop" in self.spec.fields(self.spec.request_pointer(operation)):
            body["rooftop"] = item["rooftop"]
        self._check(where, operation, body)
        self._held(f"{where}/rooftop", item["rooftop"])
        return MoveFixture(where, item["name"], item["rooftop"], kind, body, _digest(item))

    def unique(self, keys: list[tuple[str, Any]]) -> None:
        """Fail on the first id or name given twice."""
        first: dict[Any, str] = {}
        for where, key in keys:
            if key in first:
                self._fail(where, f"{key!r} is already the fixture at {first[key]}")
            first[key] = where.rpartition("/")[0]

    def _check(self, where: str, operation: str, body: Mapping[str, Any]) -> None:
        error = best_match(self.spec.request_validator(operation).iter_errors(body))
        if error is not None:
            message = error.message
            if len(message) > MAX_MESSAGE:  # it quotes the value, which may be long
                message = message[: MAX_MESSAGE - 3] + "..."
            self._fail(where + pointer(error.absolute_path), message)

    def _held(self, where: str, rooftop: int) -> None:
        if rooftop not in self.held:
            self._fail(where, f"no token of the tenants file holds rooftop {rooftop}")

    def _fail(self, where: str, reason: str) -> NoReturn:
        raise ControlFileError(f"{self.path}: {where}: {reason}")


def _digest(item: Mapping[str, Any]) -> str:
    """What tells a fixture loaded before from one changed since."""
    return hashlib.sha256(json.dumps(item, sort_keys=True).encode()).hexdigest()
