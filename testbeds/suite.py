"""`hopdrive-contract` run as a partner runs it: the installed command, no HOPDRIVE_* of ours."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

CONTRACT = Path(sys.executable).with_name("hopdrive-contract")
ROOT = Path(__file__).resolve().parents[1]


def run_contract(
    *arguments: str, env: Mapping[str, str] | None = None, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    """The suite's command with `arguments`, in the checkout, with only the given HOPDRIVE_*."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("HOPDRIVE_")}
    return subprocess.run(
        [str(CONTRACT), *arguments],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
        env={**environment, **(env or {})},
        timeout=timeout,
    )


def run_suite(
    url: str,
    *,
    workers: int = 1,
    maxfail: int | None = None,
    decision: str | None = None,
    env: Mapping[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """The quick profile, with a fixed seed and test control, against the server at `url`.

    One worker unless asked: the least CPU, for tests that run many suites side by side.
    `maxfail` ends the run after that many failures; `decision` runs only the checks that pin
    it (`-m D11`); `env` adds HOPDRIVE_* declarations.
    """
    arguments = ["--base-url", url, "--profile", "quick", "--seed", "1", "-q"]
    if maxfail is not None:
        arguments += ["--maxfail", str(maxfail)]
    if decision is not None:
        arguments += ["-m", decision]
    declared = {"HOPDRIVE_TEST_CONTROL": "1", **(env or {})}
    return run_contract(*arguments, "--workers", str(workers), env=declared)
