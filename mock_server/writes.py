"""The store calls that create moves, shared by the handlers and the fixtures (D14, D19)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mock_server.moves import MoveRules, NewPair
from mock_server.store import Transaction


def move_maker(tx: Transaction, rooftop: int, appointment_id: int) -> Callable[[], int]:
    """What creates an appointment's move on its arrival in `paid` (D14)."""
    return lambda: tx.insert_move(rooftop, {}, appointment_id=appointment_id)


def insert_pair(tx: Transaction, rules: MoveRules, pair: NewPair) -> dict[str, Any]:
    """Store a pair of moves the rules accepted, unless its duplicate check finds moves already
    created with the same value (a 409, D19); its answer, with the ids the store gave."""
    if pair.duplicate_check is not None:
        found = tx.moves_matching(pair.rooftop, pair.duplicate_check, pair.checked_values())
        rules.refuse_duplicates(pair, found)
    pair_id = tx.new_pair(pair.kind, pair.rooftop)
    move_ids = {
        leg: tx.insert_move(pair.rooftop, keys, pair_id=pair_id) for leg, keys in pair.keys.items()
    }
    return rules.answer(pair, pair_id, move_ids)
