"""The breaking-change gate: every change of the spec, its severity, and oasdiff's rule for it."""

from gate.changes import Change, Level, Rule
from gate.diff import compare
from gate.rules import RULES

__all__ = ["RULES", "Change", "Level", "Rule", "compare"]
