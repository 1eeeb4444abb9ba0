"""Fixtures shared by every test package."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from spec import Spec, load


@pytest.fixture(scope="session")
def spec() -> Spec:
    """The bundled spec, loaded once."""
    return load()


@pytest.fixture
def document(spec: Spec) -> dict[str, Any]:
    """A deep copy of the bundled document that a test may edit."""
    return copy.deepcopy(dict(spec.document))


@pytest.fixture
def write_spec(tmp_path: Path) -> Callable[[Any], Path]:
    """Write a (possibly broken) document to a fresh file and return its path."""
    counter = iter(range(1_000_000))

    def write(document: Any) -> Path:
        # JSON is YAML, and dumping it cannot re-type strings the way YAML emitters may.
        path = tmp_path / f"openapi-{next(counter)}.yaml"
        path.write_text(json.dumps(document), encoding="utf-8")
        return path

    return write
