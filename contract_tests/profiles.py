"""How hard the suite tries: quick (pre-commit), default (make test), deep (nightly)."""

from __future__ import annotations

import os
from dataclasses import dataclass

from hypothesis import Phase

PROFILE_ENV = "HOPDRIVE_PROFILE"


@dataclass(frozen=True)
class Profile:
    """Example counts for the generated parts of the suite."""

    name: str
    schema_examples: int
    stateful_examples: int
    stateful_steps: int
    lifecycle_examples: int
    lifecycle_steps: int
    shrink: bool

    def phases(self) -> tuple[Phase, ...]:
        """Hypothesis phases: without shrinking, a failure is reported as found, not minimised."""
        return tuple(phase for phase in Phase if self.shrink or phase is not Phase.shrink)


PROFILES = {
    "quick": Profile("quick", 8, 3, 4, 10, 15, shrink=False),
    "default": Profile("default", 40, 10, 8, 80, 25, shrink=True),
    "deep": Profile("deep", 400, 100, 20, 800, 40, shrink=True),
}


def current() -> Profile:
    """The profile named by HOPDRIVE_PROFILE (`default` when unset)."""
    name = os.environ.get(PROFILE_ENV) or "default"
    if name not in PROFILES:
        raise ValueError(f"{PROFILE_ENV}={name!r}: choose one of {', '.join(PROFILES)}")
    return PROFILES[name]
