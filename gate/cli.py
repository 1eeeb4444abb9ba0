"""`hopdrive-gate`: compare the spec at a git ref with the working copy; fail when clients break."""

from __future__ import annotations

import argparse
import json
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

from gate.diff import Change, compare
from hopdrive.command import run_command
from hopdrive.errors import HopDriveError
from spec import SPEC_PATH, SpecError, load

EXIT_BREAKING = 1
EXIT_BAD_REF = 3
EXIT_BAD_SPEC = 4


class RefError(HopDriveError):
    """BASE gives no spec: no git repository, no such ref, or no spec at it; one line."""

    exit_status = EXIT_BAD_REF


def main(argv: Sequence[str] | None = None) -> int:
    """Compare and report; the return value is the exit status."""
    parser = argparse.ArgumentParser(
        prog="hopdrive-gate",
        description="Classify every change of the spec since BASE as breaking or not.",
        epilog=(
            f"Exit status: 0 nothing breaks clients (or --allow-breaking), {EXIT_BREAKING} a "
            f"change breaks clients, 2 usage, {EXIT_BAD_REF} BASE is not a git ref with the spec, "
            f"{EXIT_BAD_SPEC} a spec does not parse or validate."
        ),
    )
    parser.add_argument("--base", required=True, help="git ref of the spec to compare with")
    parser.add_argument(
        "--head", default=str(SPEC_PATH), help="the new spec (default: the working copy)"
    )
    parser.add_argument("--json", action="store_true", help="print the changes as JSON")
    parser.add_argument(
        "--allow-breaking",
        action="store_true",
        help="report breaking changes but exit 0: the change is acknowledged (say why in the PR)",
    )
    # A spec that does not load is the gate's own 4, where the other commands say 2 (bad input).
    return run_command(parser, _gate, argv, statuses={SpecError: EXIT_BAD_SPEC})


def _gate(args: argparse.Namespace) -> int:
    """Compare the spec at BASE with the new one and report the changes."""
    head_path = Path(args.head).resolve()
    text = _spec_at(args.base, head_path)
    with tempfile.TemporaryDirectory() as folder:
        base_path = Path(folder) / f"openapi@{args.base.replace('/', '_')}.yaml"
        base_path.write_text(text, encoding="utf-8")
        changes = compare(load(base_path), load(head_path))
    print(
        json.dumps([c.as_dict() for c in changes], indent=2)
        if args.json
        else _report(args.base, changes)
    )
    breaking = any(change.breaks_clients for change in changes)
    return EXIT_BREAKING if breaking and not args.allow_breaking else 0


def _spec_at(ref: str, spec: Path) -> str:
    """The spec's text at a git ref; RefError when there is none."""
    folder = spec.parent
    try:
        top = _git(["rev-parse", "--show-toplevel"], folder).strip()
    except RefError:
        raise RefError(f"{folder} is not inside a git repository") from None
    try:
        _git(["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], folder)
    except RefError:
        raise RefError(f"git ref {ref!r} does not exist") from None
    relative = spec.relative_to(Path(top).resolve()).as_posix()
    try:
        return _git(["show", f"{ref}:{relative}"], folder)
    except RefError:
        raise RefError(f"{relative} does not exist at {ref!r}") from None


def _git(arguments: list[str], folder: Path) -> str:
    result = subprocess.run(
        ["git", *arguments], cwd=folder, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise RefError(result.stderr.strip())
    return result.stdout


def _report(base: str, changes: list[Change]) -> str:
    if not changes:
        return f"hopdrive-gate: no changes to the public contract since {base}"
    groups = [
        ("BREAKING for clients", [c for c in changes if c.rule.clients]),
        (
            "breaking for servers only",
            [c for c in changes if c.rule.servers and not c.rule.clients],
        ),
        ("not breaking", [c for c in changes if not c.rule.clients and not c.rule.servers]),
    ]
    lines = [f"hopdrive-gate: {len(changes)} change(s) since {base}"]
    for title, group in groups:
        if group:
            lines.append(f"{title}:")
            lines += [f"  {c.rule.kind}: {c.where}: {c.detail} ({c.rule.why})" for c in group]
    return "\n".join(lines)
