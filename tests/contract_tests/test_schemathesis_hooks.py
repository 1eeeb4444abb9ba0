"""A plain `schemathesis run`, configured by the repository's schemathesis.toml and its hooks.

The command is the one the README gives, run from the repository's root: it must find nothing
wrong with the bundled mock and must find what is wrong with a mock carrying a fault.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from testbeds import free_port, mock_process, served
from tests.contract_tests.test_sharpness import faulty_mock

ROOT = Path(__file__).parents[2]
SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")


def plain_run(url: str, *extra: str, token: str | None = "dev-token-a") -> str:
    """`schemathesis run spec/openapi.yaml --url URL --checks all`; its exit status and output."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HOPDRIVE_", "SCHEMATHESIS_"))}
    if token is not None:
        env["HOPDRIVE_TOKEN"] = token
    result = subprocess.run(
        [str(SCHEMATHESIS), "run", "spec/openapi.yaml", "--url", url, "--checks", "all", *extra],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    return f"exit {result.returncode}\n{result.stdout}{result.stderr}"


def test_a_plain_run_finds_nothing_wrong_with_the_bundled_mock(tmp_path: Path) -> None:
    port = free_port()
    with mock_process(tmp_path / "mock.db", port):
        output = plain_run(f"http://127.0.0.1:{port}/v1")
    # No failure (a warning, such as most of PUT's seed-example cases being refused as in the
    # past, is not one): exit 0 and no failure section in the summary.
    assert output.startswith("exit 0\n"), output[-3000:]
    assert "Failures:" not in output, output[-3000:]
    assert f"Configuration:    {ROOT / 'schemathesis.toml'}" in output


@pytest.mark.parametrize(
    ("fault", "code"),
    [
        ("moves answer 201", "ST103 Undocumented status code"),
        ("405 without Allow", "ST204 Wrong response to undeclared method"),
        ("errors served as plain JSON", "ST105 Undocumented Content-Type"),
    ],
)
def test_a_plain_run_reports_a_fault_of_the_catalogue(fault: str, code: str) -> None:
    with faulty_mock(fault) as url:
        output = plain_run(url, "--max-failures", "1")
    assert output.startswith("exit 1\n"), output[-3000:]
    assert code in output, output[-3000:]


def test_a_plain_run_without_the_token_says_which_variable_is_missing(tmp_path: Path) -> None:
    output = plain_run("http://127.0.0.1:9/v1", token=None)
    assert not output.startswith("exit 0\n")
    assert "HOPDRIVE_TOKEN" in output, output[-2000:]


def test_a_plain_run_still_reports_what_only_an_open_question_allows() -> None:
    # The conforming server refuses the nulls the spec admits under Q2: the suite allows that,
    # the hooks (the contract's refusals and nothing more) do not.
    port = free_port()
    command = [sys.executable, "-m", "tests.conforming.server", str(port)]
    with served(command, port, cwd=ROOT):
        output = plain_run(f"http://127.0.0.1:{port}/v1", "--max-failures", "1")
    assert output.startswith("exit 1\n"), output[-3000:]
    assert "ST202 Schema-valid request rejected" in output, output[-3000:]
    assert "must not be null" in output, output[-3000:]
