"""JSON Pointers: the one escape of a reference token, and pointers parsed once for lookups."""

from __future__ import annotations

from typing import Any

import jsonpointer


def escape(segment: str) -> str:
    """`segment` as one reference token of a pointer: `~` as `~0`, `/` as `~1` (RFC 6901)."""
    return jsonpointer.escape(segment)


def unescape(token: str) -> str:
    """The member name one reference token of a pointer stands for (the reverse of `escape`)."""
    return jsonpointer.unescape(token)


class Pointer:
    """An RFC 6901 pointer parsed once (by `jsonpointer`), then followed with plain lookups.

    `jsonpointer.resolve_pointer` parses the text and checks abstract types at each step,
    about 4 µs a lookup; the mock makes several per request.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self._parts = tuple(jsonpointer.JsonPointer(text).parts)

    def value_in(self, document: Any) -> Any:
        """The value the pointer names in `document`, or None where there is none."""
        for part in self._parts:
            if isinstance(document, dict):
                document = document.get(part)
            elif isinstance(document, list) and part.isdigit() and int(part) < len(document):
                document = document[int(part)]
            else:
                return None
        return document
