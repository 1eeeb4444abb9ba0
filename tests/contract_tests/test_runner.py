"""`hopdrive-contract`: one-line errors for bad set-up, and skips only for declared absences."""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

import pytest

from contract_tests.coverage import missing
from contract_tests.errors import ConnectionRefused, NetworkError, RequestTimedOut
from contract_tests.run import MARK
from contract_tests.runner import EXIT_SETUP, main, workers_for
from testbeds import free_port, mock_process, served, wan
from testbeds.suite import run_contract

ROOT = Path(__file__).parents[2]
CONTRACT = Path(sys.executable).with_name("hopdrive-contract")


def test_base_url_that_is_not_http_is_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["--base-url", "ftp://staging.example/v1"]) == EXIT_SETUP == 2
    err = capsys.readouterr().err
    assert (
        err
        == "hopdrive-contract: error: base URL 'ftp://staging.example/v1' is not an http(s) URL\n"
    )


def test_malformed_contract_variable_is_one_line_and_exit_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("HOPDRIVE_CUSTOMER_ID", "twelve")
    assert main(["--base-url", "http://127.0.0.1:9/v1"]) == EXIT_SETUP
    err = capsys.readouterr().err
    assert err.startswith("hopdrive-contract: error: HOPDRIVE_CUSTOMER_ID must be a positive")
    assert err.count("\n") == 1


def test_unknown_profile_is_refused_before_anything_runs() -> None:
    result = run_contract("--profile", "fast")
    assert result.returncode == 2
    assert "invalid choice: 'fast'" in result.stderr


def test_without_test_control_only_the_checks_needing_it_are_skipped() -> None:
    result = run_contract(
        "--profile", "quick", "--seed", "1", "-q", "-rs", env={"HOPDRIVE_TEST_CONTROL": "0"}
    )
    assert result.returncode == 0, result.stdout[-2000:]
    skips = [line for line in result.stdout.splitlines() if line.startswith("SKIPPED")]
    assert skips
    assert all("HOPDRIVE_TEST_CONTROL" in line for line in skips), skips
    assert re.search(r"not checked: staged and terminal states .*: \d+ checks", result.stdout)


def test_an_option_value_does_not_replace_the_suite_with_the_checkout_tests() -> None:
    result = run_contract("--profile", "quick", "-q", "-k", "past_time_is_accepted_on_creation")
    assert result.returncode == 0, result.stdout[-2000:]
    assert "1 passed" in result.stdout, result.stdout[-2000:]


def test_workers_auto_are_more_for_a_server_across_a_network() -> None:
    assert workers_for("http://127.0.0.1:8000/v1", "auto", 0.001, cores=2) == 2
    assert workers_for("http://localhost:8000/v1", "auto", 0.001, cores=8) == 2
    # Loopback that answers as slowly as a WAN (a latency proxy) is waited for like one.
    assert workers_for("http://127.0.0.1:8000/v1", "auto", 0.05, cores=2) == 8
    assert workers_for("https://staging.example/v1", "auto", 0.001, cores=1) == 4
    assert workers_for("https://staging.example/v1", 3, 0.05) == 3


@pytest.mark.parametrize(
    ("flag", "value"),
    [("--rate-limit", "0/s"), ("--rate-limit", "fast"), ("--timeout", "-1"), ("--workers", "0")],
)
def test_a_bad_network_setting_is_a_usage_error(flag: str, value: str) -> None:
    result = run_contract(flag, value)
    assert result.returncode == 2
    assert f"argument {flag}" in result.stderr


def test_a_closed_port_is_one_line_and_its_own_exit_code() -> None:
    result = run_contract("--base-url", f"http://127.0.0.1:{free_port()}/v1")
    assert result.returncode == ConnectionRefused.exit_status
    assert result.stderr.count("\n") == 1, result.stderr
    assert "refused the connection" in result.stderr


@contextmanager
def _mock_across_a_wan(db: Path, **wan_settings: Any) -> Iterator[str]:
    """The mock serving `db` behind testbeds/wan.py with `wan_settings`: the proxy's URL."""
    with (
        mock_process(db, port := free_port()),
        wan(f"http://127.0.0.1:{port}/v1", **wan_settings) as url,
    ):
        yield url


