"""The suite is sharp: run against the mock with one fault injected, it fails naming the decision.

Each fault of faults.py is served by its own mock process; the suite runs as `hopdrive-contract`
in another, exactly as it would judge a partner's server.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from testbeds import free_port, served
from testbeds.faults import FAULTS
from testbeds.suite import run_suite

ROOT = Path(__file__).parents[2]
CONTRACT = Path(sys.executable).with_name("hopdrive-contract")


@contextmanager
def faulty_mock(name: str) -> Iterator[str]:
    """The base URL of a mock process serving with the fault `name`."""
    port = free_port()
    with served([sys.executable, "-m", "testbeds.faults", name, str(port)], port, cwd=ROOT):
        yield f"http://127.0.0.1:{port}/v1"


@pytest.mark.parametrize(
    ("decision", "name"), [(d, n) for n, (d, _) in FAULTS.items()], ids=list(FAULTS)
)
def test_suite_fails_on_the_faulty_mock_naming_the_decision(decision: str, name: str) -> None:
    # The checks that pin the fault's decision (`-m`), to their first failure: that one must
    # name it. A whole run would only add checks of other decisions, some failing first (a
    # plain-JSON 401 fails D2's checks before D3's), at three times the cost.
    with faulty_mock(name) as url:
        result = run_suite(url, maxfail=1, decision=decision)
    output = result.stdout + result.stderr
    assert result.returncode == 1, f"the suite passed a mock with this fault:\n{output[-3000:]}"
    named = re.findall(r"breaks (.+?) - see spec/DECISIONS\.md", output)
    assert any(re.search(rf"\b{decision}\b", line) for line in named), (
        f"the suite failed without naming {decision}; it named {named}\n{output[-3000:]}"
    )


# A fault the lifecycle machine finds: its shards must draw the same examples on any worker.
SHARED = ["updatedat goes backwards"]


@pytest.mark.parametrize("name", SHARED)
def test_four_workers_fail_the_same_checks_as_one(name: str) -> None:
    # Each run on a fresh mock: the first run's records would meet the same seed's bodies.
    # The checks of the fault's decision only, the lifecycle machine's shards among them.
    decision = FAULTS[name][0]
    with faulty_mock(name) as url:
        alone = run_suite(url, decision=decision)
    with faulty_mock(name) as url:
        shared = run_suite(url, workers=4, decision=decision)
    assert alone.returncode == shared.returncode == 1
    assert _failed(shared.stdout) == _failed(alone.stdout), shared.stdout[-3000:]


def _failed(output: str) -> set[str]:
    """The checks a run failed, from pytest's short summary."""
    return set(re.findall(r"^FAILED (\S+)", output, re.MULTILINE))


def test_the_catalogue_covers_d2_to_d19_with_at_least_15_faults() -> None:
    decisions = {decision for decision, _ in FAULTS.values()}
    assert len(FAULTS) >= 15
    assert set(SHARED) <= set(FAULTS)
    assert decisions >= {f"D{n}" for n in range(2, 20)}


def test_printed_curl_line_shows_the_same_wrong_answer() -> None:
    with faulty_mock("PUT keeps omitted fields") as url:
        suite = run_suite(url, decision=FAULTS["PUT keeps omitted fields"][0])
        failure = suite.stdout.split("test_put_sets_every_omitted_field_to_null _", 1)[1]
        reported = re.findall(r"^< (\d{3}) ", failure.split("reproduce", 1)[0], re.MULTILINE)[-1]
        curl = failure.split("by hand", 1)[1].splitlines()[1].strip()
        assert curl.startswith("curl ")
        assert "${HOPDRIVE_TOKEN}" in curl
        again = subprocess.run(
            ["bash", "-c", curl],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "HOPDRIVE_TOKEN": "dev-token-a"},
        )
    status = again.stdout.split()[1]
    assert status == reported
    # The wrong answer itself: the PUT kept a member it should have cleared.
    assert '"vehicle_vin":"1HGBH41JXMN109186"' in again.stdout.replace(" ", "")
