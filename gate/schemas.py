"""Two versions of one schema compared keyword by keyword, in both directions, as oasdiff does.

A schema sits in a request (clients write it: narrowing breaks them), a response (clients read
it: widening breaks them), a parameter (a request value read as text) or a response header. The
rule for a keyword's change is the side's prefix and the change's suffix (`request-property-` and
`max-decreased`); a side that has no such rule reports nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Generator, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from gate.changes import Change, differences
from gate.documents import Node, resolve
from gate.rules import RULES

_BOUNDS = ("maximum", "exclusiveMaximum", "minimum", "exclusiveMinimum")
_LENGTHS = ("maxLength", "minLength", "maxItems", "minItems")
_SUFFIX = {
    "maximum": "max",
    "exclusiveMaximum": "exclusive-max",
    "minimum": "min",
    "exclusiveMinimum": "exclusive-min",
    "maxLength": "max-length",
    "minLength": "min-length",
    "maxItems": "max-items",
    "minItems": "min-items",
}
_BRANCHES = ("allOf", "anyOf", "oneOf")
# Keywords whose coming or going is one change, as oasdiff reports them.
_PRESENT = {
    "if": "if",
    "then": "then",
    "else": "else",
    "contains": "contains",
    "propertyNames": "property-names",
    "unevaluatedItems": "unevaluated-items",
    "unevaluatedProperties": "unevaluated-properties",
    "contentSchema": "content-schema",
    "prefixItems": "prefix-items",
    "discriminator": "discriminator",
}
_ANNOTATIONS = frozenset(
    {"description", "title", "example", "examples", "deprecated", "$comment", "externalDocs"}
)
# Formats a value of the old one always also has (a date is a date-time's prefix for oasdiff).
_WIDER_FORMATS = {("date", "date-time"), ("time", "date-time"), ("int32", "int64")} | {
    ("float", "double")
}


@dataclass(frozen=True)
class Site:
    """Where a schema is used: its side, operation and label (`request body application/json`)."""

    side: str  # request, response, parameter or header
    operation: str
    label: str
    strongly_typed: bool = True


def compare_schemas(
    base: Mapping[str, Any], head: Mapping[str, Any], site: Site, old: str, new: str
) -> list[Change]:
    """Every change from the schema at pointer `old` of `base` to `new` of `head`."""
    return list(_Walk(base, head, site).node(resolve(base, old), resolve(head, new), (), {}))


class _Walk:
    """One comparison: the two documents, the site, and the pairs of schemas already compared."""

    def __init__(self, base: Mapping[str, Any], head: Mapping[str, Any], site: Site) -> None:
        self.base, self.head, self.site = base, head, site
        self.open: set[tuple[str, str]] = set()

    def node(
        self, b: Node, h: Node, path: tuple[str, ...], facts: Mapping[str, bool]
    ) -> Iterator[Change]:
        """The changes at one place and below it; `facts` say if it is required, read-only."""
        pair = (b.pointer, h.pointer)
        if pair in self.open:
            return  # a recursive schema: this pair is being compared further up
        self.open.add(pair)
        try:
            at = _At(self, b, h, path, facts)
            wrapping = _wrapping(b, h, self.base, self.head)
            if wrapping:
                # oasdiff's nullable wrapping: X became oneOf [null, X] (or back); one change.
                yield from at.change(wrapping, "null " + wrapping.split("-", 1)[1], key="oneOf")
                return
            claimed = yield from at.types()
            yield from at.values()
            yield from at.bounds()
            yield from at.annotations()
            yield from at.keywords()
            yield from at.members()
            yield from at.subschemas(claimed)
        finally:
            self.open.discard(pair)


class _At:
    """The comparison at one place of the body."""

    def __init__(
        self, walk: _Walk, b: Node, h: Node, path: tuple[str, ...], facts: Mapping[str, bool]
    ) -> None:
        self.walk, self.b, self.h, self.path, self.facts = walk, b, h, path, facts
        self.side = walk.site.side

    # ---- emitting -------------------------------------------------------------------------
    def change(
        self, suffix: str, detail: str, *, in_base: bool = False, key: str = ""
    ) -> Iterator[Change]:
        """The change of rule prefix+suffix here, if this side has that rule."""
        rule = RULES.get(self.rule_id(suffix))
        if rule is None:
            return
        node = self.b if in_base else self.h
        pointer = f"{node.origin(key)}/{key}" if key in node.schema else node.pointer
        yield Change(rule, self.walk.site.operation, self.where(), detail, pointer, in_base)

    def where(self, path: tuple[str, ...] | None = None) -> str:
        """The label and the member path (`request body application/json /vehicle/make`)."""
        path = self.path if path is None else path
        if not path and self.side in ("parameter", "header"):
            return self.walk.site.label  # a value, not a body: it has no members
        return self.walk.site.label + " /" + "/".join(path)

    def rule_id(self, suffix: str) -> str:
        """The id of `suffix`'s rule at this place and side."""
        if self.side == "parameter":
            return f"request-parameter-{suffix}"
        if self.side == "header":
            return f"response-header-{suffix}"
        if self.facts.get("read_only") and self.side == "request":
            special = f"request-read-only-property-{suffix}"
            if special in RULES:
                return special
        part = "body" if not self.path else "property"
        wanted = f"{self.side}-{part}-{suffix}"
        # A few keyword families have property rules only; at the body they stand for both.
        return wanted if wanted in RULES else f"{self.side}-property-{suffix}"

    # ---- types ---------------------------------------------------------------------------
    def types(self) -> Generator[Change, None, bool]:
        """Nullability, type, format and list-of-types changes; returns whether the latter ran."""
        b_types, h_types = _types(self.b.schema), _types(self.h.schema)
        b_list = _type_list(self.b, self.walk.base)
        h_list = _type_list(self.h, self.walk.head)
        if b_list is not None and h_list is not None and "list" in (b_list[1], h_list[1]):
            added, dropped = set(h_list[0]) - set(b_list[0]), set(b_list[0]) - set(h_list[0])
            if added or dropped:
                narrowed = bool(dropped) if self.side != "response" else not added
                word = "narrowed" if narrowed else "widened"
                detail = _moved(sorted(added), sorted(dropped))
                yield from self.change(f"list-of-types-{word}", detail, key="type")
                return True
        if (
            b_types is not None
            and h_types is not None
            and ("null" in b_types) != ("null" in h_types)
        ):
            became = "became-nullable" if "null" in h_types else "became-not-nullable"
            yield from self.change(
                became, "null " + ("allowed" if "null" in h_types else "refused"), key="type"
            )
        b_core = None if b_types is None else b_types - {"null"}
        h_core = None if h_types is None else h_types - {"null"}
        if b_core == set() or h_core == set():
            return False  # only null: nullability said it all
        b_format, h_format = self.b.schema.get("format"), self.h.schema.get("format")
        if _covers(b_core, h_core) and _covers(h_core, b_core):
            if b_format != h_format:
                yield from self.change(
                    self._format_suffix(b_format, h_format),
                    f"format {b_format or 'none'} -> {h_format or 'none'}",
                    key="format",
                )
            return False
        detail = f"type {_names(b_core)} -> {_names(h_core)}"
        yield from self.change(self._type_suffix(b_core, h_core), detail, key="type")
        return False

    def _type_suffix(self, b: set[str] | None, h: set[str] | None) -> str:
        if self.side in ("request", "parameter"):
            if _covers(h, b):
                return "type-generalized"
            if not self.walk.site.strongly_typed and (h is None or h == {"string"}):
                return "type-generalized"  # every text value is a string
            return "type-changed"
        if _covers(b, h):
            return "type-specialized"
        return "type-generalized" if _covers(h, b) else "type-changed"

    def _format_suffix(self, b: Any, h: Any) -> str:
        if self.side in ("request", "parameter"):
            return "type-generalized" if not h or (b, h) in _WIDER_FORMATS else "type-changed"
        return "type-specialized" if not b or (h, b) in _WIDER_FORMATS else "type-changed"

    # ---- values --------------------------------------------------------------------------
    def values(self) -> Iterator[Change]:
        """Enums, const and default."""
        b, h = self.b.schema, self.h.schema
        # A missing enum is no values, as oasdiff diffs it: dropping one removes each value.
        if "enum" in b or "enum" in h:
            old, new = _json_set(b.get("enum", [])), _json_set(h.get("enum", []))
            if "enum" not in b and "const" not in b:
                yield from self.change("became-enum", f"now one of {sorted(new)}", key="enum")
            for value in sorted(old - new):
                yield from self.change("enum-value-removed", f"{value} removed", key="enum")
            for value in sorted(new - old):
                yield from self.change("enum-value-added", f"{value} added", key="enum")
        for suffix, present in (("const", "const"), ("default-value", "default")):
            if present in b and present not in h:
                yield from self.change(
                    f"{suffix}-removed", f"{_show(b[present])} removed", in_base=True, key=present
                )
            elif present in h and present not in b:
                yield from self.change(f"{suffix}-added", f"{_show(h[present])} added", key=present)
            elif present in b and b[present] != h[present]:
                yield from self.change(
                    f"{suffix}-changed", f"{_show(b[present])} -> {_show(h[present])}", key=present
                )

    # ---- bounds --------------------------------------------------------------------------
    def bounds(self) -> Iterator[Change]:
        """Numeric bounds, lengths, item counts and patterns."""
        b, h = self.b.schema, self.h.schema
        for keyword in (*_BOUNDS, *_LENGTHS):
            # A lower bound on a count that is left out is 0 (kin-openapi's uint64, oasdiff's).
            absent = 0 if keyword in ("minLength", "minItems") else None
            old, new = b.get(keyword, absent), h.get(keyword, absent)
            if old == new or isinstance(old, bool) or isinstance(new, bool):
                continue
            name = _SUFFIX[keyword]
            if old is None:
                yield from self.change(f"{name}-set", f"{keyword} {new} set", key=keyword)
            elif new is None:
                yield from self.change(f"{name}-unset", f"{keyword} {old} removed", key=keyword)
            else:
                grew = new > old
                yield from self.change(
                    f"{name}-{'increased' if grew else 'decreased'}",
                    f"{keyword} {old} -> {new}",
                    key=keyword,
                )
        old_pattern, new_pattern = b.get("pattern"), h.get("pattern")
        if old_pattern != new_pattern:
            if new_pattern is None:
                yield from self.change(
                    "pattern-removed", f"pattern {old_pattern} removed", key="pattern", in_base=True
                )
            elif old_pattern is None:
                yield from self.change(
                    "pattern-added", f"pattern {new_pattern} added", key="pattern"
                )
            elif new_pattern == ".*":
                yield from self.change(
                    "pattern-generalized", f"pattern {old_pattern} -> .*", key="pattern"
                )
            else:
                yield from self.change(
                    "pattern-changed", f"pattern {old_pattern} -> {new_pattern}", key="pattern"
                )

    # ---- annotations ---------------------------------------------------------------------
    def annotations(self) -> Iterator[Change]:
        """Deprecation of a member and the body's closedness."""
        b, h = self.b.schema, self.h.schema
        if self.path and bool(b.get("deprecated")) != bool(h.get("deprecated")):
            suffix = "deprecated" if h.get("deprecated") else "reactivated"
            yield from self.change(suffix, suffix, key="deprecated")
        if _is_object(b) and _is_object(h) and _closed(b) != _closed(h):
            suffix = "became-closed" if _closed(h) else "became-open"
            detail = "members not named are " + ("refused" if _closed(h) else "allowed")
            yield from self.change(suffix, detail, key="additionalProperties")

    # ---- 2020-12 keywords ----------------------------------------------------------------
    def keywords(self) -> Iterator[Change]:
        """Applicators and vocabularies oasdiff compares by presence, by key or by value."""
        b, h = self.b.schema, self.h.schema
        for keyword, suffix in _PRESENT.items():
            if (keyword in b) != (keyword in h):
                how = "added" if keyword in h else "removed"
                yield from self.change(f"{suffix}-{how}", f"{keyword} {how}", key=keyword)
        for keyword, suffix in (
            ("dependentSchemas", "dependent-schema"),
            ("dependentRequired", "dependent-required"),
        ):
            old, new = _object(b.get(keyword)), _object(h.get(keyword))
            for how, name in differences(old, new):
                yield from self.change(f"{suffix}-{how}", f"{keyword} {name} {how}", key=keyword)
            if keyword == "dependentRequired":
                for name in sorted(old.keys() & new.keys()):
                    if old[name] != new[name]:
                        detail = f"{keyword} {name}: {old[name]} -> {new[name]}"
                        yield from self.change(f"{suffix}-changed", detail, key=keyword)
        for keyword, suffix in (
            ("contentMediaType", "content-media-type"),
            ("contentEncoding", "content-encoding"),
        ):
            if b.get(keyword) != h.get(keyword):
                detail = f"{keyword} {b.get(keyword)} -> {h.get(keyword)}"
                yield from self.change(f"{suffix}-changed", detail, key=keyword)
        for keyword, suffix in (("minContains", "min-contains"), ("maxContains", "max-contains")):
            old_count, new_count = b.get(keyword), h.get(keyword)
            if isinstance(old_count, int) and isinstance(new_count, int) and old_count != new_count:
                how = "increased" if new_count > old_count else "decreased"
                detail = f"{keyword} {old_count} -> {new_count}"
                yield from self.change(f"{suffix}-{how}", detail, key=keyword)
        old_name = _object(b.get("discriminator")).get("propertyName")
        new_name = _object(h.get("discriminator")).get("propertyName")
        if ("discriminator" in b) == ("discriminator" in h) and old_name != new_name:
            yield from self.change(
                "discriminator-property-name-changed",
                f"{old_name} -> {new_name}",
                key="discriminator",
            )

    # ---- members -------------------------------------------------------------------------
    def members(self) -> Iterator[Change]:
        """Members added, removed, made required or optional, read- or write-only; then each."""
        if self.side in ("parameter", "header"):
            return
        b, h = self.b.schema, self.h.schema
        b_props, h_props = self.b.members(), self.h.members()
        b_required, h_required = set(b.get("required", [])), set(h.get("required", []))
        for name in sorted(b_props.keys() - h_props.keys()):
            yield from self._removed(
                name, resolve(self.walk.base, b_props[name]), name in b_required
            )
        for name in sorted(h_props.keys() - b_props.keys()):
            yield from self._added(name, resolve(self.walk.head, h_props[name]), name in h_required)
        for name in sorted(b_props.keys() & h_props.keys()):
            old, new = (
                resolve(self.walk.base, b_props[name]),
                resolve(self.walk.head, h_props[name]),
            )
            child = _At(self.walk, old, new, (*self.path, name), {})
            was, now = name in b_required, name in h_required
            if was != now:
                yield from child.required_changed(now)
            yield from child.access(now)
            facts = {"required": now, "read_only": bool(new.schema.get("readOnly"))}
            yield from self.walk.node(old, new, (*self.path, name), facts)
        if isinstance(b.get("items"), Mapping) and isinstance(h.get("items"), Mapping):
            old, new = self.b.child(self.walk.base, "items"), self.h.child(self.walk.head, "items")
            yield from self.walk.node(old, new, (*self.path, "[]"), {})
        for keyword in ("additionalProperties",):
            if isinstance(b.get(keyword), Mapping) and isinstance(h.get(keyword), Mapping):
                old, new = (
                    self.b.child(self.walk.base, keyword),
                    self.h.child(self.walk.head, keyword),
                )
                yield from self.walk.node(old, new, (*self.path, "*"), {})

    def _removed(self, name: str, member: Node, required: bool) -> Iterator[Change]:
        at = _At(self.walk, self.b, self.h, (*self.path, name), {})
        detail = f"member {name} removed"
        if self.side == "request":
            if not member.schema.get("readOnly"):
                yield from self._emit("request-property-removed", at, detail, in_base=True)
            return
        kind = "required" if required else "optional"
        write_only = "write-only-" if member.schema.get("writeOnly") else ""
        yield from self._emit(
            f"response-{kind}-{write_only}property-removed", at, detail, in_base=True
        )

    def _added(self, name: str, member: Node, required: bool) -> Iterator[Change]:
        at = _At(self.walk, self.b, self.h, (*self.path, name), {})
        detail = f"member {name} added" + (" (required)" if required else "")
        if self.side == "request":
            if member.schema.get("readOnly"):
                return
            if required:
                rule = "new-required-request-property" + (
                    "-with-default" if "default" in member.schema else ""
                )
            else:
                rule = "new-optional-request-property"
            yield from self._emit(rule, at, detail)
            return
        kind = "required" if required else "optional"
        write_only = "write-only-" if member.schema.get("writeOnly") else ""
        yield from self._emit(f"response-{kind}-{write_only}property-added", at, detail)

    def _emit(
        self, rule_id: str, at: _At, detail: str, *, in_base: bool = False
    ) -> Iterator[Change]:
        where = self.where(at.path)
        node = self.b if in_base else self.h
        yield Change(RULES[rule_id], self.walk.site.operation, where, detail, node.pointer, in_base)

    def required_changed(self, now: bool) -> Iterator[Change]:
        """The member became required or optional."""
        name = self.path[-1]
        if self.side == "request":
            rule = "request-property-became-required" if now else "request-property-became-optional"
        elif now:
            rule = "response-property-became-required"
        elif self.h.schema.get("writeOnly"):
            return
        else:
            rule = "response-property-became-optional"
        yield Change(
            RULES[rule],
            self.walk.site.operation,
            self.where(),
            f"{name} {'required' if now else 'optional'}",
            self.h.pointer,
        )

    def access(self, required: bool) -> Iterator[Change]:
        """readOnly and writeOnly set or cleared on the member."""
        for keyword, word in (("readOnly", "read-only"), ("writeOnly", "write-only")):
            was, now = bool(self.b.schema.get(keyword)), bool(self.h.schema.get(keyword))
            if was != now:
                kind = "required" if required else "optional"
                change = word if now else f"not-{word}"
                rule = RULES.get(f"{self.side}-{kind}-property-became-{change}")
                if rule is not None:
                    where = self.where()
                    yield Change(
                        rule,
                        self.walk.site.operation,
                        where,
                        f"{keyword} {now}",
                        self.h.origin(keyword),
                    )

    # ---- subschemas ----------------------------------------------------------------------
    def subschemas(self, claimed: bool) -> Iterator[Change]:
        """allOf, anyOf and oneOf branches added or removed, then those in both compared."""
        for keyword in _BRANCHES:
            old = _branches(self.b, keyword, self.walk.base)
            new = _branches(self.h, keyword, self.walk.head)
            name = {"allOf": "all-of", "anyOf": "any-of", "oneOf": "one-of"}[keyword]
            pairs = _paired(old, new)
            if not (claimed and keyword != "allOf"):
                kept_old = {o for o, _ in pairs}
                kept_new = {n for _, n in pairs}
                for how, key, node in [
                    *(("removed", k, v) for k, v in old.items() if k not in kept_old),
                    *(("added", k, v) for k, v in new.items() if k not in kept_new),
                ]:
                    # An allOf branch of annotations alone changes no value (oasdiff's own rule).
                    only = "-annotation-only" if keyword == "allOf" and not _meaning(node) else ""
                    detail = f"{keyword} branch {key} {how}"
                    yield from self.change(
                        f"{name}-{how}{only}", detail, in_base=how == "removed", key=keyword
                    )
            for old_key, new_key in pairs:
                # A branch stands for the place it is at: its members are the place's members.
                yield from self.walk.node(
                    old[old_key], new[new_key], (*self.path, f"{keyword}[{new_key}]"), self.facts
                )


