"""How many injected mock faults our contract suite catches versus plain Schemathesis, and how fast.

Run from anywhere as `.venv/bin/python bench/suite_sharpness.py [--faults NAME,...]`. Each fault of
testbeds/faults.py is served by a fresh mock process per tool, so neither tool sees
state the other left behind; a fault-free mock is run first as the control.
"""

from __future__ import annotations

import argparse
import codecs
import importlib
import json
import os
import platform
import re
import select
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

from contract_tests.processes import stop
from contract_tests.profiles import PROFILES
from testbeds import free_port, served

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
SPEC = ROOT / "spec" / "openapi.yaml"
REPORT = ROOT / "reports" / "bench" / "suite_sharpness.json"
TOKEN = "dev-token-a"
SEED = 1
CONTROL = "(control: no fault)"
FAULT_MODULE = "testbeds.faults"
# Progress characters pytest prints with -q; F and E mark a failed or erroring test.
PROGRESS = re.compile(r"[.sxXFE]+")
# What each tool says it found: our suite names the broken decision, Schemathesis a failure code.
NAMED_DECISION = re.compile(r"breaks (D\d+)\b")
FAILURE_CODE = re.compile(r"\b(ST\d{3})\b")


@dataclass(frozen=True)
class Run:
    """One tool's run against one mock."""

    outcome: str  # caught, missed, error or timeout
    exit_code: int | None  # None when the run was killed at the timeout
    wall_s: float
    first_failure_s: float | None  # None when no failure was seen in the run's stream
    found: list[str]  # the decisions ours named, or Schemathesis' failure codes
    output_tail: str

    @property
    def caught(self) -> bool:
        """Whether the run failed the server for a check, not for a setup error."""
        return self.outcome == "caught"

    @property
    def catch_s(self) -> float:
        """Seconds to the first failure, or the whole run when that moment was not seen."""
        return self.wall_s if self.first_failure_s is None else self.first_failure_s


@dataclass(frozen=True)
class Row:
    """Both tools' runs against one fault (or the control)."""

    fault: str
    decision: str
    ours: Run
    schemathesis: Run


@dataclass(frozen=True)
class Stream:
    """What a process wrote to stdout and stderr, chunk by chunk, with when it arrived."""

    exit_code: int | None
    wall_s: float
    started_at: float  # time.time() at launch, to compare with timestamps the tool records
    chunks: list[tuple[float, str]]

    @property
    def text(self) -> str:
        """The whole output."""
        return "".join(chunk for _, chunk in self.chunks)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the comparison, print the table and write it as JSON; 0 when both targets are met."""
    parser = argparse.ArgumentParser(
        description="Count the injected mock faults our suite and plain Schemathesis catch."
    )
    parser.add_argument(
        "--faults",
        default="",
        help="comma-separated fault names from testbeds/faults.py (default: all)",
    )
    parser.add_argument(
        "--profile",
        choices=sorted(PROFILES),
        default="default",
        help="our suite's profile (default: %(default)s)",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=300,
        help="seconds before one tool's run is killed (default: %(default)s)",
    )
    args = parser.parse_args(argv)
    catalogue = fault_catalogue()
    faults = [name.strip() for name in args.faults.split(",") if name.strip()] or list(catalogue)
    if unknown := [name for name in faults if name not in catalogue]:
        known = "\n  ".join(catalogue)
        parser.error(f"unknown fault(s) {unknown}; choose from:\n  {known}")
    # Each mock command has "{port}" where the free port goes.
    control = [str(BIN / "hopdrive-mock"), "--port", "{port}", "--db", ":memory:", "--quiet"]
    cases = [
        (CONTROL, "-", control),
        *(
            (name, catalogue[name], [sys.executable, "-m", FAULT_MODULE, name, "{port}"])
            for name in faults
        ),
    ]
    rows = []
    for index, (name, decision, mock) in enumerate(cases):
        _progress(f"[{index}/{len(faults)}] {name}: ours ...")
        with _mock(mock) as url:
            ours = run_ours(url, args.profile, args.timeout)
        _progress(f"[{index}/{len(faults)}] {name}: schemathesis ...")
        with _mock(mock) as url:
            plain = run_schemathesis(url, args.timeout)
        rows.append(Row(name, decision, ours, plain))
    met = report(rows, args.profile, args.timeout)
    return 0 if met else 1


def fault_catalogue() -> dict[str, str]:
    """Each fault's name and the decision it breaks, in the catalogue's order."""
    # Imported by name and narrowed here: a static import would make mypy check that test
    # module too, which is not held to --strict.
    faults = importlib.import_module(FAULT_MODULE).FAULTS
    return {str(name): str(decision) for name, (decision, _) in faults.items()}


def run_ours(url: str, profile: str, timeout: float) -> Run:
    """`hopdrive-contract` against `url`, with the first failing test's moment from its progress."""
    with tempfile.TemporaryDirectory(prefix="sharpness-ours-") as scratch:
        command = [
            str(BIN / "hopdrive-contract"),
            *("--base-url", url, "--profile", profile, "--seed", str(SEED)),
            # Kept out of reports/junit.xml, which `make test` and other runs own.
            *("--junit", str(Path(scratch) / "junit.xml")),
            "-q",
        ]
        stream = _stream(command, ROOT, {**_environment(), "HOPDRIVE_TEST_CONTROL": "1"}, timeout)
    return _judge(stream, _first_progress_failure(stream), NAMED_DECISION)


