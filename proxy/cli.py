"""`hopdrive-proxy`: a client's traffic forwarded to a server, both sides held to the contract."""

from __future__ import annotations

import argparse
import signal
import socket
import sys
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from datetime import timedelta
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from types import FrameType
from typing import IO, Any
from urllib.parse import urlsplit

import uvicorn

from hopdrive.command import run_command
from hopdrive.errors import HopDriveError
from proxy.app import Proxy
from proxy.behaviour import Behaviour
from proxy.har import Har
from proxy.session import Session
from proxy.violations import Log
from spec import load

# Exit statuses: the traffic kept the contract, it did not, the proxy could not start.
CLEAN, VIOLATED, SETUP = 0, 1, 2


class ProxySetupError(HopDriveError):
    """An argument the proxy cannot start with; `str()` is one line naming it."""

    exit_status = SETUP


def main(argv: Sequence[str] | None = None) -> int:
    """Run the proxy until interrupted; 1 when the traffic broke the contract, else 0."""
    return run_command(_parser(), _serve, argv)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hopdrive-proxy",
        description=(
            "Forward a client's requests to a server unchanged and judge both sides against the "
            "HopDrive dealer API contract: each request (the client's violations), each answer "
            "(the server's), and the appointments' behaviour across exchanges. Violations are "
            "printed as JSON lines; a summary and the traffic's coverage follow on exit. Exits 1 "
            "when the traffic broke the contract, 0 when it did not."
        ),
    )
    parser.add_argument(
        "--upstream",
        required=True,
        help="the server's base URL including /v1; clients call the proxy's same paths",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (%(default)s)")
    parser.add_argument(
        "--port", type=_port, default=8090, help="port to listen on, 0 for any (%(default)s)"
    )
    parser.add_argument(
        "--har", type=Path, help="write the traffic to FILE as HAR 1.2, tokens masked"
    )
    parser.add_argument(
        "--report",
        type=Path,
        help="write the summary and coverage as JSON to FILE on exit, the coverage page beside it",
    )
    parser.add_argument(
        "--log", type=Path, help="append the violations' JSON lines to FILE (default: stdout)"
    )
    parser.add_argument(
        "--strict-client",
        action="store_true",
        help="answer a request that breaks the contract with the spec's problem, not forwarding it",
    )
    parser.add_argument(
        "--advances",
        action="store_true",
        help="the server takes its own steps (as HOPDRIVE_ADVANCES=1 tells the suite)",
    )
    parser.add_argument(
        "--clock-skew",
        type=_seconds,
        default=60.0,
        help="how far the server's clock may be from ours, in seconds (%(default)s)",
    )
    parser.add_argument(
        "--timeout",
        type=_seconds,
        default=60.0,
        help="seconds to wait for the upstream's answer (%(default)s)",
    )
    return parser


def _serve(args: argparse.Namespace) -> int:
    upstream = _upstream(args.upstream)
    spec = load()
    with ExitStack() as files:
        stream: IO[str] = sys.stdout
        if args.log is not None:
            stream = files.enter_context(_opened(args.log, "a"))
        har = None
        if args.har is not None:
            har = Har(_writable(args.har), _version())
            files.callback(har.close)
        behaviour = Behaviour(spec, advances=args.advances, skew=timedelta(seconds=args.clock_skew))
        session = Session(spec, upstream, behaviour, Log(stream), har)
        if args.report is not None:
            _writable(args.report)
        listener = _listen(args.host, args.port)
        app = Proxy(spec, upstream, session, strict_client=args.strict_client, timeout=args.timeout)
        host, port = listener.getsockname()[:2]
        base = urlsplit(upstream).path.rstrip("/")
        print(
            f"hopdrive-proxy: http://{host}:{port}{base} -> {upstream}", file=sys.stderr, flush=True
        )
        config = uvicorn.Config(
            app,
            log_level="warning",
            access_log=False,
            server_header=False,
            date_header=False,
            lifespan="on",
        )
        # uvicorn raises the signal that stopped it again once it has stopped: here it only
        # ends the serving, and the summary still gets written.
        for stop in (signal.SIGINT, signal.SIGTERM):
            files.callback(signal.signal, stop, signal.signal(stop, _stopped))
        uvicorn.Server(config).run(sockets=[listener])
        report = session.write_report(args.report) if args.report else session.report()
        for line in session.summary(report, args.report):
            print(f"hopdrive-proxy: {line}", file=sys.stderr)
        totals = report["totals"]
        return VIOLATED if totals["client_violations"] or totals["server_violations"] else CLEAN


def _stopped(signum: int, frame: FrameType | None) -> None:
    """What a stop signal does once uvicorn has stopped: nothing more."""


def _upstream(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ProxySetupError(f"--upstream {url!r} is no http(s) URL")
    return url.rstrip("/")


def _listen(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # asyncio sets TCP_NODELAY only on sockets it creates; without it an answer written in two
    # parts waits for the client's delayed ACK (~40 ms). Accepted sockets inherit it.
    listener.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        listener.bind((host, port))
    except OSError as error:
        listener.close()
        raise ProxySetupError(f"cannot listen on {host}:{port}: {error.strerror}") from error
    listener.listen(128)
    return listener


def _opened(path: Path, mode: str) -> IO[str]:
    try:
        return path.open(mode, encoding="utf-8")
    except OSError as error:
        raise ProxySetupError(f"cannot write {path}: {error.strerror}") from error


def _writable(path: Path) -> Path:
    """`path`, once its directory exists and it can be written."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch()
    except OSError as error:
        raise ProxySetupError(f"cannot write {path}: {error.strerror}") from error
    return path


def _version() -> str:
    try:
        return version("hopdrive-contract")
    except PackageNotFoundError:
        return "0"


def _bounded(
    parse: Callable[[str], float], low: float, high: float, what: str
) -> Callable[[str], Any]:
    """An argparse type: a number `parse` reads, within low-high, else a one-line error."""

    def read(text: str) -> Any:
        try:
            value = parse(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is no {what}") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{text} is outside {low:g}-{high:g}")
        return value

    return read


_port = _bounded(int, 0, 65535, "port number")
_seconds = _bounded(float, 0, 86400, "number of seconds")
