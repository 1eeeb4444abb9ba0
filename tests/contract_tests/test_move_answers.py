"""What a move's answer must say of its request: its echoes (D16) and the ready-by time (D17)."""

from __future__ import annotations

import copy
from typing import Any

from contract_tests import move_answers
from contract_tests.examples import seed_example
from spec import Spec


def _concierge(spec: Spec) -> tuple[dict[str, Any], dict[str, Any]]:
    body = seed_example(spec, "createConciergeLoanerMove")
    return body, copy.deepcopy(seed_example(spec, "createConciergeLoanerMove", "200"))


def test_the_seed_answers_keep_their_requests(spec: Spec) -> None:
    body, answer = _concierge(spec)
    assert move_answers.concierge(body, answer) == []
    trip = seed_example(spec, "createRoundTripMove")
    assert move_answers.round_trip(trip, seed_example(spec, "createRoundTripMove", "200")) == []


def test_a_vehicle_answered_otherwise_than_sent_names_d16(spec: Spec) -> None:
    body, answer = _concierge(spec)
    answer["customer_move"]["vehicle"]["make"] = "Ford"
    (finding,) = move_answers.concierge(body, answer)
    assert finding.decisions == ("D16",)
    assert finding.member == "customer_move/vehicle/make"


def test_a_null_sent_may_be_answered_with_the_servers_default(spec: Spec) -> None:
    body, answer = _concierge(spec)
    body["loaner_move"]["vehicle"]["manual"] = None
    answer["loaner_move"]["vehicle"]["manual"] = False
    assert move_answers.concierge(body, answer) == []


def test_ready_by_after_the_appointment_names_d17(spec: Spec) -> None:
    body, answer = _concierge(spec)
    answer["ready_by_time_utc"] = "2999-01-01T00:00:00Z"
    (finding,) = move_answers.concierge(body, answer)
    assert finding.decisions == ("D17",)
