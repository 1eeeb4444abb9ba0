"""`Pointer`: the same answers as jsonpointer, None where the document has nothing."""

from __future__ import annotations

from typing import Any

import jsonpointer
import pytest

from spec.pointer import Pointer, escape, unescape

DOCUMENT = {"vehicle": {"vin": "VIN1", "a/b": 1, "m~n": 2}, "legs": [{"id": 7}], "": {"": 3}}


@pytest.mark.parametrize(
    "text", ["", "/vehicle", "/vehicle/vin", "/vehicle/a~1b", "/vehicle/m~0n", "/legs/0/id", "//"]
)
def test_pointer_finds_what_jsonpointer_finds(text: str) -> None:
    assert Pointer(text).value_in(DOCUMENT) == jsonpointer.resolve_pointer(DOCUMENT, text)


@pytest.mark.parametrize(
    ("text", "document"),
    [
        ("/vehicle/stock", DOCUMENT),
        ("/legs/1/id", DOCUMENT),
        ("/legs/-", DOCUMENT),
        ("/vehicle/vin/x", DOCUMENT),
        ("/vehicle", {"vehicle": None}),
        ("/vehicle/vin", "not an object"),
    ],
)
def test_pointer_to_nothing_is_none(text: str, document: Any) -> None:
    assert Pointer(text).value_in(document) is None


@pytest.mark.parametrize("name", ["vin", "a/b", "m~n", "~1", "/~0/", ""])
def test_escape_makes_one_token_that_jsonpointer_reads_back(name: str) -> None:
    token = escape(name)
    assert "/" not in token
    assert unescape(token) == name
    assert Pointer(f"/{token}").value_in({name: 1}) == 1
