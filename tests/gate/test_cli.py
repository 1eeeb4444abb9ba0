"""`hopdrive-gate` on a real git repository: report, JSON, acknowledgement, one-line errors."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from gate.cli import EXIT_BAD_REF, EXIT_BAD_SPEC, EXIT_BREAKING, main
from spec import SPEC_PATH


@pytest.fixture
def repository(tmp_path: Path) -> Path:
    """A git repository whose first commit holds the bundled spec; returns the spec's path."""
    spec = tmp_path / "spec" / "openapi.yaml"
    spec.parent.mkdir()
    shutil.copy(SPEC_PATH, spec)
    for command in (
        ["init", "-q"],
        ["add", "."],
        ["-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "-qm", "spec"],
    ):
        subprocess.run(["git", *command], cwd=tmp_path, check=True)
    return spec


def _break(spec: Path) -> None:
    text = spec.read_text(encoding="utf-8")
    spec.write_text(
        text.replace(
            "enum: [valet, mobile_service, shuttle, rideshare]",
            "enum: [valet, mobile_service, shuttle]",
        ),
        encoding="utf-8",
    )


def test_unchanged_spec_passes(repository: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--base", "HEAD", "--head", str(repository)]) == 0
    assert "no changes to the public contract since HEAD" in capsys.readouterr().out


def test_breaking_change_fails_with_a_readable_report(
    repository: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _break(repository)
    assert main(["--base", "HEAD", "--head", str(repository)]) == EXIT_BREAKING
    out = capsys.readouterr().out
    assert "BREAKING for clients:" in out
    assert (
        "request-enum-value-removed: replaceAppointment request /transportation_type: 'rideshare'"
        in out
    )


def test_json_report_and_acknowledged_breaking_change(
    repository: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _break(repository)
    assert main(["--base", "HEAD", "--head", str(repository), "--json", "--allow-breaking"]) == 0
    changes = json.loads(capsys.readouterr().out)
    removed = [c for c in changes if c["kind"] == "request-enum-value-removed"]
    assert removed
    assert all(c["breaks_clients"] and not c["breaks_servers"] for c in removed)


def test_ref_that_does_not_exist_is_one_line_and_exit_3(
    repository: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--base", "no-such-branch", "--head", str(repository)]) == EXIT_BAD_REF == 3
    assert (
        capsys.readouterr().err == "hopdrive-gate: error: git ref 'no-such-branch' does not exist\n"
    )


def test_spec_that_does_not_parse_is_one_line_and_exit_4(
    repository: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repository.write_text("openapi: [3.1.0\n", encoding="utf-8")
    assert main(["--base", "HEAD", "--head", str(repository)]) == EXIT_BAD_SPEC == 4
    err = capsys.readouterr().err
    assert err.startswith(f"hopdrive-gate: error: {repository}: not valid YAML")
    assert err.count("\n") == 1