def run_schemathesis(url: str, timeout: float) -> Run:
    """Plain `schemathesis run` with its default checks against `url`.

    Its console only reports at the end of each phase, so the first failure's moment comes from
    the NDJSON event log it writes, which timestamps every finished scenario. 4.32.5 has no
    upload and no prompt, so no flag is needed to keep it non-interactive.
    """
    # A fresh directory per run: Schemathesis keeps a crash cache and a Hypothesis database in
    # its working directory and would replay one fault's failures against the next.
    with tempfile.TemporaryDirectory(prefix="sharpness-schemathesis-") as scratch:
        events = Path(scratch) / "events.ndjson"
        command = [
            str(BIN / "schemathesis"),
            *("run", str(SPEC), "--url", url, "-H", f"Authorization: Bearer {TOKEN}"),
            *("--seed", str(SEED), "--report", "ndjson", "--report-ndjson-path", str(events)),
        ]
        stream = _stream(command, Path(scratch), _environment(), timeout)
        first = _first_failed_scenario(events, stream.started_at)
    return _judge(stream, first, FAILURE_CODE)


def report(rows: Sequence[Row], profile: str, timeout: float) -> bool:
    """Print the table, totals and targets, write them as JSON; True when both targets are met."""
    control, faults = rows[0], rows[1:]
    ours_caught = sum(row.ours.caught for row in faults)
    plain_caught = sum(row.schemathesis.caught for row in faults)
    both = [row for row in faults if row.ours.caught and row.schemathesis.caught]
    ratios = [row.ours.catch_s / row.schemathesis.catch_s for row in both]
    ratio = statistics.median(ratios) if ratios else None
    named = sum(row.decision in row.ours.found for row in faults)
    # A failure code the clean mock also drew says nothing about the injected fault.
    new_codes = sum(
        row.schemathesis.caught
        and bool(set(row.schemathesis.found) - set(control.schemathesis.found))
        for row in faults
    )
    every = ours_caught == len(faults)
    # Plain Schemathesis fails even the clean mock, so only a new failure code counts as a catch.
    twice = ours_caught >= 2 * new_codes
    false_positives = [
        tool
        for tool, run in (("ours", control.ours), ("schemathesis", control.schemathesis))
        if run.caught
    ]
    now = datetime.now(UTC).astimezone()

    print(f"suite sharpness - {now:%Y-%m-%d %H:%M %Z}")
    print(f"machine: {platform.platform()}, {os.cpu_count()} CPUs")
    print(
        f"ours: hopdrive-contract --profile {profile} --seed {SEED} | plain: schemathesis "
        f"{version('schemathesis')} default checks, --seed {SEED} | per-run timeout {timeout:g} s"
    )
    print()
    print(_table(rows))
    print()
    print("s: seconds from launch to the first failure (ours: first F/E in pytest's progress;")
    print("   schemathesis: first failed scenario in its NDJSON events);")
    print("   * = failure moment not seen: whole run; (n) = nothing caught: whole run")
    if false_positives:
        print(f"! CONTROL FLAGGED: {' and '.join(false_positives)} failed the fault-free mock")
        print("  (false positive), so its catches below need not be the injected fault")
    print()
    total = len(faults)
    print(f"faults caught: ours {ours_caught}/{total}, schemathesis {plain_caught}/{total}")
    print(f"  ours naming the fault's decision: {named}/{total}")
    print(
        "  schemathesis with a failure code the control did not draw "
        f"({', '.join(control.schemathesis.found) or 'none'}): {new_codes}/{total}"
    )
    ratio_text = f"{ratio:.2f}" if ratio is not None else "n/a"
    print(
        f"time to catch, ours/schemathesis, median of per-fault ratios over the {len(both)} "
        f"faults both caught: {ratio_text}"
    )
    print(f"target: ours catches every fault: {_met(every)} ({ours_caught}/{total})")
    print(
        "target: ours catches at least twice as many as plain schemathesis "
        f"(its catches with a new failure code): {_met(twice)} ({ours_caught} vs 2 x {new_codes})"
    )

    REPORT.parent.mkdir(parents=True, exist_ok=True)
    document = {
        "date": now.isoformat(timespec="seconds"),
        "machine": {"platform": platform.platform(), "cpu_count": os.cpu_count()},
        "profile": profile,
        "seed": SEED,
        "timeout_s": timeout,
        "schemathesis_version": version("schemathesis"),
        "rows": [{**asdict(row), "control": row is control} for row in rows],
        "control_false_positives": false_positives,
        "totals": {
            "faults": len(faults),
            "ours_caught": ours_caught,
            "ours_named_the_decision": named,
            "schemathesis_caught": plain_caught,
            "schemathesis_caught_with_a_code_the_control_did_not_draw": new_codes,
            "median_per_fault_time_ratio_ours_over_schemathesis": ratio,
            "faults_both_caught": len(both),
        },
        "targets": {"ours_catches_every_fault": every, "ours_catches_twice_as_many": twice},
    }
    REPORT.write_text(json.dumps(document, indent=2) + "\n")
    print(f"written: {REPORT.relative_to(ROOT)}")
    return every and twice


