"""Generators of JSON Schemas (and, to come, typed stubs) from the spec, deterministic."""
