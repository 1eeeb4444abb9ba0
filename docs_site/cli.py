"""`hopdrive-docs`: build the static docs site from the spec."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from docs_site.build import build
from hopdrive.command import run_command
from spec import SPEC_PATH, load

EXIT_SETUP = 2


def main(argv: Sequence[str] | None = None) -> int:
    """Build the site; the return value is the exit status."""
    parser = argparse.ArgumentParser(
        prog="hopdrive-docs",
        description="Build the docs site: the API reference and the lifecycle page.",
        epilog=f"Exit status: 0 built, {EXIT_SETUP} bad input or a missing tool.",
    )
    parser.add_argument(
        "--spec", default=str(SPEC_PATH), help="the spec (default: the bundled one)"
    )
    parser.add_argument("--out", default="site", help="output folder (default: %(default)s)")
    return run_command(parser, _build, argv)


def _build(args: argparse.Namespace) -> int:
    """Build the site and name its pages."""
    pages = build(load(args.spec), Path(args.out))
    print(f"hopdrive-docs: {', '.join(str(page) for page in pages)}")
    return 0
