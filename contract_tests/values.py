"""Hypothesis strategies for the values a schema of the spec admits, read from the schema."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from hypothesis import strategies as st

from spec import Spec
from spec.instants import instant

# I-JSON (RFC 7493): the integers every JSON peer holds exactly, for members with no range.
SAFE_INTEGER = 2**53 - 1
# Any I-JSON integer (D22), its ends and zero drawn as often as the rest.
INTEGERS = st.one_of(
    st.integers(-SAFE_INTEGER, SAFE_INTEGER), st.sampled_from([-SAFE_INTEGER, 0, SAFE_INTEGER])
)
# Text with no length limit (D21): empty, short, long, and beyond ASCII and the BMP.
# Long text is a short one repeated: as long, and far cheaper to draw and to shrink.
TEXT = st.one_of(
    st.text(max_size=24),
    st.just(""),
    st.text(st.characters(min_codepoint=0x80, codec="utf-8"), min_size=1, max_size=24),
    st.builds(
        lambda part, times: part * times, st.text(min_size=1, max_size=8), st.integers(64, 512)
    ),
)
# RFC 3339 offsets to the minute (+05:30, -09:45), and UTC written both ways.
OFFSETS = st.one_of(st.just(0), st.integers(-(24 * 60 - 1), 24 * 60 - 1))
_LEAVES: st.SearchStrategy[Any] = st.one_of(
    st.none(),
    st.booleans(),
    INTEGERS,
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


def written(moment: datetime, minutes: int, *, zulu: bool = False) -> str:
    """`moment` as RFC 3339 text in the offset of `minutes` east of UTC (`Z` with `zulu`)."""
    text = moment.astimezone(timezone(timedelta(minutes=minutes))).isoformat()
    return text.replace("+00:00", "Z") if zulu and minutes == 0 else text


# Every instant of years 0001-9999 in UTC (D23), in any offset form.
_TIMES = st.builds(
    written,
    st.datetimes(
        min_value=datetime(2, 1, 1), max_value=datetime(9998, 12, 31), timezones=st.just(UTC)
    ),
    OFFSETS,
    zulu=st.booleans(),
).filter(lambda text: instant(text) is not None)


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
        if "minimum" not in node and "maximum" not in node:
            return INTEGERS
        low, high = node.get("minimum", -SAFE_INTEGER), node.get("maximum", SAFE_INTEGER)
        return st.integers(low, high)
    if kind == "string":
        return _TIMES if node.get("format") == "date-time" else TEXT
    simple: dict[str, st.SearchStrategy[Any]] = {
        "null": st.none(),
        "boolean": st.booleans(),
        "number": st.one_of(INTEGERS, st.floats(allow_nan=False, allow_infinity=False)),
        # Nested objects too: config is the integration's own, at any depth.
        "object": st.dictionaries(TEXT, JSON_VALUES, max_size=4),
        "array": st.lists(JSON_VALUES, max_size=4),
    }
    return simple[kind]