def test_a_stalled_server_times_out_with_its_own_exit_code(tmp_path: Path) -> None:
    with _mock_across_a_wan(tmp_path / "mock.db", stall=True) as url:
        result = run_contract("--base-url", url, "--timeout", "0.5")
    assert result.returncode == RequestTimedOut.exit_status
    assert result.stderr.strip().endswith("no answer within 0.5 s (--timeout)"), result.stderr


def _slice_behind_a_limit(db: Path, *flags: str) -> tuple[int, float]:
    """The 429s and seconds waited of a passing run of a slice behind a 20 requests/s limit.

    The slice sends some 150 requests, as fast as answers come unless `flags` pace it: far
    beyond 20 a second.
    """
    with _mock_across_a_wan(db, rate=20) as url:
        result = run_contract(
            *("--base-url", url, "--profile", "quick", "--seed", "1", "--workers", "2", "-q"),
            *("-k", "test_moves or test_security", *flags),
        )
    assert result.returncode == 0, result.stdout[-3000:]
    limited = re.search(r"(\d+) answered 429 \(D24, waited out: ([0-9.]+) s", result.stdout)
    assert limited is not None, result.stdout[-2000:]
    return int(limited[1]), float(limited[2])


def test_429_bursts_are_waited_out_and_the_run_passes(tmp_path: Path) -> None:
    answered, waited = _slice_behind_a_limit(tmp_path / "mock.db")
    assert answered > 0
    assert waited > 0


def test_a_rate_limit_under_the_servers_shared_by_the_workers_meets_no_429(
    tmp_path: Path,
) -> None:
    assert _slice_behind_a_limit(tmp_path / "mock.db", "--rate-limit", "15/s") == (0, 0.0)


def test_the_cleanup_file_lists_exactly_the_ids_the_server_handed_out(tmp_path: Path) -> None:
    db = tmp_path / "mock.db"
    junit = tmp_path / "junit.xml"
    created = tmp_path / "created.json"
    with mock_process(db, port := free_port()):
        result = run_contract(
            *("--base-url", f"http://127.0.0.1:{port}/v1", "--profile", "quick", "--seed", "1"),
            *("--junit", str(junit), "--created", str(created), "-q"),
            env={"HOPDRIVE_TEST_CONTROL": "1"},
        )
    assert result.returncode == 0, result.stdout[-3000:]
    listed = json.loads(created.read_text())
    run_id = listed[MARK]
    assert f"run id {run_id}" in result.stdout
    with closing(sqlite3.connect(db)) as store:
        appointments = sorted(row[0] for row in store.execute("SELECT id FROM appointments"))
        moves = sorted(row[0] for row in store.execute("SELECT id FROM moves"))
        configs = [
            json.loads(row[0]).get("config")
            for row in store.execute("SELECT record FROM appointments")
        ]
    assert (listed["appointments"], listed["moves"]) == (appointments, moves)
    assert any(isinstance(c, dict) and c.get(MARK) == run_id for c in configs)
    properties = {p.get("name"): p.get("value") for p in ElementTree.parse(junit).iter("property")}
    assert properties[MARK] == run_id
    assert int(properties["requests"] or 0) > 0


def test_without_a_second_dealer_tenant_isolation_is_reported_not_checked() -> None:
    result = run_contract(
        "--profile", "quick", "-q", "-k", "test_security", env={"HOPDRIVE_OTHER_TOKEN": ""}
    )
    assert result.returncode == 0, result.stdout[-3000:]
    assert re.search(r"not checked: tenant isolation \(D2\): \d+ checks not run", result.stdout)


def test_require_all_fails_what_the_server_cannot_take() -> None:
    result = run_contract(
        *("--profile", "quick", "-q", "--require", "all", "-k", "test_security"),
        env={"HOPDRIVE_OTHER_TOKEN": ""},
    )
    assert result.returncode == 1
    assert "required by --require, but not checked (tenants)" in result.stdout


