"""The reference mock: a stateful implementation of the spec (filled in by its issue)."""
