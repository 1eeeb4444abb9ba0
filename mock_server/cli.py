"""`hopdrive-mock`: serve the reference mock over HTTP."""

from __future__ import annotations

import argparse
import gc
import json
import logging
import os
import socket
import sys
from collections.abc import Sequence

import uvicorn
from starlette.applications import Starlette
from uvicorn.supervisors import Multiprocess

from hopdrive.command import run_command
from hopdrive.errors import HopDriveError
from mock_server.advance import DEFAULT_SCHEDULE, Schedule
from mock_server.app import create_app
from mock_server.auth import TENANTS_ENV, Tenants
from mock_server.faults import read_plan
from mock_server.fixtures import Fixtures
from mock_server.http_protocol import HttpProtocol
from mock_server.journal import DEFAULT_SIZE as JOURNAL_SIZE
from mock_server.store import Database, open_store
from spec import Spec, load

EXIT_SETUP = 2
# How `main` hands its settings to worker processes, which build their own app with `worker_app`.
WORKER_SETTINGS = "HOPDRIVE_MOCK_WORKER"


class WorkersError(HopDriveError):
    """--workers cannot serve this --db; `str()` is one line naming the flag."""


def main(argv: Sequence[str] | None = None) -> int:
    """Run the mock until interrupted; the return value is the exit status."""
    # The store's errors are another module's to rank; here every set-up failure is EXIT_SETUP.
    return run_command(_parser(), _serve, argv, statuses={HopDriveError: EXIT_SETUP})


def worker_settings(argv: Sequence[str]) -> str:
    """The settings `main` hands to its worker processes for these arguments."""
    return json.dumps(vars(_parser().parse_args(argv)))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hopdrive-mock",
        description="Serve the HopDrive dealer API reference mock (stateful, persistent).",
    )
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default: %(default)s)"
    )
    parser.add_argument(
        "--port", type=_port, default=8000, help="port to listen on (default: %(default)s)"
    )
    parser.add_argument(
        "--db",
        default="hopdrive-mock.db",
        help=(
            "SQLite file that keeps the state across restarts, :memory:, or a postgresql:// URL "
            "for a sandbox shared by several workers or processes (default: %(default)s)"
        ),
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="worker processes serving the port (more than 1 needs a file or PostgreSQL)",
    )
    parser.add_argument(
        "--tenants",
        help=f"YAML/JSON file of token: [rooftop, ...] (default: ${TENANTS_ENV}, else dev tokens)",
    )
    parser.add_argument(
        "--no-test-control",
        action="store_true",
        help="leave out every /v1/_test/ endpoint (D15's status changes, the journal, reset...)",
    )
    parser.add_argument(
        "--fsync",
        action="store_true",
        help=(
            "answer a write only once it is fsynced to disk, so that a power cut or an OS crash "
            "loses nothing answered (a SQLite file; by default a crash or kill of the mock loses "
            "nothing, and it answers faster)"
        ),
    )
    parser.add_argument(
        "--advance",
        nargs="?",
        const=str(DEFAULT_SCHEDULE),
        metavar="SCHEDULE",
        help=(
            "take HopDrive's own steps along the lifecycle's internal edges on a schedule "
            "(YAML, see control.yaml's AdvanceSchedule; without a file: ready -> paid, with its "
            "move_id, 5 s after it became ready); off by default"
        ),
    )
    parser.add_argument(
        "--journal-size",
        type=_count,
        default=JOURNAL_SIZE,
        metavar="N",
        help=(
            "exchanges the request journal (GET /v1/_test/requests) keeps in memory, bodies "
            "cut at 8 KiB; 0 keeps none (default: %(default)s)"
        ),
    )
    parser.add_argument(
        "--fixtures",
        metavar="FILE",
        help=(
            "appointments and moves to load at start, once (YAML, see control.yaml's Fixtures); "
            "POST /v1/_test/reset loads a dealer's again"
        ),
    )
    parser.add_argument(
        "--reset-all",
        action="store_true",
        help="make POST /v1/_test/reset empty every dealer's data, not only the caller's",
    )
    parser.add_argument(
        "--faults",
        metavar="FILE",
        help=(
            "inject faults per operation: latency, a per-token rate limit (429), a share of "
            "500/503 answers or of dropped connections (YAML, see control.yaml's FaultPlan); "
            "GET/PUT /v1/_test/faults read and replace the plan at run time. Every worker starts "
            "with this plan, then keeps its own plan, buckets and counts"
        ),
    )
    parser.add_argument("--quiet", action="store_true", help="no access log on stderr")
    return parser


