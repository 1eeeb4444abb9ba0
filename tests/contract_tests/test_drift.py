"""The server's own steps: the suite follows a server that declares it moves appointments on by
itself (HOPDRIVE_ADVANCES=1), and fails one that does so undeclared."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from contract_tests.drift import held, moved_on
from contract_tests.model import Model
from contract_tests.target import Target
from spec import Spec
from testbeds import free_port
from testbeds.live import mock_process
from testbeds.suite import run_suite

ADVANCES = {"HOPDRIVE_ADVANCES": "1"}


def _target(**env: str) -> Target:
    return Target.from_env({"HOPDRIVE_BASE_URL": "http://127.0.0.1:1/v1", **env})


@pytest.fixture(scope="module")
def advancing_mock(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The installed mock paying every ready appointment at once, before its next request."""
    where = tmp_path_factory.mktemp("advancing")
    schedule = where / "schedule.yaml"
    schedule.write_text(yaml.safe_dump({"steps": [{"from": "ready", "to": "paid", "after": 0}]}))
    port = free_port()
    with mock_process(Path(where / "mock.db"), port, "--advance", str(schedule)):
        yield f"http://127.0.0.1:{port}/v1"


def test_the_suite_passes_a_mock_that_advances_and_says_so(advancing_mock: str) -> None:
    result = run_suite(advancing_mock, env=ADVANCES)
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"the suite failed an advancing mock:\n{output[-4000:]}"
    # Not vacuous: the run met appointments the mock had moved on, and said what it left out.
    assert "the server moved the appointment to paid by itself" in output


def test_the_suite_fails_a_mock_that_advances_without_saying_so(advancing_mock: str) -> None:
    result = run_suite(advancing_mock, maxfail=1)
    assert result.returncode != 0, result.stdout[-2000:]


def test_the_model_drifts_only_when_the_server_declares_its_own_steps(spec: Spec) -> None:
    assert Model(spec).drift("ready") == {"ready"}
    drift = Model(spec, advances=True).drift("ready")
    assert {"ready", "paying", "paid", "canceled", "refunded", "failed"} == drift
    assert Model(spec, advances=True).drift("new") == {"new", "canceled", "refunded"}


def test_a_later_internal_state_is_moved_on_only_when_declared() -> None:
    assert not moved_on(_target(), "ready", "paid")
    assert moved_on(_target(**ADVANCES), "ready", "paid")
    # Public edges are the client's, never the server's own.
    assert not moved_on(_target(**ADVANCES), "new", "ready")
    assert not moved_on(_target(**ADVANCES), "paid", "ready")


def test_held_skips_a_check_whose_appointment_moved_on_and_fails_any_other_change() -> None:
    assert held(_target(**ADVANCES), "ready", "ready")
    assert not held(_target(), "ready", "paid")
    assert not held(_target(**ADVANCES), "paid", "ready")
    with pytest.raises(pytest.skip.Exception, match="moved the appointment to paid by itself"):
        held(_target(**ADVANCES), "ready", "paid")
