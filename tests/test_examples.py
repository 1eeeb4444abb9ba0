"""The files of `examples/mock/` that the README starts partners from: each one the mock takes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from mock_server.advance import Schedule
from mock_server.app import create_app
from mock_server.auth import Tenants
from mock_server.faults import read_plan
from mock_server.fixtures import Fixtures
from mock_server.store import Store
from spec import Spec
from testbeds import LiveServer

EXAMPLES = Path(__file__).parents[1] / "examples" / "mock"


@pytest.fixture
def examples_mock(spec: Spec) -> Iterator[httpx.Client]:
    """A mock with every example file, as the README's session starts it."""
    tenants = Tenants.load()
    app = create_app(
        store=Store(":memory:"),
        spec=spec,
        tenants=tenants,
        fixtures=Fixtures.read(EXAMPLES / "fixtures.yaml", spec, tenants),
        faults=read_plan(EXAMPLES / "faults.yaml", spec.operations),
        schedule=Schedule.load(EXAMPLES / "advance.yaml", spec.lifecycle),
    )
    with (
        LiveServer(app) as live,
        httpx.Client(
            base_url=live.url, headers={"Authorization": "Bearer dev-token-a"}, timeout=10
        ) as client,
    ):
        yield client


def test_the_example_fixtures_give_a_paid_appointment_with_its_move(
    examples_mock: httpx.Client, spec: Spec
) -> None:
    answer = examples_mock.patch("/appointments/1001", json={})
    assert answer.status_code == 200
    assert spec.response_validator("updateAppointment", 200).is_valid(answer.json())
    assert answer.json()["status"] == "paid"
    assert isinstance(answer.json()["move_id"], int)
    assert "latency=" in answer.headers["HopDrive-Mock-Fault"]


def test_the_example_schedule_takes_the_consumer_pay_path(spec: Spec) -> None:
    schedule = Schedule.load(EXAMPLES / "advance.yaml", spec.lifecycle)
    path = [(step.source, step.target) for step in schedule.steps]
    assert path == [("ready", "paying"), ("paying", "paid")]
