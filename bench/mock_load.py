"""Load benchmark: the reference mock under a mixed workload, side by side with Prism.

Run from the repository root: `.venv/bin/python bench/mock_load.py [--seconds N]`.

The mock (`hopdrive-mock`, SQLite file store) and then Prism (`@stoplight/prism-cli` from
node_modules, mocking the public spec) each run in their own process pinned to CPU 0; the load
generator runs in a separate process pinned to CPU 1. It keeps a fixed number of requests in
flight over as many keep-alive connections and times every request with `time.perf_counter`.

The load generator is httpx's async client rather than wrk: httpx is already pinned in .venv
(nothing to install, nothing downloaded at run time), and the mixed workload chains requests
(PUT and PATCH need the id the POST answered, the PUT must leave the appointment `ready`), which
wrk could do only through Lua scripts. The price: httpx spends about 1 ms of CPU per request on
a 2-core VM, so one load core tops out near 1,000 req/s, below the mock's 1,500 req/s target.
The load process's own CPU use is therefore printed with each row: near 100 % of its core means
the client set the pace and that row's rate is a lower bound. Should a server approach that
ceiling, measure it with wrk (`apt-get install wrk`) instead.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import multiprocessing
import os
import platform
import signal
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import httpx

from contract_tests import examples
from contract_tests.target import Target
from generators.public import write_public
from mock_server.store import Store
from spec import Spec, load

ROOT = Path(__file__).resolve().parent.parent
MOCK = ROOT / ".venv" / "bin" / "hopdrive-mock"
PRISM = ROOT / "node_modules" / ".bin" / "prism"
PRISM_PACKAGE = ROOT / "node_modules" / "@stoplight" / "prism-cli" / "package.json"
HOST = "127.0.0.1"
TOKEN = "dev-token-a"  # the mock's default tenant holding rooftops 1234 and 42
SERVER_CPU = 0
LOAD_CPU = 1
WARMUP_SECONDS = 2.0
STARTUP_SECONDS = 60.0
STOP_SECONDS = 10.0
PROBE_COMMITS = 200
# Bodies with unique vehicles are made before timing; this many per second of run covers every
# chain rate seen on a 2-core machine, and Pool.take makes more should a run outpace it.
POOL_CHAINS_PER_SECOND = 600
PATCH_BODY = json.dumps({"driver_notes": "Load test: call on arrival"}).encode()
READY = "ready"
# CPU fractions above which a row is flagged: client-bound, or the server's core shared.
SATURATED = 0.9
CONTENDED = 0.1
TARGET_RATE = 1500.0
TARGET_P99_MS = 20.0
WORKLOADS = {
    "mixed": "mixed: POST+PUT+PATCH appt, 2 moves",
    "create": "create: POST appt + concierge",
}


@dataclass(frozen=True)
class Server:
    """A server to measure: how to start it and where it answers."""

    name: str
    command: list[str]
    base_url: str


@dataclass(frozen=True)
class Plan:
    """One table row to measure, handed to the load process."""

    workload: str
    server: str
    base_url: str
    server_pid: int
    concurrency: int
    warmup: float
    seconds: float


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


class Pool:
    """Bodies serialised ahead of time from a factory; more are made if a run outlasts them."""

    def __init__(self, factory: Callable[[], dict[str, Any]], size: int) -> None:
        self._factory = factory
        self._bodies = [_encode(factory()) for _ in range(size)]

    def take(self) -> bytes:
        """A body no earlier request of this run used."""
        return self._bodies.pop() if self._bodies else _encode(self._factory())


@dataclass(frozen=True)
class Bodies:
    """Every request body a workload sends, built from the contract suite's examples."""

    appointment: bytes
    replacement: bytes
    concierge: Pool
    round_trip: Pool

    @classmethod
    def build(cls, spec: Spec, pool_size: int) -> Bodies:
        """Bodies for the bundled mock's default dealer (the runner's Target defaults)."""
        # Only the base URL is required; the ids are the defaults the runner uses for the mock.
        target = Target.from_env({"HOPDRIVE_BASE_URL": f"http://{HOST}/v1"})
        return cls(
            appointment=_encode(examples.appointment(spec, target)),
            replacement=_encode(examples.replacement(spec, target)),
            # Unique vehicles: round trips ask for a duplicate check on the VIN (409 otherwise).
            concierge=Pool(lambda: examples.concierge(spec), pool_size),
            round_trip=Pool(lambda: examples.round_trip(spec, target), pool_size),
        )


