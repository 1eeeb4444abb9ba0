"""The mock as a Starlette app: routes from the spec's operations, every error a problem."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable
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
from mock_server.appointments import AppointmentRules
from mock_server.auth import Tenant, Tenants
from mock_server.bodies import check, read_json
from mock_server.json_text import JSONAnswer
from mock_server.moves import MoveRules, NewPair
from mock_server.problems import Problem
from mock_server.store import Database, Store, StoreError, Transaction
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


Handler = Callable[[Mock, Tenant, Any, int | None], Any]


def create_app(
    *,
    store: Database | None = None,
    tenants: Tenants | None = None,
    spec: Spec | None = None,
    test_control: bool = True,
    clock: Clock = utc_now,
) -> Starlette:
    """The mock application; `test_control=False` leaves the D15 test endpoint out."""
    spec = spec or load()
    mock = Mock(
        spec=spec,
        store=store or Store(),
        tenants=tenants or Tenants.load(),
        appointments=AppointmentRules.from_spec(spec),
        moves=MoveRules.from_spec(spec),
        clock=clock,
        id_validator=spec.compiled_validator("/components/parameters/AppointmentId/schema"),
    )
    by_path: dict[str, dict[str, Operation]] = defaultdict(dict)
    for operation in spec.operations.values():
        if operation.public or test_control:
            by_path[operation.path][operation.method] = operation
    success = _served(spec, [op for operations in by_path.values() for op in operations.values()])
    # Full paths rather than a Mount of the base path: one router, no second match per request.
    base = urlsplit(spec.document["servers"][0]["url"]).path.rstrip("/")
    routes = [
        Route(base + path, _endpoint(mock, operations, success), methods=list(operations))
        for path, operations in by_path.items()
    ]
    return Starlette(
        routes=routes,
        middleware=[Middleware(AccessLog)],
        exception_handlers={
            Problem: _problem,
            HTTPException: _http_problem,
            Exception: _unexpected,
        },
    )


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
    mock: Mock, operations: dict[str, Operation], success: dict[str, int]
) -> Callable[[Request], Any]:
    status = {method: success[op.operation_id] for method, op in operations.items()}

    async def endpoint(request: Request) -> Response:
        operation = operations[request.method]
        tenant = mock.tenants.authenticate(request.headers.get("authorization"))
        appointment_id = _path_id(mock, request)
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


def _owned(tx: Transaction, tenant: Tenant, appointment_id: int) -> tuple[int, dict[str, Any]]:
    """The appointment if the token holds its rooftop; otherwise 404, as if absent (D2)."""
    found = tx.appointment(appointment_id)
    if found is None or not tenant.holds(found[0]):
        raise Problem(404, "not-found", f"There is no appointment {appointment_id}.")
    return found


def _forbidden(field: str, rooftop: int) -> Problem:
    return Problem(403, "forbidden-rooftop", f"The token does not hold {field} {rooftop}.")


def create_appointment(mock: Mock, tenant: Tenant, body: Any, _: int | None) -> Any:
    """POST /appointments (D6)."""
    if not tenant.holds(body["customer_id"]):
        raise _forbidden("customer_id", body["customer_id"])
    record = mock.appointments.create(body, mock.clock())
    with mock.store.transaction() as tx:
        record["id"] = tx.insert_appointment(body["customer_id"], record)
    return mock.appointments.created(record)


def _change_appointment(replace: bool) -> Handler:
    def change(mock: Mock, tenant: Tenant, body: Any, appointment_id: int | None) -> Any:
        assert appointment_id is not None
        with mock.store.transaction() as tx:
            _, record = _owned(tx, tenant, appointment_id)
            updated = mock.appointments.update(record, body, replace=replace, now=mock.clock())
            tx.put_appointment(appointment_id, updated)
        return updated

    change.__doc__ = "PUT /appointments/{id} (D7)." if replace else "PATCH /appointments/{id} (D8)."
    return change


def set_status_for_test(mock: Mock, tenant: Tenant, body: Any, appointment_id: int | None) -> Any:
    """POST /_test/appointments/{id}/status: drive an internal lifecycle edge (D15)."""
    assert appointment_id is not None
    with mock.store.transaction() as tx:
        rooftop, record = _owned(tx, tenant, appointment_id)
        updated = mock.appointments.transition(
            record,
            body["status"],
            mock.clock(),
            create_move=lambda: tx.insert_move(rooftop, {}, appointment_id=appointment_id),
        )
        tx.put_appointment(appointment_id, updated)
    return updated


def create_concierge_loaner_move(mock: Mock, tenant: Tenant, body: Any, _: int | None) -> Any:
    """POST /concierge-loaner-moves (D16, D17): for the token's own rooftop."""
    pair = mock.moves.concierge(tenant.own_rooftop, body)
    with mock.store.transaction() as tx:
        return _insert_pair(mock, tx, pair)


def create_round_trip_move(mock: Mock, tenant: Tenant, body: Any, _: int | None) -> Any:
    """POST /round-trip-moves (D16, D18, D19)."""
    rooftop = body.get("rooftop") or tenant.own_rooftop
    if not tenant.holds(rooftop):
        raise _forbidden("rooftop", rooftop)
    pair = mock.moves.round_trip(rooftop, body)
    with mock.store.transaction() as tx:
        if pair.duplicate_check is not None:
            found = tx.moves_matching(rooftop, pair.duplicate_check, pair.checked_values())
            mock.moves.refuse_duplicates(pair, found)
        return _insert_pair(mock, tx, pair)


def _insert_pair(mock: Mock, tx: Transaction, pair: NewPair) -> Any:
    """Store a pair of moves the rules accepted, and answer it with the ids the store gives."""
    pair_id = tx.new_pair(pair.kind, pair.rooftop)
    move_ids = {
        leg: tx.insert_move(pair.rooftop, keys, pair_id=pair_id) for leg, keys in pair.keys.items()
    }
    return mock.moves.answer(pair, pair_id, move_ids)


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
