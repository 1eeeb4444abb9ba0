"""oasdiff's deprecation policy: sunsets judged against today, stability levels."""

from __future__ import annotations

import datetime

import pytest

from gate.deprecation import Unparsable, deprecated_rule, removal_rule, sunset, sunset_rule

TODAY = datetime.datetime.now(datetime.UTC).date()


def test_a_sunset_may_be_a_date_a_date_time_or_text() -> None:
    assert sunset({"x-sunset": "2030-05-01"}) == datetime.date(2030, 5, 1)
    assert sunset({"x-sunset": "2030-05-01T10:00:00Z"}) == datetime.date(2030, 5, 1)
    assert sunset({"x-sunset": datetime.date(2030, 5, 1)}) == datetime.date(2030, 5, 1)
    assert isinstance(sunset({"x-sunset": "soon"}), Unparsable)
    assert sunset({}) is None


def test_a_sunset_of_today_gives_enough_notice() -> None:
    operation = {"deprecated": True, "x-sunset": TODAY.isoformat()}
    assert deprecated_rule(operation) == "endpoint-deprecated-with-sunset"
    yesterday = {"deprecated": True, "x-sunset": (TODAY - datetime.timedelta(1)).isoformat()}
    assert deprecated_rule(yesterday) == "api-sunset-date-too-small"


@pytest.mark.parametrize(
    ("operation", "whole_path", "rule"),
    [
        ({}, True, "api-path-removed-without-deprecation"),
        ({}, False, "api-removed-without-deprecation"),
        ({"deprecated": True}, False, "api-removed-with-deprecation"),
        ({"deprecated": True, "x-sunset": "2999-01-01"}, False, "api-removed-before-sunset"),
        ({"deprecated": True, "x-sunset": "2000-01-01"}, True, None),
        ({"deprecated": True, "x-sunset": "soon"}, False, "api-path-sunset-parse"),
        ({"x-stability-level": "draft"}, True, None),
        ({"x-stability-level": "draft"}, False, "api-removed-without-deprecation"),
    ],
)
def test_removal_rules_follow_deprecation_sunset_and_stability(
    operation: dict[str, object], whole_path: bool, rule: str | None
) -> None:
    assert removal_rule(operation, whole_path=whole_path) == rule


def test_a_sunset_moved_into_the_past_or_deleted_is_reported() -> None:
    old = {"deprecated": True, "x-sunset": "2999-01-01"}
    assert sunset_rule(old, {"deprecated": True}) == "sunset-deleted"
    past = {"deprecated": True, "x-sunset": "2000-01-01"}
    assert sunset_rule(old, past) == "api-sunset-date-changed-too-small"
    assert sunset_rule(past, old) is None
    assert sunset_rule(old, {}) is None
