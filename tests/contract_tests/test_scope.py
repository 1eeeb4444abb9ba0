"""contract_tests/scope.py: checks a server cannot take are skipped with their reason, or failed."""

from __future__ import annotations

from pathlib import Path

import pytest

from contract_tests import scope
from contract_tests.run import Run


def _in_run(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, *require: str) -> None:
    run = Run(id="r", directory=tmp_path, require=frozenset(require))
    monkeypatch.setattr(scope, "this_run", lambda: run)


def test_a_check_the_server_cannot_take_is_skipped_naming_its_group(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _in_run(monkeypatch, tmp_path)
    with pytest.raises(pytest.skip.Exception, match=r"not checked \(tenants\): no token"):
        scope.unavailable("tenants", "no token")


@pytest.mark.parametrize("require", ["tenants", "all"])
def test_under_require_the_same_check_fails(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, require: str
) -> None:
    _in_run(monkeypatch, tmp_path, require)
    with pytest.raises(pytest.fail.Exception, match="required by --require"):
        scope.unavailable("tenants", "no token")


def test_requiring_another_group_still_skips(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _in_run(monkeypatch, tmp_path, "test-control")
    with pytest.raises(pytest.skip.Exception):
        scope.unavailable("tenants", "no token")


def test_the_summary_counts_skips_per_group_and_reason() -> None:
    reasons = [
        "Skipped: not checked (tenants): no token",
        "Skipped: not checked (tenants): no token",
        "Skipped: not checked (test-control): no endpoint",
        "Skipped: not checked: the run stopped: POST /appointments: no answer within 1 s",
        "Skipped: something else entirely",
    ]
    assert scope.summary(reasons) == [
        f"{scope.GROUPS['tenants']}: 2 checks not run: no token",
        f"{scope.GROUPS['test-control']}: 1 check not run: no endpoint",
        "the rest of the run: 1 check not run: the run stopped: POST /appointments: no answer "
        "within 1 s",
    ]
