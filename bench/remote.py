"""The default profile against the bundled mock across a WAN on loopback, versus loopback itself.

Run as `.venv/bin/python bench/remote.py [--latency-ms 50] [--jitter-ms 10] [--rate 20]
[--server conforming]`. The server runs as a process; testbeds/wan.py puts a latency proxy
(and, for the last run, a per-token rate limit answered with 429 and Retry-After) before it;
the suite runs as `hopdrive-contract`, as a partner runs it. Every figure is a ratio to the
loopback run of the same invocation.
"""

from __future__ import annotations

import argparse
import json
import platform
import re
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from testbeds import free_port, mock_process, served, wan
from testbeds.suite import run_contract

ROOT = Path(__file__).resolve().parents[1]
REPORT = ROOT / "reports" / "bench" / "remote.json"
SEED = 7
# The suite's own summary line: requests, 429s and the time they held the run back.
FIGURES = re.compile(r"(\d+) requests, (\d+) answered 429 \(D24, waited out: ([0-9.]+) s")
OUTCOMES = re.compile(r"(\d+) (passed|failed|skipped|error)")
# The target: across the WAN, the default run at most this many times its loopback time.
TARGET_RATIO = 2.0


@dataclass(frozen=True)
class Measured:
    """One run of the suite."""

    name: str
    workers: str
    wall_s: float
    exit_code: int
    outcomes: dict[str, int]
    requests: int
    answered_429: int
    waited_s: float


def main(argv: Sequence[str] | None = None) -> int:
    """Run the four runs, print the table, write reports/bench/remote.json."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--jitter-ms", type=float, default=10.0)
    parser.add_argument("--rate", type=float, default=20.0, help="requests/s the limit allows")
    parser.add_argument("--profile", default="default")
    parser.add_argument(
        "--server",
        choices=("mock", "conforming"),
        default="mock",
        help="the bundled mock, or tests/conforming/server.py (written apart from the mock)",
    )
    args = parser.parse_args(argv)
    latency, jitter = args.latency_ms / 1000, args.jitter_ms / 1000
    runs: list[Measured] = []
    with _server(args.server) as direct:
        runs.append(_suite("loopback", direct, "auto", args.profile))
        with wan(direct, latency=latency, jitter=jitter, seed=SEED) as far:
            runs.append(_suite(f"{args.latency_ms:g} ms, one worker", far, "1", args.profile))
            runs.append(_suite(f"{args.latency_ms:g} ms, default", far, "auto", args.profile))
        with wan(direct, latency=latency, jitter=jitter, rate=args.rate, seed=SEED) as limited:
            name = f"{args.latency_ms:g} ms, {args.rate:g} req/s limit"
            runs.append(_suite(name, limited, "auto", args.profile))
    baseline = runs[0].wall_s
    print(f"{'run':<32} {'workers':>7} {'wall s':>7} {'x loopback':>10} {'429s':>5} {'failed':>6}")
    for run in runs:
        print(
            f"{run.name:<32} {run.workers:>7} {run.wall_s:>7.1f} {run.wall_s / baseline:>10.2f} "
            f"{run.answered_429:>5} {run.outcomes.get('failed', 0):>6}"
        )
    default, limited_run = runs[2], runs[3]
    met = default.wall_s / baseline <= TARGET_RATIO and all(run.exit_code == 0 for run in runs)
    print(
        f"target: default across the WAN <= {TARGET_RATIO:g}x loopback "
        f"({default.wall_s / baseline:.2f}x), no failure through the limit "
        f"({limited_run.outcomes.get('failed', 0)} failed): {'met' if met else 'NOT met'}"
    )
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    document = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"python": platform.python_version(), "processor": platform.processor()},
        "settings": vars(args),
        "runs": [asdict(run) for run in runs],
    }
    REPORT.write_text(json.dumps(document, indent=2) + "\n")
    return 0 if all(run.exit_code == 0 for run in runs) else 1


@contextmanager
def _server(kind: str) -> Iterator[str]:
    """The server to judge as a process, on fresh state: its base URL."""
    port = free_port()
    if kind == "conforming":
        # Run as a process from the checkout: the benchmarks import no tests.
        command = [sys.executable, "-m", "tests.conforming.server", str(port)]
        with served(command, port, cwd=ROOT):
            yield f"http://127.0.0.1:{port}/v1"
        return
    state = tempfile.TemporaryDirectory(prefix="bench-remote-")
    with state, mock_process(Path(state.name) / "mock.db", port):
        yield f"http://127.0.0.1:{port}/v1"


def _suite(name: str, url: str, workers: str, profile: str) -> Measured:
    """One run of the suite against `url`, timed from start to exit."""
    started = time.monotonic()
    result = run_contract(
        *("--base-url", url, "--profile", profile, "--seed", str(SEED), "--workers", workers),
        "-q",
        env={"HOPDRIVE_TEST_CONTROL": "1"},
        timeout=1800,
    )
    wall = time.monotonic() - started
    figures = FIGURES.search(result.stdout)
    requests, limited, waited = figures.groups() if figures else ("0", "0", "0")
    chosen = re.search(r", (\d+) workers?\)", result.stdout)
    return Measured(
        name=name,
        workers=chosen[1] if chosen else workers,
        wall_s=round(wall, 1),
        exit_code=result.returncode,
        outcomes={kind: int(count) for count, kind in OUTCOMES.findall(result.stdout)},
        requests=int(requests),
        answered_429=int(limited),
        waited_s=float(waited),
    )


if __name__ == "__main__":
    sys.exit(main())
