"""Running the external generator tools, with one-line errors."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path

from hopdrive.errors import HopDriveError


class GeneratorError(HopDriveError):
    """A generator tool is missing or failed; `str()` is one line."""


def run(
    command: Sequence[str],
    tool: str,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
) -> None:
    """Run a generator tool; raise GeneratorError with its last line of complaint if it fails."""
    result = subprocess.run(
        list(command),
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, **env} if env else None,
        cwd=cwd,
    )
    if result.returncode != 0:
        lines = (result.stderr or result.stdout).strip().splitlines()
        raise GeneratorError(f"{tool} failed: {lines[-1] if lines else 'no output'}")
