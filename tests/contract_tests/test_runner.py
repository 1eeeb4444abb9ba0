"""`hopdrive-contract`: one-line errors for bad set-up, and skips only for declared absences."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from contract_tests.runner import EXIT_SETUP, main

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
    result = subprocess.run(
        [str(CONTRACT), "--profile", "fast"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 2
    assert "invalid choice: 'fast'" in result.stderr


def test_without_test_control_only_the_checks_needing_it_are_skipped() -> None:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("HOPDRIVE_")}
    environment["HOPDRIVE_TEST_CONTROL"] = "0"
    result = subprocess.run(
        [str(CONTRACT), "--profile", "quick", "--seed", "1", "-q", "-rs"],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
        env=environment,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-2000:]
    skips = [line for line in result.stdout.splitlines() if line.startswith("SKIPPED")]
    assert skips
    assert all("HOPDRIVE_TEST_CONTROL" in line for line in skips), skips
