"""`hopdrive-mock`: bad set-up input is one line naming the file, exit 2, nothing served."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from mock_server.cli import EXIT_SETUP, WORKER_SETTINGS, main, worker_settings

MOCK = Path(sys.executable).with_name("hopdrive-mock")


def test_unreadable_tenants_file_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "tenants.yaml"
    assert main(["--tenants", str(missing), "--db", ":memory:"]) == EXIT_SETUP == 2
    err = capsys.readouterr().err
    assert err.startswith(f"hopdrive-mock: error: {missing}: cannot be read")
    assert err.count("\n") == 1


def test_tenants_file_of_the_wrong_shape_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "tenants.json"
    path.write_text('{"dev-token-a": ["1234"]}', encoding="utf-8")
    assert main(["--tenants", str(path), "--db", ":memory:"]) == EXIT_SETUP
    assert capsys.readouterr().err == (
        f"hopdrive-mock: error: {path}: dev-token-a: rooftops must be a list of positive integers\n"
    )


def test_database_in_a_missing_directory_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "no-such-dir" / "state.db"
    assert main(["--db", str(db)]) == EXIT_SETUP
    err = capsys.readouterr().err
    assert err.startswith(f"hopdrive-mock: error: {db}: cannot be opened as a database")
    assert err.count("\n") == 1


@pytest.mark.parametrize(
    ("flags", "reason"),
    [
        (["--workers", "2", "--db", ":memory:"], "needs a database they can share"),
        (["--workers", "0"], "must be 1 or more"),
    ],
    ids=["memory", "zero"],
)
def test_impossible_workers_are_refused_in_one_line(
    flags: list[str], reason: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(flags) == EXIT_SETUP
    err = capsys.readouterr().err
    assert err.startswith("hopdrive-mock: error: --workers ")
    assert reason in err
    assert err.count("\n") == 1


@pytest.mark.parametrize("port", ["0", "70000", "-1", "http"])
def test_a_port_outside_1_to_65535_is_refused_in_one_line(
    port: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--db", ":memory:", "--port", port])
    assert exited.value.code == EXIT_SETUP
    assert capsys.readouterr().err.splitlines()[-1] == (
        f"hopdrive-mock: error: argument --port: {port!r} is not a port (1-65535)"
    )


def test_installed_command_documents_its_flags() -> None:
    result = subprocess.run([str(MOCK), "--help"], capture_output=True, text=True, check=True)
    flags = ("--port", "--db", "--tenants", "--no-test-control", "--quiet", "--workers", "--fsync")
    for flag in flags:
        assert flag in result.stdout


def test_a_worker_leaves_its_start_up_objects_out_of_garbage_collection(tmp_path: Path) -> None:
    # In a child process: freezing is for the life of the process that serves.
    probe = (
        "import gc; from mock_server.cli import worker_app; "
        "worker_app(); print(gc.get_freeze_count())"
    )
    settings = worker_settings(["--db", str(tmp_path / "state.db"), "--quiet"])
    shown = subprocess.run(
        [sys.executable, "-c", probe],
        env={**os.environ, WORKER_SETTINGS: settings},
        capture_output=True,
        text=True,
        check=True,
    )
    assert int(shown.stdout) > 10_000  # the spec and its validators


def test_a_faults_file_off_the_plan_is_one_line_naming_where_and_exit_2(tmp_path: Path) -> None:
    path = tmp_path / "faults.yaml"
    path.write_text("faults:\n  createAppointment:\n    error: {share: 2}\n", encoding="utf-8")
    command = [str(MOCK), "--faults", str(path), "--db", ":memory:", "--port", "1"]
    result = subprocess.run(command, capture_output=True, text=True, check=False, timeout=60)
    assert (result.returncode, result.stdout) == (EXIT_SETUP, "")
    assert result.stderr == (
        f"hopdrive-mock: error: {path}: /faults/createAppointment/error/share: "
        "2 is greater than the maximum of 1\n"
    )
