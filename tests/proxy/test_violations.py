"""proxy/violations.py: a violation's log line, the exchange it broke in shown with every token
masked and its bodies bounded, and the log of them, a JSON line each."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from hopdrive.masking import Masker, tag
from proxy.exchange import Exchange, Headers
from proxy.violations import BODY_LIMIT, Log, Violation, entry, masked_headers

TOKEN = "secret-token-a"
OTHER = "secret-token-b"
STARTED = datetime(2026, 3, 4, 10, 0, 1, tzinfo=UTC)
JSON = ("content-type", "application/json")
VIOLATION = Violation(
    side="server",
    operation="createAppointment",
    decision="D6",
    sources=('000: "status": "new"', "D6"),
    member="/status",
    message="'new' was expected",
)


def exchange(
    *,
    request_headers: Headers = (("authorization", f"Bearer {TOKEN}"), JSON),
    request_body: bytes = b'{"consumer_name": "Ann"}',
    response_headers: Headers = (JSON,),
    response_body: bytes = b'{"id": 7, "status": "ready"}',
    number: int = 3,
) -> Exchange:
    return Exchange(
        number=number,
        started=STARTED,
        method="POST",
        path="/v1/appointments",
        query="",
        route="/appointments",
        request_headers=request_headers,
        request_body=request_body,
        status=201,
        response_headers=response_headers,
        response_body=response_body,
        elapsed=0.02,
        url="http://up.test/v1/appointments",
        forwarded=True,
    )


def test_entry_names_what_broke_and_the_exchange_it_broke_in() -> None:
    line = entry(VIOLATION, exchange(), [TOKEN])
    assert {k: v for k, v in line.items() if k != "exchange"} == {
        "side": "server",
        "operation": "createAppointment",
        "decision": "D6",
        "sources": ['000: "status": "new"', "D6"],
        "member": "/status",
        "message": "'new' was expected",
    }
    shown = line["exchange"]
    assert shown["number"] == 3
    assert shown["started"] == "2026-03-04T10:00:01+00:00"
    assert (shown["method"], shown["url"], shown["status"]) == (
        "POST",
        "http://up.test/v1/appointments",
        201,
    )
    assert shown["forwarded"] is True
    assert shown["request"]["body"] == {"consumer_name": "Ann"}
    assert shown["response"]["body"] == {"id": 7, "status": "ready"}
    assert shown["response"]["headers"] == {"content-type": "application/json"}


def test_authorization_is_shown_as_its_scheme_and_the_tag_of_its_token() -> None:
    # Masked even where the token is not yet known: the header says what it is.
    for tokens in ([TOKEN], []):
        headers = entry(VIOLATION, exchange(), tokens)["exchange"]["request"]["headers"]
        assert headers["authorization"] == f"Bearer {tag(TOKEN)}"
        assert TOKEN not in json.dumps(headers)


def test_a_known_token_is_masked_in_every_other_header_and_in_both_bodies() -> None:
    echoed = exchange(
        request_headers=(
            ("authorization", f"Bearer {TOKEN}"),
            JSON,
            ("x-forwarded-token", TOKEN),
        ),
        request_body=json.dumps({"note": f"token {TOKEN}", "nested": [{"t": OTHER}]}).encode(),
        response_headers=(JSON, ("x-echo", f"Bearer {OTHER}")),
        response_body=f"echo: {TOKEN} and {OTHER}".encode(),
    )
    line = entry(VIOLATION, echoed, [TOKEN, OTHER])
    text = json.dumps(line)
    assert TOKEN not in text
    assert OTHER not in text
    shown = line["exchange"]
    assert shown["request"]["headers"]["x-forwarded-token"] == tag(TOKEN)
    assert shown["request"]["body"] == {
        "note": f"token {tag(TOKEN)}",
        "nested": [{"t": tag(OTHER)}],
    }
    assert shown["response"]["headers"]["x-echo"] == f"Bearer {tag(OTHER)}"
    assert shown["response"]["body"] == f"echo: {tag(TOKEN)} and {tag(OTHER)}"


def test_repeated_headers_are_shown_once_with_their_values_joined() -> None:
    headers = [("set-cookie", "a=1"), ("x-trace", TOKEN), ("set-cookie", "b=2")]
    assert masked_headers(headers, Masker([TOKEN])) == {
        "set-cookie": "a=1, b=2",
        "x-trace": tag(TOKEN),
    }


def test_a_body_over_64_kib_is_cut_with_its_size_noted() -> None:
    raw = json.dumps({"note": "x" * (2 * BODY_LIMIT)}).encode()
    shown = entry(VIOLATION, exchange(response_body=raw), [TOKEN])["exchange"]["response"]
    suffix = f"... ({len(raw)} bytes)"
    assert isinstance(shown["body"], str)
    assert shown["body"] == raw[:BODY_LIMIT].decode() + suffix


def test_a_body_of_exactly_64_kib_is_kept_whole() -> None:
    raw = b"x" * BODY_LIMIT
    shown = entry(VIOLATION, exchange(response_body=raw), [TOKEN])["exchange"]["response"]
    assert shown["body"] == raw.decode()


def test_a_token_cut_by_the_limit_shows_no_part_of_it() -> None:
    raw = b"x" * (BODY_LIMIT - 6) + TOKEN.encode() + b"x" * 100
    shown = entry(VIOLATION, exchange(response_body=raw), [TOKEN])["exchange"]["response"]
    assert TOKEN[:6] not in shown["body"]
    assert shown["body"].endswith(f"... ({len(raw)} bytes)")


def test_a_body_that_is_not_json_is_shown_as_text() -> None:
    body: Any = entry(
        VIOLATION,
        exchange(request_body=b"{not json", response_body=b"Internal \xff error"),
        [TOKEN],
    )["exchange"]
    assert body["request"]["body"] == "{not json"
    assert body["response"]["body"] == "Internal \ufffd error"


def test_no_body_is_shown_as_null() -> None:
    shown = entry(VIOLATION, exchange(request_body=b"", response_body=b""), [])["exchange"]
    assert shown["request"]["body"] is None
    assert shown["response"]["body"] is None


def test_log_writes_one_json_line_per_violation_flushed_as_it_is_written(
    tmp_path: Path,
) -> None:
    path = tmp_path / "violations.jsonl"
    client = Violation("client", None, "D1", ("D1",), None, "no path /nowhere")
    with path.open("w", encoding="utf-8") as stream:
        log = Log(stream)
        log.write(VIOLATION, exchange(number=1), [TOKEN])
        # Read beside the open stream: the line is there before the stream is closed.
        assert [json.loads(line)["decision"] for line in path.read_text().splitlines()] == ["D6"]
        log.write(client, exchange(number=2), [TOKEN])
        lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2
    first, second = (json.loads(line) for line in lines)
    assert first == entry(VIOLATION, exchange(number=1), [TOKEN])
    assert (second["side"], second["operation"]) == ("client", None)
    assert second["exchange"]["number"] == 2
    assert TOKEN not in path.read_text(encoding="utf-8")
