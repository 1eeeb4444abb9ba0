"""`hopdrive-gate` on a real git repository: defaults, outputs, acknowledgements, exit statuses."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from gate.cli import EXIT_BAD_ACKNOWLEDGEMENTS, EXIT_BAD_REF, EXIT_BAD_SPEC, EXIT_FAILED, main
from spec import SPEC_PATH

ENUM = "enum: [valet, mobile_service, shuttle, rideshare]"


@pytest.fixture
def repository(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A git repository whose first commit holds the bundled spec, run in; returns the spec."""
    spec = tmp_path / "spec" / "openapi.yaml"
    spec.parent.mkdir()
    shutil.copy(SPEC_PATH, spec)
    for command in (
        ["init", "-q"],
        ["add", "."],
        ["-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "-qm", "spec"],
    ):
        subprocess.run(["git", *command], cwd=tmp_path, check=True)
    monkeypatch.chdir(tmp_path)
    return spec


def _edit(spec: Path, old: str, new: str) -> None:
    text = spec.read_text(encoding="utf-8")
    assert old in text
    spec.write_text(text.replace(old, new, 1), encoding="utf-8")


def _drop_rideshare(spec: Path) -> None:
    _edit(spec, ENUM, "enum: [valet, mobile_service, shuttle]")


def _accept(spec: Path, body: str) -> None:
    (spec.parent / "accepted-changes.yaml").write_text(body, encoding="utf-8")


def test_unchanged_spec_passes(repository: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--base", "HEAD"]) == 0
    assert "no changes to the public contract since HEAD" in capsys.readouterr().out


def test_head_defaults_to_the_spec_of_the_repository_run_in(
    repository: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _drop_rideshare(repository)
    assert main(["--base", "HEAD"]) == EXIT_FAILED
    out = capsys.readouterr().out
    assert "request-property-enum-value-removed: PUT /appointments/{id} request body" in out
    assert out.rstrip().splitlines()[-1].startswith("FAIL")


def test_base_may_be_a_file(
    repository: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = tmp_path / "old.yaml"
    shutil.copy(repository, old)
    _drop_rideshare(repository)
    assert main(["--base", str(old), "--format", "json"]) == EXIT_FAILED
    report = json.loads(capsys.readouterr().out)
    assert report["passed"] is False
    assert {"request-property-enum-value-removed"} <= {c["id"] for c in report["changes"]}


def test_fail_on_sets_the_bar(repository: Path) -> None:
    # A new optional response member is info: it fails only a gate that fails on info.
    text = repository.read_text(encoding="utf-8")
    marker = "      properties:\n        id:\n          $ref: '#/components/schemas/AppointmentId'"
    at = text.index(marker, text.index("    Appointment:\n"))
    extra = "\n        nickname:\n          type: string"
    repository.write_text(text[: at + len(marker)] + extra + text[at + len(marker) :], "utf-8")
    assert main(["--base", "HEAD"]) == 0
    assert main(["--base", "HEAD", "--fail-on", "info"]) == EXIT_FAILED


def test_listed_change_is_accepted_and_any_other_still_fails(
    repository: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _drop_rideshare(repository)
    _accept(
        repository,
        "accepted:\n"
        "  - rule: request-property-enum-value-removed\n"
        "    operation: '* /appointments/{id}'\n"
        "    reason: rideshare is withdrawn (API-1)\n"
        "    accepted_by: jane\n"
        "  - rule: response-property-enum-value-removed\n"
        "    operation: '*'\n"
        "    reason: the same\n"
        "    accepted_by: jane\n",
    )
    assert main(["--base", "HEAD"]) == 0
    assert "accepted by jane: rideshare is withdrawn (API-1)" in capsys.readouterr().out
    _edit(repository, "pattern: ^[0-9]{5}$", "pattern: ^[0-9]{5}(-[0-9]{4})?$")  # another break
    assert main(["--base", "HEAD"]) == EXIT_FAILED
    assert "request-property-pattern-changed" in capsys.readouterr().out


def test_stale_acknowledgement_is_reported(
    repository: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _accept(
        repository,
        "accepted:\n  - rule: endpoint-added\n    operation: GET /nowhere\n"
        "    reason: r\n    accepted_by: a\n",
    )
    assert main(["--base", "HEAD"]) == 0
    out = capsys.readouterr().out
    assert "stale" in out
    assert "entry 1: endpoint-added GET /nowhere" in out


def test_allow_breaking_passes_and_still_reports(
    repository: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _drop_rideshare(repository)
    assert main(["--base", "HEAD", "--allow-breaking"]) == 0
    assert "request-property-enum-value-removed" in capsys.readouterr().out


def test_changelog_is_written_as_markdown(repository: Path, tmp_path: Path) -> None:
    _drop_rideshare(repository)
    changelog = tmp_path / "out" / "changelog.md"
    assert main(["--base", "HEAD", "--changelog", str(changelog)]) == EXIT_FAILED
    text = changelog.read_text(encoding="utf-8")
    assert text.startswith("## API changes since HEAD")
    assert "### Breaking changes" in text
    assert "`request-property-enum-value-removed`" in text


def test_github_format_points_annotations_at_the_spec_lines(
    repository: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _drop_rideshare(repository)
    lines = repository.read_text(encoding="utf-8").splitlines()
    line = lines.index("      enum: [valet, mobile_service, shuttle]") + 1
    assert main(["--base", "HEAD", "--format", "github"]) == EXIT_FAILED
    annotations = [x for x in capsys.readouterr().out.splitlines() if x.startswith("::error")]
    assert annotations
    assert all(a.startswith(f"::error file=spec/openapi.yaml,line={line},") for a in annotations)


def test_ref_that_does_not_exist_is_one_line_and_exit_3(
    repository: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--base", "no-such-branch"]) == EXIT_BAD_REF == 3
    assert (
        capsys.readouterr().err
        == "hopdrive-gate: error: 'no-such-branch' is neither a file nor a git ref\n"
    )


def test_spec_that_does_not_parse_is_one_line_and_exit_4(
    repository: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repository.write_text("openapi: [3.1.0\n", encoding="utf-8")
    assert main(["--base", "HEAD"]) == EXIT_BAD_SPEC == 4
    err = capsys.readouterr().err
    assert err.startswith(f"hopdrive-gate: error: {repository}: not valid YAML")
    assert err.count("\n") == 1


def test_acknowledgement_file_that_does_not_parse_is_one_line_and_exit_5(
    repository: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _accept(repository, "accepted: [\n")
    assert main(["--base", "HEAD"]) == EXIT_BAD_ACKNOWLEDGEMENTS == 5
    err = capsys.readouterr().err
    assert err.startswith("hopdrive-gate: error: ")
    assert "accepted-changes.yaml" in err
    assert err.count("\n") == 1


def test_named_acknowledgement_file_must_exist(
    repository: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nope.yaml"
    assert main(["--base", "HEAD", "--accepted", str(missing)]) == EXIT_BAD_ACKNOWLEDGEMENTS
    assert str(missing) in capsys.readouterr().err


def test_outside_a_repository_without_head_is_one_line_and_exit_3(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["--base", "HEAD"]) == EXIT_BAD_REF
    err = capsys.readouterr().err
    assert "no spec/openapi.yaml here" in err
    assert "--head" in err
    assert err.count("\n") == 1


def test_changelog_that_cannot_be_written_is_one_line_and_exit_2(
    repository: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--base", "HEAD", "--changelog", str(repository.parent)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"hopdrive-gate: error: {repository.parent}: cannot be written")
    assert err.count("\n") == 1


def test_acknowledging_a_rule_that_does_not_exist_is_exit_5(
    repository: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _accept(
        repository,
        "accepted:\n  - rule: nope-rule\n    operation: '*'\n    reason: r\n    accepted_by: a\n",
    )
    assert main(["--base", "HEAD"]) == EXIT_BAD_ACKNOWLEDGEMENTS
    assert "entry 1: no rule 'nope-rule'" in capsys.readouterr().err


def test_a_removed_header_is_annotated_on_the_response_that_lost_it(
    repository: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    reference = (
        "      headers:\n        WWW-Authenticate:\n"
        "          $ref: '#/components/headers/WWW-Authenticate'\n"
    )
    _edit(repository, reference, "")
    line = repository.read_text(encoding="utf-8").splitlines().index("    Unauthorized:") + 1
    assert main(["--base", "HEAD", "--format", "github"]) == EXIT_FAILED
    out = capsys.readouterr().out.splitlines()
    removed = [x for x in out if x.startswith("::") and "header-removed" in x]
    assert removed
    assert all(x.startswith(f"::error file=spec/openapi.yaml,line={line},") for x in removed)
