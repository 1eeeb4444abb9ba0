"""`hopdrive-gate`: compare the spec at a base (git ref or file) with this repository's spec."""

from __future__ import annotations

import argparse
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

from gate import acknowledgements, outputs
from gate.changes import Level
from gate.diff import compare
from gate.outcome import Outcome
from hopdrive.command import run_command
from hopdrive.errors import HopDriveError
from spec import Spec, SpecError, load

EXIT_FAILED = 1
EXIT_BAD_REF = 3
EXIT_BAD_SPEC = 4
EXIT_BAD_ACKNOWLEDGEMENTS = acknowledgements.AcknowledgementError.exit_status
# Where a repository keeps its spec and its acknowledgements, from its top folder.
SPEC_IN_REPOSITORY = Path("spec/openapi.yaml")
ACCEPTED_NEXT_TO_SPEC = "accepted-changes.yaml"
FORMATS = ("text", "json", "markdown", "github")


class RefError(HopDriveError):
    """A spec cannot be found: no such file, no git repository, no such ref, or no spec at it."""

    exit_status = EXIT_BAD_REF


class ChangelogError(HopDriveError):
    """The changelog cannot be written where --changelog says."""


def main(argv: Sequence[str] | None = None) -> int:
    """Compare and report; the return value is the exit status."""
    parser = argparse.ArgumentParser(
        prog="hopdrive-gate",
        description=(
            "Classify every change of the spec since BASE by oasdiff's rules and severities; "
            "fail on those at or above --fail-on that the acknowledgement file does not accept."
        ),
        epilog=(
            f"Exit status: 0 passed, {EXIT_FAILED} a change at or above --fail-on is not "
            f"acknowledged, 2 usage or a changelog that cannot be written, {EXIT_BAD_REF} BASE is "
            f"neither a file nor a git ref with the spec, or the head spec cannot be read, "
            f"{EXIT_BAD_SPEC} a spec does not parse or validate, "
            f"{EXIT_BAD_ACKNOWLEDGEMENTS} the acknowledgement file does not parse."
        ),
    )
    parser.add_argument(
        "--base",
        default="origin/main",
        help="the old spec: a git ref of this repository or a file (default: origin/main)",
    )
    parser.add_argument(
        "--head",
        help="the new spec file (default: spec/openapi.yaml of the repository run in)",
    )
    parser.add_argument(
        "--fail-on",
        default="warning",
        choices=[level.label for level in sorted(Level, reverse=True)],
        help="the lowest severity that fails the gate (default: warning)",
    )
    parser.add_argument(
        "--format", default="text", choices=FORMATS, help="what to print (default: text)"
    )
    parser.add_argument("--json", action="store_true", help="same as --format json")
    parser.add_argument(
        "--changelog", type=Path, help="also write the Markdown changelog to this file"
    )
    parser.add_argument(
        "--accepted",
        type=Path,
        help=f"the acknowledgement file (default: {ACCEPTED_NEXT_TO_SPEC} beside the head spec)",
    )
    parser.add_argument(
        "--allow-breaking",
        action="store_true",
        help="report, but pass whatever changed: for emergencies (say why in the PR)",
    )
    # A spec that does not load is the gate's own 4, where the other commands say 2 (bad input).
    return run_command(parser, _gate, argv, statuses={SpecError: EXIT_BAD_SPEC})


def _gate(args: argparse.Namespace) -> int:
    """Compare the spec at BASE with the head spec and report the outcome."""
    head_path = Path(args.head).resolve() if args.head else _repository_spec()
    if not args.head and not head_path.is_file():
        raise RefError(
            f"no {SPEC_IN_REPOSITORY} here ({head_path.parent.parent}): run in the "
            "repository, or name the spec with --head"
        )
    accepted_path = args.accepted or head_path.parent / ACCEPTED_NEXT_TO_SPEC
    entries = acknowledgements.load(accepted_path, required=args.accepted is not None)
    head_text = _read(head_path)
    base_text = _base_text(args.base, head_path)
    with tempfile.TemporaryDirectory() as folder:
        base_path = Path(folder) / f"{_safe(args.base)}.yaml"
        base_path.write_text(base_text, encoding="utf-8")
        base_spec, head_spec = _load(base_path, args.base), load(head_path, fresh=True)
    changes = tuple(compare(base_spec.document, head_spec.document))
    accepted, stale = acknowledgements.settle(changes, entries)
    outcome = Outcome(
        base=args.base,
        head=str(args.head or SPEC_IN_REPOSITORY),
        changes=changes,
        fail_on=Level.named(args.fail_on),
        acknowledged=accepted,
        stale=stale,
        allow_breaking=args.allow_breaking,
    )
    shown = "json" if args.json else args.format
    if shown == "github":
        print(outputs.github(outcome, _shown_path(head_path), base_text, head_text))
        print(outputs.text(outcome))
    else:
        render = {"text": outputs.text, "json": outputs.json_report, "markdown": outputs.markdown}
        print(render[shown](outcome))
    if args.changelog is not None:
        _write(args.changelog, outputs.markdown(outcome) + "\n")
    return 0 if outcome.passed else EXIT_FAILED


def _write(path: Path, text: str) -> None:
    """Write the changelog, or say in one line why it cannot be."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as error:
        raise ChangelogError(f"{path}: cannot be written ({error.strerror})") from None


def _load(path: Path, base: str) -> Spec:
    """The base spec, loaded; its errors name BASE rather than the temporary file."""
    try:
        return load(path, fresh=True)
    except SpecError as error:
        raise type(error)(Path(base), error.reason) from None


def _repository_spec() -> Path:
    """`spec/openapi.yaml` of the git repository the command runs in (or of this folder)."""
    here = Path.cwd()
    try:
        top = Path(_git(["rev-parse", "--show-toplevel"], here).strip())
    except RefError:
        top = here
    return (top / SPEC_IN_REPOSITORY).resolve()


def _base_text(base: str, head: Path) -> str:
    """The base spec's text: the file BASE names, or the head spec's file at git ref BASE."""
    as_file = Path(base)
    if as_file.is_file():
        return _read(as_file)
    folder = Path.cwd()
    try:
        top = Path(_git(["rev-parse", "--show-toplevel"], folder).strip()).resolve()
    except RefError:
        raise RefError(
            f"{base!r} is no file, and {folder} is not inside a git repository"
        ) from None
    try:
        _git(["rev-parse", "--verify", "--quiet", f"{base}^{{commit}}"], folder)
    except RefError:
        raise RefError(f"{base!r} is neither a file nor a git ref") from None
    try:
        relative = head.relative_to(top).as_posix()
    except ValueError:
        relative = SPEC_IN_REPOSITORY.as_posix()
    try:
        return _git(["show", f"{base}:{relative}"], folder)
    except RefError:
        raise RefError(f"{relative} does not exist at {base!r}") from None


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        raise RefError(f"{path}: cannot be read ({reason})") from None


def _shown_path(path: Path) -> str:
    """The spec's path as GitHub names files: from the repository's top folder."""
    try:
        top = Path(_git(["rev-parse", "--show-toplevel"], path.parent).strip()).resolve()
        return path.relative_to(top).as_posix()
    except (RefError, ValueError):
        return str(path)


def _safe(label: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in label) or "base"


def _git(arguments: list[str], folder: Path) -> str:
    try:
        result = subprocess.run(
            ["git", *arguments], cwd=folder, capture_output=True, text=True, check=False
        )
    except OSError as error:
        raise RefError(f"git cannot run: {error.strerror}") from None
    if result.returncode != 0:
        raise RefError(result.stderr.strip() or f"git {arguments[0]} failed")
    return result.stdout
