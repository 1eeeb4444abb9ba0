"""The gate's verdict: the changes, which of them were acknowledged, and whether it passes."""

from __future__ import annotations

from dataclasses import dataclass, field

from gate.acknowledgements import Acknowledgement
from gate.changes import Change, Level


@dataclass(frozen=True)
class Outcome:
    """Every change since the base, what the acknowledgement file accepted, and the bar."""

    base: str
    head: str
    changes: tuple[Change, ...]
    fail_on: Level
    acknowledged: dict[Change, Acknowledgement] = field(default_factory=dict)
    stale: tuple[Acknowledgement, ...] = ()
    allow_breaking: bool = False

    @property
    def failing(self) -> tuple[Change, ...]:
        """The changes at or above the bar that no acknowledgement accepts."""
        return tuple(
            c for c in self.changes if c.level >= self.fail_on and c not in self.acknowledged
        )

    @property
    def passed(self) -> bool:
        """Whether the gate lets the change through."""
        return self.allow_breaking or not self.failing
