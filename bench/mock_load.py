"""Load benchmark: the reference mock under a mixed workload, side by side with Prism.

Run from the repository root: `.venv/bin/python bench/mock_load.py [--seconds N]`.

The mock (`hopdrive-mock`, SQLite file store) and then Prism (`@stoplight/prism-cli` from
node_modules, mocking the public spec) each run in their own process pinned to CPU 0; the load
generator, wrk (Debian's package; `make wrk` installs it), runs pinned to CPU 1. wrk keeps a
fixed number of keep-alive connections busy, one request in flight on each, and reports the
latency of every request from its HDR histogram. One more row, outside the targets, runs the
mock with `--fsync` (every answer waits for an fsync, so that a power cut loses nothing
answered): the difference from the default row is what that guarantee costs.

The workloads chain requests (PUT and PATCH need the id the POST answered), which wrk does
through `bench/chains.lua`: one connection per wrk thread, so a thread's Lua state follows its
connection's chain. Request bodies come from the contract suite's examples, written out here
as one Lua file per thread; the moves' vehicles must be new to the server, so every move body
is sent once. wrk, Lua chains included, needs about a fifth of its core at 2,500 req/s; the
async httpx client this script used before spent about 1 ms per request and so capped every
row near 1,000 req/s.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import platform
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import httpx

from contract_tests import examples
from contract_tests.processes import free_port, stop
from contract_tests.target import Target
from generators.public import write_public
from mock_server.store import Store
from spec import Spec, load

ROOT = Path(__file__).resolve().parent.parent
MOCK = ROOT / ".venv" / "bin" / "hopdrive-mock"
PRISM = ROOT / "node_modules" / ".bin" / "prism"
PRISM_PACKAGE = ROOT / "node_modules" / "@stoplight" / "prism-cli" / "package.json"
WRK = "wrk"
CHAINS_SCRIPT = Path(__file__).with_name("chains.lua")
HOST = "127.0.0.1"
TOKEN = "dev-token-a"  # the mock's default tenant holding rooftops 1234 and 42
SERVER_CPU = 0
LOAD_CPU = 1
WARMUP_SECONDS = 5.0
STARTUP_SECONDS = 60.0
PROBE_COMMITS = 200
# Move bodies are written before a run, enough for this rate (no server here comes near it);
# should a run outpace them, chains.lua reports it.
MAX_RATE = 6000
PATCH_BODY = {"driver_notes": "Load test: call on arrival"}
# CPU fractions above which a row is flagged: client-bound, or the server's core shared.
SATURATED = 0.9
CONTENDED = 0.1
FSYNC = "mock --fsync"
# (workload, server) of each table row; the --fsync row is outside the targets: the same mock
# answering each write only once it is fsynced, to show what power-cut durability costs.
ROWS = [("mixed", "mock"), ("create", "mock"), ("create", FSYNC), ("create", "prism")]
TARGET_RATE = 1500.0
TARGET_P99_MS = 20.0


@dataclass(frozen=True)
class Workload:
    """A chain of chains.lua: its label, requests per chain and the move pools it draws on."""

    label: str
    requests: int
    pools: tuple[str, ...]


WORKLOADS = {
    "mixed": Workload("mixed: POST+PUT+PATCH appt, 2 moves", 5, ("concierge", "round_trip")),
    "create": Workload("create: POST appt + concierge", 2, ("concierge",)),
}


@dataclass(frozen=True)
class Server:
    """A server to measure: how to start it and where it answers."""

    name: str
    command: list[str]
    base_url: str


@dataclass(frozen=True)
class Result:
    """One measured row; CPU use is in fractions of one core over the measured window."""

    workload: str
    server: str
    rate: float
    p50_ms: float
    p99_ms: float
    errors: int
    first_error: str
    server_cpu: float
    load_cpu: float
    server_core_busy: float
    load_core_busy: float

    @classmethod
    def median(cls, rounds: Sequence[Result]) -> Result:
        """One row from several rounds: each figure's median, errors summed over all."""

        def middle(figure: str) -> float:
            return float(statistics.median(getattr(r, figure) for r in rounds))

        figures = ["rate", "p50_ms", "p99_ms", "server_cpu", "load_cpu"]
        figures += ["server_core_busy", "load_core_busy"]
        return cls(
            workload=rounds[0].workload,
            server=rounds[0].server,
            errors=sum(r.errors for r in rounds),
            first_error=next((r.first_error for r in rounds if r.first_error), ""),
            **{figure: middle(figure) for figure in figures},
        )


