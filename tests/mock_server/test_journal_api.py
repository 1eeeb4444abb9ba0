"""GET /_test/requests: each dealer's own exchanges, filtered, with no token shown."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from hopdrive.masking import tag
from mock_server.store import Store
from testbeds import Clock
from tests.mock_server.sandbox import APPOINTMENT, Dealers, live_mock
from tests.mock_server.test_journal import journal


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def dealers(clock: Clock) -> Iterator[Dealers]:
    with live_mock(store=Store(":memory:"), clock=clock) as live:
        yield live


def test_no_token_shows_anywhere_in_the_answer_only_its_tag(dealers: Dealers) -> None:
    dealers.a.post(
        "/appointments?token=dev-token-a",
        json={**APPOINTMENT, "consumer_name": "dev-token-a", "driver_notes": "dev-token-b"},
        headers={"X-Echo": "dev-token-a"},
    )
    dealers.a.patch("/appointments/dev-token-a", json={})
    answer = dealers.a.get("/_test/requests")
    assert "dev-token" not in answer.text
    patched, created = answer.json()["requests"]
    assert created["request"]["headers"]["authorization"] == f"Bearer {tag('dev-token-a')}"
    assert re.fullmatch(r"Bearer \*\*\*[0-9a-f]{8}", created["request"]["headers"]["authorization"])
    assert created["request"]["headers"]["x-echo"] == tag("dev-token-a")
    assert created["query"] == f"token={tag('dev-token-a')}"
    assert tag("dev-token-b") in created["request"]["body"]["text"]
    assert patched["path"] == f"/v1/appointments/{tag('dev-token-a')}"


def test_each_token_reads_only_the_exchanges_made_with_it(dealers: Dealers) -> None:
    dealers.a.post("/appointments", json=APPOINTMENT)
    dealers.b.post("/appointments", json={**APPOINTMENT, "customer_id": 777})
    dealers.b.post("/appointments", json=APPOINTMENT)  # 403: a's rooftop
    dealers.anonymous.post("/appointments", json=APPOINTMENT)
    assert [e["status"] for e in journal(dealers.a)] == [201]
    seen_by_b = journal(dealers.b)
    assert [e["status"] for e in seen_by_b] == [403, 201]
    assert {e["request"]["headers"]["authorization"] for e in seen_by_b} == {
        f"Bearer {tag('dev-token-b')}"
    }


def test_filters_choose_by_operation_status_time_and_count(dealers: Dealers, clock: Clock) -> None:
    first = dealers.a.post("/appointments", json=APPOINTMENT).json()["id"]
    clock.advance(minutes=1)
    since = clock.now.isoformat()
    dealers.a.patch(f"/appointments/{first}", json={"consumer_name": "Jo"})
    dealers.a.patch(f"/appointments/{first}", json={"consumer_name": 7})
    dealers.a.post("/appointments", json=APPOINTMENT)

    def statuses(**filters: object) -> list[int]:
        return [entry["status"] for entry in journal(dealers.a, **filters)]

    assert statuses() == [201, 400, 200, 201]
    assert statuses(operation="updateAppointment") == [400, 200]
    assert statuses(status=201) == [201, 201]
    assert statuses(since=since) == [201, 400, 200]
    assert statuses(limit=2) == [201, 400]
    assert statuses(operation="createAppointment", since=since, limit=5) == [201]


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("status=abc", "status"),
        ("status=99", "status"),
        ("since=yesterday", "since"),
        ("since=2026-03-01T12:00:00", "since"),
        ("limit=0", "limit"),
        ("limit=-1", "limit"),
        ("operation=createAppointmnt", "operation"),
        ("operations=createAppointment", "operations"),
        ("limit=1&limit=2", "limit"),
    ],
)
def test_an_unfit_filter_is_a_400_naming_it(dealers: Dealers, query: str, parameter: str) -> None:
    answer = dealers.a.get(f"/_test/requests?{query}")
    assert answer.status_code == 400
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["parameter"] == parameter
    assert f"query parameter {parameter} " in answer.json()["detail"]


def test_the_journal_needs_a_known_token(dealers: Dealers) -> None:
    assert dealers.anonymous.get("/_test/requests").status_code == 401
    unknown = dealers.anonymous.get("/_test/requests", headers={"Authorization": "Bearer nobody"})
    assert unknown.status_code == 401
    assert unknown.headers["www-authenticate"].startswith("Bearer")


def test_without_test_control_neither_the_journal_nor_reset_is_served() -> None:
    with live_mock(store=Store(":memory:"), test_control=False) as dealers:
        dealers.a.post("/appointments", json=APPOINTMENT)
        assert dealers.a.get("/_test/requests").status_code == 404
        assert dealers.a.post("/_test/reset").status_code == 404
        assert dealers.a.post("/appointments", json=APPOINTMENT).status_code == 201
