"""Judging a request before it is forwarded: what the client broke, and what any server answers.

A violation here is the client's. The request alone can decide the answer (D1-D5, D9, D23): a
path the spec lacks, a method the path lacks, no bearer token, a bad path id, a body that is not
JSON or breaks its schema, a time the contract refuses. The verdict names that status, so that
the answer can be held to it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from http import HTTPStatus
from typing import Any, NamedTuple
from urllib.parse import unquote

from jsonschema.exceptions import ValidationError

from contract_tests.refusals import CLOCK_SKEW, CONTRACT_REFUSALS, allowed_refusal
from proxy.exchange import NOT_JSON, Headers
from proxy.violations import Side, Violation
from spec import Operation, Spec
from spec.instants import instant
from spec.pointer import escape
from spec.schemas import local_ref
from spec.sources import KEY, broken

# D3: a body over 1 MiB is refused with 413; one of exactly 1 MiB is not.
MAX_BODY = 1024 * 1024
PROBLEM_JSON = "application/problem+json"
# A message quotes the offending value, which may be megabytes long.
MAX_MESSAGE = 200
_DECISION = re.compile(r"[DS]\d+")
# RFC 9110's token68, the credentials of an HTTP authentication scheme (RFC 6750's b64token).
_TOKEN68 = r"[A-Za-z0-9\-._~+/]+=*"
# Member names are the client's: what is learnt of them per spec is bounded.
_MEMBERS_LIMIT = 4096


@dataclass(frozen=True)
class RequestVerdict:
    """What a request broke on its own, and the status the contract has any server answer."""

    operation: Operation | None
    body: Any  # the body as strict JSON, None for no body, NOT_JSON for one that is not
    violations: tuple[Violation, ...]  # every one the client's
    refusal: int | None  # the status the request alone is refused with, None when it is not


class Breach(NamedTuple):
    """One place where a value breaks its schema: a JSON Pointer into it, what, and why."""

    pointer: str
    message: str
    sources: tuple[str, ...]  # the sources of the constraint broken, () where none names one


def judge_request(
    spec: Spec, method: str, route: str | None, headers: Headers, body: bytes, now: datetime
) -> RequestVerdict:
    """The client's violations in a request, and the status any server must refuse it with."""
    parsed, unparsed = _parse(body)
    operation = None if route is None else spec.operation_for(method, route)
    if operation is None or route is None:
        return _unrouted(spec, method, route, parsed)
    findings = [
        *_authorization(spec, operation, headers),
        *_path_ids(spec, operation, route),
        *_body(spec, operation, headers, body, parsed, unparsed, now),
    ]
    refusal = next((int(status) for _, status in findings if status is not None), None)
    return RequestVerdict(operation, parsed, tuple(v for v, _ in findings), refusal)


def problem(spec: Spec, verdict: RequestVerdict, route: str | None) -> tuple[int, Headers, bytes]:
    """The status, headers and `application/problem+json` body (RFC 9457, D3) refusing a
    request: a 401 names its scheme (D2), a 405 the methods the path has (D3)."""
    status = verdict.refusal or int(HTTPStatus.BAD_REQUEST)
    headers: list[tuple[str, str]] = [("content-type", PROBLEM_JSON)]
    if status == HTTPStatus.UNAUTHORIZED:
        headers.append(("www-authenticate", "Bearer"))
    elif status == HTTPStatus.METHOD_NOT_ALLOWED and route is not None:
        headers.append(("allow", ", ".join(allowed_methods(spec, route))))
    document: dict[str, Any] = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": "; ".join(f"{v.decision}: {v.message}" for v in verdict.violations),
    }
    # D3 asks `errors` of a body that breaks the schema; a header or the path is no member.
    errors = [
        {"pointer": v.member, "message": v.message}
        for v in verdict.violations
        if v.member is not None and (v.member == "" or v.member.startswith("/"))
    ]
    if status == HTTPStatus.BAD_REQUEST and errors:
        document["errors"] = errors
    return status, tuple(headers), json.dumps(document, ensure_ascii=False).encode()


def allowed_methods(spec: Spec, route: str) -> tuple[str, ...]:
    """The methods the spec offers at a concrete path, in its order; () for a path it lacks."""
    methods = (op.method for op in spec.operations.values())
    return tuple(m for m in dict.fromkeys(methods) if spec.operation_for(m, route) is not None)


def found(
    side: Side, operation: str | None, sources: tuple[str, ...], member: str | None, message: str
) -> Violation:
    """A violation whose decision is the first `D<n>`/`S<n>` its sources name (else the first)."""
    decision = next((s for s in sources if _DECISION.fullmatch(s)), sources[0] if sources else "")
    return Violation(side, operation, decision, sources, member, message)


