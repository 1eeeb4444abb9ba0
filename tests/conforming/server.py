"""A second HopDrive dealer API server, built only from the vendor's pages and CONTRACT.md.

It exists to show that the contract suite passes a conforming server written apart from the
bundled mock. Wherever the contract leaves room it takes the other reasonable choice: relative
move URIs, `updatedat` null until the first write, nulls refused in move bodies, `about:blank`
problems, 404 for a bad path id, and its own check order (401, then 415/413/malformed JSON,
then body rules, then 403/404, then 409).

Run: `python -m tests.conforming.server PORT` (serves `http://127.0.0.1:PORT/v1`).
CONFORMING_KNOWN_LOCATIONS=1 refuses every location id but 5678 / 9012 with 400. Whether a
server may do so is open (spec/DECISIONS.md, Q9: 001 flags "invalid data" pending rather than
refusing it, while the contract's variables name "a valid delivery location id"); the suite
must pass the server either way, and make check runs it this way.
"""

from __future__ import annotations

import functools
import itertools
import json
import math
import os
import re
import sys
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar

import uvicorn
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

MAX_BODY = 1024 * 1024  # D3: a body over 1 MiB is refused, exactly 1 MiB is not
MAX_INT = 2**53 - 1  # D22: I-JSON's exact integer range
TOKENS: dict[str, tuple[int, ...]] = {"dev-token-a": (1234, 42), "dev-token-b": (777,)}
DELIVERY_LOCATIONS, PICKUP_LOCATIONS = frozenset({5678}), frozenset({9012})
KNOWN_LOCATIONS_ONLY = os.environ.get("CONFORMING_KNOWN_LOCATIONS") == "1"
TYPES = ("valet", "mobile_service", "shuttle", "rideshare")
STATUSES = ("new", "pending", "ready", "paying", "paid", "canceled", "refunded", "failed")
STAGED = frozenset({"ready", "paying", "paid"})
TERMINAL = frozenset({"canceled", "refunded", "failed"})
STAGED_FREE = frozenset({"consumer_name", "consumer_phone", "driver_notes", "config"})
EDGES = frozenset(
    {("ready", "paying"), ("ready", "paid"), ("paying", "paid"), ("paying", "failed")}
    | {("ready", "failed"), ("canceled", "refunded")}
    | {(s, "canceled") for s in ("new", "pending", "ready", "paying", "paid")}
)
FIRST, LAST = datetime.min.replace(tzinfo=UTC), datetime.max.replace(tzinfo=UTC)
Errors = list[dict[str, str]]


@dataclass
class ApiError(Exception):
    """An answer that is a problem document (RFC 9457)."""

    status: int
    title: str
    detail: str
    errors: Errors | None = None
    headers: dict[str, str] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)


def problem(err: ApiError) -> Response:
    """Render an ApiError as application/problem+json; `type` is always about:blank."""
    body: dict[str, Any] = {"type": "about:blank", "title": err.title, "status": err.status}
    body["detail"] = err.detail
    if err.errors is not None:
        body["errors"] = err.errors
    body |= err.extra
    media = "application/problem+json"
    return Response(json.dumps(body), err.status, headers=err.headers, media_type=media)


# ---------------------------------------------------------------- JSON in


class Num(float):
    """A JSON number written with a fraction or exponent; keeps its text for exact checks."""

    text: str

    def __new__(cls, text: str) -> Num:
        value = super().__new__(cls, text)
        # I-JSON: a number beyond a double could not be echoed back faithfully.
        if math.isinf(value):
            raise ValueError("a number beyond the IEEE 754 double range")
        value.text = text
        return value


def refuse_constant(name: str) -> Any:
    """NaN and Infinity are Python's extensions, not JSON."""
    raise ValueError(f"{name} is not JSON")


