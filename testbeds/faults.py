"""The faults the suite must catch, made in test code: patches of the mock and ASGI wrappers.

`python -m testbeds.faults NAME PORT` serves the mock on 127.0.0.1:PORT with the
fault NAME injected; the shipped mock has no fault switches.
"""

from __future__ import annotations

import functools
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping
from contextvars import ContextVar
from typing import Any

import pytest
import uvicorn

from mock_server import app as mock_app
from mock_server import appointments as mock_appointments
from mock_server import moves as mock_moves
from mock_server.app import create_app
from mock_server.appointments import AppointmentRules
from mock_server.auth import Tenant
from mock_server.bodies import check, read_json
from mock_server.problems import Problem
from mock_server.store import Store, Transaction
from mock_server.timestamps import parse_offset, utc_stamp

Asgi = Callable[..., Any]
# A time every rule accepts, standing in for the one a fault leaves unchecked.
LATER = "2999-01-01T00:00:00Z"
# The bound of a 32-bit signed integer, narrower than the I-JSON range D22 promises.
INT32 = 2**31
# An RFC 3339 offset whose minutes are not zero: +05:30, -09:45.
MINUTES_OFFSET = re.compile(r"([+-][0-9]{2}):(?!00)[0-9]{2}\Z")
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


def _stored(rewrite: Callable[[AppointmentRules, dict[str, Any]], dict[str, Any]]) -> Fault:
    """A fault that rewrites every record AppointmentRules.create and update make."""

    def inject(monkeypatch: pytest.MonkeyPatch) -> None:
        create, update = AppointmentRules.create, AppointmentRules.update

        def created(self: AppointmentRules, body: Any, now: Any) -> Any:
            return rewrite(self, create(self, body, now))

        def updated(self: AppointmentRules, record: Any, body: Any, **kw: Any) -> Any:
            return rewrite(self, update(self, record, body, **kw))

        monkeypatch.setattr(AppointmentRules, "create", created)
        monkeypatch.setattr(AppointmentRules, "update", updated)

    return inject


def _text_stored_as(change: Callable[[str], str | None]) -> Fault:
    """Store every text member (times aside) as `change` makes it."""

    def rewrite(rules: AppointmentRules, record: dict[str, Any]) -> dict[str, Any]:
        text = [name for name in rules.replace_fields if name != rules.lifecycle.past_time_lock]
        return {
            name: change(value) if name in text and isinstance(value, str) else value
            for name, value in record.items()
        }

    return _stored(rewrite)


def _year_wrapped(rules: AppointmentRules, record: dict[str, Any]) -> dict[str, Any]:
    """A vehicle_year beyond 32 bits is stored wrapped, as a C int would hold it (D22)."""
    year = record.get("vehicle_year")
    if not isinstance(year, int) or -INT32 <= year < INT32:
        return record
    return {**record, "vehicle_year": (year + INT32) % (2 * INT32) - INT32}


def _config_flattened(rules: AppointmentRules, record: dict[str, Any]) -> dict[str, Any]:
    """An object inside `config` is stored flattened into dotted keys: {"a.b": 1} (D13)."""
    config, _ = rules.lifecycle.elected_member
    kept = record.get(config)
    if not isinstance(kept, dict) or not any(isinstance(v, dict) for v in kept.values()):
        return record
    flat: dict[str, Any] = {}
    for key, value in kept.items():
        inner = value.items() if isinstance(value, dict) else [("", value)]
        flat.update((f"{key}.{k}" if k else key, v) for k, v in inner)
    return {**record, config: flat}


def _minutes_of_offset_ignored(monkeypatch: pytest.MonkeyPatch) -> None:
    """An appointment_time offset with minutes (+05:30, -09:45) is read on the hour (D9)."""
    monkeypatch.setattr(
        mock_appointments,
        "parse_offset",
        lambda value, pointer: parse_offset(MINUTES_OFFSET.sub(r"\1:00", value), pointer),
    )


