"""contract_tests/outcomes.py: how each test of a run ended, left in the run's directory."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from contract_tests import outcomes, scope
from contract_tests.coverage import TestRecord as Record
from contract_tests.outcomes import DECISION, EXCHANGES, REPRODUCE, Outcomes
from contract_tests.report import CHECKS, Tally
from contract_tests.run import Run

OPERATIONS = ["createAppointment", "updateAppointment"]
CONTROL = f"not checked (test-control): {scope.NO_TEST_CONTROL}"
TENANTS = "not checked (tenants): no second dealer's token (HOPDRIVE_OTHER_TOKEN)"


@pytest.fixture
def run(tmp_path: Path) -> Run:
    return Run(id="20261202T000000Z-abcdef", directory=tmp_path)


def _written(run: Run, noted: Outcomes, tally: Tally | None = None) -> dict[str, object]:
    noted.write(run, tally or Tally.empty(), OPERATIONS)
    return outcomes.read(run)


def test_the_tests_noted_are_read_back_with_their_decisions_outcomes_and_reasons(
    run: Run,
) -> None:
    noted = Outcomes()
    noted.test("a.py::test_one", ("D6", "D10"), "passed", None)
    noted.test("a.py::test_two", ["D11"], "skipped", CONTROL)
    assert _written(run, noted)["tests"] == {
        "a.py::test_one": {"decisions": ["D6", "D10"], "outcome": "passed", "reason": None},
        "a.py::test_two": {"decisions": ["D11"], "outcome": "skipped", "reason": CONTROL},
    }


def test_a_test_noted_again_keeps_its_last_outcome(run: Run) -> None:
    noted = Outcomes()
    noted.test("a.py::test_one", ("D6",), "passed", None)
    noted.test("a.py::test_one", ("D6",), "failed", None)
    assert _written(run, noted)["tests"] == {
        "a.py::test_one": {"decisions": ["D6"], "outcome": "failed", "reason": None}
    }


def test_a_failure_is_read_back_with_the_sections_of_its_report(run: Run) -> None:
    noted = Outcomes()
    sections = {
        DECISION: "breaks D11 (Staged appointments freeze all but four fields)",
        EXCHANGES: "PUT /appointments/7\n409",
        REPRODUCE: "the same check again:\n  make test",
        "Captured stdout call": "ignored",
    }
    noted.failure("a.py::test_two", sections, "AssertionError: expected 409")
    assert _written(run, noted)["failures"] == [
        {
            "test": "a.py::test_two",
            "decision": sections[DECISION],
            "exchanges": sections[EXCHANGES],
            "reproduce": sections[REPRODUCE],
            "message": "AssertionError: expected 409",
        }
    ]


def test_a_failure_without_sections_keeps_none_for_each() -> None:
    noted = Outcomes()
    noted.failure("a.py::test_two", {}, "boom")
    (failure,) = noted.failures
    assert (failure["decision"], failure["exchanges"], failure["reproduce"]) == (None, None, None)


def test_a_long_failure_message_keeps_its_end() -> None:
    noted = Outcomes()
    message = "Traceback (most recent call last):\n" + "x" * 5995 + "409!\n"
    noted.failure("a.py::test_two", {}, message)
    kept = noted.failures[0]["message"]
    assert kept == "x" * 5995 + "409!\n"


def test_failures_are_kept_in_the_order_they_were_noted(run: Run) -> None:
    noted = Outcomes()
    for name in ("b", "a", "c"):
        noted.failure(f"{name}.py::test", {}, name)
    failures = _written(run, noted)["failures"]
    assert isinstance(failures, list)
    assert [failure["test"] for failure in failures] == ["b.py::test", "a.py::test", "c.py::test"]


def test_the_counts_are_per_outcome(run: Run) -> None:
    noted = Outcomes()
    for n, outcome in enumerate(["passed", "passed", "failed", "skipped", "passed"]):
        noted.test(f"a.py::test_{n}", (), outcome, CONTROL if outcome == "skipped" else None)
    assert _written(run, noted)["counts"] == {"passed": 3, "failed": 1, "skipped": 1}


def test_a_run_with_no_tests_counts_zero_of_each_outcome(run: Run) -> None:
    written = _written(run, Outcomes())
    assert written["counts"] == {"passed": 0, "failed": 0, "skipped": 0}
    assert written["not_checked"] == []


def test_the_not_checked_lines_summarise_the_skip_reasons(run: Run) -> None:
    noted = Outcomes()
    noted.test("a.py::test_1", ("D11",), "skipped", CONTROL)
    noted.test("a.py::test_2", ("D12",), "skipped", CONTROL)
    noted.test("a.py::test_3", ("D2",), "skipped", TENANTS)
    noted.test("a.py::test_4", ("D6",), "passed", None)
    not_checked = _written(run, noted)["not_checked"]
    assert not_checked == scope.summary([CONTROL, CONTROL, TENANTS])
    assert not_checked == [
        "tenant isolation (D2): 1 check not run: no second dealer's token (HOPDRIVE_OTHER_TOKEN)",
        f"staged and terminal states (D11, D12, D14, D15): 2 checks not run: "
        f"{scope.NO_TEST_CONTROL}",
    ]


def test_a_skip_for_a_reason_outside_the_groups_is_not_a_not_checked_line(run: Run) -> None:
    noted = Outcomes()
    noted.test("a.py::test_1", (), "skipped", "needs hypothesis profile 'full'")
    assert _written(run, noted)["not_checked"] == []


def test_the_table_has_a_row_per_operation_with_the_tallied_cells(run: Run) -> None:
    tally = Tally.empty()
    tally.add(["createAppointment"], "schema", "passed")
    tally.add(["createAppointment"], "schema", "failed")
    tally.add(["createAppointment", "updateAppointment"], "errors", "skipped")
    table = _written(run, Outcomes(), tally)["table"]
    none = dict.fromkeys(CHECKS)
    assert table == {
        "checks": list(CHECKS),
        "rows": [
            {
                "operation": "createAppointment",
                "cells": {
                    **none,
                    "schema": {"passed": 1, "failed": 1, "skipped": 0},
                    "errors": {"passed": 0, "failed": 0, "skipped": 1},
                },
            },
            {
                "operation": "updateAppointment",
                "cells": {**none, "errors": {"passed": 0, "failed": 0, "skipped": 1}},
            },
        ],
    }


def test_the_outcomes_are_left_as_json_in_the_runs_directory(run: Run) -> None:
    Outcomes().write(run, Tally.empty(), OPERATIONS)
    (left,) = run.directory.iterdir()
    assert left.name == "outcomes.json"
    assert set(json.loads(left.read_text(encoding="utf-8"))) == {
        "tests",
        "failures",
        "counts",
        "table",
        "not_checked",
    }


def test_reading_a_run_that_left_no_outcomes_gives_an_empty_document(run: Run) -> None:
    assert outcomes.read(run) == {}


def test_reading_outcomes_cut_off_mid_write_gives_an_empty_document(run: Run) -> None:
    (run.directory / "outcomes.json").write_text('{"tests": {', encoding="utf-8")
    assert outcomes.read(run) == {}


def test_records_give_each_test_its_decisions_outcome_and_reason(run: Run) -> None:
    noted = Outcomes()
    noted.test("a.py::test_one", ["D6", "D10"], "passed", None)
    noted.test("a.py::test_two", ("D11",), "skipped", CONTROL)
    assert outcomes.records(_written(run, noted)) == {
        "a.py::test_one": Record(("D6", "D10"), "passed", None),
        "a.py::test_two": Record(("D11",), "skipped", CONTROL),
    }


def test_the_records_of_an_empty_document_are_none(run: Run) -> None:
    assert outcomes.records(outcomes.read(run)) == {}
