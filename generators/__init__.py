"""Generators of JSON Schemas, typed Python stubs and TypeScript declarations from the spec."""

from generators.cli import generate
from generators.tools import GeneratorError

__all__ = ["GeneratorError", "generate"]
