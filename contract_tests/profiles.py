"""How hard the suite tries: quick (pre-commit), default (make test), deep (nightly)."""

from __future__ import annotations

import os
from dataclasses import dataclass

from hypothesis import HealthCheck, Phase, settings

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
    # The lifecycle examples split into this many tests, which workers run side by side: one
    # long sequence of requests would bound a run over a WAN by its round trips.
    lifecycle_shards: int
    shrink: bool

    def settings(self, examples: int, steps: int | None = None) -> settings:
        """Hypothesis settings for a generated check of this profile."""
        return settings(
            max_examples=examples,
            stateful_step_count=steps or self.lifecycle_steps,
            deadline=None,
            database=None,
            # Without shrinking a failure is reported as found, not minimised: quicker. The
            # explain phase re-runs a failure hundreds of times, each a round of requests.
            phases=[
                phase
                for phase in Phase
                if phase is not Phase.explain and (self.shrink or phase is not Phase.shrink)
            ],
            suppress_health_check=list(HealthCheck),
        )


PROFILES = {
    "quick": Profile("quick", 8, 3, 4, 10, 15, 2, shrink=False),
    "default": Profile("default", 40, 10, 8, 80, 25, 16, shrink=True),
    "deep": Profile("deep", 400, 100, 20, 800, 40, 32, shrink=True),
}


def current() -> Profile:
    """The profile named by HOPDRIVE_PROFILE (`default` when unset)."""
    name = os.environ.get(PROFILE_ENV) or "default"
    if name not in PROFILES:
        raise ValueError(f"{PROFILE_ENV}={name!r}: choose one of {', '.join(PROFILES)}")
    return PROFILES[name]
