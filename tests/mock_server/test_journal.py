"""The request journal's recorder: what each exchange keeps, and which exchanges it keeps."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from starlette.types import Receive, Scope, Send

from mock_server.auth import Tenants
from mock_server.control_api import validator
from mock_server.journal import BODY_LIMIT, Journal, JournalRecorder
from mock_server.journal_api import JournalView
from mock_server.store import Store
from spec import Spec
from testbeds import START, Clock, LiveServer
from tests.mock_server.sandbox import APPOINTMENT, Dealers, live_mock

TOKEN = {"Authorization": "Bearer dev-token-a"}


@pytest.fixture
def dealers() -> Iterator[Dealers]:
    with live_mock(store=Store(":memory:"), clock=Clock()) as live:
        yield live


def journal(api: httpx.Client, **filters: Any) -> list[dict[str, Any]]:
    """The caller's journal entries, newest first, each checked against control.yaml."""
    answer = api.get("/_test/requests", params=filters)
    assert answer.status_code == 200, answer.text
    errors = [error.message for error in validator("RequestJournal").iter_errors(answer.json())]
    assert not errors, errors
    return list(answer.json()["requests"])


def test_an_exchange_keeps_its_request_and_the_answer_as_they_passed(dealers: Dealers) -> None:
    created = dealers.a.post("/appointments?source=test", json=APPOINTMENT)
    [entry] = journal(dealers.a)
    assert entry["at"] == START.isoformat(timespec="microseconds").replace("+00:00", "Z")
    expected = ("createAppointment", "POST", "/v1/appointments", "source=test", 201, None)
    found = ("operation", "method", "path", "query", "status", "fault")
    assert tuple(entry[name] for name in found) == expected
    assert entry["ms"] >= 0
    request, response = entry["request"], entry["response"]
    assert request["headers"]["content-type"] == "application/json"
    assert json.loads(request["body"]["text"]) == APPOINTMENT
    assert request["body"]["size"] == len(created.request.content)
    assert response["headers"]["content-type"] == "application/json"
    assert json.loads(response["body"]["text"]) == created.json()
    assert response["body"]["truncated"] is False


def test_reads_of_the_journal_are_not_journalled_and_other_test_control_is(
    dealers: Dealers,
) -> None:
    journal(dealers.a)
    dealers.a.post("/_test/reset")
    journal(dealers.a, limit=5)
    assert [entry["operation"] for entry in journal(dealers.a)] == ["resetTestData"]


def test_a_path_the_spec_lacks_is_journalled_without_an_operation(dealers: Dealers) -> None:
    dealers.a.get("/nowhere")
    dealers.a.get("/appointments")  # a path of the spec, but not a method of it
    assert [(e["operation"], e["status"]) for e in journal(dealers.a)] == [(None, 405), (None, 404)]


def test_the_journal_keeps_the_last_exchanges_dropping_the_oldest() -> None:
    with live_mock(store=Store(":memory:"), journal_size=2) as dealers:
        for name in ("first", "second", "third"):
            dealers.a.post("/appointments", json={**APPOINTMENT, "consumer_name": name})
        answer = dealers.a.get("/_test/requests").json()
    assert answer["capacity"] == 2
    names = [json.loads(e["request"]["body"]["text"])["consumer_name"] for e in answer["requests"]]
    assert names == ["third", "second"]


def test_a_journal_of_size_0_keeps_nothing() -> None:
    with live_mock(store=Store(":memory:"), journal_size=0) as dealers:
        dealers.a.post("/appointments", json=APPOINTMENT)
        assert dealers.a.get("/_test/requests").json() == {"capacity": 0, "requests": []}


def test_a_long_body_keeps_its_start_and_its_size_and_reaches_the_mock_whole(
    dealers: Dealers,
) -> None:
    notes = "n" * (3 * BODY_LIMIT)
    created = dealers.a.post("/appointments", json={**APPOINTMENT, "driver_notes": notes})
    stored = dealers.a.patch(f"/appointments/{created.json()['id']}", json={})
    assert stored.json()["driver_notes"] == notes
    body = journal(dealers.a)[1]["request"]["body"]
    assert body["truncated"] is True
    assert body["size"] == len(created.request.content)
    assert body["text"] == created.request.content.decode()[:BODY_LIMIT]


def test_a_body_answered_before_the_mock_reads_it_is_journalled_all_the_same(
    dealers: Dealers,
) -> None:
    answer = dealers.a.post(
        "/appointments", content=b"customer_id=1234", headers={"Content-Type": "text/plain"}
    )
    assert answer.status_code == 415
    assert journal(dealers.a)[0]["request"]["body"]["text"] == "customer_id=1234"


def test_a_long_header_value_is_cut_and_says_so(dealers: Dealers) -> None:
    dealers.a.post("/appointments", json=APPOINTMENT, headers={"X-Trace": "t" * 5000})
    shown = journal(dealers.a)[0]["request"]["headers"]["x-trace"]
    assert shown == "t" * 1024 + "..."


def test_the_journal_keeps_the_answers_fault_injection_gives_and_the_drops(
    dealers: Dealers,
) -> None:
    plan = {
        "createAppointment": {"error": {"share": 1, "status": 503}},
        "updateAppointment": {"drop": {"share": 1}},
    }
    assert dealers.a.put("/_test/faults", json={"faults": plan}).status_code == 200
    assert dealers.a.post("/appointments", json=APPOINTMENT).status_code == 503
    with pytest.raises(httpx.RemoteProtocolError):
        dealers.a.patch("/appointments/1", json={})
    dropped, refused, _ = journal(dealers.a)
    assert (refused["operation"], refused["status"], refused["fault"]) == (
        "createAppointment",
        503,
        "error",
    )
    assert (dropped["operation"], dropped["status"], dropped["response"]["body"]) == (
        "updateAppointment",
        None,
        None,
    )


async def _faulty(scope: Scope, receive: Receive, send: Send) -> None:
    """An app answering as fault injection does: a 503 that says which fault made it."""
    headers = [(b"hopdrive-mock-fault", b"error"), (b"content-type", b"application/json")]
    await send({"type": "http.response.start", "status": 503, "headers": headers})
    await send({"type": "http.response.body", "body": b"{}"})


async def _silent(scope: Scope, receive: Receive, send: Send) -> None:
    """An app that drops the request unanswered."""


@pytest.mark.parametrize(
    ("app", "status", "fault"),
    [(_faulty, 503, "error"), (_silent, None, None)],
    ids=["fault", "drop"],
)
def test_the_journal_keeps_what_the_apps_inside_it_answer(
    spec: Spec, app: Any, status: int | None, fault: str | None
) -> None:
    kept = Journal()
    recorder = JournalRecorder(app, journal=kept, clock=Clock(), unseen="/v1/_test/requests")
    with LiveServer(recorder) as live:
        httpx.post(f"{live.url}/appointments", headers=TOKEN, json=APPOINTMENT)
    [exchange] = kept.of("dev-token-a")
    entry = JournalView(kept, Tenants.load(), spec, "/v1").entry(exchange, None)
    assert (entry["status"], entry["fault"]) == (status, fault)
    assert json.loads(entry["request"]["body"]["text"]) == APPOINTMENT
