"""`hopdrive-contract`: run the contract suite against a base URL, or against the bundled mock."""

from __future__ import annotations

import argparse
import ipaddress
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from contract_tests import artifacts, coverage, junit, outcomes, preflight
from contract_tests.delivery import pace_figures
from contract_tests.errors import ContractError
from contract_tests.processes import free_port, stop
from contract_tests.profiles import PROFILE_ENV, PROFILES
from contract_tests.run import DEFAULT_TIMEOUT, MARK, Run
from contract_tests.scope import ALL, GROUPS
from contract_tests.target import Target
from hopdrive.command import run_command

SUITE = Path(__file__).parent
MOCK_COMMAND = "hopdrive-mock"
# What run_command gives a SetupError or TargetError; pytest has its own 2, "interrupted".
EXIT_SETUP = ContractError.exit_status
# The suite's processes on loopback (at most one per core) and across a network.
LOOPBACK_WORKERS = 2
REMOTE_WORKERS = 8
# Schemathesis is used as a library; the others come with the suite's dependencies.
UNUSED_PLUGINS = ("schemathesis", "anyio", "typeguard", "platformdirs", "xdist.looponfail")
# pytest's status for a failed check, which a run below --min-coverage ends with too.
FAILED = int(pytest.ExitCode.TESTS_FAILED)
# A first answer slower than this, even from loopback, is waited for like a remote one.
NEARBY_ROUND_TRIP = 0.005


class SetupError(ContractError):
    """The run cannot start: no server to test; `str()` is one line."""


def main(argv: Sequence[str] | None = None) -> int:
    """Run the suite; the return value is pytest's exit status (2 when it cannot start)."""
    parser = argparse.ArgumentParser(
        prog="hopdrive-contract",
        description=(
            "Judge a HopDrive dealer API server against the contract. Without a base URL the "
            "bundled mock is started on a free port, tested and stopped. "
            "Other arguments go to pytest."
        ),
    )
    parser.add_argument(
        "--base-url",
        default=os.environ.get("HOPDRIVE_BASE_URL", ""),
        help="server base URL including /v1 (default: $HOPDRIVE_BASE_URL, else the bundled mock)",
    )
    parser.add_argument(
        "--profile",
        choices=sorted(PROFILES),
        default=os.environ.get(PROFILE_ENV) or "default",
        help="how hard to try: quick (pre-commit), default, deep (nightly)",
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=int(os.environ["HOPDRIVE_SEED"]) if os.environ.get("HOPDRIVE_SEED") else None,
        help="Hypothesis seed, to repeat a run exactly (default: a new one, printed)",
    )
    parser.add_argument(
        "--mock-db",
        default="",
        help="the bundled mock's --db, e.g. a postgresql:// URL (default: a fresh SQLite file)",
    )
    parser.add_argument(
        "--mock-workers", type=int, default=1, help="the bundled mock's --workers (default: 1)"
    )
    parser.add_argument(
        "--workers",
        type=_workers,
        default=os.environ.get("HOPDRIVE_WORKERS") or AUTO,
        help="processes running checks side by side (default: auto, more for a remote base URL)",
    )
    parser.add_argument(
        "--rate-limit",
        type=_rate,
        default=None,
        metavar="N/s",
        help="send at most N requests a second, all workers together (default: no limit)",
    )
    parser.add_argument(
        "--timeout",
        type=_seconds,
        default=DEFAULT_TIMEOUT,
        help="seconds to wait for each answer before the run stops (default: %(default)s)",
    )
    parser.add_argument(
        "--require",
        type=_groups,
        default=frozenset(),
        metavar="GROUPS",
        help=(
            "fail, not skip, the checks of these groups when the server cannot take them: "
            f"all, or a comma list of {', '.join(GROUPS)}"
        ),
    )
    parser.add_argument(
        "--junit", default="reports/junit.xml", help="JUnit XML report path (default: %(default)s)"
    )
    parser.add_argument(
        "--min-coverage",
        type=_percent,
        default=None,
        metavar="PERCENT",
        help="fail the run when it covers less than PERCENT of what is reachable (default: none)",
    )
    parser.add_argument(
        "--coverage",
        default="reports/coverage.json",
        help="coverage report path; its .html page is written beside it (default: %(default)s)",
    )
    parser.add_argument(
        "--report",
        default="reports/report.html",
        help="the run's one-page report (default: %(default)s)",
    )
    parser.add_argument(
        "--created",
        default="reports/created.json",
        help="where the ids of every record the run created are written (default: %(default)s)",
    )
    return run_command(parser, _run, argv, rest="pytest_args")


