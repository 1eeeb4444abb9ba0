"""contract_tests/run.py: a run's id and settings reach every process; what they learn is kept."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from contract_tests.errors import RateLimited, RequestTimedOut
from contract_tests.run import MARK, Run


@pytest.fixture
def run(tmp_path: Path) -> Run:
    return Run(id="20261202T000000Z-abcdef", directory=tmp_path)


def test_a_run_begun_is_the_run_its_environment_names(monkeypatch: pytest.MonkeyPatch) -> None:
    # Begun in a copy of the environment, which the test's end throws away.
    monkeypatch.setattr(os, "environ", {k: v for k, v in os.environ.items() if "HOPDRIVE" not in k})
    begun = Run.begin(timeout=2.5, rate_limit=20, require=["tenants"])
    assert Run.from_env(os.environ) == begun
    assert begun.directory.is_dir()


def test_no_run_is_named_by_an_environment_without_one() -> None:
    assert Run.from_env({}) is None


def test_the_mark_names_the_run(run: Run) -> None:
    assert run.mark() == {MARK: run.id}


def test_ids_noted_by_several_processes_come_back_merged_and_sorted(run: Run) -> None:
    run.record_created({"appointments": [5, 3], "moves": []})
    (run.directory / "created-1.jsonl").write_text('{"appointments": [3, 9], "moves": [7]}\n')
    assert run.created() == {"appointments": [3, 5, 9], "moves": [7]}


def test_the_first_reason_to_stop_is_the_one_kept(run: Run) -> None:
    assert run.stopped() is None
    run.stop(RequestTimedOut("POST /appointments: no answer within 1 s"))
    run.stop(RateLimited("later"))
    stopped = run.stopped()
    assert isinstance(stopped, RequestTimedOut)
    assert str(stopped) == "POST /appointments: no answer within 1 s"