@dataclass
class Recorder:
    """Latencies of requests completed inside the measured window, errors over the whole run."""

    window_start: float
    window_end: float
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    first_error: str = ""

    def add(self, start: float, ok: bool, detail: str) -> None:
        """Record a request that started at `start` and has just completed."""
        end = time.perf_counter()
        if not ok:
            self.errors += 1
            self.first_error = self.first_error or detail
        if self.window_start <= end <= self.window_end:
            self.latencies.append(end - start)


Chain = Callable[[httpx.AsyncClient, Bodies, Recorder], Awaitable[None]]


def _encode(body: dict[str, Any]) -> bytes:
    """A body as the JSON bytes sent on the wire."""
    return json.dumps(body).encode()


async def _send(
    client: httpx.AsyncClient,
    recorder: Recorder,
    method: str,
    url: str,
    body: bytes,
    want: str | None = None,
) -> httpx.Response | None:
    """Send one request and record it; the response if 2xx (and in status `want`), else None."""
    start = time.perf_counter()
    try:
        response = await client.request(method, url, content=body)
    except httpx.HTTPError as error:
        recorder.add(start, False, f"{method} {url}: {error!r}")
        return None
    ok = response.is_success and (want is None or response.json().get("status") == want)
    detail = "" if ok else f"{method} {url}: {response.status_code} {response.text[:300]}"
    recorder.add(start, ok, detail)
    return response if ok else None


async def _mixed(client: httpx.AsyncClient, bodies: Bodies, recorder: Recorder) -> None:
    """Create an appointment, complete it to `ready`, patch it, then create both move kinds."""
    created = await _send(client, recorder, "POST", "/appointments", bodies.appointment)
    if created is None:
        return
    url = f"/appointments/{created.json()['id']}"
    await _send(client, recorder, "PUT", url, bodies.replacement, want=READY)
    await _send(client, recorder, "PATCH", url, PATCH_BODY)
    await _send(client, recorder, "POST", "/concierge-loaner-moves", bodies.concierge.take())
    await _send(client, recorder, "POST", "/round-trip-moves", bodies.round_trip.take())


async def _create(client: httpx.AsyncClient, bodies: Bodies, recorder: Recorder) -> None:
    """The subset a stateless mock can answer: create an appointment and a concierge move."""
    await _send(client, recorder, "POST", "/appointments", bodies.appointment)
    await _send(client, recorder, "POST", "/concierge-loaner-moves", bodies.concierge.take())


CHAINS: dict[str, Chain] = {"mixed": _mixed, "create": _create}


async def _worker(plan: Plan, bodies: Bodies, recorder: Recorder, tls: ssl.SSLContext) -> None:
    """Run the chain back to back until the measured window ends: one request in flight."""
    # A client of one connection per worker: httpcore's shared pool rescans every connection
    # (a poll() each) whenever a request ends, which made one 32-connection pool cost ~1 ms of
    # client CPU per request and turned the load generator into the bottleneck.
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
    chain = CHAINS[plan.workload]
    async with httpx.AsyncClient(
        base_url=plan.base_url, headers=headers, limits=limits, timeout=30, verify=tls
    ) as client:
        while time.perf_counter() < recorder.window_end:
            await chain(client, bodies, recorder)


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


@dataclass(frozen=True)
class CpuMark:
    """CPU time of the server, of this process and of both cores at one instant."""

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
            load=time.process_time(),
            server_core=_core_busy_seconds(SERVER_CPU),
            load_core=_core_busy_seconds(LOAD_CPU),
        )


async def _mark_at(moment: float, server_pid: int) -> CpuMark:
    """Take a CPU mark when the measured window opens."""
    await asyncio.sleep(moment - time.perf_counter())
    return CpuMark.now(server_pid)


async def _drive(plan: Plan, bodies: Bodies) -> Result:
    """Warm up, then measure one row: `concurrency` workers, each on its keep-alive connection."""
    window_start = time.perf_counter() + plan.warmup
    recorder = Recorder(window_start, window_start + plan.seconds)
    # Plain HTTP never uses it, but each client would otherwise load the CA bundle (~35 ms).
    tls = ssl.create_default_context()
    opened = asyncio.create_task(_mark_at(window_start, plan.server_pid))
    workers = (_worker(plan, bodies, recorder, tls) for _ in range(plan.concurrency))
    await asyncio.gather(*workers)
    first, last = await opened, CpuMark.now(plan.server_pid)
    return _result(plan, recorder, first, last)