AUTO = "auto"


def _workers(value: str) -> str | int:
    if value == AUTO:
        return AUTO
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"{value!r} is neither auto nor a positive count")
    return int(value)


def _rate(value: str) -> float:
    return _positive(value.removesuffix("/s"), f"{value!r} is no positive rate such as 20/s")


def _percent(value: str) -> float:
    number = _positive(value.removesuffix("%"), f"{value!r} is no percentage between 0 and 100")
    if number > 100:
        raise argparse.ArgumentTypeError(f"{value!r} is no percentage between 0 and 100")
    return number


def _seconds(value: str) -> float:
    return _positive(value, f"{value!r} is no positive number of seconds")


def _positive(value: str, refusal: str) -> float:
    try:
        number = float(value)
    except ValueError:
        number = 0.0
    if not 0 < number < float("inf"):
        raise argparse.ArgumentTypeError(refusal)
    return number


def _groups(value: str) -> frozenset[str]:
    names = frozenset(name.strip() for name in value.split(",") if name.strip())
    unknown = sorted(names - {ALL, *GROUPS})
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"{', '.join(unknown) or value!r}: choose all or among {', '.join(GROUPS)}"
        )
    return names


def workers_for(
    base_url: str, workers: str | int, round_trip: float, cores: int | None = None
) -> int:
    """How many processes run checks: the count asked for, or one that suits where the server is.

    A server on loopback that answers at once shares the cores with the suite, so more
    processes than cores only contend. Across a network (or anything that answers as slowly)
    each process mostly waits, so several per core keep the line busy.
    """
    if isinstance(workers, int):
        return workers
    cores = cores or os.cpu_count() or 1
    host = urlsplit(base_url).hostname or ""
    nearby = host == "localhost" or _is_loopback(host)
    if nearby and round_trip < NEARBY_ROUND_TRIP:
        return min(cores, LOOPBACK_WORKERS)
    return min(4 * cores, REMOTE_WORKERS)


def _run(args: argparse.Namespace) -> int:
    """Start the server if need be, check the target, and run pytest on the suite."""
    pytest_args: list[str] = args.pytest_args
    seed = args.seed if args.seed is not None else random.randrange(2**32)
    os.environ[PROFILE_ENV] = args.profile
    Path(args.junit).parent.mkdir(parents=True, exist_ok=True)
    Path(args.created).parent.mkdir(parents=True, exist_ok=True)
    # A path (or node id) chooses what runs; any other bare word is an option's value (`-k x`).
    selection = [arg for arg in pytest_args if Path(arg.split("::")[0]).exists()]
    command = [
        *(pytest_args if selection else [str(SUITE), *pytest_args]),
        "-p",
        "no:cacheprovider",
        # Plugins the suite does not use cost each worker their import, and the rewriting of
        # their packages' asserts (anyio's, under httpx) when bytecode is not written.
        *[arg for plugin in UNUSED_PLUGINS for arg in ("-p", f"no:{plugin}")],
        f"--hypothesis-seed={seed}",
        f"--junitxml={args.junit}",
        f"--rootdir={SUITE.parent}",
        # This module imported the package before pytest could rewrite it; the tests still are.
        "-W",
        "ignore::pytest.PytestAssertRewriteWarning",
    ]
    with _server(args.base_url, args.mock_db, args.mock_workers) as base_url:
        os.environ["HOPDRIVE_BASE_URL"] = base_url
        # Checked before pytest, so that a bad HOPDRIVE_* variable is one line, not a usage error.
        target = Target.from_env()
        findings = preflight.check(target, os.environ, args.timeout)
        if findings.notes:
            # What the first request found out goes to every process of the run.
            os.environ.update(HOPDRIVE_OTHER_TOKEN="", HOPDRIVE_OTHER_CUSTOMER_ID="")
        run = Run.begin(timeout=args.timeout, rate_limit=args.rate_limit, require=args.require)
        workers = workers_for(base_url, args.workers, findings.round_trip)
        # One test at a time to whichever worker is free: the order of the suite decides. One
        # worker is a worker process too: a check run in this process drew other examples
        # from the same seed than in a worker, so only workers make any count repeat another.
        command += ["-n", str(workers), "--dist", "load", "--maxschedchunk", "1"]
        print(
            f"hopdrive-contract: {base_url} (profile {args.profile}, hypothesis seed {seed}, "
            f"{workers} worker{'s' * (workers != 1)}); run id {run.id}",
            flush=True,
        )
        for note in findings.notes:
            print(f"hopdrive-contract: {note}", flush=True)
        started = datetime.now(UTC)
        try:
            status = int(pytest.main(command))
        finally:
            created = run.created()
            _write_created(Path(args.created), run, base_url, created)
            figures = pace_figures(run)
            properties = {
                MARK: run.id,
                "base_url": base_url,
                "profile": args.profile,
                "hypothesis_seed": str(seed),
                "workers": str(workers),
                **{name: str(value) for name, value in asdict(figures).items()},
            }
            junit.add_properties(Path(args.junit), properties)
            settings = {
                **properties,
                "started": started.isoformat(timespec="seconds"),
                "duration_s": round((datetime.now(UTC) - started).total_seconds(), 1),
                "min_coverage": "none" if args.min_coverage is None else args.min_coverage,
                "timeout_s": args.timeout,
                "rate_limit": "none" if args.rate_limit is None else f"{args.rate_limit:g}/s",
                "pytest_args": " ".join(pytest_args),
            }
            where = artifacts.Where(Path(args.coverage), Path(args.report))
            measured = artifacts.write(run, Target.from_env(), settings, figures, where)
            failed = outcomes.read(run).get("counts", {}).get("failed", 0)
            stopped = run.stopped()
            # What the workers shared is in reports/ now.
            shutil.rmtree(run.directory, ignore_errors=True)
        for line in coverage.summary(measured, where=str(where.coverage)):
            print(f"hopdrive-contract: {line}", flush=True)
        print(
            f"hopdrive-contract: pages: {where.coverage_html}, {where.report}; "
            f"coverage in {where.coverage}",
            flush=True,
        )
        counts = ", ".join(f"{len(ids)} {kind}" for kind, ids in created.items()) or "nothing"
        print(f"hopdrive-contract: run {run.id} created {counts}: {args.created}", flush=True)
        if stopped is not None:
            raise stopped
        if status == pytest.ExitCode.INTERRUPTED and failed and _stops_early(pytest_args):
            # xdist ends a run cut short by -x or --maxfail as interrupted; it failed checks.
            status = FAILED
        if args.min_coverage is not None and measured["percent"] < args.min_coverage:
            print(
                f"hopdrive-contract: coverage {measured['percent']}% is below "
                f"--min-coverage {args.min_coverage:g}%",
                flush=True,
            )
            return max(status, FAILED)
        return status


