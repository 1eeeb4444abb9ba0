"""What a person needs from a run: the decision a failure breaks, the exchange, a reproduction,
and the operations x checks table at the end."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache

from contract_tests.exchanges import Exchange
from contract_tests.target import Target
from spec import SPEC_PATH

DECISIONS = SPEC_PATH.with_name("DECISIONS.md")
_HEADING = re.compile(r"^#{2,4}\s+(D\d+)\s+[—-]+\s+(.+?)\s*$", re.MULTILINE)
CHECKS = ("schema", "security", "errors", "lifecycle", "moves")


@cache
def decision_titles() -> Mapping[str, str]:
    """`D11` -> its title, from the headings of spec/DECISIONS.md."""
    try:
        text = DECISIONS.read_text(encoding="utf-8")
    except OSError:
        return {}
    return dict(_HEADING.findall(text))


def decision_line(decisions: Iterable[str]) -> str:
    """`breaks D11 (Staged appointments...)`, naming every decision a check pins."""
    titles = decision_titles()
    named = [f"{d} ({titles[d]})" if d in titles else d for d in decisions]
    return "breaks " + ", ".join(named) + " - see spec/DECISIONS.md"


def reproduction(
    exchanges: Iterable[Exchange], target: Target, test_id: str, seed: str | None
) -> str:
    """How to see the same wrong answer again: curl for the last request, and the test itself."""
    lines = []
    last = list(exchanges)[-1:]
    for exchange in last:
        lines.append("by hand (the request that got the answer above):")
        lines.append("  " + exchange.curl(target))
    rerun = f"make test BASE_URL={target.base_url} PYTEST_ARGS='{test_id}"
    if seed:
        rerun += f" --hypothesis-seed={seed}"
    lines.append("the same check again:")
    lines.append(f"  {rerun}'")
    return "\n".join(lines)


@dataclass
class Tally:
    """Outcomes per operation and check."""

    cells: dict[tuple[str, str], dict[str, int]]

    @classmethod
    def empty(cls) -> Tally:
        return cls(cells=defaultdict(lambda: {"passed": 0, "failed": 0, "skipped": 0}))

    def add(self, operations: Iterable[str], check: str, outcome: str) -> None:
        """Count one test outcome against every operation it exercises."""
        for operation in operations:
            self.cells[(operation, check)][outcome] += 1

    def table(self, operations: Iterable[str]) -> str:
        """The operations x checks table, each cell `passed/failed/skipped` or `-`."""
        rows: list[tuple[str, ...]] = [("operation", *CHECKS)]
        for operation in operations:
            row = [operation]
            for check in CHECKS:
                cell = self.cells.get((operation, check))
                row.append("-" if cell is None else "{passed}/{failed}/{skipped}".format(**cell))
            rows.append(tuple(row))
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
        out = ["  ".join(value.ljust(widths[i]) for i, value in enumerate(row)) for row in rows]
        out.insert(1, "  ".join("-" * width for width in widths))
        return "\n".join(out) + "\n(each cell: passed/failed/skipped)"