def _patch_ignores_nulls(original: Any, self: Any, record: Any, body: Any, **kw: Any) -> Any:
    if not kw["replace"]:
        body = {name: value for name, value in body.items() if value is not None}
    return original(self, record, body, **kw)


def _invalid_accepted_while(state: str, member: str) -> Fault:
    """Accept a schema-invalid `member` on PUT or PATCH, but only while the record is `state`."""

    def inject(monkeypatch: pytest.MonkeyPatch) -> None:
        original = check
        create, update = AppointmentRules.create, AppointmentRules.update
        # The refusal let through by the schema check, for the rules of the same request.
        waived: ContextVar[Problem | None] = ContextVar(member, default=None)

        def lenient(compiled: Any, validator: Any, body: Any) -> None:
            waived.set(None)
            try:
                original(compiled, validator, body)
            except Problem as problem:
                if any(error["pointer"] != f"/{member}" for error in problem.errors):
                    raise
                waived.set(problem)

        def refuse() -> None:
            problem = waived.get()
            if problem is not None:
                raise problem

        def created(self: AppointmentRules, body: Any, now: Any) -> Any:
            refuse()
            return create(self, body, now)

        def updated(self: AppointmentRules, record: Any, body: Any, **kw: Any) -> Any:
            if record["status"] != state:
                refuse()
            return update(self, record, body, **kw)

        monkeypatch.setattr(mock_app, "check", lenient)
        monkeypatch.setattr(AppointmentRules, "create", created)
        monkeypatch.setattr(AppointmentRules, "update", updated)

    return inject


def _extra_edge(source: str, target: str) -> Fault:
    """Test control also takes `source` -> `target`, an edge the lifecycle lacks (D15)."""

    def inject(monkeypatch: pytest.MonkeyPatch) -> None:
        transition = AppointmentRules.transition

        def taken(self: AppointmentRules, record: Any, to: str, now: Any, create_move: Any) -> Any:
            if (record["status"], to) != (source, target):
                return transition(self, record, to, now, create_move)
            return {**record, "status": to, self.lifecycle.updated_field: utc_stamp(now)}

        monkeypatch.setattr(AppointmentRules, "transition", taken)

    return inject


def _staged_patch_lets_colour_change(
    original: Any, self: Any, record: Any, body: Any, **kw: Any
) -> Any:
    """A staged PATCH may change vehicle_color, one frozen field let through (D11)."""
    name = "vehicle_color"
    if kw["replace"] or name not in body or record["status"] not in self.lifecycle.staged_states:
        return original(self, record, body, **kw)
    rest = {key: value for key, value in body.items() if key != name}
    return {**original(self, record, rest, **kw), name: body[name]}


def _config_patch_while(state: str) -> Callable[..., Any]:
    """A PATCH of `config` alone succeeds while the record is `state` (a terminal one, D12)."""
    as_open = _as_if_open(lambda rules: frozenset({state}))

    def change(original: Any, self: Any, record: Any, body: Any, **kw: Any) -> Any:
        config, _ = self.lifecycle.elected_member
        if kw["replace"] or set(body) != {config}:
            return original(self, record, body, **kw)
        return as_open(original, self, record, body, **kw)

    return change


def _remembering(make: Callable[[], Callable[..., Any]]) -> Fault:
    """A `_rules_update` fault whose change remembers earlier requests, fresh for each mock."""

    def inject(monkeypatch: pytest.MonkeyPatch) -> None:
        _rules_update(make())(monkeypatch)

    return inject


def _first_patch_after_put_drops_colour() -> Callable[..., Any]:
    """The first PATCH after a PUT clears vehicle_color, unless it sends one (D8)."""
    after_put: set[int] = set()

    def change(original: Any, self: Any, record: Any, body: Any, **kw: Any) -> Any:
        result = original(self, record, body, **kw)
        if kw["replace"]:
            after_put.add(record["id"])
        elif record["id"] in after_put:
            after_put.discard(record["id"])
            return result if "vehicle_color" in body else {**result, "vehicle_color": None}
        return result

    return change


