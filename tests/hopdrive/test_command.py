"""`run_command`: one line and a status for a HopDriveError, the action's status otherwise."""

from __future__ import annotations

import argparse
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from contract_tests.runner import SetupError
from contract_tests.target import TargetError
from docs_site.build import DocsError
from gate.cli import RefError
from generators.tools import GeneratorError
from hopdrive import HopDriveError, run_command
from mock_server.auth import TenantsError
from mock_server.cli import WorkersError
from spec import SpecError


class Refused(HopDriveError):
    """A command's own error, with a status of its own."""

    exit_status = 5


class RefusedHarder(Refused):
    """A narrower error that inherits the status."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="hopdrive-test")
    parser.add_argument("--name", default="world")
    return parser


def _raising(error: BaseException) -> Callable[[argparse.Namespace], int]:
    def action(args: argparse.Namespace) -> int:
        raise error

    return action


def test_success_passes_the_actions_status_through(capsys: pytest.CaptureFixture[str]) -> None:
    def action(args: argparse.Namespace) -> int:
        print(f"hello {args.name}")
        return 3

    assert run_command(_parser(), action, ["--name", "dealer"]) == 3
    assert capsys.readouterr() == ("hello dealer\n", "")


def test_an_error_is_one_line_and_its_class_status(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_command(_parser(), _raising(RefusedHarder("spec.yaml: no such file")), []) == 5
    assert capsys.readouterr() == ("", "hopdrive-test: error: spec.yaml: no such file\n")


def test_the_base_status_is_2() -> None:
    assert run_command(_parser(), _raising(HopDriveError("bad")), []) == 2


def test_a_command_may_give_a_class_and_its_subclasses_another_status(
    capsys: pytest.CaptureFixture[str],
) -> None:
    action = _raising(RefusedHarder("no"))
    assert run_command(_parser(), action, [], statuses={Refused: 4}) == 4
    assert run_command(_parser(), action, [], statuses={Refused: 4, RefusedHarder: 1}) == 1
    assert run_command(_parser(), action, [], statuses={TenantsError: 4}) == 5
    assert capsys.readouterr().err == "hopdrive-test: error: no\n" * 3


@pytest.mark.parametrize("error", [ValueError("a bug"), KeyboardInterrupt()])
def test_anything_else_is_not_caught(error: BaseException) -> None:
    with pytest.raises(type(error)):
        run_command(_parser(), _raising(error), [])


def test_unknown_arguments_are_kept_under_rest_or_refused_by_argparse() -> None:
    def action(args: argparse.Namespace) -> int:
        return len(args.passed)

    assert run_command(_parser(), action, ["-k", "403", "--name", "x"], rest="passed") == 2
    with pytest.raises(SystemExit) as refused:
        run_command(_parser(), action, ["-k", "403"])
    assert refused.value.code == 2


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (SpecError, 2),
        (TenantsError, 2),
        (WorkersError, 2),
        (TargetError, 2),
        (SetupError, 2),
        (GeneratorError, 2),
        (DocsError, 2),
        (RefError, 3),
    ],
)
def test_every_commands_error_is_in_the_tree(error: type[HopDriveError], status: int) -> None:
    assert issubclass(error, HopDriveError)
    assert error.exit_status == status


def test_a_reader_that_leaves_early_gets_no_traceback() -> None:
    program = (
        "import argparse, sys\n"
        "from hopdrive.command import run_command\n"
        "def act(args):\n"
        "    for n in range(200000):\n"
        "        print('line', n)\n"
        "    return 0\n"
        "sys.exit(run_command(argparse.ArgumentParser(prog='p'), act, []))\n"
    )
    result = subprocess.run(
        ["bash", "-c", f'set -o pipefail; "{sys.executable}" -c "$0" | head -n 1', program],
        capture_output=True,
        text=True,
        check=False,
        cwd=Path(__file__).parents[2],
    )
    assert result.stdout == "line 0\n"
    assert result.stderr == ""
    assert result.returncode == 1
