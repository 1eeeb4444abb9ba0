"""The fault plan: each bad file is one line naming where, and `*` combines kind by kind."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from mock_server.control_api import ControlFileError
from mock_server.faults import (
    Drop,
    Error,
    FaultPlan,
    Latency,
    OperationFaults,
    RateLimit,
    problem_in,
    read_plan,
)
from spec import load

OPERATIONS = tuple(load().operations)

BAD_PLANS: dict[str, tuple[Any, str]] = {
    "not a mapping": ([], "/: [] is not of type 'object'"),
    "an unknown member": ({"fault": {}}, "/: Additional properties are not allowed"),
    "a seed that is no integer": ({"seed": "x"}, "/seed: 'x' is not of type 'integer'"),
    "an unknown kind of fault": (
        {"faults": {"*": {"slow": {}}}},
        "/faults/*: Additional properties are not allowed ('slow' was unexpected)",
    ),
    "a latency without ms": (
        {"faults": {"*": {"latency": {"jitter_ms": 5}}}},
        "/faults/*/latency: 'ms' is a required property",
    ),
    "a negative jitter": (
        {"faults": {"*": {"latency": {"ms": 5, "jitter_ms": -1}}}},
        "/faults/*/latency/jitter_ms: -1 is less than the minimum of 0",
    ),
    "a rate of 0": (
        {"faults": {"createAppointment": {"rate_limit": {"per_second": 0}}}},
        "/faults/createAppointment/rate_limit/per_second: 0 is less than the minimum of 0.001",
    ),
    # A Retry-After no client waits out (and, near 0, a bucket whose arithmetic overflows).
    "a rate below one request in 1,000 s": (
        {"faults": {"createAppointment": {"rate_limit": {"per_second": 0.0001}}}},
        "/faults/createAppointment/rate_limit/per_second: 0.0001 is less than the minimum",
    ),
    "a share above 1": (
        {"faults": {"updateAppointment": {"drop": {"share": 1.5}}}},
        "/faults/updateAppointment/drop/share: 1.5 is greater than the maximum of 1",
    ),
    "an error status other than 500 or 503": (
        {"faults": {"*": {"error": {"share": 1, "status": 502}}}},
        "/faults/*/error/status: 502 is not one of [500, 503]",
    ),
    "an operation the spec lacks": (
        {"faults": {"createAppointments": {}}},
        "/faults/createAppointments: 'createAppointments' is neither * nor an operationId (",
    ),
    "a name with a slash, escaped in the pointer": (
        {"faults": {"a/b": {}}},
        "/faults/a~1b: 'a/b' is neither * nor an operationId (",
    ),
}


def _said(problem: tuple[str, str] | None) -> str:
    assert problem is not None
    return f"{problem[0] or '/'}: {problem[1]}"


@pytest.mark.parametrize(("data", "said"), BAD_PLANS.values(), ids=list(BAD_PLANS))
def test_a_bad_plan_is_named_by_where_and_why(data: Any, said: str) -> None:
    assert _said(problem_in(data, OPERATIONS)).startswith(said)


def test_an_unknown_operation_is_told_with_the_names_there_are() -> None:
    said = _said(problem_in({"faults": {"createAppointments": {}}}, OPERATIONS))
    assert all(name in said for name in OPERATIONS)


@pytest.mark.parametrize(("data", "said"), BAD_PLANS.values(), ids=list(BAD_PLANS))
def test_a_bad_plan_file_is_one_line_naming_the_file_and_where(
    tmp_path: Path, data: Any, said: str
) -> None:
    path = tmp_path / "faults.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ControlFileError) as raised:
        read_plan(path, OPERATIONS)
    line = str(raised.value)
    assert "\n" not in line
    assert line.startswith(f"{path}: {said}")


@pytest.mark.parametrize(
    ("text", "said"),
    [
        (None, "no such file"),
        ("faults: [", "not valid YAML"),
        ("", "None is not of type"),
        ("faults: {'*': {latency: {ms: .nan}}}", "/faults/*/latency/ms: nan is not a number"),
    ],
    ids=["missing", "not YAML", "empty", "not a number"],
)
def test_an_unusable_plan_file_is_one_line_naming_it(
    tmp_path: Path, text: str | None, said: str
) -> None:
    path = tmp_path / "faults.yaml"
    if text is not None:
        path.write_text(text, encoding="utf-8")
    with pytest.raises(ControlFileError) as raised:
        read_plan(path, OPERATIONS)
    line = str(raised.value)
    assert line.startswith(str(path))
    assert said in line
    assert "\n" not in line


def test_a_yaml_file_reads_as_its_plan(tmp_path: Path) -> None:
    path = tmp_path / "faults.yaml"
    path.write_text(
        "seed: 7\n"
        "faults:\n"
        "  '*': {latency: {ms: 80, jitter_ms: 40}}\n"
        "  createAppointment:\n"
        "    rate_limit: {per_second: 5}\n"
        "    error: {share: 0.1}\n"
        "    drop: {share: 0.05}\n",
        encoding="utf-8",
    )
    plan = read_plan(path, OPERATIONS)
    assert plan == FaultPlan(
        seed=7,
        faults={
            "*": OperationFaults(latency=Latency(80, 40)),
            "createAppointment": OperationFaults(
                rate_limit=RateLimit(5), error=Error(0.1), drop=Drop(0.05)
            ),
        },
    )


def test_an_operation_meets_its_own_kinds_and_the_others_of_the_star_entry() -> None:
    plan = FaultPlan(
        faults={
            "*": OperationFaults(latency=Latency(80), error=Error(0.5)),
            "createAppointment": OperationFaults(latency=Latency(0), drop=Drop(1)),
        }
    )
    assert plan.of("createAppointment") == OperationFaults(
        latency=Latency(0), drop=Drop(1), error=Error(0.5)
    )
    assert plan.of("updateAppointment") == OperationFaults(latency=Latency(80), error=Error(0.5))


def test_without_entries_no_operation_meets_a_fault() -> None:
    assert FaultPlan().of("createAppointment") == OperationFaults()


def test_the_document_spells_out_every_default_and_reads_back_the_same() -> None:
    data = {"faults": {"*": {"error": {"share": 1}, "latency": {"ms": 5}}}}
    document = FaultPlan.from_data(data).document()
    assert document == {
        "seed": 0,
        "faults": {
            "*": {"latency": {"ms": 5, "jitter_ms": 0.0}, "error": {"share": 1, "status": 500}}
        },
    }
    assert problem_in(document, OPERATIONS) is None
    assert FaultPlan.from_data(document) == FaultPlan.from_data(data)


def test_a_seed_written_as_a_whole_float_is_that_integer() -> None:
    assert FaultPlan.from_data({"seed": 7.0}).seed == 7
    assert type(FaultPlan.from_data({"seed": 7.0}).seed) is int