def _second_patch_clears_notes() -> Callable[..., Any]:
    """The second PATCH of a record clears driver_notes, unless it sends them (D8)."""
    patches: Counter[int] = Counter()

    def change(original: Any, self: Any, record: Any, body: Any, **kw: Any) -> Any:
        result = original(self, record, body, **kw)
        if not kw["replace"]:
            patches[record["id"]] += 1
            if patches[record["id"]] == 2 and "driver_notes" not in body:
                return {**result, "driver_notes": None}
        return result

    return change


def _put_keeps_what_patches_set() -> Callable[..., Any]:
    """A PUT keeps the values PATCHes set since the last PUT, where it leaves them out (D7)."""
    patched: defaultdict[int, dict[str, Any]] = defaultdict(dict)

    def change(original: Any, self: Any, record: Any, body: Any, **kw: Any) -> Any:
        since = patched[record["id"]]
        if not kw["replace"]:
            result = original(self, record, body, **kw)
            since.update(body)
            return result
        kept = {name: value for name, value in since.items() if name not in body}
        result = original(self, record, {**body, **kept}, **kw)
        since.clear()
        return result

    return change


def _refusal_applies_mutable_members(monkeypatch: pytest.MonkeyPatch) -> None:
    """A staged PATCH refused for a frozen field still applies its mutable members (D11)."""
    patch = mock_app.HANDLERS["updateAppointment"]

    def faulty(mock: Any, tenant: Tenant, body: Any, appointment_id: int | None) -> Any:
        try:
            return patch(mock, tenant, body, appointment_id)
        except Problem as refusal:
            mutable = mock.appointments.lifecycle.staged_mutable_fields
            allowed = {name: value for name, value in body.items() if name in mutable}
            if refusal.kind != "frozen-field" or not allowed:
                raise
            patch(mock, tenant, allowed, appointment_id)
            raise refusal from None

    monkeypatch.setitem(mock_app.HANDLERS, "updateAppointment", faulty)


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
    "text over 255 characters cut short": ("D21", _text_stored_as(lambda text: text[:255])),
    "empty text stored as null": ("D21", _text_stored_as(lambda text: text or None)),
    "vehicle_year beyond 32 bits wrapped": ("D22", _stored(_year_wrapped)),
    "minutes of a time offset ignored": ("D9", _minutes_of_offset_ignored),
    "objects inside config flattened": ("D13", _stored(_config_flattened)),
    "PATCH ignores nulls": ("D8", _rules_update(_patch_ignores_nulls)),
    "ready appointment takes driver_notes that are not text": (
        "D3",
        _invalid_accepted_while("ready", "driver_notes"),
    ),
    "pending appointment takes any vehicle_year": (
        "D3",
        _invalid_accepted_while("pending", "vehicle_year"),
    ),
    "test control takes paid -> ready": ("D15", _extra_edge("paid", "ready")),
    "test control takes refunded -> canceled": ("D15", _extra_edge("refunded", "canceled")),
    "staged appointment lets vehicle_color change by PATCH": (
        "D11",
        _rules_update(_staged_patch_lets_colour_change),
    ),
    "failed appointment takes a PATCH of config alone": (
        "D12",
        _rules_update(_config_patch_while("failed")),
    ),
    "first PATCH after a PUT clears vehicle_color": (
        "D8",
        _remembering(_first_patch_after_put_drops_colour),
    ),
    "second PATCH clears driver_notes": ("D8", _remembering(_second_patch_clears_notes)),
    "PUT keeps what earlier PATCHes set": ("D7", _remembering(_put_keeps_what_patches_set)),
    "refused staged PATCH still applies its mutable members": (
        "D11",
        _refusal_applies_mutable_members,
    ),
}


def serve(name: str, port: int) -> None:
    """Serve the mock with the fault `name` injected until interrupted."""
    _, fault = FAULTS[name]
    wrap = fault(pytest.MonkeyPatch())
    app: Asgi = create_app(store=Store())
    uvicorn.run(wrap(app) if wrap else app, host="127.0.0.1", port=port, log_level="warning")


if __name__ == "__main__":
    serve(sys.argv[1], int(sys.argv[2]))
