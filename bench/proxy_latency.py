"""Latency benchmark: what `hopdrive-proxy` adds before the bundled mock on loopback, vs direct."""

from __future__ import annotations

import argparse
import os
import platform
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx

from contract_tests.examples import moment, seed_example
from contract_tests.processes import free_port, stop
from spec import Spec, load
from testbeds import mock_process

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
TOKEN = "dev-token-a"  # the mock's default tenant holding rooftops 1234 and 42
HEADERS = {"Authorization": f"Bearer {TOKEN}"}
PATCH_BODY = {"driver_notes": "Latency bench: call on arrival"}
STARTUP_SECONDS = 60.0
# A round trip on loopback takes a few ms; an answer this late means a server is stuck.
REQUEST_TIMEOUT = 30.0
TARGET_P50_ADDED_MS = 2.0
DIRECT, PROXIED = "direct", "proxied"
# Each round's requests: (label, method, expected status); the PATCH and PUT use the POST's id.
OPERATIONS = (
    ("POST /v1/appointments", "POST", 201),
    ("PATCH /v1/appointments/{id}", "PATCH", 200),
    ("PUT /v1/appointments/{id}", "PUT", 200),
)
OVERALL = "overall"


@dataclass
class Timings:
    """Latencies in ms per (operation, path), and the answers that were not the expected ones."""

    samples: dict[tuple[str, str], list[float]] = field(default_factory=dict)
    unexpected: list[str] = field(default_factory=list)

    def add(self, operation: str, path: str, ms: float) -> None:
        """Record one request's latency."""
        self.samples.setdefault((operation, path), []).append(ms)

    def of(self, operation: str, path: str) -> list[float]:
        """The latencies of one operation on one path, or of every operation with OVERALL."""
        if operation != OVERALL:
            return self.samples.get((operation, path), [])
        return [ms for (_, p), values in self.samples.items() if p == path for ms in values]


def _percentile(values: Sequence[float], percent: int) -> float:
    """The `percent`th percentile (linear interpolation between the closest ranks)."""
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[percent - 1]


def _proxy_command(upstream: str, port: int, log: Path) -> list[str]:
    """The proxy's command: its console script if installed, else its main() from the checkout."""
    options = ["--upstream", upstream, "--host", HOST, "--port", str(port), "--log", str(log)]
    script = Path(sys.executable).with_name("hopdrive-proxy")
    if script.exists():
        return [str(script), *options]
    # Without `pip install -e .` since the proxy was added there is no console script, and
    # proxy/cli.py has no __main__ guard for `python -m`.
    call = "import sys; from proxy.cli import main; sys.exit(main())"
    return [sys.executable, "-c", call, *options]


def _wait_until_up(
    url: str, process: subprocess.Popen[bytes], stderr: Path, probe: dict[str, Any]
) -> None:
    """Poll until `url` answers a creation; fail if the process exits or takes too long."""
    # The API has no GET: the probe is a creation like the rounds', so that even it keeps the
    # contract (a GET /appointments is a client violation, D3). Refused connections send none.
    deadline = time.monotonic() + STARTUP_SECONDS
    while True:
        try:
            httpx.post(f"{url}/appointments", json=probe, headers=HEADERS, timeout=REQUEST_TIMEOUT)
            return
        except httpx.TransportError:
            if process.poll() is not None:
                tail = stderr.read_text(errors="replace").strip().splitlines()[-3:]
                raise RuntimeError(f"the proxy exited at start-up: {' / '.join(tail)}") from None
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"the proxy did not answer within {STARTUP_SECONDS:.0f} s"
                ) from None
            time.sleep(0.1)


@dataclass
class ProxyRun:
    """The proxy's process and what it left behind once stopped."""

    url: str
    process: subprocess.Popen[bytes]
    log: Path
    stderr: Path
    exit_status: int | None = None

    def violations(self) -> list[str]:
        """The JSON lines the proxy logged: one per violation."""
        return [line for line in self.log.read_text(encoding="utf-8").splitlines() if line]

    def summary(self) -> str:
        """The proxy's totals line from its exit summary (`N exchanges: ...`), or ''."""
        lines = self.stderr.read_text(errors="replace").splitlines()
        return next((line for line in lines if " exchanges: " in line), "")


