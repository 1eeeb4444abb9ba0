"""What applies at one place of a body: the schema there and all it brings in by `$ref` and the
combinators, walked the same way for the loader and the gate."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import jsonpointer


@dataclass(frozen=True)
class Part:
    """One schema that applies, where it is, the `$ref` targets followed to reach it, and how
    many steps (a `$ref` or a combinator's branch) lead to it from where the walk began."""

    pointer: str
    node: Mapping[str, Any]
    followed: frozenset[str]
    depth: int = 0


def local_ref(node: Any) -> str | None:
    """The pointer a local `$ref` (`#/...`) of the schema names, or None when it has none."""
    ref = node.get("$ref") if isinstance(node, Mapping) else None
    return ref[1:] if isinstance(ref, str) and ref.startswith("#") else None


def parts(
    document: Any,
    pointer: str,
    *,
    alternatives: bool = False,
    followed: frozenset[str] = frozenset(),
    depth: int = 0,
) -> Iterator[Part]:
    """The schema at `pointer` and every schema it brings in by `$ref` and `allOf` (with
    `alternatives`, by `anyOf` and `oneOf` too): first what it builds on, then itself, then its
    alternatives.

    A `$ref` already followed on the way to a schema is not followed again from it, so that a
    recursive schema ends; `followed` names those followed before `pointer`, and `depth` counts
    the steps taken to it. Sorted by depth (stably), the parts come nearest first.
    """
    node = jsonpointer.resolve_pointer(document, pointer)
    if not isinstance(node, Mapping):
        return
    target = local_ref(node)
    bases = [] if target is None or target in followed else [(target, followed | {target})]
    bases += [(f"{pointer}/allOf/{i}", followed) for i in range(len(node.get("allOf", [])))]
    # What a schema builds on comes first: a base's members before the ones it adds.
    for where, seen in bases:
        yield from parts(document, where, alternatives=alternatives, followed=seen, depth=depth + 1)
    yield Part(pointer, node, followed, depth)
    if alternatives:
        for keyword in ("anyOf", "oneOf"):
            for index in range(len(node.get(keyword, []))):
                where = f"{pointer}/{keyword}/{index}"
                yield from parts(
                    document, where, alternatives=True, followed=followed, depth=depth + 1
                )
