"""`hopdrive-generate`: write, or check, everything generated from the spec."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from generators import jsonschema
from spec import SPEC_PATH, SpecError, load

EXIT_STALE = 1
EXIT_SETUP = 2


def main(argv: Sequence[str] | None = None) -> int:
    """Generate (or with --check, compare); the return value is the exit status."""
    parser = argparse.ArgumentParser(
        prog="hopdrive-generate",
        description="Generate JSON Schemas from the spec into OUT/jsonschema.",
        epilog=f"Exit status: 0 done or fresh, {EXIT_STALE} stale, {EXIT_SETUP} bad input.",
    )
    parser.add_argument(
        "--spec", default=str(SPEC_PATH), help="the spec (default: the bundled one)"
    )
    parser.add_argument("--out", default="generated", help="output folder (default: %(default)s)")
    parser.add_argument(
        "--check", action="store_true", help="write nothing; fail naming the first stale file"
    )
    args = parser.parse_args(argv)
    try:
        spec = load(args.spec)
    except SpecError as error:
        print(f"hopdrive-generate: error: {error}", file=sys.stderr)
        return EXIT_SETUP
    out = Path(args.out) / "jsonschema"
    if args.check:
        problems = jsonschema.stale(spec, out)
        if problems:
            more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
            print(f"hopdrive-generate: {problems[0]}{more}; run make generate", file=sys.stderr)
            return EXIT_STALE
        return 0
    written = jsonschema.write(spec, out)
    print(f"hopdrive-generate: {out}: {len(written)} file(s) written")
    return 0
