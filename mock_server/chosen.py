"""Answers a request chooses with `Prefer`, as Stoplight Prism reads it: a documented status
(`code=409`), a named example (`example=seed`) or a body drawn from the schema (`dynamic=true`).

A chosen answer runs no handler and reads and stores nothing: it is the spec's, not the mock's.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from random import Random
from typing import Any

from jsonschema.exceptions import best_match
from starlette.responses import Response

from hopdrive.errors import HopDriveError
from mock_server.auth import CHALLENGE
from mock_server.json_text import dumps
from mock_server.prefer import applied, preferences
from mock_server.problems import PROBLEM_JSON, Problem
from mock_server.synthesis import SynthesisError, synthesize
from spec import Operation, Spec
from spec.pointer import escape
from spec.schemas import local_ref

# The default answer without an example is drawn once, the same at every start, and holds
# only what its schema requires.
DEFAULT_SEED = 0
CHOICES = ("code", "example", "dynamic")
_STATUS = re.compile(r"[0-9]{3}")
_SWITCH = {"true": True, "false": False}


class UnanswerableResponse(HopDriveError):
    """A documented response no chosen answer could give validly: the mock refuses to start."""


@dataclass(frozen=True)
class Header:
    """A required header of a response: its schema, and its value unless one is drawn."""

    name: str
    schema: str
    default: str
    # Allow and WWW-Authenticate have one right value here, drawn or not.
    fixed: bool


@dataclass(frozen=True)
class Answer:
    """One documented response of an operation, as a chosen answer gives it."""

    status: int
    media_type: str | None
    schema: str | None
    examples: Mapping[str, Any]
    # The first example, or (with `drawn`) a value drawn from the schema with DEFAULT_SEED.
    default: Any
    drawn: bool
    headers: tuple[Header, ...]


@dataclass(frozen=True)
class ChosenAnswers:
    """Every documented response of the served operations, ready to be chosen."""

    spec: Spec
    # By operationId, then status: the 2xx first (the first of them answers without `code`).
    answers: Mapping[str, Mapping[int, Answer]]
    rng: Random = field(default_factory=Random, compare=False)

    @classmethod
    def from_spec(cls, spec: Spec, operations: Iterable[Operation]) -> ChosenAnswers:
        """The answers of `operations`, each default built and checked now: UnanswerableResponse
        (one line) for a response no valid answer can be given for."""
        served = list(operations)
        methods: dict[str, list[str]] = defaultdict(list)
        for operation in served:
            methods[operation.path].append(operation.method)
        answers = {
            operation.operation_id: _answers(
                spec, operation, ", ".join(sorted(methods[operation.path]))
            )
            for operation in served
        }
        return cls(spec=spec, answers=answers)

    def answer(self, operation_id: str, prefer: Iterable[str]) -> Response | None:
        """The answer the `Prefer` lines choose for the operation, None when they choose none;
        a 400 Problem when a choice is malformed or names what the operation does not document."""
        stated = {name: value for name, value in preferences(prefer).items() if name in CHOICES}
        if not stated:
            return None
        answer, honoured = self._chosen(operation_id, stated)
        dynamic = honoured.get("dynamic") == "true"
        if "example" in honoured:
            body, drawn = answer.examples[honoured["example"]], False
        elif dynamic:
            body, drawn = self._drawn(answer), True
        else:
            body, drawn = answer.default, answer.drawn
        headers = {header.name: self._header(header, dynamic) for header in answer.headers}
        headers["Preference-Applied"] = applied(honoured)
        if drawn:
            body = self._sensible(answer, body, headers["Preference-Applied"])
        content = b"" if answer.media_type is None else dumps(body)
        return Response(content, answer.status, headers, media_type=answer.media_type)

    def _chosen(
        self, operation_id: str, stated: Mapping[str, str | None]
    ) -> tuple[Answer, dict[str, str]]:
        """The answer the preferences choose, and those it honours (an example outranks
        `dynamic`, as in Prism), in the order `Preference-Applied` names them."""
        documented = self.answers[operation_id]
        answer = documented[next(iter(documented))]
        honoured: dict[str, str] = {}
        if "code" in stated:
            answer = self._status(operation_id, stated["code"])
            honoured["code"] = str(answer.status)
        # Checked even beside an example: a malformed preference is refused, never passed over.
        dynamic = _dynamic(stated)
        if "example" in stated:
            given = answer if "code" in stated else None
            answer, honoured["example"] = self._example(operation_id, stated["example"], given)
        elif dynamic is not None:
            honoured["dynamic"] = "true" if dynamic else "false"
        return answer, honoured

    def _status(self, operation_id: str, value: str | None) -> Answer:
        documented = self.answers[operation_id]
        if value is not None and _STATUS.fullmatch(value) and int(value) in documented:
            return documented[int(value)]
        codes = ", ".join(str(status) for status in sorted(documented))
        raise _refused(
            f"{_shown('code', value)} names no status {operation_id} documents: {codes}."
        )

    def _example(
        self, operation_id: str, name: str | None, answer: Answer | None
    ) -> tuple[Answer, str]:
        """The answer holding the example `name`: `answer`, else the first of the operation's
        (2xx first); a 400 Problem naming the examples there are when none holds it."""
        candidates = [answer] if answer else list(self.answers[operation_id].values())
        for candidate in candidates:
            if name is not None and name in candidate.examples:
                return candidate, name
        if answer is not None:
            names = ", ".join(answer.examples) or "none"
            where = f"the {answer.status} answer of {operation_id}"
        else:
            names = ", ".join(f"{n} ({a.status})" for a in candidates for n in a.examples)
            where = operation_id
        raise _refused(f"{_shown('example', name)} names no example of {where}; it has {names}.")

    def _drawn(self, answer: Answer) -> Any:
        return None if answer.schema is None else synthesize(self.spec, answer.schema, self.rng)

    def _header(self, header: Header, dynamic: bool) -> str:
        if header.fixed or not dynamic:
            return header.default
        return _header_text(synthesize(self.spec, header.schema, self.rng))

    def _sensible(self, answer: Answer, body: Any, chosen: str) -> Any:
        """A drawn problem document made to read as one, where its schema allows: `about:blank`
        (no more than the status), titled by the status's phrase, saying what chose it."""
        if answer.media_type != PROBLEM_JSON or answer.schema is None or not isinstance(body, dict):
            return body
        phrase = HTTPStatus(answer.status).phrase
        detail = f"The answer chosen by Prefer: {chosen}."
        sensible = {**body, "type": "about:blank", "title": phrase, "status": answer.status}
        sensible["detail"] = detail
        valid = self.spec.compiled_validator(answer.schema).is_valid(sensible)
        return sensible if valid else body


