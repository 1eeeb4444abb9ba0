"""Judging an answer against the spec: its status, media type, headers and body.

A violation here is the server's. An answer to a request the verdict refuses must refuse it:
any 4xx will do, for a server may meet the request's faults in another order than the proxy.
"""

from __future__ import annotations

import re
from http import HTTPStatus

from contract_tests.refusals import refusal_reasons
from proxy.exchange import NOT_JSON, Exchange
from proxy.requests import (
    PROBLEM_JSON,
    RequestVerdict,
    allowed_methods,
    found,
    media_type,
    operation_pointer,
    resolved,
    schema_breaches,
    sources_of,
)
from proxy.violations import Violation
from spec import Operation, Response, Spec
from spec.pointer import escape

# D24: any operation may answer it, whatever the request; it is never a breach.
_TOO_MANY = HTTPStatus.TOO_MANY_REQUESTS
# D3's refusals of a body too large or not sent as JSON.
_BODY = frozenset({HTTPStatus.REQUEST_ENTITY_TOO_LARGE, HTTPStatus.UNSUPPORTED_MEDIA_TYPE})
_SERVER_ERROR = 500
_DECISION = re.compile(r"[DS][0-9]+")
# A header carries text: these digits are the number a numeric schema asks for.
_INTEGER = re.compile(r"-?[0-9]+")


def judge_answer(spec: Spec, verdict: RequestVerdict, exchange: Exchange) -> list[Violation]:
    """The server's violations in the answer to a judged request; none where the proxy answered
    itself, or the request matched no operation and was not refused with 405."""
    if not exchange.forwarded:
        return []
    operation = verdict.operation or _method_lacking(spec, exchange)
    if operation is None:
        return []
    status = exchange.status
    if verdict.refusal is not None and (_success(status) or status >= _SERVER_ERROR):
        return [_accepted(operation, verdict, status)]
    response = operation.responses.get(str(status))
    if response is None:
        refused = verdict.refusal is not None and 400 <= status < 500
        return [] if refused or status == _TOO_MANY else [_undocumented(spec, operation, status)]
    return [
        *_refused(spec, operation, verdict, exchange, response),
        *_media(operation, exchange, response),
        *_headers(spec, operation, exchange, response),
        *_body(spec, operation, exchange, response),
    ]


def _method_lacking(spec: Spec, exchange: Exchange) -> Operation | None:
    """For a 405 to a method its path lacks, an operation at the path: each documents the 405
    (D3), `Allow` and all, that the answer is held to."""
    if exchange.status != HTTPStatus.METHOD_NOT_ALLOWED or exchange.route is None:
        return None
    methods = allowed_methods(spec, exchange.route)
    return spec.operation_for(methods[0], exchange.route) if methods else None


def _success(status: int) -> bool:
    return 200 <= status < 300


def _server(
    operation: Operation, sources: tuple[str, ...], member: str | None, message: str
) -> Violation:
    return found("server", operation.operation_id, sources, member, message)


def _accepted(operation: Operation, verdict: RequestVerdict, status: int) -> Violation:
    """A success or a server error answered to a request the contract refuses: the decisions
    the client's faults break, where a page sentence alone makes them the refusal's own."""
    first = verdict.violations[0]
    message = (
        f"answered {status} to a request the contract refuses with {verdict.refusal} "
        f"({first.decision}: {first.message})"
    )
    refusal = operation.responses.get(str(verdict.refusal))
    own = tuple(s for s in (refusal.sources if refusal else ()) if _DECISION.fullmatch(s))
    # A constraint a page sentence alone makes is still refused by the refusal's decision (D3).
    decisions = [
        v.decision if _DECISION.fullmatch(v.decision) else own[0]
        for v in verdict.violations
        if own or _DECISION.fullmatch(v.decision)
    ]
    sources = tuple(
        dict.fromkeys([*decisions, *own[:1], *(s for v in verdict.violations for s in v.sources)])
    )
    return _server(operation, sources, None, message)