def schema_breaches(spec: Spec, pointer: str, value: Any) -> list[Breach]:
    """Every place where `value` breaks the schema at `pointer`; [] when it matches."""
    # The compiled validator clears a valid value in microseconds and is never the more lenient;
    # only a refused one pays for jsonschema's itemised errors, and jsonschema then decides.
    if spec.compiled_validator(pointer).is_valid(value):
        return []
    return [b for error in spec.validator(pointer).iter_errors(value) for b in _breaches(error)]


def sources_of(node: Mapping[str, Any]) -> tuple[str, ...]:
    """What the `x-source` of a non-schema object (a response, header, parameter...) names."""
    value = node.get(KEY)
    return (value,) if isinstance(value, str) else tuple(value or ())


def resolved(spec: Spec, pointer: str) -> tuple[Mapping[str, Any], str]:
    """The object at `pointer` and its own pointer, through local `$ref`s."""
    node = spec.schema(pointer)
    while (target := local_ref(node)) is not None:
        node, pointer = spec.schema(target), target
    return node, pointer


def media_type(content_type: str | None) -> str:
    """The media type of a Content-Type, without its parameters, in lower case."""
    return (content_type or "").split(";")[0].strip().lower()


def operation_pointer(operation: Operation) -> str:
    """The JSON Pointer to an operation's object in the document."""
    return f"/paths/{escape(operation.path)}/{operation.method.lower()}"


Finding = tuple[Violation, int | None]  # a violation and the status it has a server answer


def _unrouted(spec: Spec, method: str, route: str | None, parsed: Any) -> RequestVerdict:
    offered = () if route is None else allowed_methods(spec, route)
    if offered:
        status, decision = HTTPStatus.METHOD_NOT_ALLOWED, "D3"
        message = f"{route} offers {', '.join(offered)}, not {method}"
    else:
        status, decision = HTTPStatus.NOT_FOUND, "D1"
        message = "outside the API's base path" if route is None else f"no path {route}"
    violation = found("client", None, (decision,), None, message)
    return RequestVerdict(None, parsed, (violation,), int(status))


def _client(
    operation: Operation, sources: tuple[str, ...], member: str | None, message: str
) -> Violation:
    return found("client", operation.operation_id, sources, member, message)


def _authorization(spec: Spec, operation: Operation, headers: Headers) -> Iterator[Finding]:
    """D2: the credentials' presence and shape; whether the server knows them, only it can say."""
    http = _shape(spec, operation).http
    given = (_header(headers, "authorization") or "").strip()
    if not http or any(
        re.fullmatch(rf"{re.escape(s['scheme'])} +{_TOKEN68}", given, re.IGNORECASE) for s in http
    ):
        return
    shape = f"{http[0]['scheme'].capitalize()} <token>"
    message = f"the Authorization header is not `{shape}`" if given else "no Authorization header"
    yield _client(operation, sources_of(http[0]), "Authorization", message), HTTPStatus.UNAUTHORIZED


def _path_ids(spec: Spec, operation: Operation, route: str) -> Iterator[Finding]:
    """D5: each `{parameter}` of the path against its schema, digits read as an integer."""
    for template, segment in zip(operation.path.split("/"), route.split("/"), strict=True):
        if not (template.startswith("{") and template.endswith("}")):
            continue
        name, text = template[1:-1], unquote(segment)
        parameter = _path_parameter(spec, operation, name)
        if parameter is None or "schema" not in parameter[0]:
            continue
        node, pointer = parameter
        value: Any = int(text) if text.isascii() and text.isdigit() else text
        for breach in schema_breaches(spec, f"{pointer}/schema", value):
            message = f"path {name} {text!r}: {breach.message}"
            violation = _client(operation, breach.sources or sources_of(node), None, message)
            yield violation, HTTPStatus.BAD_REQUEST


def _path_parameter(
    spec: Spec, operation: Operation, name: str
) -> tuple[Mapping[str, Any], str] | None:
    """The path parameter `name` and its pointer: the operation's own, else its path's."""
    return _shape(spec, operation).parameters.get(name)


@dataclass(frozen=True)
class _Shape:
    """What the spec says of one operation's request outside its body schema, resolved once:
    a request resolves `$ref`s for none of it, as the proxy has a millisecond per request."""

    http: tuple[Mapping[str, Any], ...]  # the HTTP security schemes its requirements name
    parameters: Mapping[str, tuple[Mapping[str, Any], str]]  # path parameters, node and pointer
    request: Mapping[str, Any]  # the request body object, {} for none


