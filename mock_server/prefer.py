"""The `Prefer` request header (RFC 7240): the preferences a request states, and their echo."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
_QUOTED_PAIR = re.compile(r"\\(.)")


def preferences(lines: Iterable[str]) -> dict[str, str | None]:
    """The preferences the `Prefer` lines state, by lower-case name: each one's value, None
    when it has none. Of a name stated twice the first counts; `;` parameters are dropped."""
    stated: dict[str, str | None] = {}
    for line in lines:
        for preference in _split(line, ","):
            name, equals, word = _split(preference, ";")[0].partition("=")
            name = name.strip().lower()
            if name and name not in stated:
                # An empty value is no value at all (RFC 7240, section 2).
                stated[name] = (_unquoted(word.strip()) if equals else "") or None
    return stated


def applied(honoured: Mapping[str, str]) -> str:
    """The `Preference-Applied` value naming the preferences honoured, values quoted as needed."""
    return ", ".join(f"{name}={_word(value)}" for name, value in honoured.items())


def _split(text: str, separator: str) -> list[str]:
    """`text` cut at each `separator` outside a quoted string."""
    pieces = []
    start = 0
    quoted = escaped = False
    for index, char in enumerate(text):
        if escaped:
            escaped = False
        elif quoted and char == "\\":
            escaped = True
        elif char == '"':
            quoted = not quoted
        elif char == separator and not quoted:
            pieces.append(text[start:index])
            start = index + 1
    pieces.append(text[start:])
    return pieces


def _unquoted(word: str) -> str:
    if len(word) >= 2 and word[0] == word[-1] == '"':
        return _QUOTED_PAIR.sub(r"\1", word[1:-1])
    return word


def _word(value: str) -> str:
    if _TOKEN.fullmatch(value):
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