def _undocumented(spec: Spec, operation: Operation, status: int) -> Violation:
    """A status the operation does not document: a success rests on the documented one's, an
    error on what the spec says that status means where another operation documents it."""
    success = operation.success_status
    sources: tuple[str, ...] = ("D3",)
    if _success(status) and success is not None:
        sources = operation.responses[success].sources or sources
    elif not _success(status):
        meant = (
            op.responses[str(status)].sources
            for op in spec.operations.values()
            if str(status) in op.responses
        )
        sources = next(meant, ()) or sources
    documented = ", ".join(operation.responses)
    message = f"answered {status}, which {operation.operation_id} does not document ({documented})"
    return _server(operation, sources, None, message)


def _refused(
    spec: Spec,
    operation: Operation,
    verdict: RequestVerdict,
    exchange: Exchange,
    response: Response,
) -> list[Violation]:
    """A refusal the request alone decides (D3), answered to a request the verdict clears."""
    status = exchange.status
    if verdict.refusal is not None or verdict.body is NOT_JSON:
        return []
    if status == HTTPStatus.BAD_REQUEST:
        problem = exchange.response_json()
        method, path, now = operation.method, operation.path, exchange.started
        wrong = refusal_reasons(spec, method, path, verdict.body, problem, now) is None
    else:
        # The verdict found the method offered and, for a body, its size and media type right.
        takes_body = operation.request_schema is not None
        wrong = status == HTTPStatus.METHOD_NOT_ALLOWED or (takes_body and status in _BODY)
    if not wrong:
        return []
    message = f"answered {status} to a request the contract does not refuse"
    return [_server(operation, response.sources or ("D3",), None, message)]


def _media(operation: Operation, exchange: Exchange, response: Response) -> list[Violation]:
    """The answer's media type against the documented one (D3 for a problem document)."""
    documented = response.media_type
    given = media_type(exchange.response_header("content-type"))
    if documented is None or given == documented.lower():
        return []
    sources = ("D3",) if documented == PROBLEM_JSON else response.sources or ("D3",)
    shown = "no body" if not exchange.response_body else f"a body as {given or 'no media type'}"
    message = f"answered {exchange.status} with {shown}; the spec documents {documented}"
    return [_server(operation, sources, "Content-Type", message)]


def _headers(
    spec: Spec, operation: Operation, exchange: Exchange, response: Response
) -> list[Violation]:
    """Each documented header: present where required, and valid against its schema."""
    violations: list[Violation] = []
    where = f"{operation_pointer(operation)}/responses/{escape(response.status)}"
    _, pointer = resolved(spec, where)
    for name in response.headers:
        header, at = resolved(spec, f"{pointer}/headers/{escape(name)}")
        sources = sources_of(header)
        text = exchange.response_header(name)
        if text is None:
            if header.get("required"):
                message = f"answered {exchange.status} without {name}"
                violations.append(_server(operation, sources, name, message))
            continue
        if "schema" not in header:
            continue
        schema = f"{at}/schema"
        value: object = text
        if _INTEGER.fullmatch(text) and schema_breaches(spec, schema, text):
            value = int(text)
        for breach in schema_breaches(spec, schema, value):
            message = f"{name} {text!r}: {breach.message}"
            violations.append(_server(operation, breach.sources or sources, name, message))
    return violations


def _body(
    spec: Spec, operation: Operation, exchange: Exchange, response: Response
) -> list[Violation]:
    """The answer's body against the documented schema (D4 where nothing else is named)."""
    if response.schema is None or not exchange.response_body:
        return []
    fallback = response.sources or ("D4",)
    value = exchange.response_json()
    if value is NOT_JSON:
        return [
            _server(operation, fallback, None, f"answered {exchange.status} with a body not JSON")
        ]
    return [
        _server(operation, breach.sources or fallback, breach.pointer, breach.message)
        for breach in schema_breaches(spec, response.schema, value)
    ]
