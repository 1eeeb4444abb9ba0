"""`hopdrive-generate`: write, or check, everything generated from the spec."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from generators import jsonschema, python_stubs, tree, typescript
from hopdrive.command import run_command
from spec import SPEC_PATH, Spec, load

EXIT_STALE = 1
EXIT_SETUP = 2
FOLDERS = ("jsonschema", "python", "typescript")


def generate(spec: Spec) -> dict[str, str]:
    """Every generated file's text, by its path under the output folder."""
    return {**jsonschema.files(spec), **python_stubs.files(spec), **typescript.files(spec)}


def main(argv: Sequence[str] | None = None) -> int:
    """Generate (or with --check, compare); the return value is the exit status."""
    parser = argparse.ArgumentParser(
        prog="hopdrive-generate",
        description="Generate JSON Schemas, Python stubs and TypeScript declarations.",
        epilog=f"Exit status: 0 done or fresh, {EXIT_STALE} stale, {EXIT_SETUP} bad input.",
    )
    parser.add_argument(
        "--spec", default=str(SPEC_PATH), help="the spec (default: the bundled one)"
    )
    parser.add_argument("--out", default="generated", help="output folder (default: %(default)s)")
    parser.add_argument(
        "--check", action="store_true", help="write nothing; fail naming the first stale file"
    )
    return run_command(parser, _generate, argv)


def _generate(args: argparse.Namespace) -> int:
    """Write the files, or with --check report the first stale one."""
    files = generate(load(args.spec))
    out = Path(args.out)
    if args.check:
        problems = tree.stale(files, out, FOLDERS)
        if problems:
            more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
            print(f"hopdrive-generate: {problems[0]}{more}; run make generate", file=sys.stderr)
            return EXIT_STALE
        return 0
    written = tree.write(files, out, FOLDERS)
    print(f"hopdrive-generate: {out}: {len(files)} files, {len(written)} written")
    return 0
