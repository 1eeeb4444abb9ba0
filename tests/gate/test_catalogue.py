"""The catalogue of edits (catalogue.yaml): on each, `gate.compare` reports what oasdiff reports.

Every entry edits a deep copy of the spec and names the set of oasdiff rule ids that oasdiff reports
for that edit and the highest of their levels; the verdicts come from oasdiff's source, not from
the gate. The edits are a small JSON-Patch-like language, applied here.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

import gate
from gate.rules import RULES
from spec import SPEC_PATH
from spec.loader import read_yaml

CATALOGUE_PATH = Path(__file__).with_name("catalogue.yaml")
LEVELS = ("error", "warning", "info", "none")
MINIMUM_ENTRIES = 80
_OPS = frozenset({"add", "remove", "replace", "move", "rename"})


class EditError(Exception):
    """An edit of the catalogue cannot be applied: its path does not resolve, or it is malformed."""


@dataclass(frozen=True)
class Edit:
    """One step: an op at a JSON Pointer, with what the op needs."""

    op: str
    path: str
    value: Any = None
    source: str | None = None  # `from` of a move
    to: str | None = None  # the new key of a rename
    before: str | None = None  # for an add of an object key: the sibling it goes before

    @property
    def label(self) -> str:
        """The step as a reader finds it in the catalogue."""
        return f"{self.op} {self.path}"


@dataclass(frozen=True)
class Entry:
    """One catalogue entry: the edit and oasdiff's verdict on it."""

    name: str
    oasdiff: str
    base_edit: tuple[Edit, ...]
    edit: tuple[Edit, ...]
    ids: frozenset[str]
    level: str


# ---- the edit language -----------------------------------------------------------------------


def _tokens(pointer: str) -> list[str]:
    if pointer == "":
        return []
    if not pointer.startswith("/"):
        raise EditError(f"{pointer!r} is not a JSON Pointer (it must start with '/')")
    return [token.replace("~1", "/").replace("~0", "~") for token in pointer[1:].split("/")]


def _index(container: list[Any], token: str, pointer: str, *, appending: bool) -> int:
    if appending and token == "-":
        return len(container)
    if not token.isdigit() or (token != "0" and token.startswith("0")):
        raise EditError(f"{pointer}: {token!r} is not an array index")
    index = int(token)
    limit = len(container) if appending else len(container) - 1
    if index > limit:
        raise EditError(f"{pointer}: index {index} is past the end ({len(container)} items)")
    return index


def _resolve(document: Any, tokens: Sequence[str], pointer: str) -> Any:
    node = document
    for depth, token in enumerate(tokens):
        where = "/" + "/".join(tokens[: depth + 1])
        if isinstance(node, dict):
            if token not in node:
                raise EditError(f"{pointer}: no member {token!r} at {where}")
            node = node[token]
        elif isinstance(node, list):
            node = node[_index(node, token, pointer, appending=False)]
        else:
            raise EditError(f"{pointer}: {where} is inside a scalar")
    return node


def _parent(document: Any, pointer: str) -> tuple[Any, str]:
    tokens = _tokens(pointer)
    if not tokens:
        raise EditError("the whole document cannot be the target of an edit")
    return _resolve(document, tokens[:-1], pointer), tokens[-1]


def _add(document: Any, pointer: str, value: Any, before: str | None = None) -> None:
    parent, token = _parent(document, pointer)
    if isinstance(parent, dict):
        if token in parent:
            raise EditError(f"{pointer}: already exists (use replace)")
        if before is None:
            parent[token] = value
            return
        if before not in parent:
            raise EditError(f"{pointer}: no sibling {before!r} to add it before")
        items = list(parent.items())
        parent.clear()
        for key, existing in items:
            if key == before:
                parent[token] = value
            parent[key] = existing
    elif isinstance(parent, list):
        if before is not None:
            raise EditError(f"{pointer}: `before` applies to object keys only")
        parent.insert(_index(parent, token, pointer, appending=True), value)
    else:
        raise EditError(f"{pointer}: the parent is a scalar")


def _remove(document: Any, pointer: str) -> Any:
    parent, token = _parent(document, pointer)
    if isinstance(parent, dict):
        if token not in parent:
            raise EditError(f"{pointer}: no such member")
        return parent.pop(token)
    if isinstance(parent, list):
        return parent.pop(_index(parent, token, pointer, appending=False))
    raise EditError(f"{pointer}: the parent is a scalar")


def _replace(document: Any, pointer: str, value: Any) -> None:
    parent, token = _parent(document, pointer)
    if isinstance(parent, dict):
        if token not in parent:
            raise EditError(f"{pointer}: no such member (use add)")
        parent[token] = value
    elif isinstance(parent, list):
        parent[_index(parent, token, pointer, appending=False)] = value
    else:
        raise EditError(f"{pointer}: the parent is a scalar")


def _rename(document: Any, pointer: str, to: str) -> None:
    parent, token = _parent(document, pointer)
    if not isinstance(parent, dict):
        raise EditError(f"{pointer}: only an object member can be renamed")
    if token not in parent:
        raise EditError(f"{pointer}: no such member")
    if to in parent:
        raise EditError(f"{pointer}: a member {to!r} already exists")
    items = list(parent.items())
    parent.clear()
    for key, existing in items:
        parent[to if key == token else key] = existing