def _types(schema: Mapping[str, Any]) -> set[str] | None:
    """The types the schema's own `type` (and 3.0 `nullable`) allow; None when it names none."""
    kinds = schema.get("type")
    if kinds is None:
        return None
    found = {kinds} if isinstance(kinds, str) else set(kinds)
    if schema.get("nullable") is True:
        found.add("null")
    return found


def _type_list(node: Node, document: Mapping[str, Any]) -> tuple[list[str], str] | None:
    """oasdiff's list-of-types pattern: one type, or a oneOf/anyOf of single-typed schemas."""
    schema = node.schema
    if schema.get("allOf") or schema.get("properties") or "not" in schema:
        return None
    kinds = schema.get("type")
    if kinds:
        return ([kinds if isinstance(kinds, str) else kinds[0]], "single")
    for keyword in ("oneOf", "anyOf"):
        branches = list(_branches(node, keyword, document).values())
        simple = [_simple_type(branch.schema) for branch in branches]
        if branches and all(simple):
            return ([t for t in simple if t], "list")
    return None


def _simple_type(schema: Mapping[str, Any]) -> str | None:
    """The one type of a schema that names exactly one and nests nothing, else None."""
    kinds = schema.get("type")
    kinds = [kinds] if isinstance(kinds, str) else kinds
    if not isinstance(kinds, list) or len(kinds) != 1:
        return None
    if any(schema.get(k) for k in ("properties", "oneOf", "anyOf", "allOf")):
        return None
    return str(kinds[0])


