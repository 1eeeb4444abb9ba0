"""Delays and token buckets: seeded jitter, a continuous refill, a bucket per key."""

from __future__ import annotations

import pytest

from mock_server.throttles import Delays, TokenBuckets


def test_a_bucket_refills_continuously_up_to_one_seconds_worth() -> None:
    now = [0.0]
    buckets = TokenBuckets(2, clock=lambda: now[0])
    assert [buckets.take("a"), buckets.take("a"), buckets.take("a")] == [0, 0, 0.5]
    now[0] += 0.25
    assert buckets.take("a") == pytest.approx(0.25)
    now[0] += 10
    assert [buckets.take("a"), buckets.take("a"), buckets.take("a")] == [0, 0, 0.5]


def test_below_one_request_a_second_a_bucket_still_holds_one() -> None:
    buckets = TokenBuckets(0.25, clock=lambda: 0.0)
    assert [buckets.take(None), buckets.take(None)] == [0, 4]


def test_jitter_spreads_delays_around_the_latency_as_the_seed_says() -> None:
    delays = [Delays(0.1, 0.05, seed=3)() for _ in range(2)]
    assert delays[0] == delays[1]
    spread = Delays(0.1, 0.05, seed=3)
    drawn = [spread() for _ in range(50)]
    assert all(0.05 <= delay <= 0.15 for delay in drawn)
    assert max(drawn) - min(drawn) > 0.05
    assert Delays(0.01, 0.05)() >= 0
