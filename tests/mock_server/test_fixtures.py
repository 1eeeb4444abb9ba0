"""Fixtures (`--fixtures`): loaded once, as the API would have made them, or one line of why not."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import httpx
import pytest

from mock_server.app import create_app
from mock_server.appointments import AppointmentRules
from mock_server.cli import EXIT_SETUP, main
from mock_server.fixtures import Fixtures, Loaded
from mock_server.moves import MoveRules
from mock_server.store import Database, Store, open_store
from spec import Spec, load
from testbeds import START, free_port, mock_process
from tests.mock_server.contention import TOKEN
from tests.mock_server.sandbox import (
    APPOINTMENT,
    FIXTURES,
    LATER,
    ROUND_TRIP,
    fixtures_file,
    live_mock,
    read_fixtures,
)
from tests.seeds import seed

COMPLETE: dict[str, Any] = {
    **APPOINTMENT,
    "appointment_time": LATER,
    "transportation_type": "valet",
}
# Members that leave a fixture in each public state (D10); the internal ones start from ready.
PUBLIC: dict[str, dict[str, Any]] = {
    "new": APPOINTMENT,
    "pending": {**COMPLETE, "consumer_at_pickup": True},
}


def _load(store: Database, spec: Spec, fixtures: Fixtures) -> Loaded:
    with store.transaction() as tx:
        return fixtures.load(tx, AppointmentRules.from_spec(spec), MoveRules.from_spec(spec), START)


def _stored(store: Database, appointment_id: int) -> dict[str, Any]:
    with store.transaction() as tx:
        found = tx.appointment(appointment_id)
    assert found is not None
    return found[1]


@pytest.mark.parametrize("state", list(load().lifecycle.states))
def test_a_fixture_reaches_its_status_with_a_move_once_paid(
    spec: Spec, tmp_path: Path, state: str
) -> None:
    members = PUBLIC.get(state, COMPLETE)
    store = Store(":memory:")
    fixtures = read_fixtures(tmp_path, {"appointments": [{"id": 7, "status": state, **members}]})
    assert _load(store, spec, fixtures) == Loaded(appointments=(7,))
    record = _stored(store, 7)
    errors = [
        e.message for e in spec.validator("/components/schemas/Appointment").iter_errors(record)
    ]
    assert not errors, errors
    assert (record["id"], record["status"]) == (7, state)
    assert (record["move_id"] is not None) == (state == "paid")


def test_without_a_status_a_fixture_is_what_its_members_make_it(spec: Spec, tmp_path: Path) -> None:
    store = Store(":memory:")
    _load(store, spec, read_fixtures(tmp_path, {"appointments": [{"id": 7, **COMPLETE}]}))
    assert _stored(store, 7)["status"] == "ready"


def test_fixtures_are_their_dealers_own_by_their_ids(tmp_path: Path) -> None:
    with live_mock(store=Store(":memory:"), fixtures=read_fixtures(tmp_path)) as dealers:
        assert dealers.a.patch("/appointments/1001", json={}).json()["status"] == "paid"
        assert dealers.b.patch("/appointments/1001", json={}).status_code == 404
        assert dealers.b.patch("/appointments/2001", json={}).json()["consumer_name"] == (
            "B's customer"
        )
        # The mock's own ids follow on from the fixtures'.
        assert dealers.a.post("/appointments", json=APPOINTMENT).json()["id"] == 2002


def test_a_fixture_move_makes_a_matching_round_trip_a_duplicate_d19(tmp_path: Path) -> None:
    request = {**ROUND_TRIP, "duplicate_check": "vehicle_vin"}
    with live_mock(store=Store(":memory:"), fixtures=read_fixtures(tmp_path)) as dealers:
        refused = dealers.a.post("/round-trip-moves", json=request)
        assert refused.status_code == 409
        assert len(refused.json()["conflicting_move_ids"]) == 1
        # Another dealer's rooftop has no such move.
        other = dealers.b.post("/round-trip-moves", json={**request, "rooftop": 777})
        assert other.status_code == 200


def test_a_concierge_fixture_is_stored_as_the_handler_stores_it(spec: Spec, tmp_path: Path) -> None:
    concierge = seed("003_createConciergeLoanerMove.request")
    store = Store(":memory:")
    document = {"concierge_loaner_moves": [{"name": "loaner", "rooftop": 42, **concierge}]}
    assert _load(store, spec, read_fixtures(tmp_path, document)) == Loaded(moves=("loaner",))
    vin = concierge["customer_move"]["vehicle"]["vin"]
    with store.transaction() as tx:
        assert len(tx.moves_matching(42, "vehicle_vin", [vin])) == 1
        assert tx.moves_matching(1234, "vehicle_vin", [vin]) == []


def test_loading_the_same_file_again_adds_nothing_and_changes_nothing(
    spec: Spec, tmp_path: Path, location: str
) -> None:
    fixtures = read_fixtures(tmp_path)
    first = open_store(location)
    create_app(store=first, fixtures=fixtures, spec=spec)
    first.close()
    store = open_store(location)
    changed = {**_stored(store, 1001), "consumer_name": "changed by a test"}
    with store.transaction() as tx:
        tx.put_appointment(1001, changed)
    assert _load(store, spec, fixtures) == Loaded()
    create_app(store=store, fixtures=fixtures, spec=spec)
    assert _stored(store, 1001) == changed
    with store.transaction() as tx:
        assert len(tx.moves_matching(1234, "vehicle_vin", ["VIN-1"])) == 1
        assert tx.appointment(1002) is None
    store.close()


def test_the_installed_mock_loads_fixtures_once_across_restarts_and_workers(
    tmp_path: Path,
) -> None:
    db, path, port = tmp_path / "state.db", fixtures_file(tmp_path), free_port()
    base = f"http://127.0.0.1:{port}/v1"
    with (
        mock_process(db, port, "--fixtures", str(path)),
        httpx.Client(base_url=base, headers=TOKEN) as api,
    ):
        assert api.patch("/appointments/1001", json={"consumer_name": "Jo"}).status_code == 200
    with (
        mock_process(db, port, "--fixtures", str(path), "--workers", "2"),
        httpx.Client(base_url=base, headers=TOKEN) as api,
    ):
        for _ in range(4):  # whichever worker answers
            assert api.patch("/appointments/1001", json={}).json()["consumer_name"] == "Jo"


def _fail(path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    """The one line `hopdrive-mock --fixtures path` fails with, after the file's name."""
    assert main(["--db", str(path.with_name("state.db")), "--fixtures", str(path)]) == EXIT_SETUP
    error = capsys.readouterr().err
    assert error.count("\n") == 1, error
    prefix = f"hopdrive-mock: error: {path}: "
    assert error.startswith(prefix), error
    return error.removeprefix(prefix).strip()


