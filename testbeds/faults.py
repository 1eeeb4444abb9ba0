"""The faults the suite must catch, made in test code: patches of the mock and ASGI wrappers.

`python -m testbeds.faults NAME PORT` serves the mock on 127.0.0.1:PORT with the
fault NAME injected; the shipped mock has no fault switches.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Mapping
from typing import Any

import pytest
import uvicorn

from mock_server import app as mock_app
from mock_server import moves as mock_moves
from mock_server.app import create_app
from mock_server.appointments import AppointmentRules
from mock_server.auth import Tenant
from mock_server.bodies import check, read_json
from mock_server.problems import Problem
from mock_server.store import Store, Transaction

Asgi = Callable[..., Any]
# A time every rule accepts, standing in for the one a fault leaves unchecked.
LATER = "2999-01-01T00:00:00Z"
Fault = Callable[[pytest.MonkeyPatch], Callable[[Asgi], Asgi] | None]


def _rules_update(change: Callable[..., dict[str, Any]]) -> Fault:
    """A fault that rewrites what AppointmentRules.update decides."""

    def inject(monkeypatch: pytest.MonkeyPatch) -> None:
        original = AppointmentRules.update
        monkeypatch.setattr(
            AppointmentRules,
            "update",
            lambda self, record, body, *, replace, now: change(
                original, self, record, body, replace=replace, now=now
            ),
        )

    return inject


def _put_keeps_omitted(original: Any, self: Any, record: Any, body: Any, **kw: Any) -> Any:
    return original(self, record, body, replace=False, now=kw["now"])


def _patch_clears_omitted(original: Any, self: Any, record: Any, body: Any, **kw: Any) -> Any:
    return original(self, record, body, replace=True, now=kw["now"])


def _as_if_open(states: Callable[[AppointmentRules], frozenset[str]]) -> Callable[..., Any]:
    """Treat records in `states` as open, then give them their status back."""

    def change(original: Any, self: Any, record: Any, body: Any, **kw: Any) -> Any:
        if record["status"] not in states(self):
            return original(self, record, body, **kw)
        result = original(self, {**record, "status": "pending"}, body, **kw)
        return {**result, "status": record["status"]}

    return change


def _ready_reported_pending(original: Any, self: Any, record: Any, body: Any, **kw: Any) -> Any:
    result = original(self, record, body, **kw)
    return {**result, "status": "pending"} if result["status"] == "ready" else result


def _type_dropped_from_config(original: Any, self: Any, record: Any, body: Any, **kw: Any) -> Any:
    result = original(self, record, body, **kw)
    config = result.get("config")
    if isinstance(config, dict):
        config = {k: v for k, v in config.items() if k != "transportation_type"}
    return {**result, "config": config}


def _updatedat_backwards(original: Any, self: Any, record: Any, body: Any, **kw: Any) -> Any:
    return {**original(self, record, body, **kw), "updatedat": "2001-01-01T00:00:00.000000+00:00"}


def _time_not_normalised(monkeypatch: pytest.MonkeyPatch) -> None:
    """Store and answer appointment_time as sent: never normalised, never checked (D9)."""
    create, update = AppointmentRules.create, AppointmentRules.update

    def unchecked(rules: AppointmentRules, body: Any) -> tuple[Any, Any]:
        field = rules.lifecycle.past_time_lock
        sent = body.get(field)
        # The rules see a time they accept, so only the time itself goes unchecked.
        return (sent, {**body, field: LATER}) if sent is not None else (None, body)

    def put_back(rules: AppointmentRules, record: Any, sent: Any) -> Any:
        return record if sent is None else {**record, rules.lifecycle.past_time_lock: sent}

    def created(self: AppointmentRules, body: Any, now: Any) -> Any:
        sent, body = unchecked(self, body)
        return put_back(self, create(self, body, now), sent)

    def updated(self: AppointmentRules, record: Any, body: Any, **kw: Any) -> Any:
        sent, body = unchecked(self, body)
        return put_back(self, update(self, record, body, **kw), sent)

    monkeypatch.setattr(AppointmentRules, "create", created)
    monkeypatch.setattr(AppointmentRules, "update", updated)


def _foreign_id_is_403(monkeypatch: pytest.MonkeyPatch) -> None:
    """A rooftop the token does not hold is a 403, even for another dealer's appointment."""
    holds = Tenant.holds

    def refused(self: Tenant, rooftop: int) -> bool:
        if not holds(self, rooftop):
            raise Problem(403, "forbidden", "Not yours.")
        return True

    monkeypatch.setattr(Tenant, "holds", refused)


def _every_token_holds_every_rooftop(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Tenant, "holds", lambda self, rooftop: True)


def _schema_errors_dropped(drop: Callable[[Mapping[str, str]], bool]) -> Fault:
    """Accept bodies whose only schema errors are the ones `drop` selects."""

    def inject(monkeypatch: pytest.MonkeyPatch) -> None:
        original = check

        def lenient(compiled: Any, validator: Any, body: Any) -> None:
            try:
                original(compiled, validator, body)
            except Problem as problem:
                if not all(drop(error) for error in problem.errors):
                    raise

        monkeypatch.setattr(mock_app, "check", lenient)

    return inject


def _no_body_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(mock_app, "read_json", functools.partial(read_json, limit=16 * 1024 * 1024))


