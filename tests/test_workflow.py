"""The CI workflow calls the Makefile's front door, and only targets that exist."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import yaml

ROOT = Path(__file__).parents[1]
WORKFLOW = ROOT / ".github" / "workflows" / "contract.yml"


def test_workflow_runs_only_targets_make_help_lists() -> None:
    listed = set(
        re.findall(
            r"make (\S+)",
            subprocess.run(
                ["make", "--no-print-directory", "help"],
                cwd=ROOT,
                capture_output=True,
                text=True,
                check=True,
            ).stdout,
        )
    )
    steps = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))["jobs"]["contract"]["steps"]
    called = {
        target for step in steps for target in re.findall(r"\bmake (\w+)", step.get("run", ""))
    }
    assert called == {"check", "gate", "docs", "test"}
    assert called <= listed
