"""The store calls that create moves: pairs after their duplicate check, appointments' moves."""

from __future__ import annotations

import pytest

from mock_server.moves import MoveRules
from mock_server.problems import Problem
from mock_server.store import Removed, Store
from mock_server.writes import insert_pair, move_maker
from spec import Spec
from tests.mock_server.sandbox import ROUND_TRIP

CHECKED = {**ROUND_TRIP, "duplicate_check": "vehicle_vin"}


def test_a_pair_is_stored_with_the_values_a_later_duplicate_check_compares(spec: Spec) -> None:
    rules = MoveRules.from_spec(spec)
    with Store().transaction() as tx:
        answer = insert_pair(tx, rules, rules.round_trip(42, ROUND_TRIP))
        first = answer["move_one"]["move_id"]
        assert tx.moves_matching(42, "vehicle_vin", ["VIN-1"]) == [first]
        assert answer["move_two"]["move_id"] == first + 1


def test_a_pair_whose_duplicate_check_finds_a_move_is_refused_and_stores_nothing_d19(
    spec: Spec,
) -> None:
    rules = MoveRules.from_spec(spec)
    store = Store()
    with store.transaction() as tx:
        first = insert_pair(tx, rules, rules.round_trip(42, ROUND_TRIP))["move_one"]["move_id"]
        with pytest.raises(Problem) as refused:
            insert_pair(tx, rules, rules.round_trip(42, CHECKED))
        assert refused.value.extra == {"conflicting_move_ids": [first]}
        assert tx.moves_matching(42, "vehicle_vin", ["VIN-1"]) == [first]
        # Another rooftop's history is its own.
        other = insert_pair(tx, rules, rules.round_trip(1234, CHECKED))
        assert tx.moves_matching(1234, "vehicle_vin", ["VIN-1"]) == [other["move_one"]["move_id"]]


def test_an_appointments_move_is_made_for_its_rooftop_once_called() -> None:
    with Store().transaction() as tx:
        called, uncalled = (tx.insert_appointment(rooftop, {}) for rooftop in (1234, 42))
        move_maker(tx, 42, uncalled)
        move_maker(tx, 1234, called)()
        assert tx.remove([42]) == Removed(appointments=1, moves=0)
        assert tx.remove([1234]) == Removed(appointments=1, moves=1)