def _answers(spec: Spec, operation: Operation, allow: str) -> dict[int, Answer]:
    # Only a status in digits can be chosen by `code`; a range (`4XX`) or `default` cannot.
    statuses = [status for status in operation.responses if _STATUS.fullmatch(status)]
    statuses.sort(key=lambda status: not status.startswith("2"))
    answers = {}
    for status in statuses:
        try:
            answers[int(status)] = _answer(spec, operation, status, allow)
        except SynthesisError as error:
            raise UnanswerableResponse(
                f"{spec.path}: the mock cannot answer {operation.operation_id} {status}: {error}"
            ) from None
    return answers


def _answer(spec: Spec, operation: Operation, status: str, allow: str) -> Answer:
    response = operation.responses[status]
    where = f"/paths/{escape(operation.path)}/{operation.method.lower()}/responses/{status}"
    node, pointer = _followed(spec, where)
    named: dict[str, Any] = {}
    unnamed: list[Any] = []
    if response.media_type is not None:
        at = f"{pointer}/content/{escape(response.media_type)}"
        media = spec.schema(at)
        for name in media.get("examples", {}):
            named[name] = _followed(spec, f"{at}/examples/{escape(name)}")[0]["value"]
        unnamed += [media["example"]] if "example" in media else []
    if response.schema is not None:
        unnamed += _followed(spec, response.schema)[0].get("examples", [])
        # The examples an answer can give: every named one, else the first of the others.
        for name, value in named.items() or [("(unnamed)", value) for value in unnamed[:1]]:
            _check(spec, response.schema, value, f"its example {name}")
    firsts = [*named.values(), *unnamed]
    default = firsts[0] if firsts else _drawn(spec, response.schema)
    return Answer(
        status=int(status),
        media_type=response.media_type,
        schema=response.schema,
        examples=named,
        default=default,
        drawn=not firsts,
        headers=tuple(_headers(spec, node, pointer, allow)),
    )


def _drawn(spec: Spec, schema: str | None) -> Any:
    return None if schema is None else synthesize(spec, schema, Random(DEFAULT_SEED), optional=0)


def _headers(spec: Spec, node: Any, pointer: str, allow: str) -> Iterable[Header]:
    """The response's required headers: Allow and WWW-Authenticate as the mock writes them."""
    fixed = {"allow": allow, "www-authenticate": CHALLENGE}
    for name in node.get("headers", {}):
        header, at = _followed(spec, f"{pointer}/headers/{escape(name)}")
        if not header.get("required") or "schema" not in header:
            continue
        schema = f"{at}/schema"
        value = fixed.get(name.lower())
        if value is not None:
            _check(spec, schema, value, f"its header {name}: {value}")
        default = value or _header_text(_drawn(spec, schema))
        yield Header(name, schema, default, fixed=value is not None)


def _check(spec: Spec, schema: str, value: Any, what: str) -> None:
    error = best_match(spec.validator(schema).iter_errors(value))
    if error is not None:
        reason = " ".join(error.message.split())[:200]
        raise SynthesisError(f"{what} is not valid ({reason})")


def _followed(spec: Spec, pointer: str) -> tuple[Any, str]:
    """The object at `pointer`, its local `$ref`s followed, and where it is."""
    node = spec.schema(pointer)
    while (target := local_ref(node)) is not None:
        node, pointer = spec.schema(target), target
    return node, pointer


def _header_text(value: Any) -> str:
    return value if isinstance(value, str) else dumps(value).decode()


def _dynamic(stated: Mapping[str, str | None]) -> bool | None:
    """What `dynamic` asks for; None when it is not stated."""
    if "dynamic" not in stated:
        return None
    value = stated["dynamic"]
    # A preference stated without a value asks for it (RFC 7240): `dynamic` is `dynamic=true`.
    switch = True if value is None else _SWITCH.get(value.lower())
    if switch is None:
        raise _refused(f"Prefer: dynamic={value} is neither true nor false.")
    return switch


def _shown(name: str, value: str | None) -> str:
    return f"Prefer: {name}" if value is None else f"Prefer: {name}={value}"


def _refused(detail: str) -> Problem:
    return Problem(400, "invalid-preference", detail)
