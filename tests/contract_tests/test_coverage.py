"""contract_tests/coverage.py: what a run covered, measured from the exchanges it made."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pytest

from contract_tests import coverage, members, scope
from contract_tests.coverage import CLASSES, Reach, measure, missing, percent, summary
from contract_tests.traffic import NOT_JSON, Logged
from spec import Spec

TEST = "contract_tests/test_lifecycle.py::test_walk"
NO_REACH = Reach(test_control=False, other_customer=False)
FULL_REACH = Reach(test_control=True, other_customer=True)
NOT_LIMITED = (
    "no request of the run was answered 429: only a server that limits its clients does (D24)"
)
CREATED = {"id": 7, "status": "new"}


_PATHS: dict[tuple[int, str], list[tuple[str, ...]]] = {}
_paths = members.paths


@pytest.fixture(autouse=True)
def _member_paths_walked_once(monkeypatch: pytest.MonkeyPatch) -> None:
    # Walking every request schema takes a tenth of a second, and each test measures a run or
    # two: keep each schema's member paths, which depend on nothing but the spec.
    def paths(spec: Spec, pointer: str) -> list[tuple[str, ...]]:
        key = (id(spec.document), pointer)
        if key not in _PATHS:
            _PATHS[key] = _paths(spec, pointer)
        return list(_PATHS[key])

    monkeypatch.setattr(members, "paths", paths)


def _logged(
    method: str,
    path: str,
    status: int,
    request: Any = None,
    answer: Mapping[str, Any] | None = None,
    test: str = TEST,
) -> Logged:
    return Logged(test, method, path, status, request, dict(answer or {}))


def _create(record: int = 7, test: str = TEST) -> Logged:
    return _logged("POST", "/appointments", 201, {}, {"id": record, "status": "new"}, test)


def _set(record: int, asked: str, status: int, after: str | None = None) -> Logged:
    answer = {} if after is None else {"status": after}
    return _logged(
        "POST", f"/_test/appointments/{record}/status", status, {"status": asked}, answer
    )


def _measure(
    spec: Spec,
    logged: Sequence[Logged],
    reach: Reach = NO_REACH,
    tests: Mapping[str, coverage.TestRecord] | None = None,
) -> dict[str, Any]:
    return measure(spec, logged, reach, tests or {})


def _area(document: Mapping[str, Any], name: str) -> dict[str, Any]:
    (area,) = [area for area in document["areas"] if area["name"] == name]
    return dict(area)


def _item(document: Mapping[str, Any], name: str, label: str) -> dict[str, Any]:
    (item,) = [item for item in _area(document, name)["items"] if item["label"] == label]
    return dict(item)


def _covered(document: Mapping[str, Any], name: str) -> list[str]:
    return [item["label"] for item in _area(document, name)["items"] if item["covered"]]


# Statuses.


def test_a_documented_status_answered_is_covered_and_one_not_answered_is_not(spec: Spec) -> None:
    document = _measure(spec, [_create(), _create(8)])
    answered = _item(document, "statuses", "createAppointment 201")
    assert answered["covered"]
    assert answered["reachable"]
    assert answered["count"] == 2
    assert answered["operation"] == "createAppointment"
    assert answered["status"] == "201"
    other = _item(document, "statuses", "createAppointment 400")
    assert (other["covered"], other["reachable"], other["count"]) == (False, True, 0)


def test_a_status_the_operation_does_not_document_covers_nothing(spec: Spec) -> None:
    document = _measure(spec, [_logged("POST", "/appointments", 418)])
    assert _covered(document, "statuses") == []


def test_an_exchange_with_a_path_no_operation_serves_covers_no_status(spec: Spec) -> None:
    document = _measure(spec, [_logged("POST", "/nowhere", 400)])
    assert _covered(document, "statuses") == []


def test_every_documented_status_of_every_operation_is_an_item(spec: Spec) -> None:
    labels = [item["label"] for item in _area(_measure(spec, []), "statuses")["items"]]
    assert labels == [
        f"{operation.operation_id} {status}"
        for operation in spec.operations.values()
        for status in operation.responses
    ]


def test_a_429_is_unreachable_until_the_server_answers_one(spec: Spec) -> None:
    item = _item(_measure(spec, [_create()]), "statuses", "createAppointment 429")
    assert (item["covered"], item["reachable"], item["reason"]) == (False, False, NOT_LIMITED)
    limited = [_logged("POST", "/appointments", 429), _create()]
    item = _item(_measure(spec, limited), "statuses", "createAppointment 429")
    assert (item["covered"], item["reachable"], item["reason"]) == (True, True, None)


def test_a_429_on_one_operation_leaves_the_429_of_the_others_unreachable(spec: Spec) -> None:
    document = _measure(spec, [_logged("POST", "/appointments", 429)])
    assert not _item(document, "statuses", "updateAppointment 429")["reachable"]


def test_a_403_is_unreachable_without_a_second_dealer(spec: Spec) -> None:
    alone = _item(_measure(spec, []), "statuses", "createAppointment 403")
    assert not alone["reachable"]
    assert "HOPDRIVE_OTHER_CUSTOMER_ID" in alone["reason"]
    reach = Reach(test_control=False, other_customer=True)
    assert _item(_measure(spec, [], reach), "statuses", "createAppointment 403")["reachable"]


def test_the_internal_operations_statuses_are_unreachable_without_test_control(
    spec: Spec,
) -> None:
    document = _measure(spec, [])
    for status in spec.operations["setAppointmentStatusForTest"].responses:
        item = _item(document, "statuses", f"setAppointmentStatusForTest {status}")
        assert (item["reachable"], item["reason"]) == (False, scope.NO_TEST_CONTROL)


def test_the_internal_operations_statuses_are_reachable_with_test_control(spec: Spec) -> None:
    document = _measure(spec, [], FULL_REACH)
    item = _item(document, "statuses", "setAppointmentStatusForTest 200")
    assert (item["reachable"], item["covered"], item["reason"]) == (True, False, None)


def test_a_status_answered_counts_even_where_it_was_thought_unreachable(spec: Spec) -> None:
    answered = [_set(7, "paying", 404)]
    item = _item(_measure(spec, answered), "statuses", "setAppointmentStatusForTest 404")
    assert (item["reachable"], item["covered"], item["reason"]) == (True, True, None)


def test_a_405_on_a_path_counts_for_every_operation_at_that_path(spec: Spec) -> None:
    document = _measure(spec, [_logged("DELETE", "/appointments/7", 405)])
    assert _covered(document, "statuses") == ["replaceAppointment 405", "updateAppointment 405"]


def test_a_405_on_a_path_of_one_operation_counts_for_it_alone(spec: Spec) -> None:
    document = _measure(spec, [_logged("GET", "/appointments", 405)])
    assert _covered(document, "statuses") == ["createAppointment 405"]


def test_a_405_on_a_path_no_operation_serves_counts_for_none(spec: Spec) -> None:
    document = _measure(spec, [_logged("DELETE", "/appointments/7/extra", 405)])
    assert _covered(document, "statuses") == []


# Lifecycle edges and non-edges.


def test_a_create_followed_by_an_update_drives_the_edge_between_their_states(
    spec: Spec,
) -> None:
    logged = [
        _logged("POST", "/appointments", 201, {}, CREATED),
        _logged("PUT", "/appointments/7", 200, {}, {"status": "ready"}),
    ]
    document = _measure(spec, logged)
    assert _covered(document, "edges") == ["new -> ready (public)"]
    item = _item(document, "edges", "new -> ready (public)")
    assert (item["count"], item["from"], item["to"], item["by"]) == (1, "new", "ready", "public")


def test_successive_updates_walk_the_record_from_state_to_state(spec: Spec) -> None:
    logged = [
        _create(),
        _logged("PATCH", "/appointments/7", 200, {}, {"status": "pending"}),
        _logged("PATCH", "/appointments/7", 200, {}, {"status": "pending"}),
        _logged("PUT", "/appointments/7", 200, {}, {"status": "ready"}),
    ]
    document = _measure(spec, logged)
    assert _covered(document, "edges") == [
        "new -> pending (public)",
        "pending -> pending (public)",
        "pending -> ready (public)",
    ]


def test_each_record_is_walked_on_its_own(spec: Spec) -> None:
    logged = [
        _create(7),
        _create(8),
        _logged("PUT", "/appointments/8", 200, {}, {"status": "ready"}),
        _logged("PUT", "/appointments/7", 200, {}, {"status": "pending"}),
    ]
    assert sorted(_covered(_measure(spec, logged), "edges")) == [
        "new -> pending (public)",
        "new -> ready (public)",
    ]


def test_an_update_of_a_record_the_run_did_not_create_drives_no_edge(spec: Spec) -> None:
    logged = [_logged("PUT", "/appointments/8", 200, {}, {"status": "ready"})]
    assert _covered(_measure(spec, logged), "edges") == []


def test_a_create_answered_with_another_state_than_the_initial_starts_no_walk(
    spec: Spec,
) -> None:
    logged = [
        _logged("POST", "/appointments", 201, {}, {"id": 7, "status": "ready"}),
        _logged("PUT", "/appointments/7", 200, {}, {"status": "ready"}),
    ]
    assert _covered(_measure(spec, logged), "edges") == []


def test_an_update_refused_drives_no_edge_and_leaves_the_state_as_it_was(spec: Spec) -> None:
    logged = [
        _create(),
        _logged("PATCH", "/appointments/7", 400, {}, {"status": 400}),
        _logged("PATCH", "/appointments/7", 409, {}, {"status": "ready"}),
        _logged("PATCH", "/appointments/7", 200, {}, {"status": "pending"}),
    ]
    assert _covered(_measure(spec, logged), "edges") == ["new -> pending (public)"]


def test_an_update_answered_without_a_status_drives_no_edge(spec: Spec) -> None:
    logged = [_create(), _logged("PATCH", "/appointments/7", 200, {}, {"id": 7})]
    assert _covered(_measure(spec, logged), "edges") == []


def test_the_internal_edges_are_unreachable_without_test_control(spec: Spec) -> None:
    for item in _area(_measure(spec, []), "edges")["items"]:
        if item["by"] == "internal":
            assert (item["reachable"], item["reason"]) == (False, scope.NO_TEST_CONTROL)
        else:
            assert (item["reachable"], item["reason"]) == (True, None)


def test_the_internal_edges_are_reachable_with_test_control(spec: Spec) -> None:
    area = _area(_measure(spec, [], FULL_REACH), "edges")
    assert all(item["reachable"] for item in area["items"])
    assert area["reachable"] == len(spec.lifecycle.edges)


def test_a_transition_through_test_control_drives_an_internal_edge(spec: Spec) -> None:
    logged = [
        _create(),
        _logged("PUT", "/appointments/7", 200, {}, {"status": "ready"}),
        _set(7, "paying", 200, "paying"),
    ]
    document = _measure(spec, logged, FULL_REACH)
    assert _covered(document, "edges") == [
        "new -> ready (public)",
        "ready -> paying (internal)",
    ]


def test_the_non_edges_are_every_pair_of_states_with_no_edge(spec: Spec) -> None:
    items = _area(_measure(spec, []), "non_edges")["items"]
    edges = {(edge.source, edge.target) for edge in spec.lifecycle.edges}
    pairs = {(item["from"], item["to"]) for item in items}
    states = set(spec.lifecycle.states)
    assert pairs == {(a, b) for a in states for b in states} - edges
    assert len(items) == len(pairs)


def test_the_non_edges_are_unreachable_without_test_control_and_reachable_with_it(
    spec: Spec,
) -> None:
    without = _area(_measure(spec, []), "non_edges")
    assert without["reachable"] == 0
    assert {item["reason"] for item in without["items"]} == {scope.NO_TEST_CONTROL}
    with_control = _area(_measure(spec, [], FULL_REACH), "non_edges")
    assert with_control["reachable"] == len(with_control["items"])


def test_a_test_control_request_refused_while_ready_covers_the_non_edge_to_new(
    spec: Spec,
) -> None:
    logged = [
        _create(),
        _logged("PUT", "/appointments/7", 200, {}, {"status": "ready"}),
        _logged("POST", "/_test/appointments/7/status", 409, {"status": "new"}),
    ]
    document = _measure(spec, logged, FULL_REACH)
    assert _covered(document, "non_edges") == ["ready -> new"]
    assert _item(document, "non_edges", "ready -> new")["count"] == 1


def test_a_refusal_leaves_the_record_in_its_state(spec: Spec) -> None:
    logged = [_create(), _set(7, "paid", 409), _set(7, "refunded", 409)]
    document = _measure(spec, logged, FULL_REACH)
    assert _covered(document, "non_edges") == ["new -> paid", "new -> refunded"]


def test_a_404_from_test_control_covers_no_non_edge(spec: Spec) -> None:
    logged = [_create(), _set(7, "paid", 404)]
    assert _covered(_measure(spec, logged, FULL_REACH), "non_edges") == []


@pytest.mark.parametrize("status", [400, 401, 413, 415, 429])
def test_only_the_409_of_d15_covers_a_non_edge(spec: Spec, status: int) -> None:
    logged = [_create(), _set(7, "paid", status)]
    assert _covered(_measure(spec, logged, FULL_REACH), "non_edges") == []


def test_a_body_that_is_not_json_sends_no_member(spec: Spec) -> None:
    logged = [_logged("POST", "/appointments", 400, NOT_JSON)]
    assert [
        label
        for label in _covered(_measure(spec, logged), "members")
        if "createAppointment" in label
    ] == []


def test_a_public_refusal_covers_no_non_edge(spec: Spec) -> None:
    logged = [_create(), _logged("PUT", "/appointments/7", 409, {"status": "paid"})]
    assert _covered(_measure(spec, logged, FULL_REACH), "non_edges") == []


def test_a_refusal_of_a_request_naming_no_state_covers_no_non_edge(spec: Spec) -> None:
    logged = [
        _create(),
        _logged("POST", "/_test/appointments/7/status", 400, {"status": 3}),
        _logged("POST", "/_test/appointments/7/status", 400, NOT_JSON),
        _logged("POST", "/_test/appointments/7/status", 400, ["paid"]),
    ]
    assert _covered(_measure(spec, logged, FULL_REACH), "non_edges") == []


def test_a_refusal_for_a_record_the_run_did_not_create_covers_no_non_edge(spec: Spec) -> None:
    logged = [_set(9, "paid", 409)]
    assert _covered(_measure(spec, logged, FULL_REACH), "non_edges") == []


def test_a_refused_non_edge_counts_even_without_test_control(spec: Spec) -> None:
    item = _item(_measure(spec, [_create(), _set(7, "paid", 409)]), "non_edges", "new -> paid")
    assert (item["reachable"], item["covered"], item["reason"]) == (True, True, None)


# Members.


def test_a_body_without_a_member_counts_it_as_omitted(spec: Spec) -> None:
    document = _measure(spec, [_logged("POST", "/appointments", 201, {"customer_id": 1234})])
    omitted = _item(document, "members", "createAppointment consumer_name omitted")
    assert (omitted["covered"], omitted["count"]) == (True, 1)
    assert (omitted["operation"], omitted["member"], omitted["class"]) == (
        "createAppointment",
        "consumer_name",
        "omitted",
    )
    assert not _item(document, "members", "createAppointment customer_id omitted")["covered"]


def test_a_member_sent_with_a_value_it_admits_counts_as_valid(spec: Spec) -> None:
    document = _measure(spec, [_logged("POST", "/appointments", 201, {"customer_id": 1234})])
    assert _item(document, "members", "createAppointment customer_id valid")["covered"]
    assert not _item(document, "members", "createAppointment customer_id invalid")["covered"]


def test_a_member_sent_with_a_value_it_refuses_counts_as_invalid(spec: Spec) -> None:
    body = {"customer_id": 2**53}
    document = _measure(spec, [_logged("POST", "/appointments", 400, body)])
    assert _item(document, "members", "createAppointment customer_id invalid")["covered"]
    assert not _item(document, "members", "createAppointment customer_id valid")["covered"]


def test_null_counts_as_null_where_the_member_admits_it(spec: Spec) -> None:
    body = {"appointment_time": None}
    document = _measure(spec, [_logged("PATCH", "/appointments/7", 200, body)])
    assert _item(document, "members", "updateAppointment appointment_time null")["covered"]
    assert not _item(document, "members", "updateAppointment appointment_time invalid")["covered"]


def test_null_counts_as_invalid_where_the_member_refuses_it(spec: Spec) -> None:
    document = _measure(spec, [_logged("POST", "/appointments", 400, {"customer_id": None})])
    assert _item(document, "members", "createAppointment customer_id invalid")["covered"]
    labels = {item["label"] for item in _area(document, "members")["items"]}
    assert "createAppointment customer_id null" not in labels


def test_a_member_has_an_item_per_class_of_value_null_only_where_admitted(spec: Spec) -> None:
    labels = {item["label"] for item in _area(_measure(spec, []), "members")["items"]}
    for kind in CLASSES:
        assert f"updateAppointment appointment_time {kind}" in labels
    assert {f"createAppointment customer_id {kind}" for kind in CLASSES} - labels == {
        "createAppointment customer_id null"
    }


def test_a_nested_member_is_counted_under_its_path(spec: Spec) -> None:
    body = {"customer_move": {"vehicle": {"vin": "1HGCM82633A004352"}}}
    document = _measure(spec, [_logged("POST", "/concierge-loaner-moves", 400, body)])
    prefix = "createConciergeLoanerMove customer_move/vehicle"
    assert _item(document, "members", f"{prefix}/vin valid")["covered"]
    assert _item(document, "members", f"{prefix}/make omitted")["covered"]
    assert (
        _item(document, "members", f"{prefix}/vin valid")["member"] == "customer_move/vehicle/vin"
    )


def test_a_member_whose_parent_was_not_sent_counts_in_no_class(spec: Spec) -> None:
    body = {"customer_move": {"vehicle": {"vin": "1HGCM82633A004352"}}}
    document = _measure(spec, [_logged("POST", "/concierge-loaner-moves", 400, body)])
    for kind in CLASSES:
        label = f"createConciergeLoanerMove loaner_move/vehicle/vin {kind}"
        assert _item(document, "members", label)["count"] == 0


def test_a_request_without_a_body_counts_no_member(spec: Spec) -> None:
    document = _measure(spec, [_logged("POST", "/appointments", 400, None)])
    assert [label for label in _covered(document, "members") if "createAppointment" in label] == []


def test_a_body_counts_only_for_the_operation_it_was_sent_to(spec: Spec) -> None:
    document = _measure(spec, [_logged("PUT", "/appointments/7", 200, {"consumer_name": "Ann"})])
    assert _item(document, "members", "replaceAppointment consumer_name valid")["covered"]
    assert not _item(document, "members", "updateAppointment consumer_name valid")["covered"]
    assert not _item(document, "members", "createAppointment consumer_name valid")["covered"]


def test_the_internal_operations_members_are_unreachable_without_test_control(
    spec: Spec,
) -> None:
    without = _item(_measure(spec, []), "members", "setAppointmentStatusForTest status valid")
    assert (without["reachable"], without["reason"]) == (False, scope.NO_TEST_CONTROL)
    reached = _measure(spec, [], FULL_REACH)
    assert _item(reached, "members", "setAppointmentStatusForTest status valid")["reachable"]


# Decisions.


def test_a_test_that_made_an_exchange_covers_the_decisions_it_is_marked_with(
    spec: Spec,
) -> None:
    tests = {TEST: coverage.TestRecord(("D11", "D12"), "passed")}
    document = _measure(spec, [_create()], tests=tests)
    for decision in ("D11", "D12"):
        item = _item(document, "decisions", decision)
        assert (item["covered"], item["count"], item["checks"]) == (True, 1, [TEST])
    assert not _item(document, "decisions", "D10")["covered"]


def test_a_failed_test_that_made_an_exchange_covers_its_decisions(spec: Spec) -> None:
    tests = {TEST: coverage.TestRecord(("D11",), "failed")}
    assert _item(_measure(spec, [_create()], tests=tests), "decisions", "D11")["covered"]


def test_a_test_that_made_no_exchange_covers_no_decision(spec: Spec) -> None:
    tests = {
        TEST: coverage.TestRecord(("D11",), "passed"),
        "other::test": coverage.TestRecord((), "passed"),
    }
    item = _item(_measure(spec, [_create(test="other::test")], tests=tests), "decisions", "D11")
    assert (item["covered"], item["reachable"], item["checks"]) == (False, True, [])


def test_a_decision_names_every_test_that_reached_the_server_for_it(spec: Spec) -> None:
    tests = {
        "b::test": coverage.TestRecord(("D6",), "passed"),
        "a::test": coverage.TestRecord(("D6",), "passed"),
    }
    logged = [_create(test="b::test"), _create(test="a::test"), _create(test="a::test")]
    item = _item(_measure(spec, logged, tests=tests), "decisions", "D6")
    assert (item["count"], item["checks"]) == (2, ["a::test", "b::test"])


def test_a_decision_whose_only_tests_were_skipped_is_unreachable_with_the_skip_reason(
    spec: Spec,
) -> None:
    reason = f"not checked (test-control): {scope.NO_TEST_CONTROL}"
    tests = {
        "a::test": coverage.TestRecord(("D11",), "skipped", reason),
        "b::test": coverage.TestRecord(("D11",), "skipped", reason),
    }
    item = _item(_measure(spec, [], tests=tests), "decisions", "D11")
    assert (item["covered"], item["reachable"], item["reason"]) == (False, False, reason)
    assert {"area": "decisions", "label": "D11", "reason": reason} in _measure(
        spec, [], tests=tests
    )["unreachable"]


def test_a_decision_one_of_whose_tests_ran_stays_reachable(spec: Spec) -> None:
    tests = {
        "a::test": coverage.TestRecord(
            ("D11",), "skipped", "not checked (tenants): no second dealer"
        ),
        "b::test": coverage.TestRecord(("D11",), "passed"),
    }
    item = _item(_measure(spec, [], tests=tests), "decisions", "D11")
    assert (item["covered"], item["reachable"], item["reason"]) == (False, True, None)


def test_a_decision_no_test_carries_is_reachable_and_not_covered(spec: Spec) -> None:
    item = _item(_measure(spec, [_create()]), "decisions", "D5")
    assert (item["covered"], item["reachable"], item["title"]) == (
        False,
        True,
        "Path ids are positive integers",
    )


def test_d24_is_covered_only_by_tests_that_were_answered_429(spec: Spec) -> None:
    tests = {
        "marked::test": coverage.TestRecord(("D24",), "passed"),
        "limited::test": coverage.TestRecord(("D6",), "passed"),
    }
    unlimited = _measure(spec, [_create(test="marked::test")], tests=tests)
    item = _item(unlimited, "decisions", "D24")
    assert (item["covered"], item["reachable"], item["reason"]) == (False, False, NOT_LIMITED)
    logged = [
        _create(test="marked::test"),
        _logged("POST", "/appointments", 429, {}, test="limited::test"),
    ]
    item = _item(_measure(spec, logged, tests=tests), "decisions", "D24")
    assert (item["covered"], item["reachable"], item["checks"]) == (True, True, ["limited::test"])


def test_every_decision_of_the_decision_log_is_an_item(spec: Spec) -> None:
    labels = [item["label"] for item in _area(_measure(spec, []), "decisions")["items"]]
    assert labels[:2] == ["D1", "D2"]
    assert "D24" in labels
    assert len(labels) == len(set(labels))


# Totals, percent, missing, summary.


def test_the_totals_add_up_the_areas(spec: Spec) -> None:
    tests = {TEST: coverage.TestRecord(("D6",), "passed")}
    document = _measure(spec, [_create(), _logged("DELETE", "/appointments/7", 405)], tests=tests)
    assert [area["name"] for area in document["areas"]] == [
        "statuses",
        "edges",
        "non_edges",
        "members",
        "decisions",
    ]
    assert document["covered"] == sum(area["covered"] for area in document["areas"])
    assert document["reachable"] == sum(area["reachable"] for area in document["areas"])
    assert document["percent"] == percent(document["covered"], document["reachable"])
    for area in document["areas"]:
        assert area["covered"] == sum(item["covered"] for item in area["items"])
        assert area["reachable"] == sum(item["reachable"] for item in area["items"])


def test_the_unreachable_list_names_each_unreachable_item_with_its_reason(spec: Spec) -> None:
    document = _measure(spec, [])
    expected = [
        {"area": area["name"], "label": item["label"], "reason": item["reason"]}
        for area in document["areas"]
        for item in area["items"]
        if not item["reachable"]
    ]
    assert document["unreachable"] == expected
    assert all(entry["reason"] for entry in expected)
    assert {"area": "statuses", "label": "createAppointment 429", "reason": NOT_LIMITED} in expected


def test_with_full_reach_only_the_429s_not_answered_stay_unreachable(spec: Spec) -> None:
    document = _measure(spec, [_logged("POST", "/appointments", 429)], FULL_REACH)
    assert {entry["reason"] for entry in document["unreachable"]} == {NOT_LIMITED}
    assert {"area": "statuses", "label": "createAppointment 429", "reason": NOT_LIMITED} not in (
        document["unreachable"]
    )


@pytest.mark.parametrize(
    ("covered", "reachable", "expected"),
    [(0, 0, 100.0), (0, 5, 0.0), (1, 3, 33.3), (2, 3, 66.7), (3, 3, 100.0), (1, 8, 12.5)],
)
def test_percent_is_covered_of_reachable_to_one_decimal(
    covered: int, reachable: int, expected: float
) -> None:
    assert percent(covered, reachable) == expected


def _synthetic(gaps: int = 1) -> dict[str, Any]:
    def item(label: str, covered: bool, reachable: bool, reason: str | None = None) -> Any:
        return {"label": label, "covered": covered, "reachable": reachable, "reason": reason}

    statuses = [
        item("createAppointment 201", True, True),
        *(item(f"createAppointment 4{n:02}", False, True) for n in range(gaps)),
        item("createAppointment 429", False, False, NOT_LIMITED),
    ]
    decisions = [item("D24", False, False, NOT_LIMITED), item("D1", True, True)]
    return {
        "percent": percent(2, 2 + gaps),
        "covered": 2,
        "reachable": 2 + gaps,
        "areas": [
            {
                "name": "statuses",
                "title": "Documented statuses answered",
                "covered": 1,
                "reachable": 1 + gaps,
                "items": statuses,
            },
            {
                "name": "decisions",
                "title": "Decisions exercised",
                "covered": 1,
                "reachable": 1,
                "items": decisions,
            },
        ],
        "unreachable": [
            {"area": "statuses", "label": "createAppointment 429", "reason": NOT_LIMITED},
            {"area": "decisions", "label": "D24", "reason": NOT_LIMITED},
        ],
    }


def test_missing_yields_each_reachable_item_not_covered_and_nothing_else() -> None:
    assert list(missing(_synthetic(2))) == [
        ("statuses", "createAppointment 400"),
        ("statuses", "createAppointment 401"),
    ]


def test_nothing_is_missing_from_a_run_that_covered_all_it_could_reach(spec: Spec) -> None:
    document = _measure(spec, [])
    for area in document["areas"]:
        for item in area["items"]:
            item["covered"] = item["reachable"]
    assert list(missing(document)) == []


def test_the_summary_gives_each_area_the_gaps_the_reasons_and_the_total() -> None:
    assert summary(_synthetic(1)) == [
        "Documented statuses answered: 1/2 (1 unreachable)",
        "Decisions exercised: 1/1 (1 unreachable)",
        "  not covered: statuses: createAppointment 400",
        f"  unreachable (2): {NOT_LIMITED}",
        "coverage: 66.7% of what is reachable (2/3)",
    ]


def test_the_summary_lists_no_more_gaps_than_its_limit() -> None:
    lines = summary(_synthetic(5), limit=2)
    assert [line for line in lines if line.startswith("  not covered:")] == [
        "  not covered: statuses: createAppointment 400",
        "  not covered: statuses: createAppointment 401",
    ]
    assert "  ... and 3 more (reports/coverage.json)" in lines


def test_the_summary_of_a_measured_run_ends_with_its_coverage(spec: Spec) -> None:
    document = _measure(spec, [_create()])
    last = summary(document)[-1]
    assert last == (
        f"coverage: {document['percent']}% of what is reachable "
        f"({document['covered']}/{document['reachable']})"
    )
    assert last.startswith("coverage: ")
    assert 0 < document["covered"] < document["reachable"]


def test_the_summary_counts_the_unreachable_items_per_reason(spec: Spec) -> None:
    lines = summary(_measure(spec, []))
    control = [line for line in lines if line.endswith(scope.NO_TEST_CONTROL)]
    (line,) = control
    expected = sum(
        1 for entry in _measure(spec, [])["unreachable"] if entry["reason"] == scope.NO_TEST_CONTROL
    )
    assert line == f"  unreachable ({expected}): {scope.NO_TEST_CONTROL}"