def parse_json(raw: bytes) -> Any:
    """Decode a request body strictly: UTF-8 JSON (RFC 8259), nothing more."""
    try:
        return json.loads(raw.decode("utf-8"), parse_float=Num, parse_constant=refuse_constant)
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError is a ValueError too
        raise ApiError(400, "Unreadable body", f"The body is not JSON: {exc}.") from None


# ---------------------------------------------------------------- timestamps

TIMESTAMP = re.compile(
    r"(\d{4})-(\d\d)-(\d\d)[Tt ](\d\d):(\d\d)(?::(\d\d)(?:[.,](\d+))?)?"
    r"(?:([Zz])|([+-])(\d\d)(?::?(\d\d))?)?",
    re.ASCII,
)


def parse_instant(text: str, need_offset: bool) -> datetime | str:
    """An ISO 8601 / RFC 3339 instant as an aware UTC datetime, or why it is not one (D23)."""
    m = TIMESTAMP.fullmatch(text)
    if m is None:
        return "is not an ISO 8601 date-time"
    year, month, day, hour, minute = (int(m.group(i)) for i in range(1, 6))
    second, micro = int(m.group(6) or 0), int((m.group(7) or "0")[:6].ljust(6, "0"))
    if m.group(8) is None and m.group(9) is None and need_offset:
        return "needs a UTC offset (Z or +hh:mm)"
    offset = timedelta()
    if m.group(9):
        oh, om = int(m.group(10)), int(m.group(11) or 0)
        if oh > 23 or om > 59:
            return "has an offset that does not exist"
        offset = timedelta(hours=oh, minutes=om) * (1 if m.group(9) == "+" else -1)
    leap = second == 60  # RFC 3339 allows a leap second; it is read as the next second
    try:
        local = datetime(year, month, day, hour, minute, 59 if leap else second, micro)
        instant = (local - offset).replace(tzinfo=UTC)
        if leap and (instant.hour, instant.minute) != (23, 59):
            return "has a leap second where none can be"
        return instant + timedelta(seconds=1) if leap else instant
    except (ValueError, OverflowError):
        return "is not a real instant within years 0001-9999 in UTC"


def rfc3339_z(instant: datetime) -> str:
    """D20: `*_utc` answers are RFC 3339 with Z."""
    return instant.isoformat().replace("+00:00", "Z")


def millis_z(instant: datetime) -> str:
    """`updatedat` in this server's own spelling: milliseconds and Z."""
    return f"{instant.isoformat(timespec='milliseconds')[:-6]}Z"


# ---------------------------------------------------------------- body rules, by hand


@dataclass(frozen=True)
class Obj:
    """A closed object (D4): member name -> (kind, required, nullable)."""

    members: dict[str, tuple[Kind, bool, bool]]


Kind = str | tuple[str, ...] | Obj  # a scalar kind's name, an enum's values, or an object
BAD = object()  # stands for a member that broke a rule; its error is already recorded


def req(kind: Kind) -> tuple[Kind, bool, bool]:
    """Required, and so not null (D21: required means present, and not null)."""
    return (kind, True, False)


def opt(kind: Kind) -> tuple[Kind, bool, bool]:
    """Optional, but null refused: this server's reading for move bodies."""
    return (kind, False, False)


def nul(kind: Kind) -> tuple[Kind, bool, bool]:
    """Optional and nullable: the appointment members (D8)."""
    return (kind, False, True)


def pointer(base: str, name: str) -> str:
    """Extend a JSON Pointer (RFC 6901) by one member name."""
    return f"{base}/{name.replace('~', '~0').replace('/', '~1')}"


