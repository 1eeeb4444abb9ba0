"""Read, validate and resolve the spec once: `load()` gives the document and the lifecycle."""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast
from urllib.parse import quote

import jsonpointer
import jsonschema_rs
import yaml
from jsonschema import Draft202012Validator, FormatChecker
from openapi_spec_validator import OpenAPIV31SpecValidator
from referencing import Registry
from referencing.exceptions import Unresolvable
from referencing.jsonschema import DRAFT202012

from hopdrive.errors import HopDriveError
from spec.compiled import compile_schema
from spec.lifecycle import Lifecycle
from spec.pointer import escape
from spec.schemas import local_ref, parts

SPEC_PATH = Path(__file__).with_name("openapi.yaml")
LIFECYCLE_SCHEMA_PATH = Path(__file__).with_name("lifecycle.schema.yaml")
# The base URI the document's `#/...` references resolve against.
SPEC_URI = "urn:hopdrive:openapi"
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_BODY_EXPRESSION = "$response.body#"


class SpecError(HopDriveError):
    """The spec cannot be used; `str()` is one line naming the file."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class SpecUnreadable(SpecError):
    """The file is missing, unreadable, or not YAML."""


class SpecInvalid(SpecError):
    """The file is YAML but not a valid spec (OpenAPI 3.1, references, lifecycle)."""


@dataclass(frozen=True)
class Response:
    """One documented response of an operation."""

    status: str
    media_type: str | None
    schema: str | None
    headers: tuple[str, ...]
    # What its links hand on from the answer's body: link name -> parameter -> JSON Pointer.
    links: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    # What its `x-source` names: the decisions and page sentences that make the status.
    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class Operation:
    """One operation, with JSON Pointers into the document for its schemas."""

    operation_id: str
    method: str
    path: str
    tags: tuple[str, ...]
    public: bool
    request_media_type: str | None
    request_schema: str | None
    responses: Mapping[str, Response]

    @property
    def success_status(self) -> str | None:
        """The 2xx status the operation documents (the first, should it document several)."""
        return next((status for status in self.responses if status.startswith("2")), None)


@dataclass(frozen=True)
class Spec:
    """The loaded spec: the document as written, its operations and its lifecycle."""

    path: Path
    document: Mapping[str, Any]
    operations: Mapping[str, Operation]
    lifecycle: Lifecycle
    registry: Registry[Any] = field(repr=False, compare=False)
    _validators: dict[str, Draft202012Validator] = field(
        default_factory=dict, repr=False, compare=False
    )
    _compiled: dict[str, jsonschema_rs.Validator] = field(
        default_factory=dict, repr=False, compare=False
    )

    @property
    def public_operations(self) -> tuple[Operation, ...]:
        """The operations partners may call (those not marked `x-internal`)."""
        return tuple(op for op in self.operations.values() if op.public)

    def operation_for(self, method: str, path: str) -> Operation | None:
        """The operation a request for a concrete path (`/appointments/12`) is sent to, if any."""
        for operation in self.operations.values():
            if operation.method == method.upper() and _template(operation.path).fullmatch(path):
                return operation
        return None

    def operation_at(self, method: str, path: str) -> Operation | None:
        """The operation for a method and a path template (`/appointments/{id}`), if any."""
        return next(
            (
                op
                for op in self.operations.values()
                if (op.method, op.path) == (method.upper(), path)
            ),
            None,
        )

    def schema(self, pointer: str) -> Any:
        """The raw value at a JSON Pointer into the document."""
        return jsonpointer.resolve_pointer(self.document, pointer)

    def fields(self, pointer: str, *, required: bool = False) -> tuple[str, ...]:
        """The member names of the object schema at `pointer`, through `$ref` and `allOf`.

        With `required`, only the members the schema requires. Order is the document's.
        """
        names: dict[str, None] = {}
        for part in parts(self.document, pointer):
            node = part.node
            names.update(
                dict.fromkeys(node.get("required", []) if required else node.get("properties", {}))
            )
        return tuple(names)

    def member_schemas(self, pointer: str, path: Sequence[str]) -> tuple[str, ...]:
        """Pointers to every schema that may apply to the member at `path` of an instance of
        the schema at `pointer`: the member's own and, through `$ref`, `allOf`, `anyOf` and
        `oneOf`, each one it may be checked against. Empty when no schema names the member.
        """
        current = self._applying(pointer)
        for member in path:
            found: list[str] = []
            for where in current:
                node = self.schema(where)
                if member in node.get("properties", {}):
                    found.append(f"{where}/properties/{escape(member)}")
                elif member.isdigit() and isinstance(node.get("items"), dict):
                    found.append(f"{where}/items")
                elif isinstance(node.get("additionalProperties"), dict):
                    found.append(f"{where}/additionalProperties")
            current = tuple(dict.fromkeys(p for where in found for p in self._applying(where)))
        return current

    def _applying(self, pointer: str) -> tuple[str, ...]:
        """`pointer` and every schema it brings in through `$ref` and the combinators."""
        # Nearest first: a member's own schema before those it refers to, whose annotations
        # (`x-open`, the sources of a null) a reader takes only when the member has none.
        found = sorted(parts(self.document, pointer, alternatives=True), key=lambda p: p.depth)
        return tuple(dict.fromkeys(part.pointer for part in found))

    def validator(self, pointer: str) -> Draft202012Validator:
        """A format-checking 2020-12 validator for the schema at `pointer`, built once."""
        if pointer not in self._validators:
            self._validators[pointer] = Draft202012Validator(
                _inlined(self.document, pointer, frozenset()),
                registry=self.registry,
                format_checker=FormatChecker(),
            )
        return self._validators[pointer]

    def compiled_validator(self, pointer: str) -> jsonschema_rs.Validator:
        """A jsonschema-rs validator for the schema at `pointer`, built once: a fast yes or no.

        `validator` checks the same schema and explains a refusal in detail.
        """
        if pointer not in self._compiled:
            registry = jsonschema_rs.Registry(
                [(SPEC_URI, dict(self.document))], draft=jsonschema_rs.Draft202012
            )
            self._compiled[pointer] = compile_schema(
                {"$ref": f"{SPEC_URI}#{quote(pointer, safe='/~')}"}, registry
            )
        return self._compiled[pointer]

    def request_pointer(self, operation_id: str) -> str:
        """The pointer to an operation's request body schema; KeyError when it takes none."""
        pointer = self.operations[operation_id].request_schema
        if pointer is None:
            raise KeyError(f"{operation_id} takes no request body")
        return pointer

    def response_pointer(self, operation_id: str, status: int | str) -> str:
        """The pointer to an operation's response body schema; KeyError when it has none."""
        pointer = self.operations[operation_id].responses[str(status)].schema
        if pointer is None:
            raise KeyError(f"{operation_id} documents no body for {status}")
        return pointer

    def request_validator(self, operation_id: str) -> Draft202012Validator:
        """The validator for an operation's request body."""
        return self.validator(self.request_pointer(operation_id))

    def response_validator(self, operation_id: str, status: int | str) -> Draft202012Validator:
        """The validator for an operation's response body with the given status."""
        return self.validator(self.response_pointer(operation_id, status))


