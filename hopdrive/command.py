"""The commands' one entry: parse, act, and report a HopDriveError as one line and a status."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Mapping, Sequence

from hopdrive.errors import HopDriveError


def run_command(
    parser: argparse.ArgumentParser,
    action: Callable[[argparse.Namespace], int],
    argv: Sequence[str] | None = None,
    *,
    statuses: Mapping[type[HopDriveError], int] | None = None,
    rest: str | None = None,
) -> int:
    """Parse `argv`, run `action`; turn a HopDriveError into `PROG: error: MESSAGE` and a status."""
    # Usage errors stay argparse's own (the usage, then exit 2), as every command had them.
    if rest is None:
        args = parser.parse_args(argv)
    else:
        # A command that hands what it does not know on (hopdrive-contract to pytest) finds
        # those arguments, as a list, under `rest`.
        args, unknown = parser.parse_known_args(argv)
        setattr(args, rest, unknown)
    # Only the tree is caught: anything else is a bug worth its traceback, and Ctrl-C stays
    # whatever the action makes of it.
    try:
        return action(args)
    except HopDriveError as error:
        print(f"{parser.prog}: error: {error}", file=sys.stderr)
        return _status(error, statuses or {})
    except BrokenPipeError:
        # The reader (`| head`) left: what is still buffered goes nowhere, not into a traceback.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


def _status(error: HopDriveError, statuses: Mapping[type[HopDriveError], int]) -> int:
    """The status of the nearest class of `error` that `statuses` names, else its own."""
    # A command's statuses can differ from the class's (a bad spec is 4 to the gate, 2 to docs).
    for cls in type(error).__mro__:
        if cls in statuses:
            return statuses[cls]
    return error.exit_status
