"""Request bodies: media type (415), size (413), strict JSON and the spec's schema (400)."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from typing import Any

import jsonschema_rs
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, best_match
from starlette.requests import Request

from mock_server.problems import Problem, field_error
from spec.pointer import escape

MAX_BODY_BYTES = 1024 * 1024
MAX_MESSAGE = 200
# Only a \uD800-\uDFFF escape can put a surrogate into a parsed string (UTF-8 bytes cannot).
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


async def read_json(request: Request, limit: int = MAX_BODY_BYTES) -> Any:
    """The request's JSON body, or a Problem for the wrong media type, size or syntax."""
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != "application/json":
        shown = media_type or "no Content-Type"
        raise Problem(
            415, "unsupported-media-type", f"The body must be application/json, not {shown}."
        )
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise _too_large(limit)
    raw = bytearray()
    async for chunk in request.stream():
        raw += chunk
        if len(raw) > limit:
            raise _too_large(limit)
    return parse_json(bytes(raw))


def parse_json(raw: bytes) -> Any:
    """Parse strict JSON: UTF-8, finite numbers, no key twice, bounded nesting."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise Problem(
            400, "malformed-json", f"The body is not UTF-8 text (byte {error.start})."
        ) from None
    if text.startswith("\ufeff"):
        # json.loads refuses it by name; the decoder alone would say "Expecting value".
        raise Problem(400, "malformed-json", "The body starts with a byte order mark (U+FEFF).")
    try:
        value = _DECODER.decode(text)
    except RecursionError:
        raise Problem(400, "malformed-json", "The body is nested too deeply.") from None
    except ValueError as error:
        raise Problem(
            400, "malformed-json", f"The body is not valid JSON: {_short(str(error))}"
        ) from None
    # An escaped surrogate without its pair is no character: it could be neither stored nor
    # answered as UTF-8 (RFC 8259 section 8.2).
    if _SURROGATE_ESCAPE.search(text) and _has_lone_surrogate(value):
        raise Problem(
            400, "malformed-json", "The body holds a \\u escape of an unpaired surrogate."
        )
    return value


def check(compiled: jsonschema_rs.Validator, validator: Draft202012Validator, body: Any) -> None:
    """Raise a 400 Problem listing every place where `body` breaks the schema.

    `compiled` and `validator` check the same schema. The compiled one clears a valid body in
    microseconds and is never the more lenient of the two (a property test pins this); only a
    body it refuses pays for jsonschema's itemised errors, and jsonschema, the contract suite's
    validator, then decides.
    """
    if compiled.is_valid(body):
        return
    errors = sorted(_field_errors(validator.iter_errors(body)), key=lambda e: e["pointer"])
    if errors:
        count = len(errors)
        raise Problem(
            400,
            "validation",
            f"{count} problem{'s' if count > 1 else ''} in the request body.",
            errors=errors,
        )


def _field_errors(errors: Iterator[ValidationError]) -> Iterator[dict[str, str]]:
    for error in errors:
        where = pointer(error.absolute_path)
        if error.validator == "required" and isinstance(error.validator_value, list):
            # jsonschema reports each missing member apart; point where it should have been.
            for name in error.validator_value:
                if error.message == f"{name!r} is a required property":
                    yield field_error(f"{where}/{escape(name)}", "is required")
        elif error.validator == "additionalProperties" and isinstance(error.instance, dict):
            known = error.schema.get("properties", {}) if isinstance(error.schema, dict) else {}
            for name in sorted(set(error.instance) - set(known)):
                yield field_error(f"{where}/{escape(name)}", "is not a known member here")
        else:
            chosen = best_match(error.context) if error.context else error
            yield field_error(where, _short((chosen or error).message))


def pointer(path: Any) -> str:
    """The RFC 6901 JSON Pointer for a jsonschema error path."""
    return "".join(f"/{escape(str(part))}" for part in path)


def _short(message: str) -> str:
    # Messages quote the offending value, which may be megabytes long.
    return message if len(message) <= MAX_MESSAGE else message[: MAX_MESSAGE - 3] + "..."


def _too_large(limit: int) -> Problem:
    return Problem(413, "payload-too-large", f"The body is larger than {limit} bytes.")


def _has_lone_surrogate(value: Any) -> bool:
    # A stack, not recursion: the body may be nested as deeply as the parser allows.
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return True
        elif isinstance(item, dict):
            pending += item
            pending += item.values()
        elif isinstance(item, list):
            pending += item
    return False


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"member {key!r} appears twice")
        result[key] = value
    return result


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _number(literal: str) -> float | int:
    # JSON Schema counts 1234.0 as an integer; keep it one, so ids are stored and answered as ints.
    value = float(literal)
    if not math.isfinite(value):
        raise ValueError(f"{literal} is out of range")
    return int(value) if value.is_integer() and abs(value) < 2**63 else value


# Built once: json.loads with hooks would build a decoder for every body.
_DECODER = json.JSONDecoder(
    object_pairs_hook=_unique_keys, parse_constant=_no_constant, parse_float=_number
)