def _appointment(**changes: Any) -> dict[str, Any]:
    return {"appointments": [{"id": 1, **COMPLETE, **changes}]}


@pytest.mark.parametrize(
    ("document", "reason"),
    [
        ({"appointment": []}, "/: Additional properties are not allowed"),
        ({"appointments": [APPOINTMENT]}, "/appointments/0: 'id' is a required property"),
        (_appointment(id=0), "/appointments/0/id: 0 is not an appointment id"),
        (_appointment(colour="red"), "/appointments/0: Additional properties are not allowed"),
        (_appointment(customer_id="1234"), "/appointments/0/customer_id: '1234' is not of type"),
        (_appointment(customer_id=999), "/appointments/0/customer_id: no token of the tenants"),
        (_appointment(status="lost"), "/appointments/0/status: 'lost' is not a state"),
        (_appointment(status="new"), "/appointments/0/status: its members leave the appointment"),
        (
            _appointment(status="ready", appointment_time="2020-01-01T09:00:00Z"),
            "/appointments/0: The appointment time has passed",
        ),
        (
            {"appointments": [{"id": 1, **APPOINTMENT}, {"id": 1, **APPOINTMENT}]},
            "/appointments/1/id: 1 is already the fixture at /appointments/0",
        ),
        (
            {"round_trip_moves": [{"name": "x", "rooftop": 1234, **ROUND_TRIP, "move_two": {}}]},
            "/round_trip_moves/0/move_two: 'vehicle' is a required property",
        ),
        (
            {"round_trip_moves": [{"name": "x", "rooftop": 777, **ROUND_TRIP}] * 2},
            "/round_trip_moves/1/name: 'x' is already the fixture at /round_trip_moves/0",
        ),
        (
            {"round_trip_moves": [{"name": "x", **ROUND_TRIP}]},
            "/round_trip_moves/0: 'rooftop' is a required property",
        ),
        (
            {
                "round_trip_moves": [
                    {"name": n, "rooftop": 42, **ROUND_TRIP, "duplicate_check": "vehicle_vin"}
                    for n in ("one", "two")
                ]
            },
            "/round_trip_moves/1: Moves already created for rooftop 42 have the same vehicle_vin.",
        ),
    ],
    ids=lambda value: None if isinstance(value, dict) else value.split(":")[0],
)
def test_an_unfit_fixtures_file_stops_the_start_in_one_line_naming_the_place(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], document: Any, reason: str
) -> None:
    assert _fail(fixtures_file(tmp_path, document), capsys).startswith(reason)


def test_an_unreadable_fixtures_file_stops_the_start_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "fixtures.yaml"
    path.write_text("appointments: [", encoding="utf-8")
    assert _fail(path, capsys).startswith("not valid YAML")


def test_an_id_taken_by_an_appointment_that_is_no_fixture_stops_the_start(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = Store(tmp_path / "state.db")
    with store.transaction() as tx:
        taken = tx.insert_appointment(1234, {})
    store.close()
    reason = _fail(fixtures_file(tmp_path, _appointment(id=taken)), capsys)
    assert (
        reason == f"/appointments/0/id: appointment {taken} already exists and is not this fixture"
    )


def test_a_fixture_changed_since_it_was_loaded_stops_the_start(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = Store(tmp_path / "state.db")
    create_app(store=store, fixtures=read_fixtures(tmp_path))
    store.close()
    changed = copy.deepcopy(FIXTURES)
    changed["appointments"][1]["consumer_name"] = "someone else"
    assert _fail(fixtures_file(tmp_path, changed), capsys) == (
        "/appointments/1: appointment 2001 was loaded before with other members; "
        "start on a fresh --db to load these"
    )