def _bad_id_is_500(monkeypatch: pytest.MonkeyPatch) -> Callable[[Asgi], Asgi]:
    """A path id that is not digits raises before the mock can refuse it: a 500 (D5)."""

    def wrap(app: Asgi) -> Asgi:
        async def faulty(scope: Any, receive: Any, send: Any) -> None:
            parts = scope.get("path", "").split("/")
            at = parts.index("appointments") + 1 if "appointments" in parts else len(parts)
            if at < len(parts) and not parts[at].isdigit():
                raise RuntimeError("unparsed id")
            await app(scope, receive, send)

        return faulty

    return wrap


def _creation_is_pending(monkeypatch: pytest.MonkeyPatch) -> None:
    original = AppointmentRules.created
    monkeypatch.setattr(
        AppointmentRules,
        "created",
        lambda self, record: {**original(self, record), "status": "pending"},
    )


def _any_internal_edge(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        AppointmentRules,
        "transition",
        lambda self, record, target, now, create_move: {**record, "status": target},
    )


def _no_duplicate_history(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Transaction, "moves_matching", lambda self, rooftop, field, values: [])


def _ready_by_after_appointment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(mock_moves, "READY_BY_LEAD", -mock_moves.READY_BY_LEAD)


def _rewrite_responses(
    rewrite: Callable[[str, dict[str, Any]], None],
) -> Fault:
    """Wrap the app so that `rewrite(path, message)` may change each response start."""

    def inject(monkeypatch: pytest.MonkeyPatch) -> Callable[[Asgi], Asgi]:
        def wrap(app: Asgi) -> Asgi:
            async def faulty(scope: Any, receive: Any, send: Any) -> None:
                async def rewritten(message: dict[str, Any]) -> None:
                    if message["type"] == "http.response.start":
                        rewrite(scope.get("path", ""), message)
                    await send(message)

                await app(scope, receive, rewritten)

            return faulty

        return wrap

    return inject


def _problems_as_plain_json(path: str, message: dict[str, Any]) -> None:
    message["headers"] = [
        (k, b"application/json" if k == b"content-type" and v == b"application/problem+json" else v)
        for k, v in message["headers"]
    ]


def _drop_header(name: bytes) -> Callable[[str, dict[str, Any]], None]:
    def rewrite(path: str, message: dict[str, Any]) -> None:
        message["headers"] = [(k, v) for k, v in message["headers"] if k.lower() != name]

    return rewrite


def _moves_answer_201(path: str, message: dict[str, Any]) -> None:
    if path.endswith("-moves") and message["status"] == 200:
        message["status"] = 201


FAULTS: dict[str, tuple[str, Fault]] = {
    "another tenant's id answers 403": ("D2", _foreign_id_is_403),
    "every token holds every rooftop": ("D2", _every_token_holds_every_rooftop),
    "401 without WWW-Authenticate": ("D2", _rewrite_responses(_drop_header(b"www-authenticate"))),
    "errors served as plain JSON": ("D3", _rewrite_responses(_problems_as_plain_json)),
    "405 without Allow": ("D3", _rewrite_responses(_drop_header(b"allow"))),
    "no 1 MiB limit": ("D3", _no_body_limit),
    "unknown members accepted": (
        "D4",
        _schema_errors_dropped(lambda e: e["message"] == "is not a known member here"),
    ),
    "non-numeric path id is a 500": ("D5", _bad_id_is_500),
    "creation answers pending": ("D6", _creation_is_pending),
    "PUT keeps omitted fields": ("D7", _rules_update(_put_keeps_omitted)),
    "PATCH clears omitted fields": ("D8", _rules_update(_patch_clears_omitted)),
    "appointment_time not normalised or checked": ("D9", _time_not_normalised),
    "complete data reported pending": ("D10", _rules_update(_ready_reported_pending)),
    "staged appointment lets vehicle_vin change": (
        "D11",
        _rules_update(_as_if_open(lambda rules: rules.lifecycle.staged_states)),
    ),
    "PATCH on a canceled appointment succeeds": (
        "D12",
        _rules_update(_as_if_open(lambda rules: rules.lifecycle.terminal_states)),
    ),
    "elected type missing from config": ("D13", _rules_update(_type_dropped_from_config)),
    "updatedat goes backwards": ("D14", _rules_update(_updatedat_backwards)),
    "test control takes any edge": ("D15", _any_internal_edge),
    "moves answer 201": ("D16", _rewrite_responses(_moves_answer_201)),
    "concierge accepts a 4-digit zip": (
        "D17",
        _schema_errors_dropped(lambda e: e["pointer"].endswith("/zip")),
    ),
    "ready_by_time_utc after the appointment": ("D17", _ready_by_after_appointment),
    "nested workflow data accepted": (
        "D18",
        _schema_errors_dropped(lambda e: "workflow_data" in e["pointer"]),
    ),
    "duplicate_check ignored": ("D19", _no_duplicate_history),
}


def serve(name: str, port: int) -> None:
    """Serve the mock with the fault `name` injected until interrupted."""
    _, fault = FAULTS[name]
    wrap = fault(pytest.MonkeyPatch())
    app: Asgi = create_app(store=Store())
    uvicorn.run(wrap(app) if wrap else app, host="127.0.0.1", port=port, log_level="warning")


if __name__ == "__main__":
    serve(sys.argv[1], int(sys.argv[2]))
