"""contract_tests/artifacts.py: coverage.json, coverage.html and report.html from a run's
directory, its traffic and its outcomes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from contract_tests import artifacts, traffic
from contract_tests.artifacts import Where
from contract_tests.outcomes import DECISION, Outcomes
from contract_tests.pace import Figures
from contract_tests.report import Tally
from contract_tests.run import Run
from contract_tests.target import Target
from spec import Spec

RUN_ID = "20261202T091500Z-4f2a9c"
BASE_URL = "http://127.0.0.1:8000/v1"
CREATING = "contract_tests/test_appointments.py::test_creation_answers_201"
SETTINGS: dict[str, Any] = {
    "profile": "quick",
    "hypothesis_seed": "3141592653",
    "workers": "2",
    "started": "2026-12-02T09:15:00+00:00",
    "duration_s": 12.5,
    "rate_limit": "none",
}
FIGURES = Figures(requests=3, rate_limited=1, waited=0.5)


@pytest.fixture
def run(tmp_path: Path) -> Run:
    # Its own directory: the traffic log is opened once per (directory, process).
    directory = tmp_path / "run"
    directory.mkdir()
    return Run(id=RUN_ID, directory=directory)


@pytest.fixture
def where(tmp_path: Path) -> Where:
    # Parents that do not exist yet: write makes them.
    return Where(tmp_path / "out" / "coverage.json", tmp_path / "pages" / "report.html")


def _target(**env: str) -> Target:
    return Target.from_env({"HOPDRIVE_BASE_URL": BASE_URL, **env})


def _traffic(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    """A creation answered 429, then 201, by a test marked D6; its outcome, with a failure."""
    monkeypatch.setenv("PYTEST_CURRENT_TEST", f"{CREATING} (call)")
    sent = b'{"customer_id": 1234}'
    traffic.note(run, "POST", "/appointments", 429, sent, b'{"status": 429}')
    traffic.note(run, "POST", "/appointments", 201, sent, b'{"id": 7, "status": "new"}')
    noted = Outcomes()
    noted.test(CREATING, ("D6",), "passed", None)
    noted.test("contract_tests/test_lifecycle.py::test_staged", ("D11",), "failed", None)
    noted.failure(
        "contract_tests/test_lifecycle.py::test_staged",
        {DECISION: "breaks D11"},
        "AssertionError: expected 409",
    )
    tally = Tally.empty()
    tally.add(["createAppointment"], "schema", "passed")
    noted.write(run, tally, ["createAppointment"])


def _item(coverage: dict[str, Any], area: str, label: str) -> dict[str, Any]:
    (found,) = [
        item
        for each in coverage["areas"]
        if each["name"] == area
        for item in each["items"]
        if item["label"] == label
    ]
    return dict(found)


def _write(run: Run, where: Where, target: Target | None = None) -> dict[str, Any]:
    return artifacts.write(run, target or _target(), SETTINGS, FIGURES, where)


def _is_page(text: str) -> bool:
    return text.lstrip().lower().startswith(("<!doctype html>", "<html"))


def test_coverage_json_is_the_coverage_write_returns(
    run: Run, where: Where, monkeypatch: pytest.MonkeyPatch
) -> None:
    _traffic(run, monkeypatch)
    measured = _write(run, where)
    assert json.loads(where.coverage.read_text(encoding="utf-8")) == measured
    assert {"run", "percent", "covered", "reachable", "areas", "unreachable"} <= set(measured)
    assert isinstance(measured["percent"], float)


def test_coverage_json_names_the_run_and_its_target(
    run: Run, where: Where, monkeypatch: pytest.MonkeyPatch
) -> None:
    _traffic(run, monkeypatch)
    assert _write(run, where)["run"] == {
        "id": RUN_ID,
        "base_url": BASE_URL,
        "profile": "quick",
        "seed": "3141592653",
        "workers": 2,
        "test_control": False,
    }


def test_the_coverage_is_measured_from_the_runs_traffic(
    run: Run, where: Where, monkeypatch: pytest.MonkeyPatch
) -> None:
    _traffic(run, monkeypatch)
    measured = _write(run, where)
    for label in ("createAppointment 201", "createAppointment 429"):
        assert _item(measured, "statuses", label)["covered"]
    assert not _item(measured, "statuses", "createAppointment 400")["covered"]
    assert _item(measured, "members", "createAppointment customer_id valid")["covered"]


def test_the_decisions_are_measured_from_the_runs_outcomes(
    run: Run, where: Where, monkeypatch: pytest.MonkeyPatch
) -> None:
    _traffic(run, monkeypatch)
    measured = _write(run, where)
    assert _item(measured, "decisions", "D6")["checks"] == [CREATING]
    # The D11 test made no exchange: it covers nothing, whatever its outcome.
    assert not _item(measured, "decisions", "D11")["covered"]
    assert _item(measured, "decisions", "D24")["checks"] == [CREATING]


def test_the_pages_are_html_documents_naming_the_run(
    run: Run, where: Where, monkeypatch: pytest.MonkeyPatch
) -> None:
    _traffic(run, monkeypatch)
    _write(run, where)
    for page in (where.coverage_html, where.report):
        text = page.read_text(encoding="utf-8")
        assert _is_page(text), page
        assert RUN_ID in text
        assert text.rstrip().endswith("</html>")


def test_the_report_shows_the_runs_failures_and_figures(
    run: Run, where: Where, monkeypatch: pytest.MonkeyPatch
) -> None:
    _traffic(run, monkeypatch)
    _write(run, where)
    report = where.report.read_text(encoding="utf-8")
    assert "test_staged" in report
    assert "expected 409" in report
    assert BASE_URL in report


def test_the_coverage_page_sits_beside_its_json() -> None:
    where = Where(Path("reports/coverage.json"), Path("reports/report.html"))
    assert where.coverage_html == Path("reports/coverage.html")


def test_a_run_that_stopped_before_reporting_still_gets_its_pages(run: Run, where: Where) -> None:
    # No traffic, no outcomes file: the run stopped before its first test ended.
    measured = _write(run, where)
    assert measured["covered"] == 0
    assert where.coverage.is_file()
    for page in (where.coverage_html, where.report):
        text = page.read_text(encoding="utf-8")
        assert _is_page(text)
        assert RUN_ID in text


def test_a_target_with_test_control_makes_the_internal_items_reachable(
    run: Run, where: Where, spec: Spec
) -> None:
    without = _write(run, where)
    assert not _item(without, "statuses", "setAppointmentStatusForTest 200")["reachable"]
    with_control = _write(run, where, _target(HOPDRIVE_TEST_CONTROL="1"))
    assert with_control["run"]["test_control"] is True
    assert _item(with_control, "statuses", "setAppointmentStatusForTest 200")["reachable"]
    internal = [edge for edge in spec.lifecycle.edges if edge.by == "internal"]
    assert all(
        _item(with_control, "edges", f"{edge.source} -> {edge.target} (internal)")["reachable"]
        for edge in internal
    )


def test_a_target_without_a_second_dealer_leaves_the_403s_unreachable(
    run: Run, where: Where
) -> None:
    # A token of one's own for the second dealer, but no customer_id of theirs.
    alone = _target(HOPDRIVE_OTHER_TOKEN="theirs")
    assert alone.other_customer_id is None
    measured = _write(run, where, alone)
    assert not _item(measured, "statuses", "createAppointment 403")["reachable"]
    # The mock's defaults bring a second dealer.
    assert _item(_write(run, where), "statuses", "createAppointment 403")["reachable"]
