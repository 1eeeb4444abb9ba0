"""spec/DECISIONS.md: every contract decision, the seed contradictions and the open questions."""

from __future__ import annotations

import re

import pytest

from contract_tests.report import DECISIONS, decision_titles

TEXT = DECISIONS.read_text(encoding="utf-8")
ENTRIES = {
    entry.split(" ", 1)[0]: entry for entry in re.split(r"^### ", TEXT, flags=re.MULTILINE)[1:]
}
PARTS = {
    "D": ("**Seed:**", "**Decision:**", "**Why:**"),
    "S": ("**Seed:**", "**Rests on:**", "**Decision:**", "**Why:**"),
    "Q": ("**Seed:**", "**Question:**", "**Meanwhile:**"),
}


def test_every_contract_decision_has_an_entry() -> None:
    assert list(decision_titles()) == [f"D{n}" for n in range(1, 25)]


def test_entries_are_numbered_without_gaps() -> None:
    for kind in PARTS:
        numbers = [int(name[1:]) for name in ENTRIES if name.startswith(kind)]
        assert numbers == list(range(1, len(numbers) + 1)), kind


@pytest.mark.parametrize("name", sorted(ENTRIES))
def test_every_entry_has_its_parts(name: str) -> None:
    for part in PARTS[name[0]]:
        assert part in ENTRIES[name], f"{name} lacks {part}"


@pytest.mark.parametrize("name", sorted(n for n in ENTRIES if n.startswith("S")))
def test_every_seed_decision_says_whether_it_rests_on_the_pages_or_the_contract(name: str) -> None:
    rests_on = ENTRIES[name].split("**Rests on:**", 1)[1].split("\n", 1)[0]
    assert re.match(r" (the pages|the contract|neither)", rests_on), rests_on
    if rests_on.startswith(" neither"):
        assert re.search(r"\bQ\d+\b", rests_on), f"{name} rests on neither but names no question"


def test_what_no_schema_can_say_is_listed_with_the_questions() -> None:
    tail = TEXT.split("## What no schema can say", 1)[1]
    for decision in ("D9", "D12", "D23"):
        assert f"**{decision}" in tail, decision
    assert "does not exist" in tail
    assert "once converted to UTC" in tail


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
