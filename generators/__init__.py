"""Generators of JSON Schemas and typed stubs from the spec (filled in by the generators issue)."""
