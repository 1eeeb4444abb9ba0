"""What every package of the toolkit shares: the one exception tree and the commands' entry."""

from hopdrive.command import run_command
from hopdrive.errors import HopDriveError
from hopdrive.masking import Masker, tag

__all__ = ["HopDriveError", "Masker", "run_command", "tag"]