def apply_edit(document: Any, edit: Edit) -> None:
    """Apply one step in place; EditError when its path does not resolve."""
    value = copy.deepcopy(edit.value)
    if edit.op == "add":
        _add(document, edit.path, value, edit.before)
    elif edit.op == "remove":
        _remove(document, edit.path)
    elif edit.op == "replace":
        _replace(document, edit.path, value)
    elif edit.op == "move":
        if edit.source is None:
            raise EditError("move needs `from`")
        _add(document, edit.path, _remove(document, edit.source))
    elif edit.op == "rename":
        if edit.to is None:
            raise EditError("rename needs `to`")
        _rename(document, edit.path, edit.to)
    else:
        raise EditError(f"unknown op {edit.op!r}")


def applied(document: Any, edits: Sequence[Edit], entry: str, part: str) -> Any:
    """A deep copy of `document` with the edits applied; EditError naming the entry and step."""
    result = copy.deepcopy(document)
    for number, edit in enumerate(edits, start=1):
        try:
            apply_edit(result, edit)
        except EditError as error:
            raise EditError(f"{entry!r}, {part} step {number} ({edit.label}): {error}") from None
    return result


# ---- reading the catalogue -------------------------------------------------------------------


def _edits(raw: Any, where: str) -> tuple[Edit, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise EditError(f"{where}: a list of edits is expected")
    edits = []
    for number, step in enumerate(raw, start=1):
        if not isinstance(step, dict) or step.get("op") not in _OPS:
            raise EditError(f"{where} step {number}: an op of {sorted(_OPS)} is expected")
        known = {"op", "path", "value", "from", "to", "before"}
        if not isinstance(step.get("path"), str) or set(step) - known:
            raise EditError(f"{where} step {number}: a string `path` and only {sorted(known)}")
        if step["op"] in {"add", "replace"} and "value" not in step:
            raise EditError(f"{where} step {number}: {step['op']} needs a `value`")
        edits.append(
            Edit(
                op=step["op"],
                path=step["path"],
                value=step.get("value"),
                source=step.get("from"),
                to=step.get("to"),
                before=step.get("before"),
            )
        )
    return tuple(edits)


def _entry(raw: Any, number: int) -> Entry:
    if not isinstance(raw, dict) or not isinstance(raw.get("name"), str):
        raise EditError(f"catalogue entry {number}: a mapping with a `name` is expected")
    name = raw["name"]
    expect = raw.get("expect")
    if not isinstance(expect, dict) or not isinstance(expect.get("ids"), list):
        raise EditError(f"{name!r}: `expect` needs a list `ids` and a `level`")
    if not raw.get("edit"):
        raise EditError(f"{name!r}: no `edit`")
    return Entry(
        name=name,
        oasdiff=str(raw.get("oasdiff")),
        base_edit=_edits(raw.get("base_edit"), f"{name!r} base_edit"),
        edit=_edits(raw.get("edit"), f"{name!r} edit"),
        ids=frozenset(str(rule_id) for rule_id in expect["ids"]),
        level=str(expect.get("level")),
    )


def _catalogue() -> tuple[Entry, ...]:
    raw = yaml.safe_load(CATALOGUE_PATH.read_text(encoding="utf-8"))
    if not isinstance(raw, list):
        raise EditError(f"{CATALOGUE_PATH}: a list of entries is expected")
    return tuple(_entry(item, number) for number, item in enumerate(raw, start=1))


ENTRIES = _catalogue()


@pytest.fixture(scope="module")
def spec_document() -> Mapping[str, Any]:
    """The bundled spec, parsed (a test copies it before editing)."""
    found = read_yaml(SPEC_PATH)
    assert isinstance(found, dict)
    return found


def _documents(spec_document: Mapping[str, Any], entry: Entry) -> tuple[Any, Any]:
    base = applied(spec_document, entry.base_edit, entry.name, "base_edit")
    return base, applied(base, entry.edit, entry.name, "edit")


# ---- the tests -------------------------------------------------------------------------------


@pytest.mark.parametrize("entry", ENTRIES, ids=[entry.name for entry in ENTRIES])
def test_the_gate_reports_what_oasdiff_reports(
    spec_document: Mapping[str, Any], entry: Entry
) -> None:
    base, head = _documents(spec_document, entry)
    changes = gate.compare(base, head)
    assert {change.rule.id for change in changes} == entry.ids
    highest = max((change.rule.level for change in changes), default=None)
    assert (highest.label if highest is not None else "none") == entry.level


def test_the_catalogue_is_well_formed() -> None:
    assert len(ENTRIES) >= MINIMUM_ENTRIES
    names = [entry.name for entry in ENTRIES]
    assert sorted(name for name in set(names) if names.count(name) > 1) == []
    oasdiff_ids = {rule.oasdiff for rule in RULES.values() if rule.oasdiff}
    assert [e.name for e in ENTRIES if e.oasdiff not in oasdiff_ids] == []
    assert [e.name for e in ENTRIES if e.level not in LEVELS] == []
    # `none` exactly when oasdiff reports nothing.
    assert [e.name for e in ENTRIES if (e.level == "none") != (not e.ids)] == []


@pytest.mark.parametrize("entry", ENTRIES, ids=[entry.name for entry in ENTRIES])
def test_every_edit_resolves_and_changes_the_document(
    spec_document: Mapping[str, Any], entry: Entry
) -> None:
    base, head = _documents(spec_document, entry)
    if entry.base_edit:
        assert base != spec_document, f"{entry.name!r}: base_edit changes nothing"
    assert head != base, f"{entry.name!r}: the edit changes nothing"
