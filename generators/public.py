"""The public part of the spec: what partners build against (no `x-internal` operations)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from spec import Spec


def public_document(spec: Spec) -> dict[str, Any]:
    """A copy of the document without internal operations, their tags, or paths left empty."""
    document = copy.deepcopy(dict(spec.document))
    for route, item in list(document["paths"].items()):
        for method in [
            m for m, op in item.items() if isinstance(op, dict) and op.get("x-internal")
        ]:
            del item[method]
        if not any(isinstance(op, dict) and "operationId" in op for op in item.values()):
            del document["paths"][route]
    document["tags"] = [tag for tag in document.get("tags", []) if not tag.get("x-internal")]
    return document


def write_public(spec: Spec, folder: Path) -> Path:
    """The public document as `folder/openapi.json`, for tools that read a file."""
    path = folder / "openapi.json"
    path.write_text(json.dumps(public_document(spec), indent=2, sort_keys=True), encoding="utf-8")
    return path