class Checker:
    """Walks a body against an Obj, collecting every broken rule with its pointer."""

    def __init__(self) -> None:
        self.errors: Errors = []

    def fail(self, ptr: str, message: str) -> Any:
        """Record one broken rule."""
        self.errors.append({"pointer": ptr, "message": message})
        return BAD

    def done(self) -> None:
        """Raise the 400 (D3) if anything broke."""
        if self.errors:
            detail = f"{len(self.errors)} rule(s) broken; see errors."
            raise ApiError(400, "Body rejected", detail, errors=self.errors)

    def value(self, v: Any, kind: Kind, ptr: str) -> Any:
        """Check one non-null value against its kind and return it cleaned."""
        if isinstance(kind, Obj):
            return self.obj(v, kind, ptr)
        if isinstance(kind, tuple):
            ok = isinstance(v, str) and v in kind
            return v if ok else self.fail(ptr, f"must be one of {', '.join(kind)}")
        return getattr(self, f"as_{kind}")(v, ptr)

    def obj(self, v: Any, spec: Obj, ptr: str) -> Any:
        """A closed object: no unknown members, required ones present, nulls where allowed."""
        if not isinstance(v, dict):
            return self.fail(ptr, "must be an object")
        for name in v.keys() - spec.members.keys():
            self.fail(pointer(ptr, name), "is not a member of this object")
        out: dict[str, Any] = {}
        for name, (kind, required, nullable) in spec.members.items():
            here = pointer(ptr, name)
            if name not in v:
                if required:
                    self.fail(here, "is required")
            elif v[name] is None:
                out[name] = None if nullable else self.fail(here, "must not be null")
            else:
                out[name] = self.value(v[name], kind, here)
        return out

    def as_str(self, v: Any, ptr: str) -> Any:
        """D21: any string, the empty one included; no lengths are promised."""
        return v if isinstance(v, str) else self.fail(ptr, "must be a string")

    def as_bool(self, v: Any, ptr: str) -> Any:
        """A JSON true or false."""
        return v if isinstance(v, bool) else self.fail(ptr, "must be true or false")

    def as_int(self, v: Any, ptr: str) -> Any:
        """D22: an integer (2022.0 counts) within +-(2^53-1), and no other range."""
        if isinstance(v, bool) or not isinstance(v, int | float):
            return self.fail(ptr, "must be an integer")
        exact = Decimal(v.text) if isinstance(v, Num) else Decimal(v)
        if abs(exact) > MAX_INT:  # before any arithmetic, so 1e999999 costs nothing
            return self.fail(ptr, "must lie within -(2^53-1) and 2^53-1")
        try:
            whole = exact == exact.to_integral_value()
        except InvalidOperation:
            whole = False
        return int(exact) if whole else self.fail(ptr, "must be a whole number")

    def as_zip(self, v: Any, ptr: str) -> Any:
        """D17 (and 004's "5-digit Zip Code"): five digits."""
        ok = isinstance(v, str) and re.fullmatch(r"[0-9]{5}", v) is not None
        return v if ok else self.fail(ptr, "must be a five-digit ZIP code")

    def as_time(self, v: Any, ptr: str) -> Any:
        """D9: appointment_time carries an offset."""
        return self.instant(v, ptr, need_offset=True)

    def as_utc(self, v: Any, ptr: str) -> Any:
        """D20: `*_utc` members may also be written without an offset, read as UTC."""
        return self.instant(v, ptr, need_offset=False)

    def instant(self, v: Any, ptr: str, need_offset: bool) -> Any:
        """A date-time string, parsed to a UTC datetime."""
        got = parse_instant(v, need_offset) if isinstance(v, str) else "must be a date-time"
        return self.fail(ptr, got) if isinstance(got, str) else got

    def as_config(self, v: Any, ptr: str) -> Any:
        """Any object; refused only if it could not be echoed back (too deep to encode)."""
        if not isinstance(v, dict):
            return self.fail(ptr, "must be an object")
        try:  # a few levels of margin for the answer the config is later nested in
            json.dumps([[[[[v]]]]])
        except (RecursionError, ValueError):
            return self.fail(ptr, "is nested too deeply to store")
        return v

    def as_flat(self, v: Any, ptr: str) -> Any:
        """D18: workflow data are one level deep, scalar values only."""
        if not isinstance(v, dict):
            return self.fail(ptr, "must be an object")
        for name, item in v.items():
            if isinstance(item, dict | list):
                self.fail(pointer(ptr, name), "must be a scalar (one level deep)")
        return v


