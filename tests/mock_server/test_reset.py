"""POST /_test/reset: the caller's data and journal emptied, its fixtures loaded again."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from mock_server.control_api import validator
from mock_server.store import Store
from testbeds import START, Clock, free_port, mock_process
from tests.mock_server.contention import TOKEN
from tests.mock_server.sandbox import (
    APPOINTMENT,
    ROUND_TRIP,
    Dealers,
    fixtures_file,
    live_mock,
    read_fixtures,
)
from tests.mock_server.test_journal import journal

DUPLICATE = {**ROUND_TRIP, "duplicate_check": "vehicle_vin"}


@pytest.fixture
def dealers(tmp_path: Path) -> Iterator[Dealers]:
    """A mock started from the sandbox's FIXTURES."""
    with live_mock(store=Store(":memory:"), fixtures=read_fixtures(tmp_path)) as live:
        yield live


def reset(api: httpx.Client) -> dict[str, Any]:
    """Reset the caller's data; the answer, checked against control.yaml."""
    answer = api.post("/_test/reset")
    assert answer.status_code == 200, answer.text
    errors = [error.message for error in validator("ResetResult").iter_errors(answer.json())]
    assert not errors, errors
    return dict(answer.json())


def _consumer(api: httpx.Client, appointment_id: int) -> Any:
    return api.patch(f"/appointments/{appointment_id}", json={}).json()["consumer_name"]


def test_reset_removes_the_callers_data_and_reloads_its_fixtures_only(dealers: Dealers) -> None:
    created = dealers.a.post("/appointments", json={**APPOINTMENT, "customer_id": 42}).json()
    dealers.a.patch("/appointments/1001", json={"consumer_name": "changed"})
    dealers.b.patch("/appointments/2001", json={"consumer_name": "kept"})
    kept = dealers.b.post("/appointments", json={**APPOINTMENT, "customer_id": 777}).json()
    answer = reset(dealers.a)
    assert answer == {
        "rooftops": [1234, 42],
        # 1001, its move, the fixture's pair of moves, and the appointment made since.
        "removed": {"appointments": 2, "moves": 3, "requests": 2},
        "reloaded": {"appointments": [1001], "moves": ["vin-1"]},
    }
    assert dealers.a.patch(f"/appointments/{created['id']}", json={}).status_code == 404
    assert _consumer(dealers.a, 1001) is None
    assert dealers.a.post("/round-trip-moves", json=DUPLICATE).status_code == 409
    assert _consumer(dealers.b, 2001) == "kept"
    assert dealers.b.patch(f"/appointments/{kept['id']}", json={}).status_code == 200


def test_reset_forgets_the_callers_journal_and_journals_itself(dealers: Dealers) -> None:
    dealers.a.post("/appointments", json=APPOINTMENT)
    dealers.b.post("/appointments", json={**APPOINTMENT, "customer_id": 777})
    reset(dealers.a)
    assert [entry["operation"] for entry in journal(dealers.a)] == ["resetTestData"]
    assert [entry["operation"] for entry in journal(dealers.b)] == ["createAppointment"]


def test_with_reset_all_a_reset_empties_and_reloads_every_dealer(tmp_path: Path) -> None:
    fixtures = read_fixtures(tmp_path)
    with live_mock(store=Store(":memory:"), fixtures=fixtures, reset_all=True) as dealers:
        made = dealers.b.post("/appointments", json={**APPOINTMENT, "customer_id": 777}).json()
        dealers.b.patch("/appointments/2001", json={"consumer_name": "changed"})
        answer = reset(dealers.a)
        assert answer["rooftops"] is None
        assert answer["removed"]["appointments"] == 3
        assert answer["reloaded"] == {"appointments": [1001, 2001], "moves": ["vin-1"]}
        assert journal(dealers.b) == []
        assert dealers.b.patch(f"/appointments/{made['id']}", json={}).status_code == 404
        assert _consumer(dealers.b, 2001) == "B's customer"


def test_reset_without_fixtures_only_empties() -> None:
    with live_mock(store=Store(":memory:")) as bare:
        made = bare.a.post("/appointments", json=APPOINTMENT).json()
        assert reset(bare.a)["reloaded"] == {"appointments": [], "moves": []}
        assert bare.a.patch(f"/appointments/{made['id']}", json={}).status_code == 404


def test_reset_needs_a_known_token_and_without_one_changes_nothing(dealers: Dealers) -> None:
    made = dealers.a.post("/appointments", json=APPOINTMENT).json()
    refused = dealers.anonymous.post("/_test/reset")
    assert refused.status_code == 401
    assert refused.headers["www-authenticate"].startswith("Bearer")
    assert dealers.a.patch(f"/appointments/{made['id']}", json={}).status_code == 200


def test_a_fixture_that_can_no_longer_load_fails_the_reset_and_changes_nothing(
    tmp_path: Path,
) -> None:
    clock = Clock()
    soon = (START + timedelta(days=1)).isoformat()
    document = {"appointments": [{"id": 5, **APPOINTMENT, "appointment_time": soon}]}
    document["appointments"][0].update(transportation_type="valet", status="ready")
    with live_mock(
        store=Store(":memory:"), clock=clock, fixtures=read_fixtures(tmp_path, document)
    ) as dealers:
        made = dealers.a.post("/appointments", json=APPOINTMENT).json()
        clock.advance(days=2)
        refused = dealers.a.post("/_test/reset")
        assert refused.status_code == 409
        assert "/appointments/0" in refused.json()["detail"]
        assert dealers.a.patch(f"/appointments/{made['id']}", json={}).status_code == 200


def test_the_installed_mock_takes_the_reset_and_journal_flags(tmp_path: Path) -> None:
    port = free_port()
    flags = ("--fixtures", str(fixtures_file(tmp_path)), "--reset-all", "--journal-size", "3")
    with (
        mock_process(":memory:", port, *flags),
        httpx.Client(base_url=f"http://127.0.0.1:{port}/v1", headers=TOKEN) as api,
    ):
        assert reset(api)["reloaded"]["appointments"] == [1001, 2001]
        assert api.get("/_test/requests").json()["capacity"] == 3
