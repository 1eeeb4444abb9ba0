"""HopDrive's own steps (`--advance`): internal edges taken on a schedule, seen through the API."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from mock_server.advance import DEFAULT_SCHEDULE, Schedule
from mock_server.app import create_app
from mock_server.cli import EXIT_SETUP, main
from mock_server.control_api import ControlFileError
from mock_server.store import Store
from spec import Spec
from testbeds import Clock, LiveServer
from tests.mock_server.test_appointments import COMPLETE, create, record


def _schedule_file(tmp_path: Path, *steps: tuple[str, str, float]) -> Path:
    path = tmp_path / "schedule.yaml"
    document = {"steps": [{"from": a, "to": b, "after": after} for a, b, after in steps]}
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    return path


@pytest.fixture
def advancing(spec: Spec, tmp_path: Path) -> Iterator[Callable[..., httpx.Client]]:
    """A live mock taking the given steps, on its own clock; its client holds dev-token-a."""
    servers: list[LiveServer] = []
    clients: list[httpx.Client] = []

    def start(clock: Clock, *steps: tuple[str, str, float]) -> httpx.Client:
        schedule = Schedule.load(_schedule_file(tmp_path, *steps), spec.lifecycle)
        live = LiveServer(create_app(store=Store(":memory:"), clock=clock, schedule=schedule))
        servers.append(live.__enter__())
        client = httpx.Client(
            base_url=live.url, headers={"Authorization": "Bearer dev-token-a"}, timeout=10
        )
        clients.append(client)
        return client

    yield start
    for client in clients:
        client.close()
    for live in servers:
        live.__exit__()


def _ready(api: httpx.Client) -> int:
    appointment_id = create(api)
    answer = api.put(f"/appointments/{appointment_id}", json=COMPLETE).json()
    assert answer["status"] == "ready"
    return appointment_id


def _valid(spec: Spec, answer: Any) -> dict[str, Any]:
    errors = [
        e.message for e in spec.response_validator("updateAppointment", 200).iter_errors(answer)
    ]
    assert not errors, errors
    return dict(answer)


def test_ready_appointment_is_paid_with_a_move_id_once_the_delay_has_passed(
    advancing: Callable[..., httpx.Client], spec: Spec
) -> None:
    clock = Clock()
    api = advancing(clock, ("ready", "paid", 30))
    appointment_id = _ready(api)
    clock.advance(seconds=29)
    before = _valid(spec, record(api, appointment_id))
    assert (before["status"], before["move_id"]) == ("ready", None)
    clock.advance(seconds=2)
    after = _valid(spec, record(api, appointment_id))
    assert after["status"] == "paid"
    assert isinstance(after["move_id"], int)


def test_a_request_is_judged_in_the_state_the_steps_left(
    advancing: Callable[..., httpx.Client], spec: Spec
) -> None:
    clock = Clock()
    api = advancing(clock, ("ready", "paid", 10))
    appointment_id = _ready(api)
    clock.advance(seconds=11)
    # ready -> paying is an internal edge; paid -> paying is not.
    refused = api.post(f"/_test/appointments/{appointment_id}/status", json={"status": "paying"})
    assert refused.status_code == 409
    canceled = api.post(f"/_test/appointments/{appointment_id}/status", json={"status": "canceled"})
    assert canceled.status_code == 200
    assert isinstance(_valid(spec, canceled.json())["move_id"], int)


def test_steps_chain_from_state_to_state(
    advancing: Callable[..., httpx.Client], spec: Spec
) -> None:
    clock = Clock()
    api = advancing(clock, ("ready", "paying", 10), ("paying", "paid", 20))
    appointment_id = _ready(api)
    clock.advance(seconds=15)
    assert record(api, appointment_id)["status"] == "paying"
    clock.advance(seconds=21)
    assert record(api, appointment_id)["status"] == "paid"


def test_the_wait_counts_from_entering_the_state_not_from_the_last_change(
    advancing: Callable[..., httpx.Client],
) -> None:
    clock = Clock()
    api = advancing(clock, ("ready", "paid", 30))
    appointment_id = _ready(api)
    clock.advance(seconds=20)
    notes = api.patch(f"/appointments/{appointment_id}", json={"driver_notes": "Gate 4"})
    assert notes.json()["status"] == "ready"
    clock.advance(seconds=11)
    assert record(api, appointment_id)["status"] == "paid"


def test_states_the_schedule_does_not_name_stay_put(advancing: Callable[..., httpx.Client]) -> None:
    clock = Clock()
    api = advancing(clock, ("ready", "paid", 0))
    appointment_id = create(api)
    clock.advance(days=1)
    assert record(api, appointment_id)["status"] == "new"
    other = _ready(api)
    assert record(api, other)["status"] == "paid"


def test_without_a_schedule_nothing_moves_by_itself(api: httpx.Client, clock: Clock) -> None:
    appointment_id = _ready(api)
    clock.advance(days=1)
    assert record(api, appointment_id)["status"] == "ready"


def test_the_bundled_schedule_pays_ready_appointments(spec: Spec) -> None:
    schedule = Schedule.load(DEFAULT_SCHEDULE, spec.lifecycle)
    step = schedule.step_from("ready")
    assert step is not None
    assert (step.target, step.after) == ("paid", timedelta(seconds=5))


@pytest.mark.parametrize(
    ("steps", "message"),
    [
        ([("ready", "new", 1)], "/steps/0: ready -> new is not an internal edge"),
        ([("ready", "paid", 1), ("paid", "ready", 1)], "/steps/1: paid -> ready"),
        ([("ready", "paid", -1)], "/steps/0/after: -1 is less than the minimum of 0"),
        ([("ready", "paid", 1e13)], "/steps/0/after: 10000000000000.0 is greater than the maximum"),
        ([("ready", "paid", float("nan"))], "/steps/0/after: nan is not a number a JSON document"),
    ],
)
def test_a_step_the_lifecycle_lacks_is_refused_with_one_line(
    spec: Spec, tmp_path: Path, steps: list[tuple[str, str, float]], message: str
) -> None:
    with pytest.raises(ControlFileError, match=message) as raised:
        Schedule.load(_schedule_file(tmp_path, *steps), spec.lifecycle)
    assert "\n" not in str(raised.value)


def test_cli_refuses_a_bad_schedule_with_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _schedule_file(tmp_path, ("new", "paid", 1))
    assert main(["--db", ":memory:", "--advance", str(path)]) == EXIT_SETUP
    error = capsys.readouterr().err.strip()
    assert error.endswith("new -> paid is not an internal edge of the lifecycle (x-lifecycle)")
    assert len(error.splitlines()) == 1