def _table(rows: Sequence[Row]) -> str:
    header = ["fault", "decision", "ours caught", "ours s", "schemathesis caught", "schemathesis s"]
    cells = [header]
    for row in rows:
        cells.append(
            [
                row.fault,
                row.decision,
                *_cells(row.ours, flag=row.fault == CONTROL),
                *_cells(row.schemathesis, flag=row.fault == CONTROL),
            ]
        )
    widths = [max(len(line[i]) for line in cells) for i in range(len(header))]
    lines = [
        " | ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True))
        for line in cells
    ]
    lines.insert(1, "-+-".join("-" * width for width in widths))
    return "\n".join(line.rstrip() for line in lines)


def _cells(run: Run, *, flag: bool) -> tuple[str, str]:
    """The caught and seconds cells; `flag` marks a catch on the control as a false positive."""
    if run.outcome == "caught":
        marker = "" if run.first_failure_s is not None else "*"
        return ("YES (false positive)" if flag else "yes", f"{run.catch_s:.1f}{marker}")
    if run.outcome == "missed":
        return ("no", f"({run.wall_s:.1f})")
    verdict = "timeout" if run.exit_code is None else f"error (exit {run.exit_code})"
    return (verdict, f"({run.wall_s:.1f})")


def _met(target: bool) -> str:
    return "met" if target else "NOT met"


def _judge(stream: Stream, first_failure_s: float | None, found: re.Pattern[str]) -> Run:
    """A run's outcome from its exit code: caught (1), missed (0), timeout, or error."""
    # Both tools exit 1 for failed checks; 2 and up are usage, setup or internal errors.
    if stream.exit_code is None:
        outcome = "timeout"
    elif stream.exit_code == 1:
        outcome = "caught"
    elif stream.exit_code == 0:
        outcome = "missed"
    else:
        outcome = "error"
    return Run(
        outcome=outcome,
        exit_code=stream.exit_code,
        wall_s=round(stream.wall_s, 2),
        first_failure_s=None if first_failure_s is None else round(first_failure_s, 2),
        found=sorted(set(found.findall(stream.text))),
        output_tail=stream.text[-2000:],
    )


def _stream(command: list[str], cwd: Path, env: dict[str, str], timeout: float) -> Stream:
    """Run `command`, keeping its output in timestamped chunks; kill it after `timeout` seconds."""
    started_at = time.time()
    started = time.monotonic()
    process = subprocess.Popen(
        command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    chunks: list[tuple[float, str]] = []
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    exit_code: int | None = None
    try:
        if process.stdout is None:
            raise RuntimeError("no pipe to read the child's output from")
        descriptor = process.stdout.fileno()
        deadline = started + timeout
        while (remaining := deadline - time.monotonic()) > 0:
            ready, _, _ = select.select([descriptor], [], [], remaining)
            if not ready:
                continue
            data = os.read(descriptor, 65536)
            if not data:
                exit_code = process.wait(timeout=max(deadline - time.monotonic(), 0.1))
                break
            chunks.append((time.monotonic() - started, decoder.decode(data)))
    except subprocess.TimeoutExpired:
        exit_code = None
    finally:
        stop(process)
        if process.stdout is not None:
            process.stdout.close()
    return Stream(exit_code, time.monotonic() - started, started_at, chunks)


def _first_progress_failure(stream: Stream) -> float | None:
    """When pytest's -q progress first showed F or E; None if it never did."""
    line = ""
    for at, chunk in stream.chunks:
        for char in chunk:
            if char == "\n":
                line = ""
                continue
            line += char
            # The progress ends where pytest's summary sections, all headed by "=", begin.
            if line.startswith("="):
                return None
            if char in "FE" and PROGRESS.fullmatch(line):
                return at
    return None


def _first_failed_scenario(events: Path, started_at: float) -> float | None:
    """Seconds from launch to the first failed or erroring scenario in Schemathesis' NDJSON log."""
    if not events.exists():
        return None
    for line in events.read_text().splitlines():
        event = json.loads(line)
        finished = event.get("ScenarioFinished")
        if finished and finished.get("status") in {"failure", "error"}:
            return float(finished["timestamp"]) - started_at
    return None


@contextmanager
def _mock(command: list[str]) -> Iterator[str]:
    """The base URL of a fresh mock process served by `command` ("{port}" filled in)."""
    port = free_port()
    filled = [part.replace("{port}", str(port)) for part in command]
    with served(filled, port, cwd=ROOT, env=_environment()):
        yield f"http://127.0.0.1:{port}/v1"


def _environment() -> dict[str, str]:
    """This environment without HOPDRIVE_* settings, which would change what the tools judge."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOPDRIVE_")}
    # Children's output must arrive as it is written for the first failure to be timed.
    return {**env, "PYTHONUNBUFFERED": "1"}


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main())