def _lua_string(text: str) -> str:
    """A Lua string literal for ASCII text (json.dumps escapes everything else)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _write_bodies(
    spec: Spec, workload: Workload, prefix: Path, threads: int, seconds: float
) -> None:
    """One Lua file per wrk thread (PREFIX<n>.lua) with the bodies its chain sends."""
    # Only the base URL is required; the ids are the defaults the runner uses for the mock.
    target = Target.from_env({"HOPDRIVE_BASE_URL": f"http://{HOST}/v1"})
    factories = {
        "concierge": lambda: examples.concierge(spec),
        "round_trip": lambda: examples.round_trip(spec, target),
    }
    fixed = {
        "appointment": examples.appointment(spec, target),
        "replacement": examples.replacement(spec, target),
        "patch": PATCH_BODY,
    }
    per_thread = math.ceil(MAX_RATE * seconds / workload.requests / threads)
    for thread in range(threads):
        lines = [f"{name} = {_lua_string(json.dumps(body))}," for name, body in fixed.items()]
        for pool in workload.pools:
            made = (_lua_string(json.dumps(factories[pool]())) for _ in range(per_thread))
            lines.append(f"{pool} = {{\n" + ",\n".join(made) + "\n},")
        text = "return {\n" + "\n".join(lines) + "\n}\n"
        Path(f"{prefix}{thread}.lua").write_text(text, encoding="ascii")


@dataclass(frozen=True)
class Figures:
    """What one wrk run reported through chains.lua's done()."""

    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int
    first_error: str

    @classmethod
    def parse(cls, output: str) -> Figures:
        """Read the `bench KEY VALUE` lines of wrk's output."""
        values = dict(
            line.removeprefix("bench ").partition(" ")[::2]
            for line in output.splitlines()
            if line.startswith("bench ")
        )
        try:
            return cls(
                requests=int(values["requests"]),
                seconds=int(values["duration_us"]) / 1e6,
                p50_ms=int(values["p50_us"]) / 1000,
                p99_ms=int(values["p99_us"]) / 1000,
                errors=int(values["failures"]) + int(values["socket_errors"]),
                first_error=values["first_failure"],
            )
        except (KeyError, ValueError):
            raise RuntimeError(f"wrk printed no figures: {output.strip()[-300:]}") from None


