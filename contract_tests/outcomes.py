"""How each test of a run ended, gathered by the process that reports the run and left in the
run's directory for the runner's coverage and report pages."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from contract_tests import scope
from contract_tests.coverage import TestRecord
from contract_tests.report import CHECKS, Tally
from contract_tests.run import Run

# The sections a failing test's report carries, by title.
DECISION = "contract decision"
EXCHANGES = "last exchanges (oldest first)"
REPRODUCE = "reproduce"
_FILE = "outcomes.json"
_MESSAGE_LIMIT = 6000


@dataclass
class Outcomes:
    """The tests of a run as they are reported: their decisions, outcomes and failures."""

    tests: dict[str, dict[str, Any]] = field(default_factory=dict)
    failures: list[dict[str, Any]] = field(default_factory=list)

    def test(self, nodeid: str, decisions: Sequence[str], outcome: str, reason: str | None) -> None:
        """Note how one test ended."""
        self.tests[nodeid] = {"decisions": list(decisions), "outcome": outcome, "reason": reason}

    def failure(self, nodeid: str, sections: Mapping[str, str], message: str) -> None:
        """Note a failed test with what its report shows."""
        self.failures.append(
            {
                "test": nodeid,
                "decision": sections.get(DECISION),
                "exchanges": sections.get(EXCHANGES),
                "reproduce": sections.get(REPRODUCE),
                "message": message[-_MESSAGE_LIMIT:],
            }
        )

    def write(self, run: Run, tally: Tally, operations: Iterable[str]) -> None:
        """Leave the outcomes in the run's directory."""
        skipped = [test["reason"] for test in self.tests.values() if test["reason"]]
        counts = dict.fromkeys(("passed", "failed", "skipped"), 0)
        for test in self.tests.values():
            counts[test["outcome"]] += 1
        document = {
            "tests": self.tests,
            "failures": self.failures,
            "counts": counts,
            "table": {
                "checks": list(CHECKS),
                "rows": [
                    {
                        "operation": operation,
                        "cells": {check: tally.cells.get((operation, check)) for check in CHECKS},
                    }
                    for operation in operations
                ],
            },
            "not_checked": scope.summary(skipped),
        }
        (run.directory / _FILE).write_text(json.dumps(document), encoding="utf-8")


def read(run: Run) -> dict[str, Any]:
    """The outcomes a run left, empty when it left none (it stopped before reporting)."""
    try:
        loaded: dict[str, Any] = json.loads((run.directory / _FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        loaded = {}
    return loaded


def records(document: Mapping[str, Any]) -> dict[str, TestRecord]:
    """Each test's decisions and outcome, as coverage reads them."""
    return {
        nodeid: TestRecord(tuple(test["decisions"]), test["outcome"], test["reason"])
        for nodeid, test in document.get("tests", {}).items()
    }
