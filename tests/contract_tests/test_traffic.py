"""contract_tests/traffic.py: every exchange of a run is kept, in the shape coverage reads."""

from __future__ import annotations

import json
import os
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest

from contract_tests import traffic
from contract_tests.run import Run
from contract_tests.traffic import NOT_JSON, Logged

NODE = "contract_tests/test_appointments.py::test_creation_answers_201"


@pytest.fixture
def run(tmp_path: Path) -> Run:
    # A fresh directory per test: the log file is opened once per (directory, process).
    return Run(id="t", directory=tmp_path)


def _in_node(monkeypatch: pytest.MonkeyPatch) -> None:
    # Set in the test itself: pytest sets the variable anew for each phase of a test.
    monkeypatch.setenv("PYTEST_CURRENT_TEST", f"{NODE} (call)")


def _only(run: Run) -> Logged:
    (logged,) = traffic.exchanges(run)
    return logged


def _sent(run: Run, sent: bytes | None) -> Any:
    traffic.note(run, "POST", "/appointments", 201, sent, b"{}")
    return _only(run).request


def test_an_exchange_noted_comes_back_as_it_was_made(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    _in_node(monkeypatch)
    traffic.note(
        run, "POST", "/appointments", 201, b'{"customer_id": 1234}', b'{"id": 7, "status": "new"}'
    )
    assert list(traffic.exchanges(run)) == [
        Logged(
            test=NODE,
            method="POST",
            path="/appointments",
            status=201,
            request={"customer_id": 1234},
            answer={"id": 7, "status": "new"},
        )
    ]


def test_the_exchanges_of_one_process_come_back_in_the_order_it_made_them(run: Run) -> None:
    for status in (201, 400, 429, 200):
        traffic.note(run, "PUT", "/appointments/7", status, None, b"")
    assert [logged.status for logged in traffic.exchanges(run)] == [201, 400, 429, 200]


def test_each_process_keeps_its_exchanges_in_a_file_of_its_own(run: Run) -> None:
    traffic.note(run, "POST", "/appointments", 201, None, b"")
    assert [path.name for path in run.directory.iterdir()] == [f"traffic-{os.getpid()}.jsonl"]


def test_the_exchanges_of_every_process_of_the_run_are_read(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    _in_node(monkeypatch)
    other = Logged("other::test", "PATCH", "/appointments/9", 409, {}, {"status": "paid"})
    # Another worker's file, with a blank line left where it was cut off.
    (run.directory / "traffic-1.jsonl").write_text(json.dumps(asdict(other)) + "\n\n")
    traffic.note(run, "POST", "/appointments", 201, None, b"")
    found = sorted(traffic.exchanges(run), key=lambda logged: logged.test)
    assert [logged.test for logged in found] == [NODE, "other::test"]
    assert found[1] == other


def test_a_run_that_sent_nothing_has_no_exchanges(run: Run) -> None:
    assert list(traffic.exchanges(run)) == []


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        (
            b'{"customer_id": 1234, "config": {"a": [1, null]}}',
            {"customer_id": 1234, "config": {"a": [1, None]}},
        ),
        ('{"consumer_name": "Zoë 🚗"}'.encode(), {"consumer_name": "Zoë 🚗"}),
        (b"[1, 2]", [1, 2]),
        (b'"text"', "text"),
        (b"null", None),
    ],
    ids=["object", "beyond ascii", "array", "string", "json null"],
)
def test_a_json_request_body_is_kept_as_its_json_value(run: Run, sent: bytes, kept: Any) -> None:
    assert _sent(run, sent) == kept


@pytest.mark.parametrize(
    "sent", [b"{oops", b"\xff\xfe", b"customer_id=1234"], ids=["broken", "not utf-8", "form"]
)
def test_a_request_body_that_is_not_json_is_kept_as_the_not_json_marker(
    run: Run, sent: bytes
) -> None:
    assert _sent(run, sent) == NOT_JSON


@pytest.mark.parametrize("sent", [None, b""], ids=["none", "empty"])
def test_a_request_without_a_body_is_kept_as_none(run: Run, sent: bytes | None) -> None:
    assert _sent(run, sent) is None


def test_the_answer_summary_keeps_only_the_id_and_status_members(run: Run) -> None:
    answer = {"id": 7, "status": "ready", "customer_id": 1234, "config": {"status": "x"}}
    traffic.note(run, "PUT", "/appointments/7", 200, None, json.dumps(answer).encode())
    assert _only(run).answer == {"id": 7, "status": "ready"}


def test_the_answer_summary_keeps_whichever_of_id_and_status_the_answer_has(run: Run) -> None:
    traffic.note(run, "PUT", "/appointments/7", 200, None, b'{"status": null, "title": "x"}')
    assert _only(run).answer == {"status": None}


@pytest.mark.parametrize(
    "answer",
    [b"", b"not json", b"\xff", b'[{"id": 7}]', b"7", b'"new"'],
    ids=["empty", "not json", "not utf-8", "array", "number", "string"],
)
def test_an_answer_that_is_no_json_object_is_summarised_as_empty(run: Run, answer: bytes) -> None:
    traffic.note(run, "POST", "/appointments", 500, None, answer)
    assert _only(run).answer == {}


@pytest.mark.parametrize("phase", ["setup", "call", "teardown"])
def test_the_test_is_named_by_pytest_current_test_without_its_phase(
    run: Run, monkeypatch: pytest.MonkeyPatch, phase: str
) -> None:
    monkeypatch.setenv("PYTEST_CURRENT_TEST", f"tests/x.py::test_y[a (b)] ({phase})")
    traffic.note(run, "POST", "/appointments", 201, None, b"")
    assert _only(run).test == "tests/x.py::test_y[a (b)]"


def test_an_exchange_made_outside_any_test_is_named_by_no_test(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PYTEST_CURRENT_TEST")
    traffic.note(run, "POST", "/appointments", 201, None, b"")
    assert _only(run).test == ""


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("/appointments", "/appointments"),
        ("appointments/7", "/appointments/7"),
        ("//appointments/7", "/appointments/7"),
        ("/appointments/7?dry_run=1&x=?", "/appointments/7"),
        ("appointments?", "/appointments"),
        ("/_test/appointments/7/status", "/_test/appointments/7/status"),
    ],
)
def test_the_path_is_kept_without_its_query_and_with_one_leading_slash(
    run: Run, sent: str, kept: str
) -> None:
    traffic.note(run, "GET", sent, 405, None, b"")
    assert _only(run).path == kept


def test_the_method_is_kept_in_upper_case(run: Run) -> None:
    traffic.note(run, "patch", "/appointments/7", 200, None, b"")
    assert _only(run).method == "PATCH"