def _wrk_version() -> str:
    """wrk's version line (`wrk debian/4.1.0-3+b2 [epoll] ...`), or a RuntimeError saying how
    to install it."""
    try:
        shown = subprocess.run([WRK, "--version"], capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise RuntimeError("wrk is not installed: `make wrk` installs Debian's package") from None
    return shown.stdout.splitlines()[0].split(" Copyright")[0] if shown.stdout else WRK


def _pin_to_load_cpu() -> None:
    """Restrict the calling process (wrk, before exec) to the load CPU."""
    os.sched_setaffinity(0, {LOAD_CPU})


def _wrk(base_url: str, workload: str, prefix: Path, connections: int, seconds: float) -> Figures:
    """Run wrk with one connection per thread for `seconds` and read its figures."""
    command = [WRK, f"-t{connections}", f"-c{connections}", f"-d{seconds:g}s", "--timeout", "30s"]
    command += ["-s", str(CHAINS_SCRIPT), base_url, "--", workload, str(prefix), TOKEN]
    finished = subprocess.run(
        command, capture_output=True, text=True, preexec_fn=_pin_to_load_cpu, check=False
    )
    if finished.returncode != 0:
        raise RuntimeError(f"wrk failed ({finished.returncode}): {finished.stderr.strip()[-300:]}")
    return Figures.parse(finished.stdout)


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far, from /proc."""
    stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii")
    # Fields after the command name, which may itself hold spaces; utime and stime are 14 and 15.
    fields = stat.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _core_busy_seconds(cpu: int) -> float:
    """Time a CPU has spent on anything (any process) but idling or waiting for I/O."""
    for line in Path("/proc/stat").read_text(encoding="ascii").splitlines():
        name, *ticks = line.split()
        if name == f"cpu{cpu}":
            values = [int(tick) for tick in ticks]
            # Columns: user nice system idle iowait irq softirq steal guest guest_nice; guest
            # time is already inside user and nice.
            return (sum(values[:8]) - values[3] - values[4]) / os.sysconf("SC_CLK_TCK")
    raise RuntimeError(f"/proc/stat has no cpu{cpu}")


def _children_cpu_seconds() -> float:
    """CPU time of every child this process has waited for: here, the wrk runs."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


@dataclass(frozen=True)
class CpuMark:
    """CPU time of the server, of the load generator and of both cores at one instant."""

    wall: float
    server: float
    load: float
    server_core: float
    load_core: float

    @classmethod
    def now(cls, server_pid: int) -> CpuMark:
        """Take the mark."""
        return cls(
            wall=time.perf_counter(),
            server=_cpu_seconds(server_pid),
            load=_children_cpu_seconds(),
            server_core=_core_busy_seconds(SERVER_CPU),
            load_core=_core_busy_seconds(LOAD_CPU),
        )


def _measure(
    server: Server,
    process: subprocess.Popen[bytes],
    workload: str,
    spec: Spec,
    prefix: Path,
    args: argparse.Namespace,
) -> Result:
    """Warm the server up with one wrk run, then measure a second one."""
    chain = WORKLOADS[workload]
    warm, measured = Path(f"{prefix}warm-"), Path(f"{prefix}run-")
    _write_bodies(spec, chain, warm, args.concurrency, WARMUP_SECONDS)
    _wrk(server.base_url, workload, warm, args.concurrency, WARMUP_SECONDS)
    _write_bodies(spec, chain, measured, args.concurrency, args.seconds)
    first = CpuMark.now(process.pid)
    figures = _wrk(server.base_url, workload, measured, args.concurrency, args.seconds)
    last = CpuMark.now(process.pid)
    # wrk's own measured time: the marks also span its start-up, reading the body files.
    wall = figures.seconds
    return Result(
        workload=workload,
        server=server.name,
        rate=figures.requests / figures.seconds,
        p50_ms=figures.p50_ms,
        p99_ms=figures.p99_ms,
        errors=figures.errors,
        first_error=figures.first_error,
        server_cpu=(last.server - first.server) / wall,
        load_cpu=(last.load - first.load) / wall,
        server_core_busy=(last.server_core - first.server_core) / wall,
        load_core_busy=(last.load_core - first.load_core) / wall,
    )


def _pin_to_server_cpu() -> None:
    """Restrict the calling process to the server CPU."""
    # Runs in the child before exec, so every thread the server starts later inherits the mask;
    # pinning by pid after start would miss threads Node starts at once (V8, libuv).
    os.sched_setaffinity(0, {SERVER_CPU})


@contextmanager
def _running(server: Server, log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """Start the server pinned to the server CPU, wait until it answers, stop it afterwards."""
    with log.open("wb") as stderr:
        process = subprocess.Popen(
            server.command,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            preexec_fn=_pin_to_server_cpu,
        )
        try:
            _wait_until_up(server, process, log)
            yield process
        finally:
            stop(process)


def _wait_until_up(server: Server, process: subprocess.Popen[bytes], log: Path) -> None:
    """Poll until the server answers any HTTP response."""
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = log.read_text(errors="replace").strip().splitlines()[-3:]
            raise RuntimeError(f"{server.name} exited at start-up: {' / '.join(tail)}")
        try:
            httpx.get(server.base_url + "/appointments", timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise RuntimeError(f"{server.name} did not answer within {STARTUP_SECONDS:.0f} s")


def _mock_server(name: str, db: str, *options: str) -> Server:
    """The reference mock on a free port with the database `db`."""
    port = free_port()
    command = [str(MOCK), "--host", HOST, "--port", str(port), "--db", db, "--quiet", *options]
    return Server(name, command, f"http://{HOST}:{port}/v1")


def _prism_server(folder: Path, spec: Spec) -> Server:
    """Prism mocking the public spec (no internal operations) on a free port."""
    port = free_port()
    document = write_public(spec, folder)
    # `warn` silences Prism's per-request info log, as --quiet does the mock's access log.
    command = [str(PRISM), "mock", str(document), "-p", str(port), "-h", HOST, "-v", "warn"]
    # Prism serves the spec's paths at its root: it does not apply the servers' /v1 prefix.
    return Server("prism", command, f"http://{HOST}:{port}")


def _durable_write_ms(folder: Path) -> float:
    """Median wall time, in ms, of one write made durable alone through the mock's Store."""
    # With --fsync the mock answers a write only once an fsync covers it: the disk's sync
    # latency is the least a write request can take, however many share that fsync.
    store = Store(folder / "probe.db", fsync=True)

    async def probe() -> list[float]:
        durations = []
        for _ in range(PROBE_COMMITS):
            start = time.perf_counter()
            with store.transaction() as tx:
                tx.insert_appointment(1, {})
            await store.durable()
            durations.append(time.perf_counter() - start)
        return durations

    try:
        return statistics.median(asyncio.run(probe())) * 1000
    finally:
        store.close()


def _measure_rows(
    servers: Sequence[Server], args: argparse.Namespace, spec: Spec, folder: Path
) -> list[Result]:
    """Start every server, then measure every row once per round, the rows interleaved.

    The host's speed drifts by tens of percent over minutes; measuring the rows in turn, round
    after round, and keeping each row's median lets that drift reach them all alike.
    """
    by_name = {server.name: server for server in servers}
    measured: dict[tuple[str, str], list[Result]] = {row: [] for row in ROWS}
    with ExitStack() as running:
        processes = {
            server.name: running.enter_context(_running(server, folder / f"server-{index}.log"))
            for index, server in enumerate(servers)
        }
        for number in range(1, args.rounds + 1):
            for row, (workload, name) in enumerate(ROWS):
                print(
                    f"round {number}/{args.rounds}: {workload} on {name} ...",
                    file=sys.stderr,
                    flush=True,
                )
                prefix = folder / f"bodies-round{number}-row{row}-"
                result = _measure(by_name[name], processes[name], workload, spec, prefix, args)
                measured[workload, name].append(result)
    return [Result.median(results) for results in measured.values()]


def _row(cells: Sequence[str]) -> str:
    """One line of the table: text columns left-aligned, numbers right-aligned."""
    widths = (36, 15, 8, 7, 7, 6)
    return " | ".join(
        cell.ljust(w) if i < 2 else cell.rjust(w)
        for i, (cell, w) in enumerate(zip(cells, widths, strict=True))
    )


def _cpu_notes(result: Result) -> list[str]:
    """Warnings that a row measured something other than the server alone on its core."""
    notes = []
    if result.load_cpu >= SATURATED:
        notes.append("the load generator saturated its core: this rate is a lower bound")
    others = result.server_core_busy - result.server_cpu
    if others >= CONTENDED:
        notes.append(
            f"other processes used {others:.0%} of CPU {SERVER_CPU}: the server was starved"
        )
    return notes


def _per_cpu_second(result: Result) -> float:
    """Requests answered per second of server CPU: what one whole core could do at most."""
    # An upper bound, not a measurement: it ignores time the server waits without using CPU.
    return result.rate / result.server_cpu if result.server_cpu else math.nan


def _verdict(met: bool) -> str:
    """How a target's outcome is printed."""
    return "met" if met else "MISSED"


@dataclass(frozen=True)
class Conditions:
    """What the run was measured under, for the report's header."""

    started: datetime
    durable_write_ms: float
    wrk_version: str


def _report(results: Sequence[Result], args: argparse.Namespace, conditions: Conditions) -> None:
    """Print the machine, the table, the ratios and the targets."""
    prism_version = json.loads(PRISM_PACKAGE.read_text(encoding="utf-8"))["version"]
    print(f"HopDrive mock load benchmark, {conditions.started.isoformat(timespec='seconds')}")
    print(f"machine: {platform.platform()}, {os.cpu_count()} CPUs")
    print(f"python {platform.python_version()}, prism {prism_version}, {conditions.wrk_version}")
    print(
        f"pinning: server process on CPU {SERVER_CPU}, wrk on CPU {LOAD_CPU} "
        "(other processes on the machine are not kept off either)"
    )
    print(
        f"load: wrk, {args.concurrency} keep-alive connections with one request in flight each; "
        f"warm-up {WARMUP_SECONDS:g} s, measured {args.seconds:g} s per row and round; "
        f"the median of {args.rounds} interleaved rounds"
    )
    print()
    print(_row(["workload", "server", "req/s", "p50 ms", "p99 ms", "errors"]))
    print(_row(["-" * 36, "-" * 15, "-" * 8, "-" * 7, "-" * 7, "-" * 6]))
    for r in results:
        cells = [WORKLOADS[r.workload].label, r.server, f"{r.rate:,.0f}", f"{r.p50_ms:.1f}"]
        print(_row([*cells, f"{r.p99_ms:.1f}", str(r.errors)]))
    print()
    print("CPU use over the measured window (100 % = one core; busy = any process on that core):")
    for r in results:
        print(
            f"  {r.workload:<6} {r.server:<15} server {r.server_cpu:4.0%} "
            f"(CPU {SERVER_CPU} busy {r.server_core_busy:4.0%})   "
            f"load generator {r.load_cpu:4.0%} (CPU {LOAD_CPU} busy {r.load_core_busy:4.0%})   "
            f"{_per_cpu_second(r):,.0f} req per server CPU-second"
        )
        for note in _cpu_notes(r):
            print(f"      ! {note}")
    print(
        f"disk: one write made durable alone (--fsync) through the mock's Store takes "
        f"{conditions.durable_write_ms:.2f} ms (median of {PROBE_COMMITS}); under load one fsync "
        "covers every write committed while the previous one ran"
    )
    for r in results:
        if r.errors:
            print(f"first error, {r.workload} on {r.server}: {r.first_error}")
    _report_comparison(results)


def _report_comparison(results: Sequence[Result]) -> None:
    """Print the mock/Prism ratios on the common subset and whether each target was met."""
    by_row = {(r.workload, r.server): r for r in results}
    mixed, mock, prism = (
        by_row["mixed", "mock"],
        by_row["create", "mock"],
        by_row["create", "prism"],
    )
    rate_ratio = mock.rate / prism.rate
    p99_ratio = prism.p99_ms / mock.p99_ms
    synced = by_row["create", FSYNC]
    print()
    print(f"common subset ({WORKLOADS['create'].label}):")
    print(f"  mock/prism req/s   {rate_ratio:.2f}")
    print(f"  prism p99 / mock p99   {p99_ratio:.2f}")
    print(
        f"  with --fsync (no answer before its fsync): mock/prism req/s "
        f"{synced.rate / prism.rate:.2f}, prism p99 / mock p99 {prism.p99_ms / synced.p99_ms:.2f}"
    )
    print()
    print("targets (mixed workload on the mock unless noted):")
    print(
        f"  >= {TARGET_RATE:,.0f} req/s on one core: {mixed.rate:,.0f} req/s  "
        f"{_verdict(mixed.rate >= TARGET_RATE)}  (ceiling with the whole core: "
        f"{_per_cpu_second(mixed):,.0f})"
    )
    print(
        f"  p99 < {TARGET_P99_MS:g} ms: {mixed.p99_ms:.1f} ms  "
        f"{_verdict(mixed.p99_ms < TARGET_P99_MS)}"
    )
    ahead = rate_ratio > 1 and p99_ratio > 1
    print(
        f"  ahead of Prism (common subset: more req/s and lower p99): "
        f"x{rate_ratio:.2f} req/s, x{p99_ratio:.2f} p99  {_verdict(ahead)}"
    )
    errors = sum(r.errors for r in results)
    print(f"  no errors: {errors} error(s)  {_verdict(errors == 0)}")


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    """The command line's options."""
    parser = argparse.ArgumentParser(
        description="Measure the reference mock under load, side by side with Prism."
    )
    parser.add_argument(
        "--seconds",
        type=float,
        default=10.0,
        help="measured seconds per row (default: %(default)s)",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="rounds of every row, each row's median reported (default: %(default)s)",
    )
    parser.add_argument(
        "--concurrency",
        type=int,
        # Enough to keep the mock's core busy (~95 %); more connections only add queueing.
        default=8,
        help="connections, each with one request in flight (default: %(default)s)",
    )
    args = parser.parse_args(argv)
    if args.seconds <= 0 or args.rounds < 1 or args.concurrency < 1:
        parser.error("--seconds must be above 0, --rounds and --concurrency at least 1")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Run every row and print the report; the exit status is 1 if a server could not run."""
    args = _arguments(argv)
    if not {SERVER_CPU, LOAD_CPU} <= os.sched_getaffinity(0):
        print(f"mock_load: needs CPUs {SERVER_CPU} and {LOAD_CPU}", file=sys.stderr)
        return 1
    # SIGTERM (a CI cancel, `timeout`) takes the same path as Ctrl-C, so children are stopped.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    # This orchestrating process stays off the server's CPU too.
    os.sched_setaffinity(0, {LOAD_CPU})
    started = datetime.now().astimezone()
    spec = load()
    try:
        wrk_version = _wrk_version()
        with tempfile.TemporaryDirectory(prefix="hopdrive-bench-") as tmp:
            folder = Path(tmp)
            durable_write_ms = _durable_write_ms(folder)
            servers = [
                _mock_server("mock", str(folder / "bench.db")),
                _mock_server(FSYNC, str(folder / "bench-fsync.db"), "--fsync"),
                _prism_server(folder, spec),
            ]
            results = _measure_rows(servers, args, spec, folder)
    except RuntimeError as error:
        print(f"mock_load: error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("mock_load: interrupted; servers and wrk stopped", file=sys.stderr)
        return 130
    print()
    _report(results, args, Conditions(started, durable_write_ms, wrk_version))
    return 0


if __name__ == "__main__":
    sys.exit(main())
