"""The mock as a Starlette app: routes from the spec's operations, every error a problem."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import jsonschema_rs
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from hopdrive.errors import HopDriveError
from mock_server.access_log import AccessLog
from mock_server.advance import Schedule
from mock_server.appointments import AppointmentRules
from mock_server.auth import Tenant, Tenants
from mock_server.bodies import check, read_json
from mock_server.chosen import ChosenAnswers
from mock_server.fault_control import fault_injection
from mock_server.faults import FaultPlan
from mock_server.fixtures import Fixtures
from mock_server.journal import DEFAULT_SIZE, Journal, JournalRecorder
from mock_server.journal_api import REQUESTS_PATH, JournalView
from mock_server.json_text import JSONAnswer
from mock_server.moves import MoveRules
from mock_server.problems import Problem
from mock_server.reset import RESET_PATH, Reset
from mock_server.store import Database, Store, StoreError, Transaction
from mock_server.timestamps import parse_offset, utc_stamp
from mock_server.writes import insert_pair, move_maker
from spec import Operation, Spec, load

Clock = Callable[[], datetime]
_DIGITS = re.compile(r"[0-9]{1,20}")


class UnservedOperations(HopDriveError):
    """The spec has operations the mock could only answer with a 500: it refuses to start."""


def utc_now() -> datetime:
    """The current time in UTC."""
    return datetime.now(UTC)


@dataclass(frozen=True)
class Mock:
    """Everything a request handler needs, built once at start-up."""

    spec: Spec
    store: Database
    tenants: Tenants
    appointments: AppointmentRules
    moves: MoveRules
    clock: Clock
    id_validator: jsonschema_rs.Validator
    # HopDrive's own steps (--advance); None: the mock takes none.
    schedule: Schedule | None = None


Handler = Callable[[Mock, Tenant, Any, int | None], Any]


def create_app(
    *,
    store: Database | None = None,
    tenants: Tenants | None = None,
    spec: Spec | None = None,
    test_control: bool = True,
    clock: Clock = utc_now,
    schedule: Schedule | None = None,
    journal_size: int = DEFAULT_SIZE,
    fixtures: Fixtures | None = None,
    reset_all: bool = False,
    faults: FaultPlan | None = None,
) -> Starlette:
    """The mock application, `fixtures` loaded; `test_control=False` leaves the test-control
    endpoints out (D15's, the journal's, reset's, the faults')."""
    spec = spec or load()
    mock = Mock(
        spec=spec,
        store=store or Store(),
        tenants=tenants or Tenants.load(),
        appointments=AppointmentRules.from_spec(spec),
        moves=MoveRules.from_spec(spec),
        clock=clock,
        id_validator=spec.compiled_validator("/components/parameters/AppointmentId/schema"),
        schedule=schedule,
    )
    if fixtures is not None:
        with mock.store.transaction() as tx:
            fixtures.load(tx, mock.appointments, mock.moves, clock())
    by_path: dict[str, dict[str, Operation]] = defaultdict(dict)
    for operation in spec.operations.values():
        if operation.public or test_control:
            by_path[operation.path][operation.method] = operation
    served = [op for operations in by_path.values() for op in operations.values()]
    success = _served(spec, served)
    chosen = ChosenAnswers.from_spec(spec, served)
    # Full paths rather than a Mount of the base path: one router, no second match per request.
    base = urlsplit(spec.document["servers"][0]["url"]).path.rstrip("/")
    routes = [
        Route(base + path, _endpoint(mock, operations, success, chosen), methods=list(operations))
        for path, operations in by_path.items()
    ]
    recorder: list[Middleware] = []
    if test_control:
        sandbox, recorder = _sandbox(mock, base, journal_size, fixtures, reset_all)
        routes += sandbox
    fault_routes, injection = fault_injection(
        spec, faults, mock.tenants, base, test_control=test_control
    )
    routes += fault_routes
    return Starlette(
        routes=routes,
        # The journal outermost: it records the answers of everything inside it.
        middleware=[*recorder, Middleware(AccessLog), *injection],
        exception_handlers={
            Problem: _problem,
            HTTPException: _http_problem,
            Exception: _unexpected,
        },
    )


def _sandbox(
    mock: Mock, base: str, journal_size: int, fixtures: Fixtures | None, reset_all: bool
) -> tuple[list[Route], list[Middleware]]:
    """The journal's and reset's routes, and the middleware that fills the journal (if kept)."""
    journal = Journal(journal_size, margin=max(map(len, mock.tenants.by_token)))
    reset = Reset(
        mock.store,
        mock.tenants,
        mock.appointments,
        mock.moves,
        mock.clock,
        journal,
        fixtures,
        everything=reset_all,
    )
    view = JournalView(journal, mock.tenants, mock.spec, base)
    routes = [
        Route(base + REQUESTS_PATH, view.endpoint, methods=["GET"]),
        Route(base + RESET_PATH, reset.endpoint, methods=["POST"]),
    ]
    if not journal.size:
        return routes, []
    recorder = Middleware(
        JournalRecorder, journal=journal, clock=mock.clock, unseen=base + REQUESTS_PATH
    )
    return routes, [recorder]


def _served(spec: Spec, operations: Iterable[Operation]) -> dict[str, int]:
    """Each operation's success status by operationId; UnservedOperations if one has none."""
    success: dict[str, int] = {}
    unserved = []
    for op in operations:
        if op.operation_id not in HANDLERS:
            unserved.append(f"{op.operation_id} ({op.method} {op.path}) has no handler")
        elif op.success_status is None:
            unserved.append(f"{op.operation_id} ({op.method} {op.path}) documents no 2xx status")
        else:
            success[op.operation_id] = int(op.success_status)
    if unserved:
        raise UnservedOperations(f"{spec.path}: the mock cannot serve " + "; ".join(unserved))
    return success