@contextmanager
def _proxy(upstream: str, folder: Path, probe: dict[str, Any]) -> Iterator[ProxyRun]:
    """The proxy before `upstream`, logging to a file in `folder`, ready once it answers the
    creation `probe`; stopped (SIGTERM) after."""
    port = free_port()
    log, stderr = folder / "violations.jsonl", folder / "proxy.stderr"
    log.touch()
    with stderr.open("wb") as errors:
        process = subprocess.Popen(
            _proxy_command(upstream, port, log),
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=errors,
        )
        run = ProxyRun(f"http://{HOST}:{port}/v1", process, log, stderr)
        try:
            _wait_until_up(run.url, process, stderr, probe)
            yield run
        finally:
            # SIGTERM first: the proxy writes its summary and exits 0 or 1 on it.
            stop(process)
            run.exit_status = process.returncode


@dataclass(frozen=True)
class Bodies:
    """The seed examples the rounds send, appointment times a month ahead."""

    create: dict[str, Any]
    replace: dict[str, Any]

    @classmethod
    def of(cls, spec: Spec) -> Bodies:
        """The bodies from the spec's seed examples."""
        # A month ahead, so that the appointment can still be changed when the PUT comes.
        create = {**seed_example(spec, "createAppointment"), "appointment_time": moment(30)}
        replace = {**seed_example(spec, "replaceAppointment"), "appointment_time": moment(30)}
        return cls(create, replace)


def _timed(
    client: httpx.Client, method: str, url: str, body: dict[str, Any]
) -> tuple[float, httpx.Response]:
    """Send one request, its answer read whole: the wall time in ms, and the answer."""
    start = time.perf_counter()
    response = client.request(method, url, json=body)
    return (time.perf_counter() - start) * 1000, response


def _chain(client: httpx.Client, path: str, bodies: Bodies, timings: Timings | None) -> None:
    """One appointment's POST, PATCH and PUT on one path; timed into `timings` unless None."""
    (create, _, created), (patch, _, patched), (replace, _, replaced) = OPERATIONS
    ms, answer = _timed(client, "POST", "/appointments", bodies.create)
    if answer.status_code != created:
        # Without an id the rest of the chain cannot run: this is no figure but a broken bench.
        raise RuntimeError(f"{path} {create} answered {answer.status_code}: {answer.text[:300]}")
    if timings is not None:
        timings.add(create, path, ms)
    item = f"/appointments/{answer.json()['id']}"
    for label, method, body, expected in (
        (patch, "PATCH", PATCH_BODY, patched),
        (replace, "PUT", bodies.replace, replaced),
    ):
        ms, answer = _timed(client, method, item, body)
        if answer.status_code != expected:
            # The latency of a refusal is not the latency of the work: kept out of the figures.
            if timings is not None:
                timings.unexpected.append(f"{path} {label}: {answer.status_code} {answer.text}")
            continue
        if timings is not None:
            timings.add(label, path, ms)


def _measure(direct: str, proxied: str, bodies: Bodies, args: argparse.Namespace) -> Timings:
    """Warm-up rounds, then the measured ones, the two paths' order alternating per round."""
    timings = Timings()
    options: dict[str, Any] = {"headers": HEADERS, "timeout": REQUEST_TIMEOUT, "trust_env": False}
    with (
        httpx.Client(base_url=direct, **options) as straight,
        httpx.Client(base_url=proxied, **options) as through,
    ):
        # Both paths in every round, the first one alternating: the host's speed drifts over
        # seconds, and this way the drift reaches both alike.
        paths = [(DIRECT, straight), (PROXIED, through)]
        for number in range(args.warmup + args.requests):
            counted = timings if number >= args.warmup else None
            for path, client in paths if number % 2 == 0 else paths[::-1]:
                _chain(client, path, bodies, counted)
    return timings