@dataclass
class _Learnt:
    """What one spec says that a request would otherwise look up again: each operation's shape,
    and whether a member path is governed and a date-time (`member_schemas` takes a fraction of
    a millisecond, the proxy's whole budget for a request)."""

    spec: Spec  # kept, so that its id is not reused while this is
    shapes: dict[str, _Shape] = field(default_factory=dict)
    members: dict[tuple[str, ...], tuple[bool, bool]] = field(default_factory=dict)


_LEARNT: dict[int, _Learnt] = {}


def _learnt(spec: Spec) -> _Learnt:
    learnt = _LEARNT.get(id(spec))
    if learnt is None or learnt.spec is not spec:
        learnt = _LEARNT[id(spec)] = _Learnt(spec)
    return learnt


def _shape(spec: Spec, operation: Operation) -> _Shape:
    shapes = _learnt(spec).shapes
    if operation.operation_id not in shapes:
        shapes[operation.operation_id] = _resolve_shape(spec, operation)
    return shapes[operation.operation_id]


def _resolve_shape(spec: Spec, operation: Operation) -> _Shape:
    document = spec.document
    requirements = spec.schema(operation_pointer(operation)).get(
        "security", document.get("security", [])
    )
    schemes = document.get("components", {}).get("securitySchemes", {})
    # Only HTTP authentication travels in a header the proxy can read the shape of; an
    # operation any request may call ({} among its requirements) asks for none.
    http = (
        ()
        if not requirements or {} in requirements
        else tuple(
            schemes[n] for r in requirements for n in r if schemes.get(n, {}).get("type") == "http"
        )
    )
    parameters: dict[str, tuple[Mapping[str, Any], str]] = {}
    base = f"/paths/{escape(operation.path)}"
    for where in (operation_pointer(operation), base):
        for index in range(len(spec.schema(where).get("parameters", []))):
            node, pointer = resolved(spec, f"{where}/parameters/{index}")
            if node.get("in") == "path":
                parameters.setdefault(str(node.get("name")), (node, pointer))
    pointer = f"{operation_pointer(operation)}/requestBody"
    request = (
        resolved(spec, pointer)[0]
        if "requestBody" in spec.schema(operation_pointer(operation))
        else {}
    )
    return _Shape(http, parameters, request)


def _body(
    spec: Spec,
    operation: Operation,
    headers: Headers,
    body: bytes,
    parsed: Any,
    unparsed: str | None,
    now: datetime,
) -> Iterator[Finding]:
    """D3's 415, 413 and 400 for the body, then the times no schema can refuse (D9, D23)."""
    if operation.request_schema is None or operation.request_media_type is None:
        return
    expected = operation.request_media_type
    given = media_type(_header(headers, "content-type"))
    if given != expected.lower():
        message = f"the body is sent as {given or 'no media type'}, not {expected}"
        yield (
            _client(operation, ("D3",), "Content-Type", message),
            HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
        )
        return
    if len(body) > MAX_BODY:
        message = f"the body is {len(body)} bytes, over the limit of {MAX_BODY}"
        yield _client(operation, ("D3",), None, message), HTTPStatus.REQUEST_ENTITY_TOO_LARGE
        return
    request = _shape(spec, operation).request
    if not body:
        if request.get("required"):
            message = "no body; the operation requires one"
            violation = _client(operation, sources_of(request) or ("D3",), None, message)
            yield violation, HTTPStatus.BAD_REQUEST
        return
    if unparsed is not None:
        yield _client(operation, ("D3",), None, unparsed), HTTPStatus.BAD_REQUEST
    if parsed is NOT_JSON:
        return
    fallback = sources_of(request) or ("D3",)
    breaches = schema_breaches(spec, operation.request_schema, parsed)
    for breach in breaches:
        violation = _client(operation, breach.sources or fallback, breach.pointer, breach.message)
        yield violation, HTTPStatus.BAD_REQUEST
    flagged = [breach.pointer for breach in breaches]
    yield from _times(spec, operation, parsed, flagged, now)


def _times(
    spec: Spec, operation: Operation, body: Any, flagged: list[str], now: datetime
) -> Iterator[Finding]:
    """The schema-valid times the contract refuses (D9 a past one on an update, D23 no instant)."""
    assert operation.request_schema is not None
    for path, value in _timestamps(spec, operation.request_schema, body, ()):
        pointer = "".join(f"/{escape(part)}" for part in path)
        if any(pointer == p or pointer.startswith(f"{p}/") for p in flagged):
            continue
        moment = instant(value, spaced_utc=True)
        if moment is not None and moment > now + CLOCK_SKEW:
            continue  # an instant ahead of every clock: neither is refused, and asking costs
        reason = allowed_refusal(spec, operation.operation_id, body, pointer, now)
        if reason not in CONTRACT_REFUSALS:
            continue  # an open question (Q<n>) lets a server refuse, but binds no client
        assert reason is not None
        said = "is in the past" if reason == "D9" else "names no instant of years 0001-9999 in UTC"
        violation = _client(operation, (reason,), pointer, f"{value!r} {said}")
        # Within the skew a server's clock may or may not have passed the time: only a time
        # past for every clock is refused by every server.
        certain = moment is None or moment <= now - CLOCK_SKEW
        yield violation, HTTPStatus.BAD_REQUEST if certain else None


