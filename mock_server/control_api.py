"""The mock's own API and files, described in `control.yaml`: its document, validators, reader."""

from __future__ import annotations

import functools
import math
import os
import re
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from hopdrive.errors import HopDriveError
from spec import SpecUnreadable
from spec.loader import read_yaml
from spec.pointer import escape

CONTROL_API = Path(__file__).with_name("control.yaml")
_URI = "urn:hopdrive:mock-control"


class ControlFileError(HopDriveError):
    """A file given to the mock (--faults, --advance, --fixtures) is unfit; one line naming it."""


@functools.cache
def document() -> dict[str, Any]:
    """The control API's OpenAPI document, read once."""
    loaded = read_yaml(CONTROL_API)
    assert isinstance(loaded, dict)
    return loaded


@functools.cache
def validator(name: str) -> Draft202012Validator:
    """A format-checking validator for `#/components/schemas/<name>` of the control API."""
    registry: Registry[Any] = Registry().with_resource(
        _URI, Resource.from_contents(document(), default_specification=DRAFT202012)
    )
    return Draft202012Validator(
        {"$ref": f"{_URI}#/components/schemas/{name}"},
        registry=registry,
        format_checker=FormatChecker(),
    )


def first_error(name: str, value: Any) -> str | None:
    """Where and how `value` breaks the schema `name` (`/faults/0/latency: ...`), or None."""
    error = next(iter(validator(name).iter_errors(value)), None)
    if error is None:
        return None
    where = "/" + "/".join(map(str, error.absolute_path))
    return f"{where}: {error.message}"


def read_file(path: str | os.PathLike[str], schema: str) -> Any:
    """A YAML or JSON file's data, checked against the schema `schema`; ControlFileError if not."""
    try:
        data = read_yaml(Path(path))
    except SpecUnreadable as error:
        raise ControlFileError(str(error)) from None
    problem = _non_finite(data, "") or first_error(schema, data)
    if problem is not None:
        raise ControlFileError(f"{path}: {problem}")
    return data


def _non_finite(value: Any, where: str) -> str | None:
    """Where a YAML file holds `.nan` or `.inf`, which JSON cannot and no bound refuses."""
    if isinstance(value, float) and not math.isfinite(value):
        return f"{where or '/'}: {value} is not a number a JSON document can hold"
    members = (
        value.items()
        if isinstance(value, dict)
        else enumerate(value)
        if isinstance(value, list)
        else ()
    )
    for key, member in members:
        found = _non_finite(member, f"{where}/{escape(str(key))}")
        if found is not None:
            return found
    return None


def operation_for(method: str, path: str) -> str | None:
    """The operationId of the control API's operation a request for a concrete path (under the
    base path) is sent to, if any."""
    for template, operations in document()["paths"].items():
        pattern = "[^/]+".join(re.escape(piece) for piece in re.split(r"\{[^}/]+\}", template))
        if re.fullmatch(pattern, path):
            found = operations.get(method.lower(), {}).get("operationId")
            return str(found) if found is not None else None
    return None