def _result(plan: Plan, recorder: Recorder, first: CpuMark, last: CpuMark) -> Result:
    """Summarise a recorder into a table row."""
    ordered = sorted(recorder.latencies)
    wall = last.wall - first.wall
    return Result(
        workload=plan.workload,
        server=plan.server,
        rate=len(ordered) / plan.seconds,
        p50_ms=_percentile(ordered, 0.50) * 1000,
        p99_ms=_percentile(ordered, 0.99) * 1000,
        errors=recorder.errors,
        first_error=recorder.first_error,
        server_cpu=(last.server - first.server) / wall,
        load_cpu=(last.load - first.load) / wall,
        server_core_busy=(last.server_core - first.server_core) / wall,
        load_core_busy=(last.load_core - first.load_core) / wall,
    )


def _percentile(ordered: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile of sorted values (NaN when there are none)."""
    if not ordered:
        return math.nan
    return ordered[max(1, math.ceil(fraction * len(ordered))) - 1]


def _load_process(plan: Plan, spec: Spec, results: Connection) -> None:
    """Entry point of the load process: pin to the load CPU, build bodies, measure, send back."""
    # Ctrl-C reaches the whole process group; the parent reports it and stops this process,
    # with a plain SIGTERM (this process must not inherit main()'s SIGTERM handler).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    os.sched_setaffinity(0, {LOAD_CPU})
    # httpcore tries `import sniffio` on every request; it is not installed, and a failed import
    # searches sys.path again each time (~0.2 ms). None in sys.modules makes it fail at once.
    sys.modules.setdefault("sniffio", None)  # type: ignore[arg-type]
    pool_size = int(POOL_CHAINS_PER_SECOND * (plan.warmup + plan.seconds))
    bodies = Bodies.build(spec, pool_size)
    results.send(asyncio.run(_drive(plan, bodies)))
    results.close()


def _measure(plan: Plan, spec: Spec) -> Result:
    """Measure one row in a separate load process and collect its result."""
    # fork: the child inherits the loaded spec instead of parsing it again.
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_load_process, args=(plan, spec, sender))
    process.start()
    sender.close()  # so recv() sees EOF if the child dies
    try:
        result = receiver.recv()
    except EOFError:
        raise RuntimeError(f"the load process for {plan.workload}/{plan.server} failed") from None
    finally:
        _stop_load(process)
    if not isinstance(result, Result):
        raise RuntimeError(f"the load process sent {result!r}")
    return result


def _stop_load(process: multiprocessing.process.BaseProcess) -> None:
    """Terminate the load process if it is still running, then kill it if it lingers."""
    if process.is_alive():
        process.terminate()
    process.join(STOP_SECONDS)
    if process.is_alive():
        process.kill()
        process.join()


def _free_port() -> int:
    """A loopback port nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


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
            _stop_server(process)


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


def _stop_server(process: subprocess.Popen[bytes]) -> None:
    """Terminate a server, then kill it if it does not exit in time."""
    if process.poll() is None:
        process.terminate()
    try:
        process.wait(timeout=STOP_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _mock_server(folder: Path) -> Server:
    """The reference mock on a free port with a fresh SQLite file."""
    port = _free_port()
    command = [str(MOCK), "--host", HOST, "--port", str(port)]
    command += ["--db", str(folder / "bench.db"), "--quiet"]
    return Server("mock", command, f"http://{HOST}:{port}/v1")


def _prism_server(folder: Path, spec: Spec) -> Server:
    """Prism mocking the public spec (no internal operations) on a free port."""
    port = _free_port()
    document = write_public(spec, folder)
    # `warn` silences Prism's per-request info log, as --quiet does the mock's access log.
    command = [str(PRISM), "mock", str(document), "-p", str(port), "-h", HOST, "-v", "warn"]
    # Prism serves the spec's paths at its root: it does not apply the servers' /v1 prefix.
    return Server("prism", command, f"http://{HOST}:{port}")


def _commit_ms(folder: Path) -> float:
    """Median wall time, in ms, of one write transaction through the mock's own SQLite Store."""
    # Every request in these workloads is a write the mock commits durably (fsync) before it
    # answers, so the disk's sync latency bounds its rate whatever the CPU; measure it here.
    store = Store(folder / "probe.db")
    durations = []
    try:
        for _ in range(PROBE_COMMITS):
            start = time.perf_counter()
            with store.transaction() as tx:
                tx.insert_appointment(1, {})
            durations.append(time.perf_counter() - start)
    finally:
        store.close()
    return statistics.median(durations) * 1000


def _measure_server(
    server: Server, workloads: Sequence[str], args: argparse.Namespace, spec: Spec, folder: Path
) -> list[Result]:
    """Run the server and measure each workload against it in turn."""
    results = []
    with _running(server, folder / f"{server.name}.log") as process:
        for workload in workloads:
            print(f"measuring {workload} on {server.name} ...", file=sys.stderr, flush=True)
            plan = Plan(
                workload=workload,
                server=server.name,
                base_url=server.base_url,
                server_pid=process.pid,
                concurrency=args.concurrency,
                warmup=WARMUP_SECONDS,
                seconds=args.seconds,
            )
            results.append(_measure(plan, spec))
    return results


def _row(cells: Sequence[str]) -> str:
    """One line of the table: text columns left-aligned, numbers right-aligned."""
    widths = (36, 6, 8, 7, 7, 6)
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
    commit_ms: float


def _report(results: Sequence[Result], args: argparse.Namespace, conditions: Conditions) -> None:
    """Print the machine, the table, the ratios and the targets."""
    prism_version = json.loads(PRISM_PACKAGE.read_text(encoding="utf-8"))["version"]
    print(f"HopDrive mock load benchmark, {conditions.started.isoformat(timespec='seconds')}")
    print(f"machine: {platform.platform()}, {os.cpu_count()} CPUs")
    print(f"python {platform.python_version()}, httpx {httpx.__version__}, prism {prism_version}")
    print(
        f"pinning: server process on CPU {SERVER_CPU}, load process on CPU {LOAD_CPU} "
        "(other processes on the machine are not kept off either)"
    )
    print(
        f"load: {args.concurrency} requests in flight over {args.concurrency} keep-alive "
        f"connections; warm-up {WARMUP_SECONDS:g} s, measured {args.seconds:g} s per row"
    )
    print()
    print(_row(["workload", "server", "req/s", "p50 ms", "p99 ms", "errors"]))
    print(_row(["-" * 36, "-" * 6, "-" * 8, "-" * 7, "-" * 7, "-" * 6]))
    for r in results:
        cells = [WORKLOADS[r.workload], r.server, f"{r.rate:,.0f}", f"{r.p50_ms:.1f}"]
        print(_row([*cells, f"{r.p99_ms:.1f}", str(r.errors)]))
    print()
    print("CPU use over the measured window (100 % = one core; busy = any process on that core):")
    for r in results:
        print(
            f"  {r.workload:<6} {r.server:<5}  server {r.server_cpu:4.0%} "
            f"(CPU {SERVER_CPU} busy {r.server_core_busy:4.0%})   "
            f"load generator {r.load_cpu:4.0%} (CPU {LOAD_CPU} busy {r.load_core_busy:4.0%})   "
            f"{_per_cpu_second(r):,.0f} req per server CPU-second"
        )
        for note in _cpu_notes(r):
            print(f"      ! {note}")
    print(
        f"disk: one durable write through the mock's Store takes {conditions.commit_ms:.2f} ms "
        f"(median of {PROBE_COMMITS}): at most {1000 / conditions.commit_ms:,.0f} writes/s "
        "while commits run one at a time"
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
    print()
    print(f"common subset ({WORKLOADS['create']}):")
    print(f"  mock/prism req/s   {rate_ratio:.2f}")
    print(f"  prism p99 / mock p99   {p99_ratio:.2f}")
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
        "--concurrency", type=int, default=32, help="requests in flight (default: %(default)s)"
    )
    return parser.parse_args(argv)


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
        with tempfile.TemporaryDirectory(prefix="hopdrive-bench-") as tmp:
            folder = Path(tmp)
            commit_ms = _commit_ms(folder)
            results = _measure_server(_mock_server(folder), list(WORKLOADS), args, spec, folder)
            results += _measure_server(_prism_server(folder, spec), ["create"], args, spec, folder)
    except RuntimeError as error:
        print(f"mock_load: error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("mock_load: interrupted; servers and load process stopped", file=sys.stderr)
        return 130
    print()
    _report(results, args, Conditions(started, commit_ms))
    return 0


if __name__ == "__main__":
    sys.exit(main())