# Members whose values are data, not schemas: a `$ref` key inside them is not a reference.
_DATA_KEYWORDS = frozenset({"const", "enum", "default", "example", "examples"})


def _inlined(document: Any, pointer: str, inside: frozenset[str]) -> Any:
    """The schema at `pointer` with its local `$ref`s replaced by what they point to.

    Resolving a `$ref` through the registry on every validation is half the cost of checking
    a request body; inlined once, the validator follows none. A `$ref` back into a schema being
    inlined (recursion) stays a reference, resolved through the registry as before.
    """
    node = jsonpointer.resolve_pointer(document, pointer)
    return _inline_node(node, document, inside | {pointer})


def _inline_node(node: Any, document: Any, inside: frozenset[str]) -> Any:
    if isinstance(node, list):
        return [_inline_node(item, document, inside) for item in node]
    if not isinstance(node, dict):
        return node
    copied = {
        key: value if key in _DATA_KEYWORDS else _inline_node(value, document, inside)
        for key, value in node.items()
        if key != "$ref"
    }
    ref = node.get("$ref")
    target = local_ref(node)
    if target is None:
        return copied if ref is None else {**copied, "$ref": ref}
    if target in inside:
        return {**copied, "$ref": f"{SPEC_URI}{ref}"}
    inlined = _inlined(document, target, inside)
    # In 2020-12 a `$ref` beside other keywords applies alongside them, exactly as allOf does.
    return {**copied, "allOf": [*copied.get("allOf", []), inlined]} if copied else inlined


