"""What a run could not check and why: the groups of checks a server's declared scope leaves out.

A server without the D15 test-control endpoint cannot be driven into staged and terminal states;
without a second dealer's token, tenant isolation cannot be tried. Those checks are skipped with
their group's reason, counted in the summary, and failed instead under `--require`.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from typing import NoReturn

import pytest

from contract_tests.run import this_run

# Each group's name (what --require takes) and what it covers.
GROUPS = {
    "test-control": "staged and terminal states (D11, D12, D14, D15)",
    "tenants": "tenant isolation (D2)",
    "advances": "checks of an appointment the server moved on by itself (D15)",
}
ALL = "all"
NO_TEST_CONTROL = (
    "the server declared no test-control endpoint (HOPDRIVE_TEST_CONTROL=1); the lifecycle "
    "machine keeps to the public edges"
)
_PREFIX = "not checked ("
# A group's skip, or a stopped run's (delivery.py): "not checked: the run stopped: ...".
_REASON = re.compile(r"not checked(?: \(([a-z-]+)\))?: (.*)", re.DOTALL)
_STOPPED = "the rest of the run"


def unavailable(group: str, reason: str) -> NoReturn:
    """Skip the running check, which needs what `group` names; fail it when the run requires it."""
    text = f"{_PREFIX}{group}): {reason}"
    required = this_run().require
    if group in required or ALL in required:
        pytest.fail(f"required by --require, but {text}", pytrace=False)
    pytest.skip(text)


def summary(skip_reasons: Iterable[str]) -> list[str]:
    """One line per group and reason: how many checks it left out, and why."""
    counted = Counter(
        (match[1] or _STOPPED, match[2].strip())
        for reason in skip_reasons
        if (match := _REASON.search(reason)) is not None
    )
    return [
        f"{GROUPS.get(group, group)}: {count} check{'s' * (count != 1)} not run: {why}"
        for (group, why), count in sorted(counted.items())
    ]
