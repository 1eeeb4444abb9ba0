"""What holds requests back: seeded random delays and a token bucket per key."""

from __future__ import annotations

import random
import time
from collections.abc import Callable


class Delays:
    """Each request's delay: `latency` +/- uniform `jitter` seconds (never below 0), seeded."""

    def __init__(self, latency: float, jitter: float, seed: int | str = 0) -> None:
        if latency < 0 or jitter < 0:
            raise ValueError("latency and jitter are 0 or more seconds")
        self.latency = latency
        self.jitter = jitter
        self._random = random.Random(seed)

    def __call__(self) -> float:
        """The next request's delay in seconds."""
        return max(0.0, self.latency + self._random.uniform(-self.jitter, self.jitter))


class TokenBuckets:
    """A token bucket per key: `rate` tokens a second, holding a second's worth at most."""

    def __init__(self, rate: float, clock: Callable[[], float] = time.monotonic) -> None:
        if rate <= 0:
            raise ValueError(f"the rate must be above 0, not {rate}")
        self.rate = rate
        # Below one request a second, a second's worth would never hold a whole token.
        self.capacity = max(rate, 1.0)
        self._clock = clock
        self._buckets: dict[str | None, tuple[float, float]] = {}

    def take(self, key: str | None) -> float:
        """Take a token of `key`'s bucket and return 0, or return the seconds until it has one."""
        now = self._clock()
        tokens, then = self._buckets.get(key, (self.capacity, now))
        tokens = min(self.capacity, tokens + (now - then) * self.rate)
        if tokens >= 1:
            self._buckets[key] = (tokens - 1, now)
            return 0.0
        self._buckets[key] = (tokens, now)
        return (1 - tokens) / self.rate
