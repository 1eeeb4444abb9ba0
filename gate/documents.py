"""Reading an OpenAPI document as the gate compares it: `$ref`s followed, siblings kept."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from spec.pointer import Pointer, escape
from spec.schemas import local_ref


@dataclass(frozen=True)
class Node:
    """An object of the document with its `$ref` chain merged, and where each keyword came from."""

    schema: Mapping[str, Any]
    pointer: str
    origins: Mapping[str, str]

    def origin(self, keyword: str) -> str:
        """The pointer of the object that holds `keyword` (the node itself when none does)."""
        return self.origins.get(keyword, self.pointer)

    def mapping(self, keyword: str) -> Mapping[str, Any]:
        """The object under `keyword`, or an empty one where there is none (or not an object)."""
        found = self.schema.get(keyword)
        return found if isinstance(found, Mapping) else {}

    def child(self, document: Mapping[str, Any], relative: str) -> Node:
        """The node at `relative` below this one (`items`, `anyOf/0`), followed too."""
        first = relative.split("/", 1)[0]
        return resolve(document, f"{self.origin(first)}/{relative}")

    def members(self) -> dict[str, str]:
        """Each member (`properties`) name and the pointer of its schema."""
        found = self.schema.get("properties")
        if not isinstance(found, Mapping):
            return {}
        holder = self.origin("properties")
        return {name: f"{holder}/properties/{escape(name)}" for name in found}


def resolve(document: Mapping[str, Any], pointer: str) -> Node:
    """The object at `pointer`, each `$ref` followed; keywords beside a `$ref` win over its own."""
    merged: dict[str, Any] = {}
    origins: dict[str, str] = {}
    seen: set[str] = set()
    where = pointer
    node = _at(document, pointer)
    while True:
        for keyword, value in node.items():
            if keyword != "$ref" and keyword not in merged:
                merged[keyword] = value
                origins[keyword] = where
        target = local_ref(node)
        if target is None or target in seen:
            return Node(merged, where, origins)
        seen.add(target)
        where = target
        node = _at(document, where)


def _at(document: Mapping[str, Any], pointer: str) -> Mapping[str, Any]:
    """The object at `pointer`, or an empty one where the document has none (a dangling ref)."""
    found = Pointer(pointer).value_in(document) if pointer else document
    return found if isinstance(found, Mapping) else {}
