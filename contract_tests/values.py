"""Hypothesis strategies for the values a schema of the spec admits, read from the schema."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from hypothesis import strategies as st

from spec import Spec

# I-JSON (RFC 7493): the integers every JSON peer holds exactly, for members with no range.
SAFE_INTEGER = 2**53 - 1
_LEAVES: st.SearchStrategy[Any] = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-SAFE_INTEGER, SAFE_INTEGER),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12),
)
# Any JSON value, a few levels deep: what an untyped or free-form member may hold.
JSON_VALUES: st.SearchStrategy[Any] = st.recursive(
    _LEAVES,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)
_TIMES = st.datetimes(
    min_value=datetime(2, 1, 1), max_value=datetime(9998, 12, 31), timezones=st.just(UTC)
).map(lambda moment: moment.isoformat())


def values(spec: Spec, pointer: str) -> st.SearchStrategy[Any]:
    """Every value the schema at `pointer` admits, and only those.

    Candidates follow the keywords that shape a value (`$ref`, `anyOf`/`oneOf`/`allOf`,
    `enum`/`const`, `type` with its bounds and format); the schema's own validator then keeps
    only what it admits, so a keyword read here as no more than a hint still holds.
    """
    return _candidates(spec, pointer).filter(spec.compiled_validator(pointer).is_valid)


def _candidates(spec: Spec, pointer: str) -> st.SearchStrategy[Any]:
    node = spec.schema(pointer)
    if isinstance(node, bool):
        return JSON_VALUES if node else st.nothing()
    if "const" in node:
        return st.just(node["const"])
    if "enum" in node:
        return st.sampled_from(node["enum"])
    for keyword in ("anyOf", "oneOf"):
        if keyword in node:
            return st.one_of(
                [_candidates(spec, f"{pointer}/{keyword}/{i}") for i in range(len(node[keyword]))]
            )
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#"):
        return _candidates(spec, ref[1:])
    if node.get("allOf"):
        return _candidates(spec, f"{pointer}/allOf/0")
    types = node.get("type")
    if types is None:
        return JSON_VALUES
    return st.one_of(
        [_typed(node, kind) for kind in ([types] if isinstance(types, str) else types)]
    )


def _typed(node: dict[str, Any], kind: str) -> st.SearchStrategy[Any]:
    if kind == "integer":
        low, high = node.get("minimum", -SAFE_INTEGER), node.get("maximum", SAFE_INTEGER)
        return st.integers(low, high)
    if kind == "string":
        return _TIMES if node.get("format") == "date-time" else st.text(max_size=24)
    simple: dict[str, st.SearchStrategy[Any]] = {
        "null": st.none(),
        "boolean": st.booleans(),
        "number": st.one_of(
            st.integers(-SAFE_INTEGER, SAFE_INTEGER),
            st.floats(allow_nan=False, allow_infinity=False),
        ),
        "object": st.dictionaries(st.text(max_size=8), JSON_VALUES, max_size=4),
        "array": st.lists(JSON_VALUES, max_size=4),
    }
    return simple[kind]