def _report(timings: Timings) -> float:
    """Print each operation's and the overall figures; return the overall p50 added, in ms."""
    added_p50 = 0.0
    for operation in [label for label, _, _ in OPERATIONS] + [OVERALL]:
        direct, proxied = timings.of(operation, DIRECT), timings.of(operation, PROXIED)
        if not direct or not proxied:
            print(f"{operation:<28} no answer to measure")
            continue
        for percent in (50, 99):
            straight, through = _percentile(direct, percent), _percentile(proxied, percent)
            print(
                f"{operation:<28} p{percent}  direct {straight:6.2f} ms  proxied {through:6.2f} ms"
                f"  added {through - straight:+6.2f} ms  proxied/direct x{through / straight:.2f}"
                f"  ({len(direct)}/{len(proxied)} requests)"
            )
            if operation == OVERALL and percent == 50:
                added_p50 = through - straight
    return added_p50


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    """The command line's options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--requests",
        type=int,
        default=1000,
        help="measured rounds: each sends every operation once per path (default: %(default)s)",
    )
    parser.add_argument(
        "--warmup",
        type=int,
        default=50,
        help="rounds sent first and not counted (default: %(default)s)",
    )
    args = parser.parse_args(argv)
    if args.requests < 1 or args.warmup < 0:
        parser.error("--requests must be at least 1, --warmup at least 0")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Measure and print; 1 if the bench could not run or the proxy logged a violation."""
    args = _arguments(argv)
    # SIGTERM (a CI cancel, `timeout`) takes the same path as Ctrl-C, so children are stopped.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    started = datetime.now().astimezone()
    wall = time.monotonic()
    spec = load()
    bodies = Bodies.of(spec)
    try:
        with tempfile.TemporaryDirectory(prefix="hopdrive-bench-proxy-") as tmp:
            folder = Path(tmp)
            port = free_port()
            direct = f"http://{HOST}:{port}/v1"
            with (
                mock_process(":memory:", port, "--workers", "1"),
                _proxy(direct, folder, bodies.create) as proxy,
            ):
                timings = _measure(direct, proxy.url, bodies, args)
            violations, summary = proxy.violations(), proxy.summary()
    except KeyboardInterrupt:
        print("proxy_latency: interrupted; the mock and the proxy stopped", file=sys.stderr)
        return 130
    except RuntimeError as error:
        print(f"proxy_latency: error: {error}", file=sys.stderr)
        return 1
    print(f"HopDrive proxy latency benchmark, {started.isoformat(timespec='seconds')}")
    print(
        f"machine: {platform.platform()}, {os.cpu_count()} CPUs, python {platform.python_version()}"
    )
    print(
        f"load: {args.requests} measured rounds after {args.warmup} warm-up rounds; each round "
        "a POST, PATCH and PUT direct to the mock and through the proxy, one keep-alive "
        "connection per path, one request in flight, the paths' order alternating"
    )
    added_p50 = _report(timings)
    print(f"unexpected answers: {len(timings.unexpected)}")
    for answer in timings.unexpected[:3]:
        print(f"  {answer[:300]}")
    print(f"proxy violations logged: {len(violations)}")
    for line in violations[:3]:
        print(f"  {line[:300]}")
    if summary:
        print(f"proxy summary: {summary.removeprefix('hopdrive-proxy: ')}")
    print(f"proxy exit status: {proxy.exit_status}")
    verdict = "met" if added_p50 < TARGET_P50_ADDED_MS else "MISSED"
    print(
        f"target: p50 added under {TARGET_P50_ADDED_MS:g} ms: {added_p50:+.2f} ms  {verdict}  "
        f"(took {time.monotonic() - wall:.1f} s)"
    )
    # Timings are information only. The traffic keeps the contract, so a violation (or an
    # answer the mock should not give) means the proxy or the mock is wrong.
    return 1 if violations or timings.unexpected else 0


if __name__ == "__main__":
    sys.exit(main())