def _timestamps(
    spec: Spec, request: str, value: Any, path: tuple[str, ...]
) -> Iterator[tuple[tuple[str, ...], str]]:
    """The string members of a body a date-time schema governs, each with its path."""
    members: Iterable[tuple[Any, Any]] = ()
    if isinstance(value, dict):
        members = value.items()
    elif isinstance(value, list):
        members = enumerate(value)
    for name, member in members:
        at = (*path, str(name))
        governed, timed = _member_kind(spec, request, at)
        if timed and isinstance(member, str):
            yield at, member
        elif governed:
            yield from _timestamps(spec, request, member, at)


def _member_kind(spec: Spec, request: str, path: tuple[str, ...]) -> tuple[bool, bool]:
    """Whether any schema governs the member at `path`, and whether one is a date-time."""
    learnt = _learnt(spec).members
    key = (request, *path)
    kind = learnt.get(key)
    if kind is None:
        nodes = [spec.schema(where) for where in spec.member_schemas(request, path)]
        kind = bool(nodes), any(node.get("format") == "date-time" for node in nodes)
        if len(learnt) < _MEMBERS_LIMIT:
            learnt[key] = kind
    return kind


def _breaches(error: ValidationError) -> Iterator[Breach]:
    where = "".join(f"/{escape(str(part))}" for part in error.absolute_path)
    message, sources = _short(error.message), broken(error)
    if error.validator == "required" and isinstance(error.validator_value, list):
        # One error per missing member: point where it should have been, as D3's example does.
        said = (
            n for n in error.validator_value if error.message == f"{n!r} is a required property"
        )
        name = next(said, None)
        if isinstance(name, str):
            yield _missing(where, name, message, sources)
            return
    elif error.validator == "additionalProperties" and isinstance(error.instance, dict):
        # One error for every unknown member: a violation for each, at the member.
        schema = error.schema if isinstance(error.schema, Mapping) else {}
        patterns = schema.get("patternProperties", {})
        for name in error.instance:
            if name not in schema.get("properties", {}) and not any(
                re.search(p, name) for p in patterns
            ):
                yield Breach(f"{where}/{escape(name)}", message, sources)
        return
    yield Breach(where, message, sources)


def _missing(where: str, name: str, message: str, sources: tuple[str, ...]) -> Breach:
    # Page quotes that require several members: the one naming this member first.
    named = sorted(sources, key=lambda text: _names(text, name) is None)
    return Breach(f"{where}/{escape(name)}", message, tuple(named))


def _parse(body: bytes) -> tuple[Any, str | None]:
    """The body as strict JSON (UTF-8, no NaN or Infinity, no member named twice: I-JSON), or
    NOT_JSON and why not; (None, None) for no body."""
    if not body:
        return None, None
    try:
        return _DECODER.decode(body.decode("utf-8")), None
    except UnicodeDecodeError as error:
        return NOT_JSON, f"the body is not UTF-8 text (byte {error.start})"
    except RecursionError:
        return NOT_JSON, None  # JSON nested deeper than Python reads: not judged, not refused
    except ValueError as error:
        return NOT_JSON, _short(f"the body is not strict JSON: {error}")


def _unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    members = dict(pairs)
    if len(members) < len(pairs):
        names = [name for name, _ in pairs]
        twice = next(name for index, name in enumerate(names) if name in names[:index])
        raise ValueError(f"member {twice!r} appears twice")
    return members


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


# Built once: json.loads with hooks would build a decoder for every body.
_DECODER = json.JSONDecoder(object_pairs_hook=_unique, parse_constant=_no_constant)


def _names(text: str, member: str) -> re.Match[str] | None:
    """Where a source names the member as a word (`name` is not named by `customer_name`)."""
    return re.search(rf"(?<![A-Za-z0-9_]){re.escape(member)}(?![A-Za-z0-9_])", text)


def _header(headers: Headers, name: str) -> str | None:
    return next((value for key, value in headers if key.lower() == name), None)


def _short(message: str) -> str:
    return message if len(message) <= MAX_MESSAGE else message[: MAX_MESSAGE - 3] + "..."