def _serve(args: argparse.Namespace) -> int:
    """Check the set-up, then serve until interrupted."""
    _check_workers(args.workers, args.db)
    spec = load()
    tenants = Tenants.load(args.tenants)
    store = open_store(args.db, fsync=args.fsync)
    _log_access(not args.quiet)
    # Built here whatever the workers: a file given on the command line that cannot be used
    # stops the start with one line, and what is loaded once (fixtures) is loaded before they fork.
    app = _app(args, store, spec, tenants)
    control = "off" if args.no_test_control else "on"
    files = {"fixtures": args.fixtures, "faults": args.faults, "advance": args.advance}
    given = "".join(f", {name} {path}" for name, path in files.items() if path)
    print(
        f"hopdrive-mock: http://{args.host}:{args.port}/v1 (db {store.path}, "
        f"test control {control}, {args.workers} worker{'s' if args.workers > 1 else ''}"
        f"{given})",
        file=sys.stderr,
        flush=True,
    )
    serve = {
        "host": args.host,
        "port": args.port,
        "log_level": "warning",
        "access_log": False,
        "http": HttpProtocol,
    }
    if args.workers > 1:
        # The settings were checked above; each worker opens its own connection with them.
        store.close()
        os.environ[WORKER_SETTINGS] = json.dumps(vars(args))
        _serve_workers(
            uvicorn.Config(f"{__name__}:worker_app", factory=True, workers=args.workers, **serve)
        )
        return 0
    _freeze_start_up_objects()
    try:
        uvicorn.run(app, **serve)
    finally:
        store.close()
    return 0


def _check_workers(workers: int, db: str) -> None:
    """WorkersError saying why, when this many workers cannot serve this database."""
    if workers < 1:
        raise WorkersError("--workers must be 1 or more")
    if workers > 1 and db == ":memory:":
        raise WorkersError(
            "--workers above 1 needs a database they can share (a file or postgresql:// URL)"
        )


def worker_app() -> Starlette:
    """The app of one worker process, built from the settings `main` left in the environment."""
    args = argparse.Namespace(**json.loads(os.environ[WORKER_SETTINGS]))
    _log_access(not args.quiet)
    store: Database = open_store(args.db, fsync=args.fsync)
    app = _app(args, store, load(), Tenants.load(args.tenants))
    _freeze_start_up_objects()
    return app


def _app(args: argparse.Namespace, store: Database, spec: Spec, tenants: Tenants) -> Starlette:
    """The mock's app as the command line asks for it (the same in every worker)."""
    return create_app(
        store=store,
        tenants=tenants,
        spec=spec,
        test_control=not args.no_test_control,
        schedule=Schedule.load(args.advance, spec.lifecycle) if args.advance else None,
        journal_size=args.journal_size,
        fixtures=Fixtures.read(args.fixtures, spec, tenants) if args.fixtures else None,
        reset_all=args.reset_all,
        faults=read_plan(args.faults, spec.operations) if args.faults else None,
    )


def _port(text: str) -> int:
    """A TCP port to listen on: 1-65535 (uvicorn would wrap 70000 round, or pick one for 0)."""
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port (1-65535)")
    return int(text)


def _count(text: str) -> int:
    """A command-line count: an integer, 0 or more."""
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"{text!r} is not a count (0 or more)")
    return int(text)


def _freeze_start_up_objects() -> None:
    """Keep the objects made at start-up (the spec, its validators) out of every later GC pass.

    They live as long as the process, yet each full collection would walk all of them again:
    about 30 ms with the event loop stopped, which showed as the p99 latency under load.
    """
    gc.collect()
    gc.freeze()


def _serve_workers(config: uvicorn.Config) -> None:
    """What uvicorn.run does for several workers, with TCP_NODELAY on the shared socket.

    uvicorn binds that socket itself, and asyncio sets TCP_NODELAY only on sockets it creates:
    without it a small write that follows one not yet acknowledged (Nagle's algorithm) waits
    ~40 ms for the client's delayed ACK.
    Accepted connections inherit the option from the listening socket.
    """
    listening = config.bind_socket()
    listening.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    Multiprocess(config, sockets=[listening]).run()


def _log_access(enabled: bool) -> None:
    if enabled:
        logging.basicConfig(level=logging.WARNING, format="%(message)s", stream=sys.stderr)
        logging.getLogger("hopdrive.mock.access").setLevel(logging.INFO)
