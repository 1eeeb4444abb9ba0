"""`hopdrive-contract`: run the contract suite against a base URL, or against the bundled mock."""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from contract_tests.errors import ContractError
from contract_tests.processes import free_port, stop
from contract_tests.profiles import PROFILE_ENV, PROFILES
from contract_tests.target import Target
from hopdrive.command import run_command

SUITE = Path(__file__).parent
MOCK_COMMAND = "hopdrive-mock"
# What run_command gives a SetupError or TargetError; pytest has its own 2, "interrupted".
EXIT_SETUP = ContractError.exit_status


class SetupError(ContractError):
    """The run cannot start: no server to test; `str()` is one line."""


def main(argv: Sequence[str] | None = None) -> int:
    """Run the suite; the return value is pytest's exit status (2 when it cannot start)."""
    parser = argparse.ArgumentParser(
        prog="hopdrive-contract",
        description=(
            "Judge a HopDrive dealer API server against the contract. Without a base URL the "
            "bundled mock is started on a free port, tested and stopped. "
            "Other arguments go to pytest."
        ),
    )
    parser.add_argument(
        "--base-url",
        default=os.environ.get("HOPDRIVE_BASE_URL", ""),
        help="server base URL including /v1 (default: $HOPDRIVE_BASE_URL, else the bundled mock)",
    )
    parser.add_argument(
        "--profile",
        choices=sorted(PROFILES),
        default=os.environ.get(PROFILE_ENV) or "default",
        help="how hard to try: quick (pre-commit), default, deep (nightly)",
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=int(os.environ["HOPDRIVE_SEED"]) if os.environ.get("HOPDRIVE_SEED") else None,
        help="Hypothesis seed, to repeat a run exactly (default: a new one, printed)",
    )
    parser.add_argument(
        "--mock-db",
        default="",
        help="the bundled mock's --db, e.g. a postgresql:// URL (default: a fresh SQLite file)",
    )
    parser.add_argument(
        "--mock-workers", type=int, default=1, help="the bundled mock's --workers (default: 1)"
    )
    parser.add_argument(
        "--junit", default="reports/junit.xml", help="JUnit XML report path (default: %(default)s)"
    )
    return run_command(parser, _run, argv, rest="pytest_args")


def _run(args: argparse.Namespace) -> int:
    """Start the server if need be, check the target, and run pytest on the suite."""
    pytest_args: list[str] = args.pytest_args
    seed = args.seed if args.seed is not None else random.randrange(2**32)
    os.environ[PROFILE_ENV] = args.profile
    Path(args.junit).parent.mkdir(parents=True, exist_ok=True)
    # A path (or node id) chooses what runs; any other bare word is an option's value (`-k x`).
    selection = [arg for arg in pytest_args if Path(arg.split("::")[0]).exists()]
    command = [
        *(pytest_args if selection else [str(SUITE), *pytest_args]),
        "-p",
        "no:cacheprovider",
        f"--hypothesis-seed={seed}",
        f"--junitxml={args.junit}",
        f"--rootdir={SUITE.parent}",
        # This module imported the package before pytest could rewrite it; the tests still are.
        "-W",
        "ignore::pytest.PytestAssertRewriteWarning",
    ]
    with _server(args.base_url, args.mock_db, args.mock_workers) as base_url:
        os.environ["HOPDRIVE_BASE_URL"] = base_url
        # Checked before pytest, so that a bad HOPDRIVE_* variable is one line, not a usage error.
        Target.from_env()
        print(
            f"hopdrive-contract: {base_url} (profile {args.profile}, hypothesis seed {seed})",
            flush=True,
        )
        return int(pytest.main(command))


@contextmanager
def _server(base_url: str, mock_db: str, mock_workers: int) -> Iterator[str]:
    """The given base URL, or the bundled mock started for the run and stopped after it."""
    if base_url:
        if not base_url.startswith(("http://", "https://")):
            raise SetupError(f"base URL {base_url!r} is not an http(s) URL")
        yield base_url.rstrip("/")
        return
    mock = shutil.which(MOCK_COMMAND, path=str(Path(sys.executable).parent)) or shutil.which(
        MOCK_COMMAND
    )
    if mock is None:
        raise SetupError(f"no base URL given and {MOCK_COMMAND} is not installed")
    # The bundled mock offers the D15 test-control endpoint and holds the default tokens.
    os.environ.setdefault("HOPDRIVE_TEST_CONTROL", "1")
    with tempfile.TemporaryDirectory(prefix="hopdrive-contract-") as state:
        port = free_port()
        db = mock_db or str(Path(state) / "mock.db")
        process = subprocess.Popen(
            [mock, "--port", str(port), "--db", db, "--workers", str(mock_workers), "--quiet"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            url = f"http://127.0.0.1:{port}/v1"
            _wait_until_up(url, process)
            yield url
        finally:
            stop(process)


def _wait_until_up(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            err = process.stderr.read().decode(errors="replace") if process.stderr else ""
            lines = err.strip().splitlines()
            raise SetupError(f"the bundled mock exited: {lines[-1] if lines else 'no output'}")
        try:
            httpx.get(f"{url}/appointments", timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.05)
    raise SetupError("the bundled mock did not answer within 30 s")
