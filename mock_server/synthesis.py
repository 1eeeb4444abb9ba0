"""Values built from the spec's schemas: a JSON value each schema accepts, drawn at random.

Written here rather than taken from a library: hypothesis-jsonschema 0.23.1 fails with the
Hypothesis the suite pins (6.170), Schemathesis's generator is internal to it, and jsf brings
faker and more into the mock's install. The spec's own validator is the judge of every value.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from random import Random
from typing import Any

from jsonpointer import resolve_pointer
from jsonschema.exceptions import best_match
from rstr import Rstr

from hopdrive.errors import HopDriveError
from spec import Spec
from spec.schemas import local_ref

ATTEMPTS = 20
# A `$ref` cycle or a schema this deep is no answer a partner could read.
MAX_DEPTH = 32
# How often an optional member is present (unless told), and how much likelier a value is
# than null.
OPTIONAL_MEMBER = 0.7
_WEIGHTS = {"null": 1}
_VALUE_WEIGHT = 3
# Numbers are drawn from a stretch this wide, from zero or the bound nearest it: ids, seconds.
SPAN = 100
_WORDS = ("amber", "birch", "cedar", "delta", "ember", "fjord", "grove", "harbor", "iris")
_EPOCH = datetime(2020, 1, 1, tzinfo=UTC)
_DECADE = 10 * 365 * 24 * 3600
_EASTERN = timezone(timedelta(hours=-5))
_APPLICATORS = frozenset({"$ref", "allOf", "anyOf", "oneOf"})
_MESSAGE = 200


class SynthesisError(HopDriveError):
    """No value the schema accepts could be built; `str()` is one line naming the schema."""


def synthesize(
    spec: Spec,
    pointer: str,
    rng: Random,
    *,
    optional: float = OPTIONAL_MEMBER,
    attempts: int = ATTEMPTS,
) -> Any:
    """A value the schema at `pointer` accepts, drawn with `rng` and checked by the spec's
    validator; each optional member present with the chance `optional` (0: only what the schema
    requires). SynthesisError when `attempts` draws bring none."""
    valid = spec.compiled_validator(pointer)
    drawer = _Drawer(spec.document, rng, pointer, optional)
    value = None
    for _ in range(attempts):
        value = drawer.value(spec.schema(pointer), 0)
        if valid.is_valid(value):
            return value
    error = best_match(spec.validator(pointer).iter_errors(value))
    reason = " ".join((error.message if error else "refused").split())
    if len(reason) > _MESSAGE:
        reason = reason[: _MESSAGE - 3] + "..."
    raise SynthesisError(f"{pointer}: no value of {attempts} drawn is valid (the last: {reason})")


class _Drawer:
    """Draws candidate values for the schemas of one document: valid as far as the keywords it
    reads go (`not`, or `oneOf`'s only-one, it leaves to the validator)."""

    def __init__(self, document: Any, rng: Random, pointer: str, optional: float) -> None:
        self.document = document
        self.rng = rng
        self.pointer = pointer
        self.optional = optional

    def value(self, node: Any, depth: int) -> Any:
        schema = self._folded(node, depth)
        if "const" in schema:
            return schema["const"]
        if "enum" in schema:
            if not schema["enum"]:
                raise self._error("no value is in every enum that applies")
            return self.rng.choice(schema["enum"])
        kind = self._type(schema)
        if kind == "object":
            return self._object(schema, depth)
        if kind == "array":
            return self._array(schema, depth)
        if kind == "string":
            return self._string(schema)
        if kind == "integer":
            return self._integer(schema)
        if kind == "number":
            return self._number(schema)
        if kind == "boolean":
            return self.rng.random() < 0.5
        return None  # the one type left: null

    def _folded(self, node: Any, depth: int) -> dict[str, Any]:
        """`node` with its `$ref`, its `allOf` and one branch of each `anyOf`/`oneOf` merged in;
        its `pattern` becomes `patterns`, the list of every pattern that applies."""
        if depth > MAX_DEPTH:
            raise self._error(f"nests deeper than {MAX_DEPTH} levels")
        if node is True:
            return {}
        if not isinstance(node, dict):
            raise self._error(f"{node!r} accepts no value")
        own = {key: value for key, value in node.items() if key not in _APPLICATORS}
        if "pattern" in own:
            own["patterns"] = [own.pop("pattern")]
        # What a schema builds on first, as the loader reads it: a base's members lead.
        target = local_ref(node)
        bases = [] if target is None else [resolve_pointer(self.document, target)]
        parts = [self._folded(part, depth + 1) for part in [*bases, *node.get("allOf", [])]]
        parts.append(own)
        for keyword in ("anyOf", "oneOf"):
            if keyword in node:
                parts.append(self._folded(self._branch(node[keyword]), depth + 1))
        return functools.reduce(_merged, parts)

    def _branch(self, options: list[Any]) -> Any:
        def weight(option: Any) -> int:
            only = option.get("type") if isinstance(option, dict) else None
            return _WEIGHTS.get(only, _VALUE_WEIGHT) if isinstance(only, str) else _VALUE_WEIGHT

        return self.rng.choices(options, [weight(option) for option in options])[0]

    def _type(self, schema: dict[str, Any]) -> str:
        types = schema["type"] if "type" in schema else _implied(schema)
        types = [types] if isinstance(types, str) else types
        if not types:
            raise self._error("no type satisfies every part of the schema")
        weights = [_WEIGHTS.get(kind, _VALUE_WEIGHT) for kind in types]
        return str(self.rng.choices(types, weights)[0])

    def _object(self, schema: dict[str, Any], depth: int) -> dict[str, Any]:
        properties = schema.get("properties", {})
        required = schema.get("required", [])
        extra = schema.get("additionalProperties", True)
        names = [
            name for name in properties if name in required or self.rng.random() < self.optional
        ]
        # A required member no `properties` names takes what `additionalProperties` says.
        names += [name for name in required if name not in properties]
        drawn = {name: self.value(properties.get(name, extra), depth + 1) for name in names}
        if isinstance(extra, dict):
            for word in self.rng.sample(_WORDS, 2):
                if self.rng.random() < self.optional:
                    drawn.setdefault(word, self.value(extra, depth + 1))
        return drawn

    def _array(self, schema: dict[str, Any], depth: int) -> list[Any]:
        low = schema.get("minItems", 0)
        high = min(schema.get("maxItems", low + 3), low + 3)
        if high < low:
            raise self._error(f"no length is within minItems {low} and maxItems {high}")
        items = schema.get("items", True)
        return [self.value(items, depth + 1) for _ in range(self.rng.randint(low, high))]

    def _string(self, schema: dict[str, Any]) -> str:
        patterns: list[str] = schema.get("patterns", [])
        if "format" in schema:
            maker = _FORMATS.get(schema["format"])
            if maker is None:
                raise self._error(f"no value of format {schema['format']!r} is built here")
            writings = [text for text in maker(self.rng) if _matches(text, patterns)]
            if not writings:
                raise self._error(f"no {schema['format']} drawn is matched by {patterns}")
            return self.rng.choice(writings)
        if patterns:
            # A spec's pattern is a regex both Python and ECMA 262 read (the spec's validator
            # holds it to that), all of which rstr draws from.
            return str(Rstr(self.rng).xeger(patterns[0]))
        return " ".join(self.rng.sample(_WORDS, self.rng.randint(1, 3)))

    def _integer(self, schema: dict[str, Any]) -> int:
        lows = [math.ceil(schema["minimum"])] if "minimum" in schema else []
        highs = [math.floor(schema["maximum"])] if "maximum" in schema else []
        if "exclusiveMinimum" in schema:
            lows.append(math.floor(schema["exclusiveMinimum"]) + 1)
        if "exclusiveMaximum" in schema:
            highs.append(math.ceil(schema["exclusiveMaximum"]) - 1)
        low, high = self._window(max(lows, default=None), min(highs, default=None))
        return self.rng.randint(math.ceil(low), math.floor(high))

    def _number(self, schema: dict[str, Any]) -> float:
        # An exclusive bound is drawn as an inclusive one: the validator turns away the bound.
        lows = [schema[key] for key in ("minimum", "exclusiveMinimum") if key in schema]
        highs = [schema[key] for key in ("maximum", "exclusiveMaximum") if key in schema]
        low, high = self._window(max(lows, default=None), min(highs, default=None))
        return round(self.rng.uniform(low, high), 6)

    def _window(self, low: float | None, high: float | None) -> tuple[float, float]:
        """The stretch of [low, high] to draw from: SPAN wide, from zero or the bound nearest it."""
        if low is not None and high is not None and low > high:
            raise self._error(f"no number is within {low} and {high}")
        start = 0 if low is None else max(low, 0)
        if high is not None:
            start = min(start, high)
        end = start + SPAN if high is None else min(start + SPAN, high)
        start = end - SPAN if low is None else max(end - SPAN, low)
        return start, end

    def _error(self, reason: str) -> SynthesisError:
        return SynthesisError(f"{self.pointer}: {reason}")


def _implied(schema: dict[str, Any]) -> list[str]:
    """The types a schema without `type` is drawn as: the one its keywords are about, if any."""
    if schema.keys() & {"properties", "required", "additionalProperties"}:
        return ["object"]
    if schema.keys() & {"items", "minItems", "maxItems"}:
        return ["array"]
    if schema.keys() & {"format", "patterns"}:
        return ["string"]
    return ["null", "boolean", "integer", "string"]


def _both(first: Any, second: Any) -> Any:
    """One schema for two that both apply."""
    if first is False or second is False:
        return False
    if first is True:
        return second
    return first if second is True else {"allOf": [first, second]}


def _merged(first: dict[str, Any], second: dict[str, Any]) -> dict[str, Any]:
    """Two folded schemas as one (what `allOf` means), for the keywords values are drawn from;
    of any other keyword the second's value stands."""
    merged = dict(first)
    for key, value in second.items():
        combine = _COMBINE.get(key)
        merged[key] = combine(merged[key], value) if combine and key in merged else value
    return merged


def _properties(first: dict[str, Any], second: dict[str, Any]) -> dict[str, Any]:
    common = {name: _both(first[name], second[name]) for name in first.keys() & second.keys()}
    return {**first, **second, **common}


def _kept(first: list[Any], second: list[Any]) -> list[Any]:
    return [item for item in first if item in second]


def _types(first: str | list[str], second: str | list[str]) -> list[str]:
    def as_list(types: str | list[str]) -> list[str]:
        return [types] if isinstance(types, str) else types

    return _kept(as_list(first), as_list(second))


_COMBINE: dict[str, Callable[[Any, Any], Any]] = {
    "properties": _properties,
    "required": lambda first, second: [*first, *(name for name in second if name not in first)],
    "type": _types,
    "enum": _kept,
    "patterns": lambda first, second: [*first, *second],
    "items": _both,
    "additionalProperties": _both,
    "minimum": max,
    "exclusiveMinimum": max,
    "minItems": max,
    "maximum": min,
    "exclusiveMaximum": min,
    "maxItems": min,
}


def _matches(text: str, patterns: list[str]) -> bool:
    return all(re.search(pattern, text) for pattern in patterns)


def _date_time(rng: Random) -> list[str]:
    """One RFC 3339 date-time, in each of the ways it may be written: with Z, +00:00, -05:00."""
    instant = _EPOCH + timedelta(seconds=rng.randrange(_DECADE))
    utc = instant.isoformat()
    return [utc.replace("+00:00", "Z"), utc, instant.astimezone(_EASTERN).isoformat()]


def _uri(rng: Random) -> list[str]:
    return [f"https://example.com/{rng.choice(_WORDS)}/{rng.randint(1, 999)}"]


def _json_pointer(rng: Random) -> list[str]:
    return ["".join(f"/{word}" for word in rng.sample(_WORDS, rng.randint(0, 2)))]


# Each format's maker: the ways of writing one value drawn, for the patterns to choose among.
_FORMATS: dict[str, Callable[[Random], list[str]]] = {
    "date-time": _date_time,
    "uri": _uri,
    "uri-reference": _uri,
    "json-pointer": _json_pointer,
}
