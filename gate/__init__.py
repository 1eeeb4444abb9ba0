"""The breaking-change gate: what a spec change does to clients and servers."""
