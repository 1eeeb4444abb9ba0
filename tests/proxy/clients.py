"""Clients to put through the proxy: one that keeps the contract, and one that does not.

The conforming one uses the API the way a partner's integration does, with values from the
whole contract (long and empty text, wide integers, nested config, offsets with minutes), so
that whatever a server gets wrong about them shows in its answers.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from contract_tests.examples import seed_example
from spec import Spec

BASE = "/v1"
LONG_TEXT = "a long note, " * 30  # well over 255 characters
WIDE_YEAR = 2**40  # an I-JSON integer beyond 32 bits
# What the conforming client makes of an answer: its body, its status checked or not.
Check = Callable[..., dict[str, Any]]


def later(days: int, offset: str = "+05:30") -> str:
    """A time `days` ahead, written in an offset whose minutes are not zero."""
    moment = datetime.now(UTC).replace(microsecond=0) + timedelta(days=days)
    sign = 1 if offset[0] == "+" else -1
    hours, minutes = int(offset[1:3]), int(offset[4:6])
    local = moment + sign * timedelta(hours=hours, minutes=minutes)
    return local.replace(tzinfo=None).isoformat() + offset


def creation(spec: Spec, **overrides: Any) -> dict[str, Any]:
    """The seed's creation body, a month ahead, with `overrides`."""
    body = seed_example(spec, "createAppointment")
    body.update(appointment_time=later(30), **overrides)
    return dict(body)


def replacement(spec: Spec, **overrides: Any) -> dict[str, Any]:
    """The seed's full replacement (complete data, valet elected), with `overrides`."""
    body = seed_example(spec, "replaceAppointment")
    body.update(appointment_time=later(30), **overrides)
    return dict(body)


def conforming(client: httpx.Client, spec: Spec, *, checked: bool = True) -> None:
    """A partner's integration: appointments along the lifecycle, and both kinds of move; with
    `checked`, each answer's status is the one a conforming server gives."""

    def ok(response: httpx.Response, *statuses: int) -> dict[str, Any]:
        if checked:
            assert response.status_code in statuses, (response.status_code, response.text)
        body = response.json()
        return body if isinstance(body, dict) else {}

    first = _staged_and_closed(client, spec, ok)
    second = _open_edits(client, spec, ok)
    assert first != second
    ok(
        client.post(
            f"{BASE}/concierge-loaner-moves", json=seed_example(spec, "createConciergeLoanerMove")
        ),
        200,
        201,
    )
    round_trip = seed_example(spec, "createRoundTripMove")
    round_trip.pop("duplicate_check", None)
    ok(client.post(f"{BASE}/round-trip-moves", json=round_trip), 200, 201)


def _staged_and_closed(client: httpx.Client, spec: Spec, ok: Check) -> int:
    """Created with the contract's edge values, made ready, edited, paid, closed."""
    body = creation(
        spec,
        consumer_name=LONG_TEXT,
        vehicle_color="",
        vehicle_year=WIDE_YEAR,
        config={"nested": {"level": 2}},
    )
    appointment = ok(client.post(f"{BASE}/appointments", json=body), 201).get("id", 0)
    path = f"{BASE}/appointments/{appointment}"
    control = f"{BASE}/_test/appointments/{appointment}/status"
    ok(client.patch(path, json={"driver_notes": "Gate"}), 200)
    ready = replacement(
        spec, driver_notes=LONG_TEXT, vehicle_year=WIDE_YEAR, config={"nested": {"a": 1}}
    )
    ok(client.put(path, json=ready), 200)
    ok(client.patch(path, json={"consumer_phone": "+15555550102"}), 200)
    ok(client.patch(path, json={"driver_notes": "Ring twice"}), 200)
    for frozen in ({"vehicle_vin": "2HGBH41JXMN109187"}, {"vehicle_color": "Blue"}):
        ok(client.patch(path, json=frozen), 409)
    ok(
        client.patch(path, json={"consumer_name": "Ann Lee", "vehicle_vin": "3HGBH41JXMN109188"}),
        409,
    )
    ok(client.patch(path, json={}), 200)
    ok(client.put(path, json={**ready, "driver_notes": "Resent"}), 200)
    ok(client.post(control, json={"status": "paid"}), 200)
    ok(client.patch(path, json={"driver_notes": "Paid already"}), 200)
    ok(client.post(control, json={"status": "ready"}), 409)
    ok(client.post(control, json={"status": "canceled"}), 200)
    ok(client.post(control, json={"status": "refunded"}), 200)
    ok(client.post(control, json={"status": "canceled"}), 409)
    ok(client.patch(path, json={"driver_notes": "Too late"}), 409)
    return int(appointment)


