"""Where every constraint of the spec comes from: its `x-source` annotations, read and checked.

The reading rule of the shared contract allows a constraint only where a sentence of the vendor's
pages or a decision makes it. Each constraint names that sentence or decision:

- on a schema, `x-source-<keyword>` names the sources of that one constraint: `x-source-type`,
  `x-source-pattern`, `x-source-null` (the admission of null), `x-source-ref` (a `$ref`)...
  One key per constraint, so that a constraint added later has none until someone names one.
  Only a bare `$ref` may rest on what holds it: a branch of `anyOf`/`oneOf`/`allOf` on the
  combinator's sources (and a `{type: null}` branch on `x-source-null`), the schema of a
  parameter, header or body on that object's `x-source`;
- on an operation, a response, a request body, a parameter, a header or a security scheme,
  `x-source` names the sources of what it claims (the status, `required`, `in`);
- in `x-lifecycle`, each state and edge has its own `x-source`, and `x-source` maps each setting.

Each is one source or a list of them. A source is `D<n>` or `S<n>` (an entry of
spec/DECISIONS.md), or `<page>: <quote>` (words of a vendor page in spec/seeds/, whitespace and
table bars aside); page quotes alone must name every member they make required. `Q<n>`, an open
question, may only source an admission of null: a value the spec admits because nothing refuses
it, and that no server is obliged to accept. `x-open: Q<n>` marks a member whose values an
account's own configuration governs: any of them a server may refuse.

The keys are flat strings, never objects keyed by JSON Schema keywords, so that tools walking
the document for schemas (openapi-typescript, datamodel-code-generator) see nothing to read.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence, Set
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema.exceptions import ValidationError

from spec.pointer import escape

KEY = "x-source"
OPEN = "x-open"
PAGES = Path(__file__).with_name("seeds")
DECISIONS = Path(__file__).with_name("DECISIONS.md")
NULL = "null"
# What a schema may hold that refuses nothing: annotations, and the keywords that only carry
# subschemas (each subschema's own keywords are its constraints). Every other keyword of a
# schema, a misspelt one included, is a constraint and needs a source.
ANNOTATIONS = frozenset(
    {
        "description",
        "title",
        "examples",
        "example",
        "default",
        "deprecated",
        "readOnly",
        "writeOnly",
        "$comment",
        "$id",
        "$schema",
        "$anchor",
        "contentMediaType",
        "contentEncoding",
        "properties",
        "patternProperties",
        "items",
        "prefixItems",
        "$defs",
        "discriminator",
        "xml",
        "externalDocs",
    }
)
_COMBINATORS = ("allOf", "anyOf", "oneOf")
_SUBSCHEMA_MAPS = ("properties", "patternProperties", "$defs", "dependentSchemas")
_SUBSCHEMAS = (
    "items",
    "additionalProperties",
    "not",
    "contains",
    "propertyNames",
    "if",
    "then",
    "else",
    "unevaluatedProperties",
    "unevaluatedItems",
)
# The parts of x-lifecycle that are not settings: references, and what has sources of its own.
_LIFECYCLE_PARTS = frozenset({KEY, "statusSchema", "recordSchema", "states", "edges"})
_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_HEADING = re.compile(r"^### ([DSQ]\d+) ", re.MULTILINE)
_PAGE = re.compile(r"(\d{3}): (.+)")
_NAME = re.compile(r"[DSQ]\d+")
_IGNORED = re.compile(r"[\s|]")


@dataclass(frozen=True)
class Constraint:
    """One constraint of the spec: where it is, which keyword, and the sources it names."""

    where: str
    keyword: str
    sources: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.where or '/'}: {self.keyword}"


def constraints(document: Mapping[str, Any]) -> Iterator[Constraint]:
    """Every constraint of the document with the sources its `x-source` gives it."""
    for where, node, inherited in _schemas(document):
        yield from _schema_constraints(where, node, inherited)
    for where, node, keyword in _objects(document):
        yield Constraint(where, keyword, _all(node.get(KEY)))
    yield from _lifecycle_constraints(document.get("x-lifecycle"))


def problems(
    document: Mapping[str, Any],
    *,
    entries: Set[str] | None = None,
    pages: Mapping[str, str] | None = None,
) -> list[str]:
    """Every constraint without a source, and every source that names nothing real.

    `entries` are the names of DECISIONS.md's entries and `pages` the vendor pages by number;
    both default to the project's own.
    """
    entries = decision_entries() if entries is None else entries
    pages = seed_pages() if pages is None else pages
    found: list[str] = []
    for constraint in constraints(document):
        if not constraint.sources:
            found.append(f"{constraint} has no source")
        for text in constraint.sources:
            wrong = _wrong_source(text, entries, pages)
            if wrong:
                found.append(f"{constraint}: source {text!r} {wrong}")
            elif text.startswith("Q") and constraint.keyword != NULL:
                found.append(f"{constraint}: an open question ({text}) can only admit null")
    return found + _annotation_problems(document, entries)


def null_question(node: Mapping[str, Any]) -> str | None:
    """The open question under which the schema admits null, or None when a page or a decision
    admits it (or it admits no null): a null no server is obliged to accept."""
    if NULL not in _keywords(node):
        return None
    sources = _own(node, NULL)
    questions = [text for text in sources if text.startswith("Q")]
    return questions[0] if sources and len(questions) == len(sources) else None


def open_question(node: Mapping[str, Any]) -> str | None:
    """The open question under which a server may refuse any value of this member, or require
    it (`x-open: Q<n>`: an account's own configuration governs it), or None."""
    value = node.get(OPEN)
    return value if isinstance(value, str) else None


def broken(error: ValidationError) -> tuple[str, ...]:
    """The sources of the constraint a validation error broke, or () where nothing names one."""
    node = error.schema
    keyword = NULL if _is_null(node) else str(error.validator)
    own = _own(node, keyword) if isinstance(node, Mapping) else ()
    parent = error.parent
    if own or not isinstance(parent, ValidationError):
        return own
    # A branch of `anyOf`/`oneOf` (an error of its context) rests on what holds it: a
    # `{type: null}` branch on the holder's `x-source-null`, any other on the combinator's.
    holder = parent.schema
    lent = _own(holder, NULL) if keyword == NULL and isinstance(holder, Mapping) else ()
    return lent or broken(parent)


@cache
def seed_pages() -> Mapping[str, str]:
    """The vendor's pages by number (`003`), from spec/seeds/."""
    return {path.name[:3]: path.read_text(encoding="utf-8") for path in PAGES.glob("[0-9]*.txt")}


@cache
def decision_entries() -> frozenset[str]:
    """The names of spec/DECISIONS.md's entries: D1..., S1..., Q1...."""
    return frozenset(_HEADING.findall(DECISIONS.read_text(encoding="utf-8")))


def _wrong_source(text: str, entries: Set[str], pages: Mapping[str, str]) -> str | None:
    if _NAME.fullmatch(text):
        return None if text in entries else "is not an entry of spec/DECISIONS.md"
    page = _PAGE.fullmatch(text)
    if page is None:
        return "is neither D<n>, S<n>, Q<n> nor '<page>: <quote>'"
    number, quote = page.groups()
    if number not in pages:
        return f"names page {number}, which spec/seeds/ lacks"
    if _IGNORED.sub("", quote) not in _IGNORED.sub("", pages[number]):
        return f"quotes words page {number} does not hold"
    return None


def _schemas(
    document: Mapping[str, Any],
) -> Iterator[tuple[str, Mapping[str, Any], tuple[str, ...]]]:
    """Every schema of the document, with the sources what holds it lends it."""
    components = document.get("components", {})
    for name, schema in components.get("schemas", {}).items():
        yield from _schema_tree(f"/components/schemas/{escape(name)}", schema, ())
    for where, node, _ in _objects(document):
        # The schema of a parameter, header or body rests on the sources of what holds it.
        lent = _all(node.get(KEY))
        if isinstance(node.get("schema"), dict):
            yield from _schema_tree(f"{where}/schema", node["schema"], lent)
        for media, content in node.get("content", {}).items():
            if isinstance(content.get("schema"), dict):
                pointer = f"{where}/content/{escape(media)}/schema"
                yield from _schema_tree(pointer, content["schema"], lent)
    derivation = document.get("x-lifecycle", {}).get("derivation", {})
    if isinstance(derivation.get("completeWhen"), dict):
        where = "/x-lifecycle/derivation/completeWhen"
        yield from _schema_tree(where, derivation["completeWhen"], ())


def _schema_tree(
    where: str, node: Any, inherited: tuple[str, ...]
) -> Iterator[tuple[str, Mapping[str, Any], tuple[str, ...]]]:
    if not isinstance(node, dict):
        return
    yield where, node, inherited
    for keyword in _SUBSCHEMA_MAPS:
        for name, child in node.get(keyword, {}).items():
            yield from _schema_tree(f"{where}/{keyword}/{escape(name)}", child, ())
    for keyword in _SUBSCHEMAS:
        yield from _schema_tree(f"{where}/{keyword}", node.get(keyword), ())
    for index, child in enumerate(node.get("prefixItems", [])):
        yield from _schema_tree(f"{where}/prefixItems/{index}", child, ())
    for keyword in _COMBINATORS:
        for index, child in enumerate(node.get(keyword, [])):
            lent = _own(node, NULL if _is_null(child) else keyword)
            yield from _schema_tree(f"{where}/{keyword}/{index}", child, lent)


def _schema_constraints(
    where: str, node: Mapping[str, Any], inherited: tuple[str, ...]
) -> Iterator[Constraint]:
    for keyword in _keywords(node):
        sources = _own(node, keyword)
        if not sources and (keyword == "$ref" or _is_null(node)):
            sources = inherited
        yield Constraint(where, keyword, sources)


def _keywords(node: Mapping[str, Any]) -> list[str]:
    """The constraint keywords of a schema, `null` standing for its admission of null."""
    if _is_null(node):
        return [NULL]
    found = [
        keyword
        for keyword, value in node.items()
        if keyword not in ANNOTATIONS
        and not keyword.startswith("x-")
        # `additionalProperties: true` and an empty subschema refuse nothing.
        and value is not True
        and value != {}
    ]
    kind = node.get("type")
    if (isinstance(kind, list) and NULL in kind) or _has_null_branch(node):
        found.append(NULL)
    return found


def _objects(document: Mapping[str, Any]) -> Iterator[tuple[str, Mapping[str, Any], str]]:
    """The non-schema objects that make claims: operations, responses, bodies, parameters..."""
    components = document.get("components", {})
    for section, keyword in (
        ("responses", "response"),
        ("parameters", "parameter"),
        ("headers", "header"),
        ("requestBodies", "required"),
        ("securitySchemes", "scheme"),
    ):
        for name, node in components.get(section, {}).items():
            where = f"/components/{section}/{escape(name)}"
            yield where, node, keyword
            if section == "responses":
                yield from _headers(where, node)
    for route, item in document.get("paths", {}).items():
        base = f"/paths/{escape(route)}"
        for index, parameter in enumerate(item.get("parameters", [])):
            if "$ref" not in parameter:
                yield f"{base}/parameters/{index}", parameter, "parameter"
        for method, operation in item.items():
            if method not in _METHODS:
                continue
            where = f"{base}/{method}"
            yield where, operation, "operation"
            body = operation.get("requestBody")
            if isinstance(body, dict) and "$ref" not in body:
                yield f"{where}/requestBody", body, "required"
            for index, parameter in enumerate(operation.get("parameters", [])):
                if "$ref" not in parameter:
                    yield f"{where}/parameters/{index}", parameter, "parameter"
            for status, response in operation.get("responses", {}).items():
                if "$ref" not in response:
                    pointer = f"{where}/responses/{escape(status)}"
                    yield pointer, response, "response"
                    yield from _headers(pointer, response)


def _headers(where: str, response: Mapping[str, Any]) -> Iterator[tuple[str, Any, str]]:
    for name, header in response.get("headers", {}).items():
        if "$ref" not in header:
            yield f"{where}/headers/{escape(name)}", header, "header"


def _lifecycle_constraints(lifecycle: Any) -> Iterator[Constraint]:
    if not isinstance(lifecycle, dict):
        return
    settings = lifecycle.get(KEY)
    for name in lifecycle:
        if name not in _LIFECYCLE_PARTS and not name.startswith("x-"):
            entry = settings.get(name) if isinstance(settings, dict) else None
            yield Constraint(f"/x-lifecycle/{name}", "setting", _all(entry))
    for name, state in lifecycle.get("states", {}).items():
        yield Constraint(f"/x-lifecycle/states/{escape(name)}", "state", _all(state.get(KEY)))
    for index, edge in enumerate(lifecycle.get("edges", [])):
        yield Constraint(f"/x-lifecycle/edges/{index}", "edge", _all(edge.get(KEY)))


def _annotation_problems(document: Mapping[str, Any], entries: Set[str]) -> list[str]:
    """Sources named for constraints a schema does not have (stale after an edit), page quotes
    that make members required without naming them, and `x-open`s naming no open question."""
    found = []
    for where, node, _ in _schemas(document):
        if KEY in node:
            found.append(f"{where}: a schema names sources per constraint (x-source-<keyword>)")
        keywords = {keyword.lstrip("$") for keyword in _keywords(node)}
        for key in sorted(k for k in node if k.startswith(KEY + "-")):
            if key.removeprefix(KEY + "-") not in keywords:
                found.append(f"{where}: {key} names a constraint the schema does not have")
        required = node.get("required")
        texts = _own(node, "required")
        if isinstance(required, list) and texts and all(_PAGE.fullmatch(t) for t in texts):
            for member in required:
                if not any(_names(text, member) for text in texts):
                    found.append(f"{where}: no page quote of x-source-required names {member!r}")
        opened = node.get(OPEN)
        if opened is not None and not (
            isinstance(opened, str) and opened.startswith("Q") and opened in entries
        ):
            found.append(f"{where}: {OPEN} {opened!r} is not an open question of DECISIONS.md")
    return found


def _names(text: str, member: str) -> bool:
    """Whether a quote names the member as a word (`name` is not named by `customer_name`)."""
    return re.search(rf"(?<![A-Za-z0-9_]){re.escape(member)}(?![A-Za-z0-9_])", text) is not None


def _own(node: Mapping[str, Any], keyword: str) -> tuple[str, ...]:
    """The sources a schema names for one of its constraints (`x-source-<keyword>`)."""
    return _all(node.get(f"{KEY}-{keyword.lstrip('$')}"))


def _all(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, Sequence) and not isinstance(value, str):
        return tuple(str(item) for item in value)
    return ()


def _is_null(node: Any) -> bool:
    return (
        isinstance(node, dict)
        and {k for k in node if not k.startswith(KEY)} == {"type"}
        and (node["type"] == NULL)
    )


def _has_null_branch(node: Mapping[str, Any]) -> bool:
    return any(
        _is_null(branch) for keyword in ("anyOf", "oneOf") for branch in node.get(keyword, [])
    )
