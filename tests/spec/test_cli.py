"""`hopdrive-spec validate`: a summary on success, one line and a distinct status on failure."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from spec.cli import EXIT_INVALID, EXIT_UNREADABLE, main


def test_validate_bundled_spec_prints_a_summary(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate"]) == 0
    out = capsys.readouterr().out
    assert "valid OpenAPI 3.1.0; 6 operations (5 public); lifecycle of 8 states and 20 edges" in out
    assert out.rstrip().endswith("constraints, each sourced")


def test_a_constraint_without_a_source_is_one_line_and_exit_1(
    document: dict[str, Any],
    write_spec: Callable[[Any], Path],
    capsys: pytest.CaptureFixture[str],
) -> None:
    document["components"]["schemas"]["Location"]["properties"]["city"]["maxLength"] = 50
    path = write_spec(document)
    assert main(["validate", str(path)]) == EXIT_INVALID
    assert capsys.readouterr().err == (
        f"hopdrive-spec: error: {path}: "
        "/components/schemas/Location/properties/city: maxLength has no source\n"
    )


def test_missing_spec_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "missing.yaml"
    assert main(["validate", str(missing)]) == EXIT_UNREADABLE == 2
    assert capsys.readouterr().err == f"hopdrive-spec: error: {missing}: no such file\n"


def test_spec_that_is_not_yaml_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("paths: {\n", encoding="utf-8")
    assert main(["validate", str(path)]) == EXIT_UNREADABLE
    err = capsys.readouterr().err
    assert err.startswith(f"hopdrive-spec: error: {path}: not valid YAML")
    assert err.count("\n") == 1


def test_invalid_openapi_is_one_line_and_exit_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "empty.yaml"
    path.write_text(json.dumps({"openapi": "3.1.0"}), encoding="utf-8")
    assert main(["validate", str(path)]) == EXIT_INVALID == 1
    err = capsys.readouterr().err
    assert err.startswith(f"hopdrive-spec: error: {path}: not a valid OpenAPI 3.1 document")
    assert err.count("\n") == 1


def test_installed_entry_point_shows_no_traceback(tmp_path: Path) -> None:
    missing = tmp_path / "missing.yaml"
    result = subprocess.run(
        [sys.executable, "-m", "spec", "validate", str(missing)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == f"hopdrive-spec: error: {missing}: no such file\n"
