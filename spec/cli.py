"""`hopdrive-spec`: check the spec from the command line."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from hopdrive.command import run_command
from spec import sources
from spec.loader import SPEC_PATH, SpecInvalid, SpecUnreadable, load

EXIT_INVALID = 1
EXIT_UNREADABLE = SpecUnreadable.exit_status


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; the return value is the exit status."""
    parser = argparse.ArgumentParser(
        prog="hopdrive-spec",
        description="Check the HopDrive dealer API spec.",
        epilog=(
            f"Exit status: 0 valid, {EXIT_INVALID} the spec is not valid, "
            f"{EXIT_UNREADABLE} the file cannot be read or is not YAML (or bad usage)."
        ),
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    validate = commands.add_parser(
        "validate",
        help="validate the spec: OpenAPI 3.1, its references, its lifecycle, its sources",
        description=(
            "Validate the spec as OpenAPI 3.1, its references and its x-lifecycle, and that "
            "every constraint names its source (x-source)."
        ),
    )
    validate.add_argument(
        "spec",
        nargs="?",
        default=str(SPEC_PATH),
        help="path to the spec (default: the bundled one)",
    )
    # Here an invalid spec is the check's answer (1), not bad input (2) as for the other commands.
    return run_command(parser, _validate, argv, statuses={SpecInvalid: EXIT_INVALID})


def _validate(args: argparse.Namespace) -> int:
    """Validate the spec and print its summary."""
    spec = load(args.spec)
    unsourced = sources.problems(spec.document)
    if unsourced:
        more = f" (and {len(unsourced) - 1} more)" if len(unsourced) > 1 else ""
        raise SpecInvalid(spec.path, f"{unsourced[0]}{more}")
    public = len(spec.public_operations)
    print(
        f"{args.spec}: valid OpenAPI {spec.document['openapi']}; "
        f"{len(spec.operations)} operations ({public} public); "
        f"lifecycle of {len(spec.lifecycle.states)} states and {len(spec.lifecycle.edges)} edges; "
        f"{sum(1 for _ in sources.constraints(spec.document))} constraints, each sourced"
    )
    return 0
