"""Typed Python stubs: TypedDicts by datamodel-code-generator, and a typed httpx client."""

from __future__ import annotations

import re
import sys
import tempfile
from pathlib import Path

from generators.public import write_public
from generators.tools import run
from spec import Operation, Spec
from spec.pointer import escape

TYPES = "python/hopdrive_types.py"
CLIENT = "python/hopdrive_client.py"
CODEGEN = Path(sys.executable).with_name("datamodel-codegen")
COMPONENTS = "#/components/schemas/"
PYTHON_TYPES = {"integer": "int", "string": "str", "number": "float", "boolean": "bool"}


def files(spec: Spec) -> dict[str, str]:
    """The TypedDicts module and the client module, by path under generated/."""
    return {TYPES: _types(spec), CLIENT: _client(spec)}


def _types(spec: Spec) -> str:
    with tempfile.TemporaryDirectory() as folder:
        source = write_public(spec, Path(folder))
        output = Path(folder) / "types.py"
        run(
            [
                str(CODEGEN),
                *("--input", str(source), "--input-file-type", "openapi"),
                *("--output", str(output), "--output-model-type", "typing.TypedDict"),
                *("--target-python-version", "3.11", "--formatters", "builtin"),
                "--disable-timestamp",
                "--use-standard-collections",
                "--use-union-operator",
                *("--enum-field-as-literal", "all"),
            ],
            "datamodel-codegen",
        )
        return output.read_text(encoding="utf-8")


def _client(spec: Spec) -> str:
    operations = sorted(spec.public_operations, key=lambda op: op.operation_id)
    imported = sorted({name for op in operations for name in _shapes(spec, op)} | {"Problem"})
    methods = "".join(_method(spec, op) for op in operations)
    names = "".join(f"    {name},\n" for name in imported)
    return f'''"""A typed HopDrive dealer API client, generated from the spec. Do not edit."""

from __future__ import annotations

from typing import Any, cast

import httpx

from hopdrive_types import (
{names})


class ProblemError(Exception):
    """The server answered with an RFC 9457 problem document."""

    def __init__(self, status: int, problem: Problem) -> None:
        super().__init__(f"{{status}}: {{problem.get('detail', '')}}")
        self.status = status
        self.problem = problem


class HopDriveClient:
    """One method per operation; each sends its body as JSON and returns the typed answer."""

    def __init__(self, base_url: str, token: str, *, client: httpx.Client | None = None) -> None:
        self._client = client or httpx.Client(
            base_url=base_url.rstrip("/") + "/", headers={{"Authorization": f"Bearer {{token}}"}}
        )

    def close(self) -> None:
        """Close the connections."""
        self._client.close()

    def _send(self, method: str, path: str, body: object) -> Any:
        response = self._client.request(method, path, json=body)
        if response.status_code >= 400:
            raise ProblemError(response.status_code, cast(Problem, response.json()))
        return response.json()
{methods}'''


def _shapes(spec: Spec, operation: Operation) -> list[str]:
    found = [_name(spec, operation.request_schema), _name(spec, _answer(operation))]
    return [name for name in found if name != "Any"]


def _method(spec: Spec, operation: Operation) -> str:
    parameters = re.findall(r"{(\w+)}", operation.path)
    schema = spec.schema("/components/parameters/AppointmentId/schema") if parameters else {}
    kind = (
        PYTHON_TYPES.get(str(spec.schema(schema["$ref"].removeprefix("#"))["type"]), "str")
        if parameters
        else ""
    )
    arguments = "".join(f", {name}: {kind}" for name in parameters)
    body = _name(spec, operation.request_schema)
    answer = _name(spec, _answer(operation))
    path = operation.path.lstrip("/")
    quoted = f'f"{path}"' if parameters else f'"{path}"'
    summary = spec.schema(f"/paths/{escape(operation.path)}/{operation.method.lower()}").get(
        "summary", ""
    )
    return f'''
    def {_snake(operation.operation_id)}(self{arguments}, body: {body}) -> {answer}:
        """{summary} ({operation.method} {operation.path})."""
        return cast({answer}, self._send("{operation.method}", {quoted}, body))
'''


def _answer(operation: Operation) -> str | None:
    """The pointer to the schema of the operation's success answer, if it documents one."""
    status = operation.success_status
    return operation.responses[status].schema if status is not None else None


def _name(spec: Spec, pointer: str | None) -> str:
    node = spec.schema(pointer) if pointer else {}
    ref = node.get("$ref", "") if isinstance(node, dict) else ""
    return ref.removeprefix(COMPONENTS) if ref.startswith(COMPONENTS) else "Any"


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()