def _stops_early(pytest_args: Sequence[str]) -> bool:
    """Whether the pytest arguments end the run at a number of failures."""
    return any(arg in ("-x", "--exitfirst") or arg.startswith("--maxfail") for arg in pytest_args)


def _write_created(path: Path, run: Run, base_url: str, created: dict[str, list[int]]) -> None:
    """The cleanup file: which records on which server this run left behind."""
    document = {MARK: run.id, "base_url": base_url, **created}
    path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")


@contextmanager
def _server(base_url: str, mock_db: str, mock_workers: int) -> Iterator[str]:
    """The given base URL, or the bundled mock started for the run and stopped after it."""
    if base_url:
        if not base_url.startswith(("http://", "https://")):
            raise SetupError(f"base URL {base_url!r} is not an http(s) URL")
        yield base_url.rstrip("/")
        return
    mock = shutil.which(MOCK_COMMAND, path=str(Path(sys.executable).parent)) or shutil.which(
        MOCK_COMMAND
    )
    if mock is None:
        raise SetupError(f"no base URL given and {MOCK_COMMAND} is not installed")
    # The bundled mock offers the D15 test-control endpoint and holds the default tokens.
    os.environ.setdefault("HOPDRIVE_TEST_CONTROL", "1")
    with tempfile.TemporaryDirectory(prefix="hopdrive-contract-") as state:
        port = free_port()
        db = mock_db or str(Path(state) / "mock.db")
        process = subprocess.Popen(
            [mock, "--port", str(port), "--db", db, "--workers", str(mock_workers), "--quiet"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            url = f"http://127.0.0.1:{port}/v1"
            _wait_until_up(url, process)
            yield url
        finally:
            stop(process)


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _wait_until_up(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            err = process.stderr.read().decode(errors="replace") if process.stderr else ""
            lines = err.strip().splitlines()
            raise SetupError(f"the bundled mock exited: {lines[-1] if lines else 'no output'}")
        try:
            httpx.get(f"{url}/appointments", timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.05)
    raise SetupError("the bundled mock did not answer within 30 s")
