"""The proxy's HAR file: valid HAR 1.2 by the har-schema package, tokens masked, entries kept."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft6Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT6

from hopdrive.masking import tag
from proxy.exchange import Exchange, Headers
from proxy.har import Har

HAR_SCHEMA = Path(__file__).parents[2] / "node_modules" / "har-schema" / "lib"
TOKEN = "secret-token"
BASE = "http://127.0.0.1:9000/v1"
# Latin-1 bytes: no UTF-8 reading of them exists, so the answer's content must be base64.
NOT_UTF8 = "Räder für Zürich".encode("latin-1")


def _exchange(
    number: int,
    method: str,
    path: str,
    *,
    query: str = "",
    request_headers: Headers = (),
    request_body: bytes = b"",
    status: int = 200,
    response_headers: Headers = (),
    response_body: bytes = b"",
    forwarded: bool = True,
) -> Exchange:
    return Exchange(
        number=number,
        started=datetime(2025, 3, 4, 10, 0, number, 250_000, tzinfo=UTC),
        method=method,
        path=path,
        query=query,
        route=path.removeprefix("/v1"),
        request_headers=request_headers,
        request_body=request_body,
        status=status,
        response_headers=response_headers,
        response_body=response_body,
        elapsed=0.0125 * number,
        url=f"http://127.0.0.1:9000{path}" + (f"?{query}" if query else ""),
        forwarded=forwarded,
    )


BEARER = ("authorization", f"Bearer {TOKEN}")
JSON = ("content-type", "application/json")
CREATE = json.dumps({"dealer_id": 12, "note": "call first"}).encode()
CREATED = json.dumps({"id": 7, "echo": f"Bearer {TOKEN}"}).encode()
EXCHANGES = (
    _exchange(
        1,
        "POST",
        "/v1/appointments",
        request_headers=(BEARER, JSON, ("x-trace", "a"), ("x-trace", "b")),
        request_body=CREATE,
        status=201,
        response_headers=(JSON, ("location", f"{BASE}/appointments/7")),
        response_body=CREATED,
    ),
    _exchange(
        2,
        "PATCH",
        "/v1/appointments/7",
        request_headers=(BEARER, ("content-type", "application/merge-patch+json")),
        request_body=b'{"note": "no need to call"}',
        response_headers=(JSON,),
        response_body=b'{"id": 7, "note": "no need to call"}',
    ),
    _exchange(
        3,
        "GET",
        "/v1/appointments/7/notes",
        request_headers=(BEARER,),
        response_headers=(("content-type", "text/plain; charset=latin-1"),),
        response_body=NOT_UTF8,
    ),
    _exchange(
        4,
        "GET",
        "/v1/appointments",
        query="status=open&dealer_id=12&cursor=&access_token=secret-token",
        request_headers=(BEARER,),
        response_headers=(JSON,),
        response_body=b'{"items": []}',
    ),
    _exchange(
        5,
        "DELETE",
        "/v1/appointments/7",
        request_headers=(BEARER,),
        status=502,
        response_headers=(("content-type", "application/problem+json"),),
        response_body=b'{"title": "no answer from upstream"}',
        forwarded=False,
    ),
)


def _validator() -> Draft6Validator:
    if not HAR_SCHEMA.is_dir():
        pytest.fail(f"{HAR_SCHEMA} is missing; `make node_modules` installs har-schema")
    # Each file names itself by a relative `$id` (`log.json#`) and the others by `$ref`: held
    # under those names, every reference between them resolves inside the registry.
    schemas = {
        path.name: json.loads(path.read_text(encoding="utf-8"))
        for path in HAR_SCHEMA.glob("*.json")
    }
    registry: Registry[Any] = Registry().with_resources(
        (name, Resource.from_contents(schema, default_specification=DRAFT6))
        for name, schema in schemas.items()
    )
    return Draft6Validator(
        schemas["har.json"], registry=registry, format_checker=Draft6Validator.FORMAT_CHECKER
    )


def har_errors(document: Any) -> list[str]:
    """What keeps a document from being HAR 1.2, one line each."""
    return [f"{error.json_path}: {error.message}" for error in _validator().iter_errors(document)]


@pytest.fixture
def har_file(tmp_path: Path) -> Path:
    path = tmp_path / "traffic.har"
    har = Har(path, "0.1.0")
    for exchange in EXCHANGES:
        har.add(exchange, [TOKEN])
    har.close()
    return path


@pytest.fixture
def entries(har_file: Path) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = json.loads(har_file.read_text(encoding="utf-8"))["log"][
        "entries"
    ]
    return entries


def test_har_file_validates_against_the_har_1_2_schema(har_file: Path) -> None:
    document = json.loads(har_file.read_text(encoding="utf-8"))
    assert har_errors(document) == []
    assert document["log"]["version"] == "1.2"
    assert document["log"]["creator"] == {"name": "hopdrive-proxy", "version": "0.1.0"}


def test_the_schema_check_rejects_an_entry_without_timings(har_file: Path) -> None:
    document = json.loads(har_file.read_text(encoding="utf-8"))
    del document["log"]["entries"][0]["timings"]
    assert har_errors(document) == ["$.log.entries[0]: 'timings' is a required property"]


def test_a_har_closed_with_no_entries_is_valid(tmp_path: Path) -> None:
    path = tmp_path / "empty.har"
    Har(path, "0.1.0").close()
    document = json.loads(path.read_text(encoding="utf-8"))
    assert document["log"]["entries"] == []
    assert har_errors(document) == []


def test_the_token_appears_nowhere_in_the_file_and_its_tag_does(har_file: Path) -> None:
    text = har_file.read_text(encoding="utf-8")
    assert TOKEN not in text
    assert tag(TOKEN) in text


def test_the_exchanges_own_credentials_are_masked_without_being_named(tmp_path: Path) -> None:
    path = tmp_path / "traffic.har"
    har = Har(path, "0.1.0")
    har.add(EXCHANGES[0], [])
    har.close()
    text = path.read_text(encoding="utf-8")
    assert TOKEN not in text
    assert f"Bearer {tag(TOKEN)}" in text


def test_entries_keep_each_exchanges_method_url_status_and_bodies(
    entries: list[dict[str, Any]],
) -> None:
    shown = [
        (entry["request"]["method"], entry["request"]["url"], entry["response"]["status"])
        for entry in entries
    ]
    assert shown == [
        ("POST", f"{BASE}/appointments", 201),
        ("PATCH", f"{BASE}/appointments/7", 200),
        ("GET", f"{BASE}/appointments/7/notes", 200),
        (
            "GET",
            f"{BASE}/appointments?status=open&dealer_id=12&cursor=&access_token={tag(TOKEN)}",
            200,
        ),
        ("DELETE", f"{BASE}/appointments/7", 502),
    ]
    created, patched = entries[0], entries[1]
    assert created["request"]["postData"] == {
        "mimeType": "application/json",
        "text": CREATE.decode(),
    }
    assert json.loads(created["response"]["content"]["text"]) == {
        "id": 7,
        "echo": f"Bearer {tag(TOKEN)}",
    }
    assert created["response"]["statusText"] == "Created"
    assert created["response"]["redirectURL"] == f"{BASE}/appointments/7"
    assert patched["request"]["postData"]["mimeType"] == "application/merge-patch+json"
    assert json.loads(patched["request"]["postData"]["text"]) == {"note": "no need to call"}
    assert patched["response"]["content"]["text"] == '{"id": 7, "note": "no need to call"}'


def test_a_body_that_is_not_utf8_is_kept_as_base64(entries: list[dict[str, Any]]) -> None:
    content = entries[2]["response"]["content"]
    assert content["encoding"] == "base64"
    assert base64.b64decode(content["text"]) == NOT_UTF8
    assert content["size"] == len(NOT_UTF8)
    assert "encoding" not in entries[1]["response"]["content"]


def test_headers_keep_their_order_and_repeats_with_credentials_masked(
    entries: list[dict[str, Any]],
) -> None:
    assert entries[0]["request"]["headers"] == [
        {"name": "authorization", "value": f"Bearer {tag(TOKEN)}"},
        {"name": "content-type", "value": "application/json"},
        {"name": "x-trace", "value": "a"},
        {"name": "x-trace", "value": "b"},
    ]


def test_the_query_string_is_listed_by_parameter_blank_ones_kept(
    entries: list[dict[str, Any]],
) -> None:
    assert entries[3]["request"]["queryString"] == [
        {"name": "status", "value": "open"},
        {"name": "dealer_id", "value": "12"},
        {"name": "cursor", "value": ""},
        {"name": "access_token", "value": tag(TOKEN)},
    ]
    assert entries[0]["request"]["queryString"] == []


def test_a_request_without_a_body_has_no_post_data(entries: list[dict[str, Any]]) -> None:
    assert "postData" not in entries[2]["request"]
    assert entries[2]["request"]["bodySize"] == 0


def test_timing_and_start_come_from_the_exchange(entries: list[dict[str, Any]]) -> None:
    first = entries[0]
    assert first["startedDateTime"] == "2025-03-04T10:00:01.250+00:00"
    assert first["time"] == 12.5
    assert first["timings"] == {"send": 0, "wait": 12.5, "receive": 0}


def test_forwarded_says_whether_the_upstream_answered(entries: list[dict[str, Any]]) -> None:
    assert [entry["_forwarded"] for entry in entries] == [True, True, True, True, False]


def test_adding_to_a_closed_har_is_refused(tmp_path: Path) -> None:
    har = Har(tmp_path / "traffic.har", "0.1.0")
    har.close()
    har.close()
    with pytest.raises(ValueError, match="is closed"):
        har.add(EXCHANGES[0], [TOKEN])
