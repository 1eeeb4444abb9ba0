"""The suite passes a conforming server it knows nothing about.

`tests/conforming/server.py` was written from the vendor's pages and the shared contract alone,
without reading the spec, the mock or the suite, and takes the other reading wherever they leave
room (updatedat null until the first write and written with `Z`, nulls refused in move bodies,
`manual: null` for a loaner nobody described, relative move URIs, `about:blank` problems, 404 for
a malformed path id, its own order of checks, location ids checked). The suite must pass it.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from testbeds import free_port, served
from testbeds.suite import run_suite

ROOT = Path(__file__).parents[2]


def test_the_suite_passes_a_server_written_apart_from_the_mock() -> None:
    # Location ids checked: the stricter reading of Q9 (the suite sends no others where it
    # expects acceptance, so the lenient reading passes whenever this one does).
    port = free_port()
    env = {**os.environ, "CONFORMING_KNOWN_LOCATIONS": "1"}
    command = [sys.executable, "-m", "tests.conforming.server", str(port)]
    with served(command, port, cwd=ROOT, env=env):
        result = run_suite(f"http://127.0.0.1:{port}/v1")
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"the suite failed a conforming server:\n{output[-4000:]}"