def _endpoint(
    mock: Mock, operations: dict[str, Operation], success: dict[str, int], chosen: ChosenAnswers
) -> Callable[[Request], Any]:
    status = {method: success[op.operation_id] for method, op in operations.items()}

    async def endpoint(request: Request) -> Response:
        operation = operations[request.method]
        tenant = mock.tenants.authenticate(request.headers.get("authorization"))
        appointment_id = _path_id(mock, request)
        # Past the token and the path's id, as in Prism; the body is the handler's, and unread.
        answer = chosen.answer(operation.operation_id, request.headers.getlist("prefer"))
        if answer is not None:
            return answer
        body = None
        if operation.request_schema is not None:
            body = await read_json(request)
            pointer = operation.request_schema
            check(mock.spec.compiled_validator(pointer), mock.spec.validator(pointer), body)
        await mock.store.ready()
        try:
            result = HANDLERS[operation.operation_id](mock, tenant, body, appointment_id)
        finally:
            # Answer nothing, success or refusal, that rests on a write not yet as durable as the
            # store promises (with --fsync: on disk).
            await mock.store.durable()
        return JSONAnswer(result, status_code=status[request.method])

    return endpoint


def _path_id(mock: Mock, request: Request) -> int | None:
    """The `{id}` of the path as the spec types it, or a 400 (D5)."""
    raw = request.path_params.get("id")
    if raw is None:
        return None
    value = int(raw) if _DIGITS.fullmatch(raw) else None
    if value is None or not mock.id_validator.is_valid(value):
        raise Problem(400, "invalid-id", "The appointment id must be a positive integer.")
    return value


def _owned(
    mock: Mock, tx: Transaction, tenant: Tenant, appointment_id: int
) -> tuple[int, dict[str, Any]]:
    """The appointment if the token holds its rooftop, after HopDrive's steps due by now;
    otherwise 404, as if absent (D2)."""
    found = tx.appointment(appointment_id)
    if found is None or not tenant.holds(found[0]):
        raise Problem(404, "not-found", f"There is no appointment {appointment_id}.")
    if mock.schedule is None:
        return found
    rooftop, record = found
    advanced = mock.schedule.advance(
        mock.appointments,
        record,
        _entered(mock, tx, appointment_id, record),
        mock.clock(),
        move_maker(tx, rooftop, appointment_id),
    )
    if advanced is None:
        return found
    record, since = advanced
    tx.put_appointment(appointment_id, record)
    tx.note_status(appointment_id, record["status"], utc_stamp(since))
    return rooftop, record


def _entered(
    mock: Mock, tx: Transaction, appointment_id: int, record: Mapping[str, Any]
) -> datetime:
    """When the appointment entered its status, as noted (--advance) or at its last change."""
    noted = tx.status_since(appointment_id)
    stamp = noted[1] if noted is not None and noted[0] == record["status"] else None
    # Not noted: the appointment changed status while the mock ran without --advance.
    return parse_offset(stamp or record[mock.appointments.lifecycle.updated_field], "")


