"""The tables and transactions every store shares, on SQLite and on PostgreSQL alike."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from mock_server.problems import Problem
from mock_server.store import Database, Removed, Store, Transaction, open_store


def _reopened(location: str, write: Callable[[Transaction], int]) -> tuple[Database, int]:
    """Run `write` in a transaction and close the store; the store opened again, and the id."""
    store = open_store(location)
    with store.transaction() as tx:
        written = write(tx)
    store.close()
    return open_store(location), written


def test_store_keeps_appointments_across_reopen(location: str) -> None:
    reopened, appointment_id = _reopened(
        location, lambda tx: tx.insert_appointment(1234, {"status": "new"})
    )
    with reopened.transaction() as tx:
        assert tx.appointment(appointment_id) == (1234, {"status": "new", "id": appointment_id})
    reopened.close()


def test_ids_keep_rising_across_reopen(location: str) -> None:
    reopened, first = _reopened(location, lambda tx: tx.insert_appointment(1234, {}))
    with reopened.transaction() as tx:
        assert tx.insert_appointment(1234, {}) == first + 1
    reopened.close()


def test_records_are_stored_as_ascii_text_for_any_database_encoding(tmp_path: Path) -> None:
    store = Store(tmp_path / "state.db")
    with store.transaction() as tx:
        appointment_id = tx.insert_appointment(1234, {"customer_name": "Łukasz 東京"})
        found = tx.appointment(appointment_id)
    store.close()
    assert found is not None
    assert found[1]["customer_name"] == "Łukasz 東京"
    with sqlite3.connect(tmp_path / "state.db") as raw:
        assert raw.execute("SELECT record FROM appointments").fetchone()[0].isascii()


def test_transaction_that_raises_changes_nothing(location: str) -> None:
    store = open_store(location)
    with store.transaction() as tx:
        appointment_id = tx.insert_appointment(1234, {"status": "new"})

    def refused_change() -> None:
        with store.transaction() as tx:
            tx.put_appointment(appointment_id, {"status": "ready"})
            tx.insert_move(1234, {"vehicle_vin": "X"})
            raise Problem(409, "frozen-field", "refused")

    with pytest.raises(Problem):
        refused_change()
    with store.transaction() as tx:
        assert tx.appointment(appointment_id) == (1234, {"status": "new", "id": appointment_id})
        assert tx.moves_matching(1234, "vehicle_vin", ["X"]) == []


def test_duplicate_history_is_per_rooftop_and_field(location: str) -> None:
    store = open_store(location)
    with store.transaction() as tx:
        first = tx.insert_move(42, {"vehicle_vin": "VIN1", "vehicle_stock": "S1"})
        tx.insert_move(1234, {"vehicle_vin": "VIN1"})
        assert tx.moves_matching(42, "vehicle_vin", ["VIN1", "VIN2"]) == [first]
        assert tx.moves_matching(42, "vehicle_stock", ["VIN1"]) == []


@pytest.mark.parametrize("value", ["with\x00NUL", "lone \ud800 surrogate", "plain"])
def test_any_compared_value_is_stored_and_found_again(location: str, value: str) -> None:
    store = open_store(location)
    with store.transaction() as tx:
        move_id = tx.insert_move(42, {"vehicle_vin": value})
        assert tx.moves_matching(42, "vehicle_vin", [value]) == [move_id]
        assert tx.moves_matching(42, "vehicle_vin", [value + "x"]) == []


def test_writers_on_separate_connections_lose_no_update(location: str) -> None:
    # Each thread has its own connection, as two mock processes on one database would.
    with open_store(location).transaction() as tx:
        appointment_id = tx.insert_appointment(1234, {"count": 0})
    rounds, writers = 25, 8

    def increment() -> None:
        store = open_store(location)
        for _ in range(rounds):
            with store.transaction() as tx:
                _, record = tx.appointment(appointment_id) or (0, {})
                tx.put_appointment(appointment_id, {**record, "count": record["count"] + 1})
        store.close()

    threads = [threading.Thread(target=increment) for _ in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with open_store(location).transaction() as tx:
        assert tx.appointment(appointment_id) == (
            1234,
            {"count": rounds * writers, "id": appointment_id},
        )


def test_an_id_given_is_kept_and_the_ids_assigned_later_follow_the_largest(location: str) -> None:
    store = open_store(location)
    with store.transaction() as tx:
        assigned = [tx.insert_appointment(1234, {}) for _ in range(3)]
        assert tx.insert_appointment(1234, {"given": True}, appointment_id=500) == 500
        assert tx.appointment(500) == (1234, {"given": True, "id": 500})
        assert tx.insert_appointment(1234, {}) == 501
        # A given id below the last one moves no later id back.
        gap = assigned[-1] + 1
        assert tx.insert_appointment(1234, {}, appointment_id=gap) == gap
        assert tx.insert_appointment(1234, {}) == 502
    store.close()


def _populate(tx: Transaction, rooftop: int) -> int:
    """An appointment with its move, a pair of moves and a fixture note, for the rooftop."""
    appointment_id = tx.insert_appointment(rooftop, {})
    tx.insert_move(rooftop, {}, appointment_id=appointment_id)
    pair_id = tx.new_pair("round-trip", rooftop)
    for vin in ("VIN1", "VIN2"):
        tx.insert_move(rooftop, {"vehicle_vin": vin}, pair_id=pair_id)
    tx.note_fixture("appointment", str(appointment_id), rooftop, "digest")
    return appointment_id


def test_remove_deletes_the_rooftops_data_and_only_theirs(location: str) -> None:
    store = open_store(location)
    with store.transaction() as tx:
        removed_ids = [_populate(tx, 1234), _populate(tx, 42)]
        kept_id = _populate(tx, 777)
        assert tx.remove([1234, 42]) == Removed(appointments=2, moves=6)
        assert [tx.appointment(i) for i in removed_ids] == [None, None]
        assert tx.moves_matching(1234, "vehicle_vin", ["VIN1"]) == []
        assert tx.fixture_digest("appointment", str(removed_ids[0])) is None
        assert tx.appointment(kept_id) == (777, {"id": kept_id})
        assert len(tx.moves_matching(777, "vehicle_vin", ["VIN1", "VIN2"])) == 2
        assert tx.fixture_digest("appointment", str(kept_id)) == "digest"
    store.close()


def test_remove_of_every_rooftop_leaves_nothing(location: str) -> None:
    store = open_store(location)
    with store.transaction() as tx:
        ids = [_populate(tx, rooftop) for rooftop in (1234, 777)]
        assert tx.remove(None) == Removed(appointments=2, moves=6)
        assert [tx.appointment(i) for i in ids] == [None, None]
        assert tx.moves_matching(777, "vehicle_vin", ["VIN1"]) == []
        assert tx.fixture_digest("appointment", str(ids[1])) is None
    store.close()
