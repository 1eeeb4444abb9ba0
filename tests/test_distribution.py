"""The built wheel, installed with the suite and mock extras alone, judges the mock from outside."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _run(command: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    # No HOPDRIVE_* of this run and no checkout on the path: the install must stand alone.
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("HOPDRIVE_", "PYTHON", "VIRTUAL_ENV"))
    }
    return subprocess.run(
        command, capture_output=True, text=True, check=False, cwd=cwd, env=environment, timeout=600
    )


def test_wheel_with_the_suite_extra_runs_the_quick_profile_against_its_mock(
    tmp_path: Path,
) -> None:
    # Built from a copy of the files git keeps: a build in the checkout would leave build/ behind.
    source = tmp_path / "source"
    tracked = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        capture_output=True,
        check=True,
        cwd=ROOT,
    )
    for name in filter(None, tracked.stdout.decode().split("\0")):
        if (ROOT / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, source / name)
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check"]
    built = _run(
        [*pip, "wheel", "--quiet", "--no-deps", "-w", str(tmp_path), str(source)], tmp_path
    )
    assert built.returncode == 0, built.stderr[-2000:]
    (wheel,) = tmp_path.glob("hopdrive_contract-*.whl")
    venv = tmp_path / "venv"
    assert _run([sys.executable, "-m", "venv", str(venv)], tmp_path).returncode == 0
    installed = _run(
        [
            str(venv / "bin" / "pip"),
            *("install", "--quiet", "--disable-pip-version-check"),
            *("-c", str(ROOT / "constraints.txt"), f"{wheel}[suite,mock]"),
        ],
        tmp_path,
    )
    assert installed.returncode == 0, installed.stderr[-2000:]
    toolchain = _run(
        [str(venv / "bin" / "python"), "-c", "import datamodel_code_generator"], tmp_path
    )
    assert toolchain.returncode != 0, "the suite extra installed the generators' toolchain"
    run = _run(
        [str(venv / "bin" / "hopdrive-contract"), "--profile", "quick", "--seed", "1", "-q"],
        tmp_path,
    )
    assert run.returncode == 0, (run.stdout + run.stderr)[-3000:]
    assert " passed" in run.stdout
    assert str(ROOT) not in run.stdout, "the run read the checkout, not the installed wheel"