APPT_STRINGS: tuple[str, ...] = ("consumer_name", "consumer_phone", "vehicle_vin")
APPT_STRINGS += ("vehicle_make", "vehicle_model", "vehicle_color", "driver_notes")
APPT_MEMBERS: dict[str, tuple[Kind, bool, bool]] = {
    "consumer_at_pickup": req("bool"),
    "delivery_location_id": req("int"),
    "appointment_time": nul("time"),
    "pickup_location_id": nul("int"),
    "vehicle_year": nul("int"),
    "vehicle_manual": nul("bool"),
    "config": nul("config"),
} | {name: nul("str") for name in APPT_STRINGS}
MUTABLE = (*APPT_MEMBERS, "transportation_type")
POST_APPT = Obj({"customer_id": req("int")} | APPT_MEMBERS)
PUT_APPT = Obj(APPT_MEMBERS | {"transportation_type": nul(TYPES)})
# D8: nothing is required on PATCH, yet the two required members still cannot be null.
PATCH_APPT = Obj({name: (k, False, null) for name, (k, _, null) in PUT_APPT.members.items()})
STATUS_BODY = Obj({"status": req(STATUSES)})

VEHICLE_KEYS = ("stock", "vin", "year", "make", "model", "color", "manual")
LOANER_VEHICLE = Obj({k: opt("bool" if k == "manual" else "str") for k in VEHICLE_KEYS})
# D17/D18: make, model and manual are required, except on a loaner's vehicle.
MUST = {"make": req("str"), "model": req("str"), "manual": req("bool")}
VEHICLE = Obj(LOANER_VEHICLE.members | MUST)
ADDRESS = ("name", "address_one", "city", "state")
CONCIERGE_LOCATION = Obj(
    {k: req("str") for k in ADDRESS} | {"address_two": opt("str"), "zip": req("zip")}
)
RT_LOCATION_KEYS = ("name", "full_address", "address_one", "address_two", "city", "state")
# 004 describes its optional zip as "The 5-digit Zip Code" too.
RT_LOCATION = Obj({k: opt("str") for k in RT_LOCATION_KEYS} | {"zip": opt("zip")})
CONCIERGE_NOTES = ("reference_id", "dealer_contact", "special_instructions")
RT_NOTES = ("reference_num", "dealer_contact", "special_instructions")
RT_EXTRA = ("sla_id", "workflowset_id", "pickup_workflow_data", "delivery_workflow_data")


def concierge_move(vehicle: tuple[Kind, bool, bool]) -> Obj:
    """One move of a concierge pair; only the vehicle rule differs between the two (D17)."""
    notes = {k: opt("str") for k in CONCIERGE_NOTES}
    return Obj(notes | {"vehicle": vehicle, "pickup_location": req(CONCIERGE_LOCATION)})


CONCIERGE = Obj(
    {"appointment_time_utc": req("utc"), "customer_action": req(("pickup", "return"))}
    | {"customer_name": req("str"), "customer_phone": req("str")}
    | {"loaner_move": req(concierge_move(opt(LOANER_VEHICLE)))}
    | {"customer_move": req(concierge_move(req(VEHICLE)))}
)
RT_MOVE = Obj(
    {k: opt("str") for k in RT_NOTES}
    | {"vehicle": req(VEHICLE), "pickup_location": req(RT_LOCATION)}
    | {"sla_id": opt("int"), "workflowset_id": opt("int")}
    | {"pickup_workflow_data": opt("flat"), "delivery_workflow_data": opt("flat")}
)
ROUND_TRIP = Obj(
    {"rooftop": opt("int"), "third_party_payer": opt("int"), "ready_by_time_utc": req("utc")}
    | {"duplicate_check": opt(("reference_num", "vehicle_stock", "vehicle_vin"))}
    | {"move_one": req(RT_MOVE), "move_two": req(RT_MOVE)}
)