def _note_change(
    mock: Mock,
    tx: Transaction,
    appointment_id: int,
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any],
) -> None:
    """Note when an appointment entered a new status, for HopDrive's steps to count from."""
    if mock.schedule is not None and (before is None or before["status"] != after["status"]):
        stamp = after[mock.appointments.lifecycle.updated_field]
        tx.note_status(appointment_id, after["status"], stamp)


def _forbidden(field: str, rooftop: int) -> Problem:
    return Problem(403, "forbidden-rooftop", f"The token does not hold {field} {rooftop}.")


def create_appointment(mock: Mock, tenant: Tenant, body: Any, _: int | None) -> Any:
    """POST /appointments (D6)."""
    if not tenant.holds(body["customer_id"]):
        raise _forbidden("customer_id", body["customer_id"])
    record = mock.appointments.create(body, mock.clock())
    with mock.store.transaction() as tx:
        record["id"] = tx.insert_appointment(body["customer_id"], record)
        _note_change(mock, tx, record["id"], None, record)
    return mock.appointments.created(record)


def _change_appointment(replace: bool) -> Handler:
    def change(mock: Mock, tenant: Tenant, body: Any, appointment_id: int | None) -> Any:
        assert appointment_id is not None
        with mock.store.transaction() as tx:
            _, record = _owned(mock, tx, tenant, appointment_id)
            updated = mock.appointments.update(record, body, replace=replace, now=mock.clock())
            tx.put_appointment(appointment_id, updated)
            _note_change(mock, tx, appointment_id, record, updated)
        return updated

    change.__doc__ = "PUT /appointments/{id} (D7)." if replace else "PATCH /appointments/{id} (D8)."
    return change


def set_status_for_test(mock: Mock, tenant: Tenant, body: Any, appointment_id: int | None) -> Any:
    """POST /_test/appointments/{id}/status: drive an internal lifecycle edge (D15)."""
    assert appointment_id is not None
    with mock.store.transaction() as tx:
        rooftop, record = _owned(mock, tx, tenant, appointment_id)
        updated = mock.appointments.transition(
            record, body["status"], mock.clock(), move_maker(tx, rooftop, appointment_id)
        )
        tx.put_appointment(appointment_id, updated)
        _note_change(mock, tx, appointment_id, record, updated)
    return updated


def create_concierge_loaner_move(mock: Mock, tenant: Tenant, body: Any, _: int | None) -> Any:
    """POST /concierge-loaner-moves (D16, D17): for the token's own rooftop."""
    pair = mock.moves.concierge(tenant.own_rooftop, body)
    with mock.store.transaction() as tx:
        return insert_pair(tx, mock.moves, pair)


def create_round_trip_move(mock: Mock, tenant: Tenant, body: Any, _: int | None) -> Any:
    """POST /round-trip-moves (D16, D18, D19)."""
    rooftop = body.get("rooftop") or tenant.own_rooftop
    if not tenant.holds(rooftop):
        raise _forbidden("rooftop", rooftop)
    pair = mock.moves.round_trip(rooftop, body)
    with mock.store.transaction() as tx:
        return insert_pair(tx, mock.moves, pair)


HANDLERS: dict[str, Handler] = {
    "createAppointment": create_appointment,
    "replaceAppointment": _change_appointment(replace=True),
    "updateAppointment": _change_appointment(replace=False),
    "setAppointmentStatusForTest": set_status_for_test,
    "createConciergeLoanerMove": create_concierge_loaner_move,
    "createRoundTripMove": create_round_trip_move,
}


async def _problem(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, Problem)
    return exc.response()


async def _http_problem(request: Request, exc: Exception) -> Response:
    """The router's own 404 and 405, as problem documents."""
    assert isinstance(exc, HTTPException)
    if exc.status_code == 405:
        # Starlette keeps a route's methods in a set; sort them so the header is stable.
        allow = ", ".join(sorted((exc.headers or {}).get("Allow", "").split(", ")))
        return Problem(
            405,
            "method-not-allowed",
            f"{request.method} is not offered here; the path offers {allow}.",
            headers={"Allow": allow},
        ).response()
    if exc.status_code == 404:
        return Problem(404, "not-found", f"There is nothing at {request.url.path}.").response()
    return Problem(exc.status_code, "http-error", str(exc.detail)).response()


async def _unexpected(request: Request, exc: Exception) -> Response:
    if isinstance(exc, StoreError):
        # No input leads here: the disk failed under the store, which has stopped (see Store).
        return Problem(500, "store-failed", str(exc)).response()
    # Reaching this is a bug in the mock: the contract promises no 5xx on any input.
    return Problem(500, "internal-error", "The mock failed unexpectedly.").response()
