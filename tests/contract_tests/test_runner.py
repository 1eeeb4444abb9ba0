"""`hopdrive-contract`: one-line errors for bad set-up, and skips only for declared absences."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from contract_tests.runner import EXIT_SETUP, main
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


def test_an_option_value_does_not_replace_the_suite_with_the_checkout_tests() -> None:
    result = run_contract("--profile", "quick", "-q", "-k", "past_time_is_accepted_on_creation")
    assert result.returncode == 0, result.stdout[-2000:]
    assert "1 passed" in result.stdout, result.stdout[-2000:]
