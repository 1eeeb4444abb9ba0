"""contract_tests/pace.py: the run's pace, shared by every process through one file."""

from __future__ import annotations

from pathlib import Path

from contract_tests.pace import Figures, Pace


class FakeTime:
    """A clock that moves only when something sleeps."""

    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(round(seconds, 6))
        self.now += seconds


def _pace(path: Path, time: FakeTime, rate: float | None = None) -> Pace:
    return Pace(path, rate, clock=time.clock, sleep=time.sleep)


def test_without_a_rate_limit_requests_leave_at_once(tmp_path: Path) -> None:
    time = FakeTime()
    pace = _pace(tmp_path / "pace.json", time)
    for _ in range(5):
        pace.before_request()
    assert time.slept == []
    assert pace.figures() == Figures(requests=5, rate_limited=0, waited=0.0)


def test_a_rate_limit_spaces_requests_across_every_handle_on_the_file(tmp_path: Path) -> None:
    time = FakeTime()
    one, two = (_pace(tmp_path / "pace.json", time, rate=4) for _ in range(2))
    for pace in (one, two, one, two):
        pace.before_request()
    assert time.slept == [0.25, 0.25, 0.25]


def test_a_429_pause_holds_the_other_processes_too(tmp_path: Path) -> None:
    time = FakeTime()
    one, two = (_pace(tmp_path / "pace.json", time) for _ in range(2))
    one.pause(2.0)
    two.before_request()
    assert time.slept == [2.0]
    assert one.figures() == Figures(requests=1, rate_limited=1, waited=2.0)


def test_overlapping_pauses_count_the_time_held_back_once(tmp_path: Path) -> None:
    time = FakeTime()
    pace = _pace(tmp_path / "pace.json", time)
    pace.pause(3.0)
    pace.pause(1.0)
    pace.pause(4.0)
    assert pace.figures() == Figures(requests=0, rate_limited=3, waited=4.0)
