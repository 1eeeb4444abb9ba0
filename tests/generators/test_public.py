"""The public document keeps what partners call and drops what only local servers offer."""

from __future__ import annotations

import json
from pathlib import Path

from generators.public import public_document, write_public
from spec import Spec


def _operation_ids(document: dict[str, object]) -> set[str]:
    paths = document["paths"]
    assert isinstance(paths, dict)
    return {
        op["operationId"] for item in paths.values() for op in item.values() if isinstance(op, dict)
    }


def test_internal_operations_and_their_emptied_paths_are_dropped(spec: Spec) -> None:
    document = public_document(spec)
    assert _operation_ids(document) == {op.operation_id for op in spec.public_operations}
    assert not any(route.startswith("/_test/") for route in document["paths"])


def test_internal_tags_are_dropped_and_public_ones_kept(spec: Spec) -> None:
    names = [tag["name"] for tag in public_document(spec)["tags"]]
    assert names == [tag["name"] for tag in spec.document["tags"] if not tag.get("x-internal")]
    assert "test-control" not in names


def test_the_loaded_spec_is_left_as_it_was(spec: Spec) -> None:
    before = json.dumps(spec.document, sort_keys=True)
    public_document(spec)
    assert json.dumps(spec.document, sort_keys=True) == before


def test_written_file_is_the_public_document(spec: Spec, tmp_path: Path) -> None:
    path = write_public(spec, tmp_path)
    assert json.loads(path.read_text(encoding="utf-8")) == public_document(spec)