def _kill_once_under_way(mock: subprocess.Popen[bytes], db: Path) -> None:
    """Kill the mock once the checks have created records: the run is under way."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with closing(sqlite3.connect(db)) as store:
            if store.execute("SELECT count(*) FROM appointments").fetchone()[0] >= 5:
                break
        time.sleep(0.1)
    mock.kill()


def test_a_server_gone_mid_run_stops_the_run_with_its_exit_code_and_no_failure(
    tmp_path: Path,
) -> None:
    db = tmp_path / "mock.db"
    with mock_process(db, port := free_port()) as mock:
        threading.Thread(target=_kill_once_under_way, args=(mock, db), daemon=True).start()
        result = run_contract(
            *("--base-url", f"http://127.0.0.1:{port}/v1", "--profile", "quick", "--seed", "1"),
            *("--workers", "1", "-q"),
        )
    # Refused, or reset if the kill lands inside an exchange: the network's statuses either way.
    statuses = {ConnectionRefused.exit_status, NetworkError.exit_status}
    assert result.returncode in statuses, result.stdout[-3000:]
    assert result.stderr.count("\n") == 1, result.stderr
    assert "failed" not in result.stdout.splitlines()[-2], result.stdout[-2000:]
    assert re.search(r"not checked: the rest of the run: \d+ checks? not run", result.stdout)


def _covered(tmp_path: Path, name: str, *selection: str) -> tuple[int, dict[str, Any], str]:
    """A run of `selection` on the bundled mock held to 100 % coverage: status, coverage, output."""
    report = tmp_path / f"{name}.json"
    result = run_contract(
        *("--profile", "quick", "--seed", "1", "-q", "--min-coverage", "100"),
        *("--coverage", str(report), "--report", str(tmp_path / f"{name}.html")),
        *selection,
    )
    return result.returncode, json.loads(report.read_text()), result.stdout


def test_removing_a_check_makes_coverage_and_min_coverage_fall(tmp_path: Path) -> None:
    module = "contract_tests/test_appointments.py"
    sweep = f"{module}::test_test_control_takes_each_internal_edge_and_refuses_every_other_target"
    edges = f"{module}::test_every_public_edge_is_taken_by_each_of_its_operations"
    _, whole, _ = _covered(tmp_path, "whole", sweep, edges)
    status, without, output = _covered(tmp_path, "without", edges)
    areas = {area["name"]: area for area in whole["areas"]}
    fewer = {area["name"]: area for area in without["areas"]}
    assert areas["non_edges"]["covered"] == areas["non_edges"]["reachable"] == 44
    assert fewer["non_edges"]["covered"] == 0
    assert without["percent"] < whole["percent"]
    assert status == 1
    assert f"coverage {without['percent']}% is below --min-coverage 100%" in output
    assert ("non_edges", "new -> paid") in set(missing(without))
    assert "not covered: " in output


def test_the_default_profile_on_the_bundled_mock_covers_everything_reachable(
    tmp_path: Path,
) -> None:
    coverage = tmp_path / "coverage.json"
    result = run_contract(
        *("--seed", "1", "-q", "--min-coverage", "100", "--coverage", str(coverage)),
        *("--report", str(tmp_path / "report.html")),
    )
    assert result.returncode == 0, result.stdout[-3000:]
    document = json.loads(coverage.read_text())
    assert document["percent"] == 100.0
    assert (tmp_path / "coverage.html").read_text().count("<svg") >= 1
    assert document["run"]["id"] in (tmp_path / "report.html").read_text()
    # What the bundled mock cannot be made to answer is named, with the reason.
    unreachable = {(item["area"], item["label"]) for item in document["unreachable"]}
    assert unreachable == {("decisions", "D24")} | {
        ("statuses", f"{operation} 429")
        for operation in (
            "createAppointment",
            "replaceAppointment",
            "updateAppointment",
            "createConciergeLoanerMove",
            "createRoundTripMove",
            "setAppointmentStatusForTest",
        )
    }
    assert all("429" in item["reason"] for item in document["unreachable"])
    assert "coverage: 100.0% of what is reachable" in result.stdout


def test_maxfail_passes_through_to_pytest_and_ends_the_run_early() -> None:
    port = free_port()
    fault = [sys.executable, "-m", "testbeds.faults", "errors served as plain JSON", str(port)]
    with served(fault, port, cwd=ROOT):
        result = run_contract(
            *("--base-url", f"http://127.0.0.1:{port}/v1", "--profile", "quick", "--seed", "1"),
            *("-q", "--maxfail", "1"),
            env={"HOPDRIVE_TEST_CONTROL": "1"},
        )
    assert result.returncode == 1
    # Workers finish what they were given, and are given nothing after the first failure.
    ran = sum(int(n) for n in re.findall(r"(\d+) (?:passed|failed)", result.stdout))
    assert 1 <= ran < 60, result.stdout[-3000:]
    assert re.search(r"breaks D\d+", result.stdout)
