"""The acknowledgement file: each breaking change the API team accepted, and why."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

import yaml

from gate.changes import Change
from gate.rules import RULES
from hopdrive.errors import HopDriveError

__all__ = ["Acknowledgement", "AcknowledgementError", "load", "settle"]

_REQUIRED = ("rule", "operation", "reason", "accepted_by")
_KEYS = ("rule", "operation", "where", "reason", "accepted_by", "date")


class AcknowledgementError(HopDriveError):
    """The acknowledgement file cannot be used; `str()` is one line naming the file."""

    exit_status = 5


@dataclass(frozen=True)
class Acknowledgement:
    """One accepted change: which rule, where (`*` globs allowed), why, and who accepted it."""

    rule: str
    operation: str
    where: str | None
    reason: str
    accepted_by: str
    date: str | None
    # 1-based position in the file, so a stale or bad entry can be named.
    index: int

    def matches(self, change: Change) -> bool:
        """Whether the entry accepts `change`: the same rule, its operation and place."""
        return (
            change.rule.id == self.rule
            and _fits(change.operation, self.operation)
            and (self.where is None or _fits(change.where, self.where))
        )


def load(path: Path, *, required: bool = False) -> tuple[Acknowledgement, ...]:
    """The entries of the file at `path`; none when it is missing and not `required`."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        if required:
            raise AcknowledgementError(f"{path}: does not exist") from None
        return ()
    except UnicodeDecodeError:
        raise AcknowledgementError(f"{path}: not UTF-8 text") from None
    except OSError as error:
        raise AcknowledgementError(f"{path}: cannot be read ({error.strerror})") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        raise AcknowledgementError(f"{path}: not valid YAML{where}") from None
    return _entries(path, data)


def settle(
    changes: Sequence[Change], acknowledgements: Sequence[Acknowledgement]
) -> tuple[dict[Change, Acknowledgement], tuple[Acknowledgement, ...]]:
    """Each change an entry accepts, with the first such entry; and the entries that match none."""
    accepted: dict[Change, Acknowledgement] = {}
    matched: set[Acknowledgement] = set()
    for change in changes:
        matching = [entry for entry in acknowledgements if entry.matches(change)]
        if matching:
            accepted[change] = matching[0]
            matched.update(matching)
    # An entry that matches only an info change is not stale: it is true, merely unneeded
    # at the default bar, and a `--fail-on info` run needs it.
    stale = tuple(entry for entry in acknowledgements if entry not in matched)
    return accepted, stale


def _fits(text: str, pattern: str) -> bool:
    # A place copied verbatim from the report must match itself even where it holds `[` or `?`,
    # which fnmatch would read as a pattern.
    return text == pattern or fnmatchcase(text, pattern)


def _entries(path: Path, data: Any) -> tuple[Acknowledgement, ...]:
    """The entries of the file's parsed YAML; AcknowledgementError naming the first bad one."""
    if data is None:
        return ()
    if not isinstance(data, dict):
        raise AcknowledgementError(f"{path}: not a mapping with the list 'accepted'")
    # A misspelt top-level key would otherwise read as a file that accepts nothing.
    for key in data:
        if key != "accepted":
            raise AcknowledgementError(f"{path}: unknown key {key!r} (only 'accepted')")
    entries = data.get("accepted")
    if entries is None:
        return ()
    if not isinstance(entries, list):
        raise AcknowledgementError(f"{path}: 'accepted' is not a list")
    return tuple(_entry(path, index, entry) for index, entry in enumerate(entries, start=1))


def _entry(path: Path, index: int, entry: Any) -> Acknowledgement:
    """One entry checked: only known keys, the required ones there, every value text."""
    prefix = f"{path}: entry {index}"
    if not isinstance(entry, dict):
        raise AcknowledgementError(f"{prefix}: not a mapping ({', '.join(_KEYS)})")
    # A misspelt key must not silently widen the match (`wehre`) or drop a required one.
    for key in entry:
        if key not in _KEYS:
            raise AcknowledgementError(f"{prefix}: unknown key {key!r} (known: {', '.join(_KEYS)})")
    for key in _REQUIRED:
        if key not in entry:
            raise AcknowledgementError(f"{prefix}: {key!r} is missing")
    values = {key: _text(prefix, key, value) for key, value in entry.items() if key != "date"}
    # A misspelt rule would match nothing and only show as stale; name it as the error it is.
    if values["rule"] not in RULES:
        raise AcknowledgementError(f"{prefix}: no rule {values['rule']!r} (see gate/rules.py)")
    return Acknowledgement(
        rule=values["rule"],
        operation=values["operation"],
        where=values.get("where"),
        reason=values["reason"],
        accepted_by=values["accepted_by"],
        date=_date(prefix, entry.get("date")),
        index=index,
    )


def _text(prefix: str, key: str, value: Any) -> str:
    """A value that must be non-empty text."""
    if not isinstance(value, str):
        shown = "nothing" if value is None else type(value).__name__
        raise AcknowledgementError(f"{prefix}: {key!r} must be text, not {shown}")
    if not value.strip():
        # An empty `where` would match only changes with no place; leaving it out is what
        # "anywhere in the operation" is spelt as.
        hint = " (leave it out to match anywhere in the operation)" if key == "where" else ""
        raise AcknowledgementError(f"{prefix}: {key!r} is empty{hint}")
    return value


def _date(prefix: str, value: Any) -> str | None:
    """The entry's date as ISO text: YAML reads an unquoted 2026-12-01 as a date."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, datetime.date):
        return value.isoformat()
    raise AcknowledgementError(
        f"{prefix}: 'date' must be a date (2026-12-01) or text, not {type(value).__name__}"
    )
