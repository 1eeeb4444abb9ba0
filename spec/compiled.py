"""Compiled (jsonschema-rs) validators that check formats as jsonschema does."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

import jsonschema_rs
from jsonschema import FormatChecker


def compile_schema(
    schema: Mapping[str, Any], registry: jsonschema_rs.Registry | None = None
) -> jsonschema_rs.Validator:
    """A 2020-12 jsonschema-rs validator for `schema`: a yes or no a hundred times faster.

    Formats are checked by jsonschema's own checks, so the two agree on them (jsonschema-rs
    alone takes year 0000 for a date-time; Python's datetime cannot).
    """
    checker = FormatChecker()
    return jsonschema_rs.Draft202012Validator(
        dict(schema),
        formats={
            name: functools.partial(checker.conforms, format=name) for name in checker.checkers
        },
        validate_formats=True,
        registry=registry,
    )