# ---------------------------------------------------------------- state


@dataclass
class Appointment:
    """One staging record; `fields` holds every mutable member, transportation_type included."""

    id: int
    customer_id: int
    fields: dict[str, Any]
    status: str = "new"
    updatedat: datetime | None = None  # null until the first successful PUT/PATCH
    move_id: int | None = None


class Store:
    """Everything the server remembers, behind one lock."""

    lock = threading.Lock()
    appointments: ClassVar[dict[int, Appointment]] = {}
    # (rooftop, move_id, {duplicate_check name: value}) for every move made, for D19.
    moves: ClassVar[list[tuple[int, int, dict[str, Any]]]] = []
    # Appointment ids that look nothing like move ids; moves count from 1.
    appointment_ids, move_ids = itertools.count(700_000_000, 7), itertools.count(1)
    lane_ids, location_ids = itertools.count(1), itertools.count(3001)


STORE = Store
Roofs = tuple[int, ...]


# ---------------------------------------------------------------- appointments


def render(a: Appointment) -> dict[str, Any]:
    """The full appointment; D13: the elected type lives only in config.transportation_type."""
    f = a.fields
    config, kind = f["config"], f["transportation_type"]
    if kind is not None:
        config = (config or {}) | {"transportation_type": kind}
    out: dict[str, Any] = {"id": a.id, "status": a.status, "customer_id": a.customer_id}
    out |= {name: f[name] for name in APPT_MEMBERS} | {"config": config}
    if f["appointment_time"] is not None:  # D9: answered normalised to UTC, +00:00
        out["appointment_time"] = f["appointment_time"].isoformat()
    stamp = None if a.updatedat is None else millis_z(a.updatedat)
    return out | {"move_id": a.move_id, "updatedat": stamp}


def check_locations(chk: Checker, body: dict[str, Any]) -> None:
    """Off by default: D22 gives an id in a body no range, so any integer is a location id."""
    if not KNOWN_LOCATIONS_ONLY:
        return
    dl, pl = body.get("delivery_location_id"), body.get("pickup_location_id")
    if isinstance(dl, int) and dl not in DELIVERY_LOCATIONS:
        chk.fail("/delivery_location_id", "is not a known delivery location")
    if isinstance(pl, int) and pl not in PICKUP_LOCATIONS:
        chk.fail("/pickup_location_id", "is not a known pickup location")


def own_config(changes: dict[str, Any]) -> dict[str, Any]:
    """D13: the server owns config.transportation_type, so a client's value is dropped."""
    if isinstance(changes.get("config"), dict):
        changes["config"] = dict(changes["config"])
        changes["config"].pop("transportation_type", None)
    return changes


def create_appointment(roofs: Roofs, _: str | None, body: Any) -> tuple[int, Any]:
    """D6: POST /appointments -> 201 {id, status: new}, past times included."""
    chk = Checker()
    clean = chk.obj(body, POST_APPT, "")
    if clean is not BAD:
        check_locations(chk, clean)
    chk.done()
    if clean["customer_id"] not in roofs:
        raise ApiError(403, "Not your rooftop", "The token does not hold this customer_id.")
    fields = own_config({name: clean.get(name) for name in MUTABLE})
    with STORE.lock:
        a = Appointment(next(STORE.appointment_ids), clean["customer_id"], fields)
        STORE.appointments[a.id] = a
    return 201, {"id": a.id, "status": a.status}


def find(roofs: Roofs, path_id: str | None) -> Appointment:
    """D2/D5: a malformed id, an unknown id and another dealer's id all answer 404."""
    a = None
    if path_id is not None and re.fullmatch(r"[0-9]{1,16}", path_id):
        a = STORE.appointments.get(int(path_id))
    if a is None or a.customer_id not in roofs:
        raise ApiError(404, "No such appointment", "No appointment with this id for this token.")
    return a


