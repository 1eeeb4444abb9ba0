"""`hopdrive-mock`: serve the reference mock over HTTP."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

import uvicorn

from mock_server.app import create_app
from mock_server.auth import TENANTS_ENV, Tenants, TenantsError
from mock_server.store import Store, StoreError
from spec import SpecError, load

EXIT_SETUP = 2


def main(argv: Sequence[str] | None = None) -> int:
    """Run the mock until interrupted; the return value is the exit status."""
    parser = argparse.ArgumentParser(
        prog="hopdrive-mock",
        description="Serve the HopDrive dealer API reference mock (stateful, persistent).",
    )
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default: %(default)s)"
    )
    parser.add_argument(
        "--port", type=int, default=8000, help="port to listen on (default: %(default)s)"
    )
    parser.add_argument(
        "--db",
        default="hopdrive-mock.db",
        help="SQLite file that keeps the state across restarts, or :memory: (default: %(default)s)",
    )
    parser.add_argument(
        "--tenants",
        help=f"YAML/JSON file of token: [rooftop, ...] (default: ${TENANTS_ENV}, else dev tokens)",
    )
    parser.add_argument(
        "--no-test-control",
        action="store_true",
        help="leave out POST /v1/_test/appointments/{id}/status (the D15 test endpoint)",
    )
    parser.add_argument("--quiet", action="store_true", help="no access log on stderr")
    args = parser.parse_args(argv)

    try:
        spec = load()
        tenants = Tenants.load(args.tenants)
        store = Store(args.db)
    except (SpecError, TenantsError, StoreError) as error:
        print(f"hopdrive-mock: error: {error}", file=sys.stderr)
        return EXIT_SETUP
    if not args.quiet:
        logging.basicConfig(level=logging.WARNING, format="%(message)s", stream=sys.stderr)
        logging.getLogger("hopdrive.mock.access").setLevel(logging.INFO)
    app = create_app(store=store, tenants=tenants, spec=spec, test_control=not args.no_test_control)
    control = "off" if args.no_test_control else "on"
    print(
        f"hopdrive-mock: http://{args.host}:{args.port}/v1 (db {args.db}, test control {control})",
        file=sys.stderr,
        flush=True,
    )
    try:
        uvicorn.run(app, host=args.host, port=args.port, log_level="warning", access_log=False)
    finally:
        store.close()
    return 0
