"""The ids a server hands out in its answers, found through the spec: what a run leaves behind."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import jsonpointer

from spec import Spec

MOVES = "moves"


def handed_out(spec: Spec, method: str, path: str, status: int, body: Any) -> dict[str, list[int]]:
    """The ids in a 2xx answer to `method path`, by kind: `{"appointments": [7], "moves": [..]}`.

    A creation's answer names its record where the spec's links take the id from (an
    appointment at `/id`); a move is named wherever the lifecycle's move member appears.
    """
    operation = spec.operation_for(method, "/" + path.lstrip("/"))
    if operation is None or not 200 <= status < 300:
        return {}
    found: dict[str, list[int]] = {}
    response = operation.responses.get(str(status))
    if response is not None and "{" not in operation.path:
        kind = operation.path.rstrip("/").rsplit("/", 1)[-1]
        pointers = {pointer for link in response.links.values() for pointer in link.values()}
        ids = [jsonpointer.resolve_pointer(body, pointer, None) for pointer in sorted(pointers)]
        found[kind] = [value for value in ids if _is_id(value)]
    moves = [value for value in _members(body, spec.lifecycle.move_field) if _is_id(value)]
    if moves:
        found[MOVES] = moves
    return {kind: ids for kind, ids in found.items() if ids}


def _members(node: Any, name: str) -> Iterator[Any]:
    """Every value of a member called `name`, at any depth."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == name:
                yield value
            yield from _members(value, name)
    elif isinstance(node, list):
        for item in node:
            yield from _members(item, name)


def _is_id(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
