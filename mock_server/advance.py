"""HopDrive's own steps (`--advance`): internal lifecycle edges taken on a schedule (D15)."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from mock_server.appointments import AppointmentRules
from mock_server.control_api import ControlFileError, read_file
from spec import Lifecycle

DEFAULT_SCHEDULE = Path(__file__).with_name("advance.yaml")


@dataclass(frozen=True)
class Step:
    """One of HopDrive's steps: `source` -> `target` once `after` has passed unchanged."""

    source: str
    target: str
    after: timedelta


@dataclass(frozen=True)
class Schedule:
    """The steps the mock takes by itself, the first listed for a state winning."""

    steps: tuple[Step, ...]

    @classmethod
    def load(cls, path: str | os.PathLike[str], lifecycle: Lifecycle) -> Schedule:
        """Read a schedule file; ControlFileError naming the step that is no internal edge."""
        data = read_file(path, "AdvanceSchedule")
        steps = []
        for index, step in enumerate(data["steps"]):
            source, target = step["from"], step["to"]
            if not lifecycle.allows(source, target, "internal"):
                raise ControlFileError(
                    f"{path}: /steps/{index}: {source} -> {target} is not an internal edge of "
                    "the lifecycle (x-lifecycle)"
                )
            steps.append(Step(source, target, timedelta(seconds=step["after"])))
        return cls(tuple(steps))

    def step_from(self, state: str) -> Step | None:
        """The step an appointment in `state` takes, if any."""
        return next((step for step in self.steps if step.source == state), None)

    def advance(
        self,
        rules: AppointmentRules,
        record: Mapping[str, Any],
        since: datetime,
        now: datetime,
        create_move: Callable[[], int],
    ) -> tuple[dict[str, Any], datetime] | None:
        """The record after every step due by `now` (each stamped when it fell due), with the
        time it entered its last state; None when no step is due. `since`: when it entered
        the state it is in.

        Taken when the appointment is next read rather than by a timer: what a client sees is
        the same, and no step races a request or is lost when the mock stops.
        """
        current = dict(record)
        moved = False
        # One step per state at most: the lifecycle's internal edges have no cycle today, and
        # the bound keeps one a later spec might add from turning this into an endless loop.
        for _ in rules.lifecycle.states:
            step = self.step_from(current["status"])
            if step is None or since + step.after > now:
                break
            since += step.after
            current = rules.transition(current, step.target, since, create_move)
            moved = True
        return (current, since) if moved else None
