"""Appointments through HTTP: each decision D6-D15 pinned by name."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from spec import Spec
from testbeds import Clock, LiveServer
from tests.seeds import seed

COMPLETE: dict[str, Any] = seed("002_replaceAppointment.request")


def create(api: httpx.Client, **overrides: Any) -> int:
    """Create an appointment from the seed example and return its id."""
    response = api.post(
        "/appointments", json={**seed("000_createAppointment.request"), **overrides}
    )
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def record(api: httpx.Client, appointment_id: int) -> dict[str, Any]:
    """The stored record, read through the no-op PATCH (the API has no GET)."""
    response = api.patch(f"/appointments/{appointment_id}", json={})
    assert response.status_code == 200, response.text
    return dict(response.json())


def internal_path(spec: Spec, source: str, target: str) -> list[str]:
    """The states to drive through internal edges from `source` to `target` (empty if none)."""
    return spec.lifecycle.path(source, target, "internal") or []


def reach(api: httpx.Client, spec: Spec, state: str) -> int:
    """A fresh appointment in `state`, reached by PUT and then internal edges."""
    appointment_id = create(api)
    start = "new"
    if state == "pending":
        assert (
            api.put(
                f"/appointments/{appointment_id}", json={**COMPLETE, "pickup_location_id": None}
            ).json()["status"]
            == "pending"
        )
        return appointment_id
    if state != "new" and not internal_path(spec, "new", state):
        assert api.put(f"/appointments/{appointment_id}", json=COMPLETE).json()["status"] == "ready"
        start = "ready"
    for step in internal_path(spec, start, state):
        response = api.post(f"/_test/appointments/{appointment_id}/status", json={"status": step})
        assert response.status_code == 200, response.text
    return appointment_id


def test_post_answers_201_with_id_and_status_new_d6(api: httpx.Client) -> None:
    response = api.post("/appointments", json=seed("000_createAppointment.request"))
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"id", "status"}
    assert body["status"] == "new"
    assert isinstance(body["id"], int)
    assert body["id"] > 0


def test_post_with_only_the_required_fields_is_new_d6(api: httpx.Client) -> None:
    minimal = {"customer_id": 1234, "consumer_at_pickup": True, "delivery_location_id": 5678}
    response = api.post("/appointments", json=minimal)
    assert (response.status_code, response.json()["status"]) == (201, "new")
    assert record(api, response.json()["id"])["appointment_time"] is None


def test_post_with_past_time_is_accepted_but_never_modifiable_d6(api: httpx.Client) -> None:
    appointment_id = create(api, appointment_time="2026-02-01T09:00:00Z")
    response = api.patch(f"/appointments/{appointment_id}", json={"consumer_name": "Late"})
    assert response.status_code == 409
    assert response.headers["content-type"] == "application/problem+json"


def test_put_seed_example_answers_the_seed_record_d7(api: httpx.Client, spec: Spec) -> None:
    appointment_id = create(api)
    response = api.put(f"/appointments/{appointment_id}", json=COMPLETE)
    assert response.status_code == 200
    assert spec.response_validator("replaceAppointment", 200).is_valid(response.json())
    expected = seed("002_replaceAppointment.response_200")
    generated = {"id", "updatedat"}
    got = response.json()
    assert {k: v for k, v in got.items() if k not in generated} == {
        k: v for k, v in expected.items() if k not in generated
    }
    assert got["id"] == appointment_id


def test_put_sets_omitted_fields_to_null_d7(api: httpx.Client) -> None:
    appointment_id = create(api)
    minimal = {"consumer_at_pickup": False, "delivery_location_id": 5678}
    after = api.put(f"/appointments/{appointment_id}", json=minimal).json()
    for name in ("consumer_name", "vehicle_vin", "vehicle_year", "appointment_time", "config"):
        assert after[name] is None, name
    assert after["customer_id"] == 1234


def test_put_with_customer_id_is_400_d7(api: httpx.Client) -> None:
    appointment_id = create(api)
    response = api.put(f"/appointments/{appointment_id}", json={**COMPLETE, "customer_id": 1234})
    assert response.status_code == 400
    assert {"pointer": "/customer_id", "message": "is not a known member here"} in response.json()[
        "errors"
    ]


@pytest.mark.parametrize("field", ["consumer_at_pickup", "delivery_location_id"])
def test_put_without_a_required_field_is_400_d7(api: httpx.Client, field: str) -> None:
    appointment_id = create(api)
    body = {k: v for k, v in COMPLETE.items() if k != field}
    response = api.put(f"/appointments/{appointment_id}", json=body)
    assert response.status_code == 400
    assert response.json()["errors"] == [{"pointer": f"/{field}", "message": "is required"}]


def test_patch_changes_only_the_fields_present_d8(api: httpx.Client, clock: Clock) -> None:
    appointment_id = create(api)
    before = record(api, appointment_id)
    clock.advance(seconds=1)
    after = api.patch(f"/appointments/{appointment_id}", json={"driver_notes": "Gate 7"}).json()
    changed = {k for k in after if after[k] != before[k]}
    assert changed == {"driver_notes", "updatedat"}


def test_patch_null_clears_a_nullable_field_d8(api: httpx.Client) -> None:
    appointment_id = create(api)
    after = api.patch(f"/appointments/{appointment_id}", json={"consumer_name": None}).json()
    assert after["consumer_name"] is None


@pytest.mark.parametrize("field", ["consumer_at_pickup", "delivery_location_id"])
def test_patch_cannot_null_a_required_field_d8(api: httpx.Client, field: str) -> None:
    appointment_id = create(api)
    response = api.patch(f"/appointments/{appointment_id}", json={field: None})
    assert response.status_code == 400
    assert response.json()["errors"][0]["pointer"] == f"/{field}"


def test_empty_patch_is_a_no_op_returning_the_record_d8(api: httpx.Client) -> None:
    appointment_id = create(api)
    first = record(api, appointment_id)
    second = record(api, appointment_id)
    assert {k: v for k, v in first.items() if k != "updatedat"} == {
        k: v for k, v in second.items() if k != "updatedat"
    }
    assert first["status"] == "new"


def test_naive_appointment_time_is_400_d9(api: httpx.Client) -> None:
    response = api.post(
        "/appointments",
        json={**seed("000_createAppointment.request"), "appointment_time": "2026-03-10T09:00:00"},
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["pointer"] == "/appointment_time"


def test_appointment_time_is_answered_in_utc_d9(api: httpx.Client) -> None:
    appointment_id = create(api)
    after = api.patch(
        f"/appointments/{appointment_id}", json={"appointment_time": "2026-04-01T08:30:00+02:00"}
    ).json()
    assert after["appointment_time"] == "2026-04-01T06:30:00+00:00"


@pytest.mark.parametrize("method", ["put", "patch"])
def test_setting_a_past_appointment_time_is_400_d9(
    api: httpx.Client, clock: Clock, method: str
) -> None:
    appointment_id = create(api)
    past = "2026-02-28T09:00:00Z"
    body = {**COMPLETE, "appointment_time": past} if method == "put" else {"appointment_time": past}
    response = api.request(method.upper(), f"/appointments/{appointment_id}", json=body)
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"pointer": "/appointment_time", "message": "is in the past"}
    ]


@pytest.mark.parametrize(
    ("changes", "status"),
    [
        ({"transportation_type": None}, "new"),
        ({"pickup_location_id": None}, "pending"),
        ({"appointment_time": None}, "pending"),
        ({}, "ready"),
        ({"consumer_at_pickup": False, "pickup_location_id": None}, "ready"),
        ({"transportation_type": "rideshare"}, "ready"),
    ],
    ids=[
        "no type: new",
        "no pickup location with the consumer: pending",
        "no time: pending",
        "type and complete: ready",
        "vehicle at the dealership: ready",
        "another type: ready",
    ],
)
def test_status_after_put_follows_the_derivation_d10(
    api: httpx.Client, changes: dict[str, Any], status: str
) -> None:
    appointment_id = create(api)
    response = api.put(f"/appointments/{appointment_id}", json={**COMPLETE, **changes})
    assert response.json()["status"] == status


def test_pending_appointment_becomes_ready_when_completed_by_patch_d10(
    api: httpx.Client, spec: Spec
) -> None:
    appointment_id = reach(api, spec, "pending")
    response = api.patch(f"/appointments/{appointment_id}", json={"pickup_location_id": 9012})
    assert response.json()["status"] == "ready"


def test_pending_appointment_returns_to_new_when_type_is_cleared_d10(
    api: httpx.Client, spec: Spec
) -> None:
    appointment_id = reach(api, spec, "pending")
    response = api.patch(f"/appointments/{appointment_id}", json={"transportation_type": None})
    assert response.json()["status"] == "new"


@pytest.mark.parametrize("state", ["ready", "paying", "paid"])
def test_staged_appointment_accepts_changes_to_mutable_fields_d11(
    api: httpx.Client, spec: Spec, state: str
) -> None:
    appointment_id = reach(api, spec, state)
    changes = {
        "consumer_name": "J. Smith",
        "consumer_phone": "+15555550199",
        "driver_notes": "x",
        "config": {"k": 1},
    }
    response = api.patch(f"/appointments/{appointment_id}", json=changes)
    assert response.status_code == 200
    after = response.json()
    assert after["status"] == state
    assert after["config"] == {"k": 1, "transportation_type": "valet"}


@pytest.mark.parametrize(
    "changes",
    [
        {"vehicle_vin": "2HGFB2F50DH000001"},
        {"transportation_type": "shuttle"},
        {"transportation_type": None},
        {"pickup_location_id": 1},
    ],
    ids=["vin", "another type", "type cleared", "pickup location"],
)
def test_staged_appointment_rejects_a_frozen_change_with_409_d11(
    api: httpx.Client, spec: Spec, changes: dict[str, Any]
) -> None:
    appointment_id = reach(api, spec, "ready")
    before = record(api, appointment_id)
    response = api.patch(f"/appointments/{appointment_id}", json=changes)
    assert response.status_code == 409
    assert response.headers["content-type"] == "application/problem+json"
    after = record(api, appointment_id)
    assert {k: v for k, v in after.items() if k != "updatedat"} == {
        k: v for k, v in before.items() if k != "updatedat"
    }


def test_staged_rejection_is_atomic_d11(api: httpx.Client, spec: Spec) -> None:
    appointment_id = reach(api, spec, "ready")
    response = api.patch(
        f"/appointments/{appointment_id}",
        json={"consumer_name": "Changed", "vehicle_make": "Acura"},
    )
    assert response.status_code == 409
    assert record(api, appointment_id)["consumer_name"] == "Jane Smith"


def test_staged_put_resending_frozen_fields_unchanged_is_allowed_d11(
    api: httpx.Client, spec: Spec
) -> None:
    appointment_id = reach(api, spec, "paid")
    same_moment = {**COMPLETE, "appointment_time": "2026-03-10T14:00:00Z", "driver_notes": "Gate 9"}
    response = api.put(f"/appointments/{appointment_id}", json=same_moment)
    assert response.status_code == 200, response.text
    assert (response.json()["status"], response.json()["driver_notes"]) == ("paid", "Gate 9")


def test_staged_put_omitting_a_frozen_field_is_409_d11(api: httpx.Client, spec: Spec) -> None:
    appointment_id = reach(api, spec, "ready")
    body = {k: v for k, v in COMPLETE.items() if k != "vehicle_vin"}
    assert api.put(f"/appointments/{appointment_id}", json=body).status_code == 409


@pytest.mark.parametrize("state", ["canceled", "refunded", "failed"])
@pytest.mark.parametrize("method", ["PUT", "PATCH"])
def test_update_on_terminal_appointment_is_409_d12(
    api: httpx.Client, spec: Spec, state: str, method: str
) -> None:
    appointment_id = reach(api, spec, state)
    body = COMPLETE if method == "PUT" else {"driver_notes": "too late"}
    response = api.request(method, f"/appointments/{appointment_id}", json=body)
    assert response.status_code == 409
    assert response.json()["status"] == 409


def test_put_on_canceled_appointment_is_409(api: httpx.Client, spec: Spec) -> None:
    appointment_id = reach(api, spec, "canceled")
    assert api.put(f"/appointments/{appointment_id}", json=COMPLETE).status_code == 409


def test_update_after_the_appointment_time_passed_is_409_d12(
    api: httpx.Client, clock: Clock
) -> None:
    appointment_id = create(api)
    clock.advance(days=30)
    response = api.patch(f"/appointments/{appointment_id}", json={})
    assert response.status_code == 409


def test_config_transportation_type_is_owned_by_the_server_d13(api: httpx.Client) -> None:
    appointment_id = create(api, config={"transportation_type": "shuttle", "dms": "x"})
    without = record(api, appointment_id)
    assert without["config"] == {"dms": "x"}
    assert "transportation_type" not in without
    # Pending (incomplete), so the type may still be changed and cleared.
    incomplete = {**COMPLETE, "pickup_location_id": None, "config": {"transportation_type": "x"}}
    elected = api.put(f"/appointments/{appointment_id}", json=incomplete).json()
    assert (elected["status"], elected["config"]) == ("pending", {"transportation_type": "valet"})
    cleared = api.patch(
        f"/appointments/{appointment_id}", json={"transportation_type": None}
    ).json()
    assert cleared["config"] == {}


def test_updatedat_is_set_on_every_update_and_never_goes_backwards_d14(
    api: httpx.Client, clock: Clock
) -> None:
    appointment_id = create(api)
    first = record(api, appointment_id)["updatedat"]
    clock.advance(minutes=5)
    second = record(api, appointment_id)["updatedat"]
    assert second > first
    assert second.endswith("+00:00")
    clock.advance(minutes=-60)
    assert record(api, appointment_id)["updatedat"] == second


def test_move_id_is_null_until_the_appointment_is_paid_d14(api: httpx.Client, spec: Spec) -> None:
    appointment_id = reach(api, spec, "paying")
    assert record(api, appointment_id)["move_id"] is None
    paid = api.post(f"/_test/appointments/{appointment_id}/status", json={"status": "paid"}).json()
    assert isinstance(paid["move_id"], int)
    canceled = api.post(
        f"/_test/appointments/{appointment_id}/status", json={"status": "canceled"}
    ).json()
    assert canceled["move_id"] == paid["move_id"]


def _internal_edges() -> list[tuple[str, str]]:
    from spec import load

    return [(e.source, e.target) for e in load().lifecycle.edges if e.by == "internal"]


@pytest.mark.parametrize(("source", "target"), _internal_edges(), ids=lambda s: str(s))
def test_test_control_drives_every_internal_edge_d15(
    api: httpx.Client, spec: Spec, source: str, target: str
) -> None:
    appointment_id = reach(api, spec, source)
    response = api.post(f"/_test/appointments/{appointment_id}/status", json={"status": target})
    assert response.status_code == 200, response.text
    assert response.json()["status"] == target


@pytest.mark.parametrize(
    ("source", "target"),
    [("new", "paid"), ("ready", "new"), ("refunded", "canceled"), ("new", "new")],
)
def test_test_control_refuses_an_edge_the_lifecycle_lacks_d15(
    api: httpx.Client, spec: Spec, source: str, target: str
) -> None:
    appointment_id = reach(api, spec, source)
    response = api.post(f"/_test/appointments/{appointment_id}/status", json={"status": target})
    assert response.status_code == 409
    if source not in spec.lifecycle.terminal_states:  # a terminal record cannot be read back
        assert record(api, appointment_id)["status"] == source


def test_test_control_on_unknown_or_foreign_id_is_404_d15(
    api: httpx.Client, other: httpx.Client
) -> None:
    appointment_id = create(api)
    assert (
        api.post("/_test/appointments/999999999/status", json={"status": "canceled"}).status_code
        == 404
    )
    response = other.post(
        f"/_test/appointments/{appointment_id}/status", json={"status": "canceled"}
    )
    assert response.status_code == 404


def test_test_control_is_absent_when_switched_off_d15(clock: Clock) -> None:
    from mock_server.app import create_app
    from mock_server.store import Store

    with LiveServer(create_app(store=Store(), test_control=False, clock=clock)) as live:
        headers = {"Authorization": "Bearer dev-token-a"}
        with httpx.Client(base_url=live.url, headers=headers) as client:
            created = client.post("/appointments", json=seed("000_createAppointment.request"))
            appointment_id = created.json()["id"]
            response = client.post(
                f"/_test/appointments/{appointment_id}/status", json={"status": "canceled"}
            )
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(
    ("member", "value"),
    [
        ("vehicle_year", 2**53),
        ("customer_id", -(2**53)),
        ("delivery_location_id", 9007199254740992.0),
        ("appointment_time", "0000-03-10T09:00:00Z"),
        ("appointment_time", "0001-01-01T00:30:00+01:00"),
        ("appointment_time", "9999-12-31T23:30:00-01:00"),
        ("appointment_time", "2026-12-31T23:59:60Z"),
    ],
    ids=[
        "2^53",
        "-2^53",
        "2^53 written as a float",
        "year 0000",
        "before year 1 in UTC",
        "after year 9999 in UTC",
        "a leap second",
    ],
)
def test_a_number_beyond_i_json_or_an_instant_outside_d23_is_400_naming_it_d22_d23(
    api: httpx.Client, member: str, value: Any
) -> None:
    response = api.post(
        "/appointments", json={**seed("000_createAppointment.request"), member: value}
    )
    assert response.status_code == 400, response.text
    assert [error["pointer"] for error in response.json()["errors"]] == [f"/{member}"]


def test_an_update_into_year_0000_is_400_naming_it_d23(api: httpx.Client) -> None:
    appointment_id = create(api)
    response = api.patch(
        f"/appointments/{appointment_id}", json={"appointment_time": "0000-01-01T00:00:00Z"}
    )
    assert response.status_code == 400
    assert [error["pointer"] for error in response.json()["errors"]] == ["/appointment_time"]


@pytest.mark.parametrize(
    ("member", "value"),
    [
        ("vehicle_year", 0),
        ("vehicle_year", -(2**53) + 1),
        ("pickup_location_id", 0),
        ("consumer_name", ""),
        ("vehicle_vin", ""),
    ],
)
def test_what_the_contract_does_not_refuse_is_accepted_d21_d22(
    api: httpx.Client, member: str, value: Any
) -> None:
    appointment_id = create(api, **{member: value})
    assert record(api, appointment_id)[member] == value


def test_rfc_3339_in_lower_case_is_accepted_and_answered_in_utc_d9(api: httpx.Client) -> None:
    appointment_id = create(api, appointment_time="2026-03-10t09:00:00-05:00")
    assert record(api, appointment_id)["appointment_time"] == "2026-03-10T14:00:00+00:00"
