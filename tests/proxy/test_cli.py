"""`hopdrive-proxy` as a command: in front of a real server, stopped by a signal, its files."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import httpx

from spec import Spec
from testbeds import free_port, mock_process, served
from testbeds.suite import run_suite
from tests.proxy.clients import conforming
from tests.proxy.test_har import har_errors

ROOT = Path(__file__).parents[2]
PROXY = Path(sys.executable).with_name("hopdrive-proxy")


@contextmanager
def proxy(upstream: str, port: int, *flags: str) -> Iterator[subprocess.Popen[str]]:
    """The installed proxy in front of `upstream`, answering on `port`; interrupted after."""
    command = [str(PROXY), "--upstream", upstream, "--port", str(port), *flags]
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT
    )
    try:
        _listening(port, process)
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)


def _listening(port: int, process: subprocess.Popen[str]) -> None:
    """Return once the proxy accepts connections: any request would be traffic it judges."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()[1]
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
        except OSError:
            time.sleep(0.05)
        else:
            return
    raise AssertionError(f"the proxy did not listen on {port} within 30 s")


def finished(process: subprocess.Popen[str]) -> tuple[int, str, str]:
    """The status and output of a proxy that was interrupted."""
    out, err = process.communicate(timeout=30)
    return process.returncode, out, err


def test_conforming_client_through_the_proxy_exits_0_with_a_summary(
    spec: Spec, tmp_path: Path
) -> None:
    mock_port, port = free_port(), free_port()
    report = tmp_path / "report.json"
    with mock_process(tmp_path / "mock.db", mock_port):
        upstream = f"http://127.0.0.1:{mock_port}/v1"
        client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10)
        client.headers["Authorization"] = "Bearer dev-token-a"
        with proxy(upstream, port, "--report", str(report)) as process, client:
            conforming(client, spec)
        status, out, err = finished(process)
    assert (status, out) == (0, ""), err
    assert "0 client violations, 0 server violations" in err
    assert "coverage: " in err
    document = json.loads(report.read_text(encoding="utf-8"))
    assert document["totals"]["server_violations"] == 0
    assert report.with_suffix(".html").is_file()


def test_the_suite_through_the_proxy_shows_a_conforming_server_breaking_nothing(
    tmp_path: Path,
) -> None:
    """The suite sends every kind of request, invalid ones on purpose: those are the client's;
    a server written apart from the mock must show no violation at all."""
    server_port, port = free_port(), free_port()
    log, har = tmp_path / "violations.jsonl", tmp_path / "traffic.har"
    env = {**os.environ, "CONFORMING_KNOWN_LOCATIONS": "1"}
    command: Sequence[str] = [sys.executable, "-m", "tests.conforming.server", str(server_port)]
    with served(command, server_port, cwd=ROOT, env=env):
        upstream = f"http://127.0.0.1:{server_port}/v1"
        with proxy(upstream, port, "--log", str(log), "--har", str(har)) as process:
            result = run_suite(f"http://127.0.0.1:{port}/v1", workers=2)
        status, _, err = finished(process)
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
    # JSON lines end at "\n" alone: a member's text may hold any other line separator.
    lines = log.read_text(encoding="utf-8").split("\n")
    violations = [json.loads(line) for line in lines if line]
    server = [v for v in violations if v["side"] == "server"]
    assert server == [], json.dumps(server[:3], indent=2)
    assert any(v["side"] == "client" for v in violations)
    assert status == 1, err  # the suite's own invalid requests break the contract
    document = json.loads(har.read_text(encoding="utf-8"))
    assert har_errors(document) == []
    assert len(document["log"]["entries"]) > 500


def test_an_upstream_that_is_no_url_is_one_line_and_status_2() -> None:
    result = subprocess.run(
        [str(PROXY), "--upstream", "ftp://example.com/v1"], capture_output=True, text=True
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "hopdrive-proxy: error: --upstream 'ftp://example.com/v1' is no http(s) URL"
    ]