def _open_edits(client: httpx.Client, spec: Spec, ok: Check) -> int:
    """Replaced and patched while open, then failed, then refused."""
    appointment = ok(client.post(f"{BASE}/appointments", json=creation(spec)), 201).get("id", 1)
    path = f"{BASE}/appointments/{appointment}"
    untyped = replacement(spec, pickup_location_id=None)
    del untyped["transportation_type"], untyped["driver_notes"]
    ok(client.put(path, json=untyped), 200)
    ok(client.patch(path, json={"transportation_type": "valet"}), 200)
    ok(client.patch(path, json={"vehicle_make": "Ford"}), 200)
    ok(client.patch(path, json={"vehicle_color": None}), 200)
    ok(client.patch(path, json={"driver_notes": "First"}), 200)
    ok(client.patch(path, json={"vehicle_model": "Focus"}), 200)
    complete = copy.deepcopy(untyped)
    complete.update(transportation_type="valet", pickup_location_id=9012)
    ok(client.put(path, json=complete), 200)
    ok(
        client.post(f"{BASE}/_test/appointments/{appointment}/status", json={"status": "failed"}),
        200,
    )
    ok(client.patch(path, json={"config": {"k": 1}}), 409)
    return int(appointment)


def careless(client: httpx.Client, spec: Spec) -> None:
    """A client that breaks the contract in each way a request alone can, and asks for another
    dealer's appointment."""
    body = creation(spec)
    mine = client.post(f"{BASE}/appointments", json=body).json().get("id", 1)
    path = f"{BASE}/appointments/{mine}"
    other = {"Authorization": "Bearer dev-token-b"}
    client.patch(path, json={"driver_notes": "not mine"}, headers=other)
    client.put(path, json=replacement(spec, pickup_location_id=None))
    client.patch(path, json={"vehicle_year": "2022"})  # while pending
    client.put(path, json=replacement(spec))
    client.patch(path, json={"driver_notes": 12})  # while ready
    client.post(f"{BASE}/appointments", json=body, headers={"Authorization": ""})
    client.delete(f"{BASE}/appointments/1")
    client.patch(f"{BASE}/appointments/abc", json={})
    client.post(f"{BASE}/appointments", json={**body, "colour": "red"})
    client.post(f"{BASE}/appointments", json={**body, "vehicle_year": "2022"})
    client.post(
        f"{BASE}/appointments", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    client.post(f"{BASE}/appointments", content=b"{}", headers={"Content-Type": "text/plain"})
    client.post(f"{BASE}/appointments", json={**body, "consumer_name": "x" * (1024 * 1024)})
    concierge = seed_example(spec, "createConciergeLoanerMove")
    concierge["customer_move"]["pickup_location"]["zip"] = "2323"
    client.post(f"{BASE}/concierge-loaner-moves", json=concierge)
    round_trip = seed_example(spec, "createRoundTripMove")
    round_trip.pop("duplicate_check", None)
    round_trip["move_one"]["pickup_workflow_data"] = {"deep": {"er": 1}}
    client.post(f"{BASE}/round-trip-moves", json=round_trip)
