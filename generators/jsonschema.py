"""JSON Schema files (draft 2020-12) from the spec: one per shared component and one per
request and response body of each public operation, linked by relative `$ref`s."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from spec import Spec

BASE_ID = "https://api.hopdrive.com/schemas/"
DIALECT = "https://json-schema.org/draft/2020-12/schema"
COMPONENTS = "#/components/schemas/"
INDEX = "index.json"


def build(spec: Spec) -> dict[str, Any]:
    """Every file to write, by its path relative to the output folder."""
    files: dict[str, Any] = {}
    for name, schema in spec.document["components"]["schemas"].items():
        path = f"components/{name}.json"
        files[path] = _document(path, _relative(schema, "components"))
    index: dict[str, dict[str, Any]] = {}
    for operation in sorted(spec.public_operations, key=lambda op: op.operation_id):
        entry: dict[str, Any] = {"method": operation.method, "path": operation.path}
        if operation.request_schema is not None:
            path = f"operations/{operation.operation_id}.request.json"
            files[path] = _body(
                spec, operation.request_schema, path, f"{operation.operation_id} request"
            )
            entry["request"] = path
        responses = {}
        for status, response in sorted(operation.responses.items()):
            if response.schema is None:
                continue
            path = f"operations/{operation.operation_id}.response.{status}.json"
            title = f"{operation.operation_id} {status} response"
            files[path] = _body(spec, response.schema, path, title)
            responses[status] = path
        entry["responses"] = responses
        index[operation.operation_id] = entry
    files[INDEX] = index
    return files


def render(document: Any) -> str:
    """A file's text: sorted keys and a final newline, so equal input gives equal bytes."""
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def files(spec: Spec) -> dict[str, str]:
    """The rendered files, by path under generated/."""
    return {f"jsonschema/{path}": render(document) for path, document in build(spec).items()}


def _document(path: str, schema: Mapping[str, Any], title: str | None = None) -> dict[str, Any]:
    document = {"$schema": DIALECT, "$id": BASE_ID + path, **schema}
    if title is not None:
        document.setdefault("title", title)
    return document


def _body(spec: Spec, pointer: str, path: str, title: str) -> dict[str, Any]:
    return _document(path, _relative(spec.schema(pointer), "operations"), title)


def _relative(node: Any, folder: str) -> Any:
    """A copy of `node` whose component `$ref`s point at the component files."""
    if isinstance(node, list):
        return [_relative(item, folder) for item in node]
    if not isinstance(node, dict):
        return node
    copied = {key: _relative(value, folder) for key, value in node.items()}
    ref = copied.get("$ref")
    if isinstance(ref, str) and ref.startswith(COMPONENTS):
        name, _, rest = ref.removeprefix(COMPONENTS).partition("/")
        prefix = "" if folder == "components" else "../components/"
        copied["$ref"] = f"{prefix}{name}.json" + (f"#/{rest}" if rest else "")
    return copied