def _covers(wide: set[str] | None, narrow: set[str] | None) -> bool:
    """Whether every value of `narrow`'s types is one of `wide`'s (None: any type)."""
    if wide is None:
        return True
    if narrow is None:
        return False
    return all(t in wide or (t == "integer" and "number" in wide) for t in narrow)


def _names(types: set[str] | None) -> str:
    return "any" if types is None else ", ".join(sorted(types))


def _moved(added: Sequence[str], dropped: Sequence[str]) -> str:
    parts = [f"+{t}" for t in added] + [f"-{t}" for t in dropped]
    return "types " + " ".join(parts)


def _json_set(values: Sequence[Any]) -> set[str]:
    return {_show(v) for v in values}


def _show(value: Any) -> str:
    return json.dumps(value, sort_keys=True)


def _is_object(schema: Mapping[str, Any]) -> bool:
    kinds = _types(schema)
    return bool(schema.get("properties")) or (kinds is not None and "object" in kinds)


def _closed(schema: Mapping[str, Any]) -> bool:
    # unevaluatedProperties has oasdiff's rules of its own (see _PRESENT).
    return schema.get("additionalProperties") is False


def _object(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _wrapping(b: Node, h: Node, base: Mapping[str, Any], head: Mapping[str, Any]) -> str:
    """`became-nullable` when `h` is `oneOf: [{type: null}, b]`, the reverse for the reverse."""
    for plain, wrapped, document, suffix in (
        (b, h, head, "became-nullable"),
        (h, b, base, "became-not-nullable"),
    ):
        branches = list(_branches(wrapped, "oneOf", document).values())
        rest = {k for k in wrapped.schema if k not in _ANNOTATIONS and not k.startswith("x-")}
        if len(branches) != 2 or rest != {"oneOf"}:
            continue
        if any(k in plain.schema for k in _BRANCHES):
            continue
        meanings = sorted(_meaning(branch) for branch in branches)
        null = json.dumps({"type": "null"}, sort_keys=True)
        if null in meanings and sorted([null, _meaning(plain)]) == meanings:
            return suffix
    return ""


def _paired(old: Mapping[str, Node], new: Mapping[str, Node]) -> list[tuple[str, str]]:
    """Branches matched up: the same meaning first, then the same `$ref`, then by position."""
    left, right = list(old), list(new)
    pairs: list[tuple[str, str]] = []
    tests: tuple[Callable[[str, str], bool], ...] = (
        lambda a, b: _meaning(old[a]) == _meaning(new[b]),
        lambda a, b: a == b and not a.startswith("#"),
        lambda a, b: a.startswith("#") and b.startswith("#"),
    )
    for same in tests:
        for a in list(left):
            b = next((b for b in right if same(a, b)), None)
            if b is not None:
                pairs.append((a, b))
                left.remove(a)
                right.remove(b)
    return sorted(pairs, key=lambda pair: list(new).index(pair[1]))


def _meaning(node: Node) -> str:
    """The schema's keywords that constrain values, as canonical JSON (annotations left out)."""
    kept = {
        k: v for k, v in node.schema.items() if k not in _ANNOTATIONS and not k.startswith("x-")
    }
    return json.dumps(kept, sort_keys=True, default=str) if kept else ""


def _branches(node: Node, keyword: str, document: Mapping[str, Any]) -> dict[str, Node]:
    """The branches of `keyword`, keyed by the schema they name or, inline, their position."""
    branches = node.schema.get(keyword)
    if not isinstance(branches, list):
        return {}
    keyed: dict[str, Node] = {}
    for index, branch in enumerate(branches):
        ref = branch.get("$ref") if isinstance(branch, Mapping) else None
        key = ref.rsplit("/", 1)[-1] if isinstance(ref, str) else f"#{index}"
        keyed[key] = node.child(document, f"{keyword}/{index}")
    return keyed
