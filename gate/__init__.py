"""The breaking-change gate: what a spec change does to clients and servers."""

from gate.diff import RULES, Change, Rule, compare

__all__ = ["RULES", "Change", "Rule", "compare"]