def load(path: str | os.PathLike[str] | None = None, *, fresh: bool = False) -> Spec:
    """Load, validate and index the spec at `path` (the bundled one by default), once per path.

    `fresh` reads the file again: for a command that compares what a file holds now.
    """
    where = Path(path) if path is not None else SPEC_PATH
    return _load.__wrapped__(where) if fresh else _load(where)


@functools.cache
def _load(path: Path) -> Spec:
    document = read_yaml(path)
    if not isinstance(document, dict):
        raise SpecInvalid(path, "not an OpenAPI document (the top level is not a mapping)")
    registry = Registry().with_resource(SPEC_URI, DRAFT202012.create_resource(document))
    # Dangling references first: the OpenAPI validator would fail on them with a traceback.
    resolver = registry.resolver(SPEC_URI)
    for where, ref in _references(document, ""):
        try:
            resolver.lookup(ref)
        except Unresolvable:
            raise SpecInvalid(path, f"$ref {ref!r} at {where or '/'} does not resolve") from None
    _check_openapi(path, document)
    return Spec(
        path=path,
        document=document,
        operations=_operations(document),
        lifecycle=_lifecycle(path, document),
        registry=registry,
    )


def read_yaml(path: Path) -> Any:
    """Parse a YAML file as JSON-compatible data, or raise SpecUnreadable naming the file."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SpecUnreadable(path, "no such file") from None
    except IsADirectoryError:
        raise SpecUnreadable(path, "is a directory, not a file") from None
    except UnicodeDecodeError:
        raise SpecUnreadable(path, "is not UTF-8 text") from None
    except OSError as error:
        raise SpecUnreadable(path, f"cannot be read ({error.strerror})") from None
    try:
        return yaml.load(text, Loader=_JsonCompatibleLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise SpecUnreadable(path, f"not valid YAML: {error.problem}{where}") from None
    except yaml.YAMLError as error:
        raise SpecUnreadable(path, f"not valid YAML: {error}") from None


class _JsonCompatibleLoader(yaml.CSafeLoader):
    """A safe loader whose output is what a JSON document could hold, and nothing silently lost.

    Timestamps stay strings (the spec's examples are compared as JSON), mapping keys must be
    strings (`201:` must be quoted), and a key written twice is an error instead of the later
    value quietly winning. libyaml parses: every mock and suite process reads the spec at start,
    and the pure-Python parser takes ten times as long.
    """

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if not isinstance(key, str):
                raise yaml.constructor.ConstructorError(
                    None,
                    None,
                    f"mapping key {key!r} is not a string (quote it)",
                    key_node.start_mark,
                )
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"mapping key {key!r} appears twice", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


_JsonCompatibleLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _references(node: Any, where: str) -> Iterator[tuple[str, str]]:
    """Every `$ref` string in the document, with the JSON Pointer of the object holding it."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str):
            yield where, ref
        for key, value in node.items():
            yield from _references(value, f"{where}/{escape(key)}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _references(value, f"{where}/{index}")


def _check_openapi(path: Path, document: Mapping[str, Any]) -> None:
    """Raise SpecInvalid with the first OpenAPI 3.1 violation, if any."""
    try:
        error = next(iter(OpenAPIV31SpecValidator(document).iter_errors()), None)
    except Exception as failure:  # it raises many kinds; report one line
        reason = str(failure).splitlines()[0][:200]
        raise SpecInvalid(path, f"not a valid OpenAPI 3.1 document: {reason}") from None
    if error is not None:
        location = "/".join(str(part) for part in error.absolute_path)
        message = error.message.splitlines()[0]
        if len(message) > 200:
            message = message[:200] + "..."
        raise SpecInvalid(path, f"not a valid OpenAPI 3.1 document: {message} (at /{location})")


def _lifecycle(path: Path, document: Mapping[str, Any]) -> Lifecycle:
    """Read and check the `x-lifecycle` extension."""
    data = document.get("x-lifecycle")
    if data is None:
        raise SpecInvalid(path, "has no x-lifecycle extension (the appointment lifecycle)")
    shape = Draft202012Validator(_lifecycle_schema())
    error = next(iter(sorted(shape.iter_errors(data), key=lambda e: list(e.path))), None)
    if error is not None:
        location = "/".join(str(part) for part in error.absolute_path)
        raise SpecInvalid(path, f"x-lifecycle/{location}: {error.message}")
    lifecycle = Lifecycle.from_extension(data)
    problems = list(lifecycle.problems(document))
    if problems:
        raise SpecInvalid(path, "x-lifecycle: " + "; ".join(problems))
    return lifecycle


@functools.cache
def _lifecycle_schema() -> Mapping[str, Any]:
    return cast(Mapping[str, Any], read_yaml(LIFECYCLE_SCHEMA_PATH))


def _operations(document: Mapping[str, Any]) -> dict[str, Operation]:
    """Index every operation of the document by its operationId."""
    operations: dict[str, Operation] = {}
    for route, item in document.get("paths", {}).items():
        for method in HTTP_METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            base = f"/paths/{escape(route)}/{method}"
            request_media, request_schema = _body(
                *_deref(document, operation.get("requestBody"), f"{base}/requestBody")
            )
            responses = {}
            for status, response in operation.get("responses", {}).items():
                resolved, pointer = _deref(document, response, f"{base}/responses/{escape(status)}")
                media, schema = _body(resolved, pointer)
                responses[status] = Response(
                    status=status,
                    media_type=media,
                    schema=schema,
                    headers=tuple(resolved.get("headers", {})),
                    links=_links(resolved),
                    sources=_sources(resolved.get("x-source")),
                )
            operation_id = operation["operationId"]
            operations[operation_id] = Operation(
                operation_id=operation_id,
                method=method.upper(),
                path=route,
                tags=tuple(operation.get("tags", ())),
                public=not operation.get("x-internal", False),
                request_media_type=request_media,
                request_schema=request_schema,
                responses=responses,
            )
    return operations


def _sources(value: Any) -> tuple[str, ...]:
    """One `x-source` or a list of them, as a tuple."""
    if value is None:
        return ()
    return tuple(value) if isinstance(value, list) else (str(value),)


@functools.cache
def _template(path: str) -> re.Pattern[str]:
    """A path template as a pattern: each `{parameter}` one non-empty segment."""
    pieces = re.split(r"\{[^}/]+\}", path)
    return re.compile("[^/]+".join(re.escape(piece) for piece in pieces))


def _links(response: Any) -> dict[str, dict[str, str]]:
    """The answer's body pointers each link passes on (`$response.body#/id` -> `/id`)."""
    links = response.get("links", {}) if isinstance(response, dict) else {}
    return {
        name: {
            parameter: expression.removeprefix(_BODY_EXPRESSION)
            for parameter, expression in link.get("parameters", {}).items()
            if isinstance(expression, str) and expression.startswith(_BODY_EXPRESSION)
        }
        for name, link in links.items()
    }


def _body(node: Any, pointer: str) -> tuple[str | None, str | None]:
    """The media type of a (dereferenced) request body or response, and its schema's pointer."""
    content = node.get("content", {}) if isinstance(node, dict) else {}
    if not content:
        return None, None
    media_type = next(iter(content))
    if "schema" not in content[media_type]:
        return media_type, None
    return media_type, f"{pointer}/content/{escape(media_type)}/schema"


def _deref(document: Mapping[str, Any], node: Any, pointer: str) -> tuple[Any, str]:
    """Follow a local `$ref` on a response or body object to the object and its pointer."""
    while isinstance(node, dict) and isinstance(node.get("$ref"), str):
        pointer = node["$ref"].removeprefix("#")
        node = jsonpointer.resolve_pointer(document, pointer)
    return node, pointer
