"""spec/DECISIONS.md: every contract decision and the seed contradictions, each argued."""

from __future__ import annotations

import re

import pytest

from contract_tests.report import DECISIONS, decision_titles

TEXT = DECISIONS.read_text(encoding="utf-8")
ENTRIES = re.split(r"^### ", TEXT, flags=re.MULTILINE)[1:]


def test_every_contract_decision_has_an_entry() -> None:
    assert list(decision_titles()) == [f"D{n}" for n in range(1, 21)]


def test_every_entry_quotes_the_seed_and_gives_decision_and_reason() -> None:
    assert len(ENTRIES) >= 50
    for entry in ENTRIES:
        heading = entry.splitlines()[0]
        for part in ("**Seed:**", "**Decision:**", "**Why:**"):
            assert part in entry, f"{heading} lacks {part}"


@pytest.mark.parametrize(
    "contradiction",
    [
        "manual // optional",
        "zip String Optional",
        "2026-03-10T14:00:00+00:00",
        '"config": { "transportation_type": "valet" }',
        "888 W Broad St",
    ],
)
def test_the_named_seed_contradictions_are_recorded(contradiction: str) -> None:
    assert contradiction in TEXT
