"""What every package of the toolkit shares: the one exception tree and the commands' entry."""

from hopdrive.command import run_command
from hopdrive.errors import HopDriveError

__all__ = ["HopDriveError", "run_command"]
