"""The toolkit's one exception tree: every error a command reports as one line."""

from __future__ import annotations


class HopDriveError(Exception):
    """An error a command turns into one line (`str()`) on stderr and an exit status.

    Each package subclasses it (SpecError, StoreError, ...); `exit_status` is the status a
    command exits with unless that command names another for the class.
    """

    exit_status: int = 2
