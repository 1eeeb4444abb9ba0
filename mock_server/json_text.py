"""The JSON text the mock writes: its answers and the records it stores."""

from __future__ import annotations

import json
from typing import Any

import orjson
from starlette.responses import JSONResponse


def dumps(value: Any) -> bytes:
    """`value` as compact UTF-8 JSON text (of the values JSON has: no NaN, dates or objects)."""
    try:
        # An order of magnitude faster than json, a tenth of a write's time.
        return orjson.dumps(value)
    except orjson.JSONEncodeError:
        # orjson refuses what JSON allows and a body may hold (integers beyond 64 bits, nesting
        # deeper than 254 levels) and strings UTF-8 cannot encode, which json escapes.
        return json.dumps(value, allow_nan=False, separators=(",", ":")).encode()


class JSONAnswer(JSONResponse):
    """A JSON response rendered by `dumps`."""

    def render(self, content: Any) -> bytes:
        """The body's bytes."""
        return dumps(content)
