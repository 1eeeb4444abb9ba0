"""The suite's errors that `hopdrive-contract` reports as one line before any test runs."""

from __future__ import annotations

from hopdrive.errors import HopDriveError


class ContractError(HopDriveError):
    """The suite cannot judge the server: its target or its run is unusable; `str()` is one line."""