def update_appointment(
    roofs: Roofs, path_id: str | None, body: Any, partial: bool
) -> tuple[int, Any]:
    """D7-D14: PUT replaces every mutable member, PATCH only those it sends."""
    chk = Checker()
    clean = chk.obj(body, PATCH_APPT if partial else PUT_APPT, "")
    now = datetime.now(UTC)
    if clean is not BAD:
        check_locations(chk, clean)
        t = clean.get("appointment_time")
        if isinstance(t, datetime) and t < now:
            chk.fail("/appointment_time", "would set a time in the past")
    chk.done()
    changes = own_config(dict(clean) if partial else {k: clean.get(k) for k in MUTABLE})
    with STORE.lock:
        a = find(roofs, path_id)
        if a.status in TERMINAL:
            raise ApiError(409, "Appointment closed", f"A {a.status} appointment is final.")
        if a.fields["appointment_time"] is not None and a.fields["appointment_time"] < now:
            raise ApiError(409, "Appointment passed", "Its appointment_time is in the past.")
        # D11: once staged, a member outside the free four may be sent only with its value.
        frozen = [k for k, v in changes.items() if k not in STAGED_FREE and a.fields[k] != v]
        if a.status in STAGED and frozen:
            detail = f"Staging has begun; these cannot change: {', '.join(sorted(frozen))}."
            raise ApiError(409, "Field frozen", detail)
        a.fields.update(changes)
        if a.status in ("new", "pending"):
            a.status = derive_status(a.fields)
        stamp = datetime.now(UTC)  # D14: set on every write, and never backwards
        stamp = stamp.replace(microsecond=stamp.microsecond // 1000 * 1000)
        a.updatedat = stamp if a.updatedat is None else max(stamp, a.updatedat)
        return 200, render(a)


def derive_status(f: dict[str, Any]) -> str:
    """D10: no type -> new; a type and incomplete data -> pending; complete -> ready."""
    if f["transportation_type"] is None:
        return "new"
    reachable = f["consumer_at_pickup"] is False or f["pickup_location_id"] is not None
    timed = f["appointment_time"] is not None and f["delivery_location_id"] is not None
    return "ready" if timed and reachable else "pending"


def control_status(roofs: Roofs, path_id: str | None, body: Any) -> tuple[int, Any]:
    """D15: the internal transitions, exposed for tests; updatedat is left alone."""
    chk = Checker()
    clean = chk.obj(body, STATUS_BODY, "")
    chk.done()
    with STORE.lock:
        a = find(roofs, path_id)
        if (a.status, clean["status"]) not in EDGES:
            detail = f"There is no transition from {a.status} to {clean['status']}."
            raise ApiError(409, "Transition refused", detail)
        a.status = clean["status"]
        if a.status == "paid" and a.move_id is None:  # D14: the move exists once paid
            a.move_id = next(STORE.move_ids)
        return 200, render(a)


# ---------------------------------------------------------------- moves


def geocode(loc: dict[str, Any]) -> dict[str, Any]:
    """A stand-in geocoder: echo the parts, fixed coordinates, no place id, a new location id."""
    out = {k: loc.get(k) for k in (*RT_LOCATION_KEYS, "zip") if k != "full_address"}
    full = loc.get("full_address")
    if full is None:
        tail = " ".join(p for p in (loc.get("state"), loc.get("zip")) if p)
        parts = (loc.get("address_one"), loc.get("address_two"), loc.get("city"), tail)
        full = ", ".join(p for p in parts if p)
    out |= {"lat": 37.5407, "lon": -77.436, "google_place_id": None}
    return out | {"location_id": next(STORE.location_ids), "full_address": full}


def move_out(move: dict[str, Any], lane: int, keys: tuple[str, ...]) -> dict[str, Any]:
    """One move of a pair in the seeds' shape, with relative URIs; unknown values are null."""
    move_id = next(STORE.move_ids)
    out: dict[str, Any] = {"move_id": move_id, "status": None, "cancel_status": None}
    for leg in ("pickup", "delivery"):
        out |= {f"{leg}_{s}": None for s in ("started", "arrived", "successful")}
    out |= {"tracking_link": None, "move_uri": f"/v1/moves/{move_id}"}
    out |= {"lane_uri": f"/v1/lanes/{lane}"} | {k: move.get(k) for k in keys}
    # D4: every documented member is present, so an omitted loaner vehicle is all nulls,
    # and a loaner sent without `manual` answers null: nobody stated the transmission.
    out["vehicle"] = {k: (move.get("vehicle") or {}).get(k) for k in VEHICLE_KEYS}
    return out | {"pickup_location": geocode(move["pickup_location"])}


def dedupe_keys(move: dict[str, Any], reference: str) -> dict[str, Any]:
    """The values that D19's duplicate_check compares."""
    vehicle = move.get("vehicle") or {}
    ref, stock, vin = move.get(reference), vehicle.get("stock"), vehicle.get("vin")
    return {"reference_num": ref, "vehicle_stock": stock, "vehicle_vin": vin}


def concierge(roofs: Roofs, _: str | None, body: Any) -> tuple[int, Any]:
    """POST /concierge-loaner-moves (D17): 200 with both moves."""
    chk = Checker()
    clean = chk.obj(body, CONCIERGE, "")
    chk.done()
    when: datetime = clean["appointment_time_utc"]
    try:  # D17: ready-by is no later than the appointment; here 45 minutes before it
        ready_by = when - timedelta(minutes=45)
    except OverflowError:
        ready_by = FIRST
    legs = ("loaner_move", "customer_move")
    with STORE.lock:
        lane = next(STORE.lane_ids)
        out: dict[str, Any] = {n: move_out(clean[n], lane, CONCIERGE_NOTES) for n in legs}
        # The page names no rooftop, so a concierge move belongs to the token's first one.
        for n in legs:
            keys = dedupe_keys(clean[n], "reference_id")
            STORE.moves.append((roofs[0], out[n]["move_id"], keys))
    out["ready_by_time_utc"] = rfc3339_z(ready_by)
    out |= {k: clean[k] for k in ("customer_name", "customer_phone", "customer_action")}
    return 200, out | {"appointment_time_utc": rfc3339_z(when)}


def round_trip(roofs: Roofs, _: str | None, body: Any) -> tuple[int, Any]:
    """POST /round-trip-moves (D18, D19): 200 with both moves, or 409 on a duplicate."""
    chk = Checker()
    clean = chk.obj(body, ROUND_TRIP, "")
    legs = ("move_one", "move_two")
    for n in legs:
        move = clean.get(n) if isinstance(clean, dict) else None
        loc = move.get("pickup_location") if isinstance(move, dict) else None
        if not isinstance(loc, dict) or "full_address" in loc:
            continue
        # D18: the address parts are required only when no full_address stands for them.
        for part in (p for p in ADDRESS[1:] if p not in loc):
            chk.fail(f"/{n}/pickup_location/{part}", "is required without full_address")
    chk.done()
    rooftop = clean.get("rooftop", roofs[0])
    if rooftop not in roofs:
        raise ApiError(403, "Not your rooftop", "The token does not hold this rooftop.")
    pair = [dedupe_keys(clean[n], "reference_num") for n in legs]
    ready_by: datetime = clean["ready_by_time_utc"]
    with STORE.lock:
        if (check := clean.get("duplicate_check")) is not None:
            sent = {p[check] for p in pair if p[check] is not None}
            hits = [mid for roof, mid, k in STORE.moves if roof == rooftop and k[check] in sent]
            if hits:
                detail = f"A move for this rooftop already has this {check}."
                raise ApiError(409, "Duplicate move", detail, extra={"conflicting_move_ids": hits})
        lane = next(STORE.lane_ids)
        moves = {n: move_out(clean[n], lane, RT_NOTES + RT_EXTRA) for n in legs}
        for n, keys in zip(legs, pair, strict=True):
            STORE.moves.append((rooftop, moves[n]["move_id"], keys))
    try:  # earliest availability: an hour after ready-by, written with +00:00 (not *_utc)
        earliest = ready_by + timedelta(hours=1)
    except OverflowError:
        earliest = LAST
    out: dict[str, Any] = {"ready_by_time_utc": rfc3339_z(ready_by)}
    out["earliest_available_time"] = earliest.isoformat()
    return 200, out | moves


# ---------------------------------------------------------------- HTTP

Handler = Callable[[Roofs, str | None, Any], tuple[int, Any]]
UPDATES: dict[str, Handler] = {
    "PUT": functools.partial(update_appointment, partial=False),
    "PATCH": functools.partial(update_appointment, partial=True),
}
ROUTES: list[tuple[re.Pattern[str], dict[str, Handler]]] = [
    (re.compile(r"/v1/appointments"), {"POST": create_appointment}),
    (re.compile(r"/v1/appointments/([^/]+)"), UPDATES),
    (re.compile(r"/v1/concierge-loaner-moves"), {"POST": concierge}),
    (re.compile(r"/v1/round-trip-moves"), {"POST": round_trip}),
    (re.compile(r"/v1/_test/appointments/([^/]+)/status"), {"POST": control_status}),
]


def authenticate(request: Request) -> Roofs:
    """D2: `Authorization: Bearer <token>`; the scheme is case-insensitive (RFC 9110)."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    roofs = TOKENS.get(token.strip()) if scheme.lower() == "bearer" else None
    if roofs is None:
        headers = {"WWW-Authenticate": 'Bearer realm="hopdrive"'}
        raise ApiError(401, "Who are you?", "Send a known bearer token.", headers=headers)
    return roofs


async def read_body(request: Request) -> tuple[bytes, bool]:
    """The body up to the limit, and whether it went over; the rest is drained, not kept."""
    kept: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size <= MAX_BODY:
            kept.append(chunk)
    return b"".join(kept), size > MAX_BODY


async def handle(request: Request) -> Response:
    """Take one request through the checks in this server's order."""
    raw, too_big = await read_body(request)  # read first, so an early answer never cuts an upload
    roofs = authenticate(request)
    path, method = request.scope["path"], request.method
    found = [(m, methods) for pattern, methods in ROUTES if (m := pattern.fullmatch(path))]
    if not found:
        raise ApiError(404, "Nothing here", f"There is no resource at {path}.")
    m, methods = found[0]
    if method not in methods:
        allow = ", ".join(methods)
        raise ApiError(405, "Method not offered", f"Use {allow}.", headers={"Allow": allow})
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media != "application/json":
        raise ApiError(415, "Send JSON", "The body must be application/json.")
    if too_big:
        raise ApiError(413, "Body too large", f"The limit is {MAX_BODY} bytes.")
    status, body = methods[method](roofs, m.group(1) if m.groups() else None, parse_json(raw))
    return Response(json.dumps(body), status, media_type="application/json")


async def app(scope: Scope, receive: Receive, send: Send) -> None:
    """The ASGI entry point; no input may turn into a 5xx."""
    if scope["type"] != "http":
        return
    request = Request(scope, receive)
    try:
        response = await handle(request)
    except ApiError as err:
        response = problem(err)
    except Exception:  # a bug must still not answer 5xx; printed, so that it gets fixed
        traceback.print_exc()
        response = problem(ApiError(400, "Request not processed", "The request was refused."))
    await response(scope, receive, send)


def main(argv: list[str]) -> None:
    """Serve on 127.0.0.1:PORT (default 8765)."""
    port = int(argv[1]) if len(argv) > 1 else 8765
    uvicorn.run(app, host="127.0.0.1", port=port, lifespan="off", log_level="warning")


if __name__ == "__main__":
    main(sys.argv)
