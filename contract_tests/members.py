"""The members of request bodies, nested ones included, and the classes of value they hold:
valid, invalid, null (where the schema admits it) and omitted."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from contract_tests.values import SAFE_INTEGER
from spec import Spec
from spec.pointer import escape

Path = tuple[str, ...]
# Values of every JSON type and the edges of the contract's ranges: I-JSON's integers (D22),
# years the contract excludes (D23), a zip of four digits (D17). Only values the contract
# itself refuses: a `*_utc` member may take forms beyond its two (D20), so no naive time here.
# Near misses first, in the order they are tried; then valid values, which tell the JSON types
# a member takes.
_CANDIDATES: tuple[Any, ...] = (
    None,
    "0000-01-01T00:00:00Z",
    "1234",
    "",
    "x",
    1.5,
    SAFE_INTEGER + 1,
    -SAFE_INTEGER - 1,
    True,
    0,
    [],
    {},
    {"nested": {"deeper": [1]}},
    "2030-01-01T00:00:00+05:30",
    "12345",
)


def paths(spec: Spec, pointer: str) -> list[Path]:
    """Every member path of the request schema at `pointer`, nested objects' members included."""
    found: list[Path] = []

    def walk(path: Path) -> None:
        for name in _names(spec, pointer, path):
            member = (*path, name)
            found.append(member)
            walk(member)

    walk(())
    return found


def _names(spec: Spec, pointer: str, path: Path) -> tuple[str, ...]:
    if not path:
        return spec.fields(pointer)
    names: dict[str, None] = {}
    for where in spec.member_schemas(pointer, list(path)):
        names.update(dict.fromkeys(spec.schema(where).get("properties", {})))
    return tuple(names)


def classify(spec: Spec, pointer: str, path: Sequence[str], body: Any) -> str | None:
    """The class of value `body` holds at member `path`; None where its parent is no object."""
    parent = body
    for name in path[:-1]:
        parent = parent.get(name) if isinstance(parent, dict) else None
    if not isinstance(parent, dict):
        return None
    if path[-1] not in parent:
        return "omitted"
    value = parent[path[-1]]
    if value is None and admits(spec, pointer, path, None):
        return "null"
    return "valid" if admits(spec, pointer, path, value) else "invalid"


def admits(spec: Spec, pointer: str, path: Sequence[str], value: Any) -> bool:
    """Whether the member's own schemas, those every instance holds it to, admit `value`."""
    return all(
        spec.compiled_validator(where).is_valid(value) for where in _own(spec, pointer, path)
    )


def invalid_values(spec: Spec, pointer: str, path: Sequence[str]) -> list[Any]:
    """Values the member's own schemas refuse, of as many kinds as there are: null first."""
    return [value for value in _CANDIDATES if not admits(spec, pointer, path, value)]


_OWN: dict[tuple[int, str, Path], tuple[str, ...]] = {}


def _own(spec: Spec, pointer: str, path: Sequence[str]) -> tuple[str, ...]:
    # Asked for every member of every exchange of a run; a spec is not hashable, its id is.
    key = (id(spec.document), pointer, tuple(path))
    if key not in _OWN:
        # The alternatives of an anyOf or oneOf bind a member only in some instances.
        suffix = "/properties/" + escape(path[-1])
        _OWN[key] = tuple(
            where
            for where in spec.member_schemas(pointer, list(path))
            if where.endswith(suffix) and "/anyOf/" not in where and "/oneOf/" not in where
        )
    return _OWN[key]


def a_valid_value(spec: Spec, pointer: str, path: Sequence[str]) -> Any:
    """A value other than null the member's own schemas admit, None when none is known."""
    return next((v for v in _CANDIDATES if v is not None and admits(spec, pointer, path, v)), None)


def near_misses(spec: Spec, pointer: str, path: Sequence[str], most: int = 3) -> list[Any]:
    """A few values the member refuses: first those of a JSON type it takes (a string that
    breaks a pattern, an integer past I-JSON's range), then one of a type it does not."""
    refused = invalid_values(spec, pointer, path)
    taken = {_kind(value) for value in _CANDIDATES if admits(spec, pointer, path, value)}
    near = [value for value in refused if _kind(value) in taken]
    far = [value for value in refused if _kind(value) not in taken and value is not None]
    return (near[: max(most - 1, 0)] + far[:1])[:most] if far else near[:most]


def _kind(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return type(value).__name__
    return "number" if isinstance(value, int | float) else type(value).__name__
