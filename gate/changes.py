"""What the gate reports: a change, the rule it falls under, and that rule's severity."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

T = TypeVar("T")


class Level(enum.IntEnum):
    """How much a change can hurt a client written against the old spec; oasdiff's three."""

    INFO = 1
    WARNING = 2
    ERROR = 3

    @property
    def label(self) -> str:
        """The name used on the command line and in every output (`error`, `warning`, `info`)."""
        return self.name.lower()

    @classmethod
    def named(cls, label: str) -> Level:
        """The level a label (`error`, `ERR`, `warn`, ...) names; ValueError for any other."""
        aliases = {"err": "error", "warn": "warning"}
        name = aliases.get(label.lower(), label.lower())
        for level in cls:
            if level.label == name:
                return level
        raise ValueError(f"no severity {label!r} (error, warning or info)")


@dataclass(frozen=True)
class Rule:
    """One kind of difference: its id, severity, oasdiff's rule id where there is one, and why."""

    id: str
    level: Level
    why: str
    oasdiff: str | None


@dataclass(frozen=True)
class Change:
    """One difference between two specs: its rule, the operation, where in it, and what changed."""

    rule: Rule
    operation: str
    where: str
    detail: str
    # A JSON pointer into the spec that has the changed thing (the new one, or the old one for a
    # removal), so annotations can point at its line; empty where no single node is it.
    pointer: str = ""
    in_base: bool = False

    @property
    def level(self) -> Level:
        """The rule's severity."""
        return self.rule.level

    @property
    def location(self) -> str:
        """The operation and the place in it, as acknowledgements name a change."""
        return f"{self.operation} {self.where}".strip()

    def as_dict(self) -> dict[str, Any]:
        """The change as JSON-ready data."""
        return {
            "id": self.rule.id,
            "level": self.rule.level.label,
            "oasdiff": self.rule.oasdiff,
            "operation": self.operation,
            "where": self.where,
            "detail": self.detail,
            "why": self.rule.why,
            "pointer": self.pointer,
            "in": "base" if self.in_base else "head",
        }


def differences(old: Iterable[T], new: Iterable[T]) -> Iterator[tuple[str, T]]:
    """(`removed`, x) for each x only in `old`, then (`added`, x) for each x only in `new`."""
    before, after = set(old), set(new)
    for item in sorted(before - after, key=str):
        yield "removed", item
    for item in sorted(after - before, key=str):
        yield "added", item
