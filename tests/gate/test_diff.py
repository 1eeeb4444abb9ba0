"""`compare` itself: what is no change, the lifecycle's rules, renames, order and locations."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from gate import RULES, Level, compare
from spec import SPEC_PATH
from spec.loader import read_yaml

Document = dict[str, Any]
S = "components/schemas"


@pytest.fixture(scope="module")
def document() -> Document:
    """The bundled spec, parsed."""
    found = read_yaml(SPEC_PATH)
    assert isinstance(found, dict)
    return found


def _edited(document: Document, edit: Callable[[Document], object]) -> Document:
    edited = copy.deepcopy(document)
    edit(edited)
    return edited


def _at(document: Document, path: str) -> Any:
    node: Any = document
    for part in path.split("/"):
        node = node[part.replace("~1", "/")]
    return node


def test_same_spec_has_no_changes(document: Document) -> None:
    assert compare(document, copy.deepcopy(document)) == []


@pytest.mark.parametrize(
    "edit",
    [
        lambda d: _at(d, f"{S}/Vehicle").update(description="Another description."),
        lambda d: _at(d, f"{S}/Zip").update({"x-source": "D17"}),
        lambda d: _at(d, "paths/~1_test~1appointments~1{id}~1status/post").update(summary="R"),
        lambda d: _at(d, "paths/~1_test~1appointments~1{id}~1status/post").pop("requestBody"),
        lambda d: _at(d, "info").update(title="Another title"),
    ],
    ids=["a description", "a source", "the internal summary", "the internal body", "info"],
)
def test_edits_outside_the_public_contract_are_no_change(
    document: Document, edit: Callable[[Document], object]
) -> None:
    assert compare(document, _edited(document, edit)) == []


def _rename_id(document: Document) -> None:
    paths = document["paths"]
    item = paths.pop("/appointments/{id}")
    paths["/appointments/{appointmentId}"] = item
    document["components"]["parameters"]["AppointmentId"]["name"] = "appointmentId"


def test_renaming_a_path_parameter_is_no_change(document: Document) -> None:
    assert compare(document, _edited(document, _rename_id)) == []


def _edges(document: Document) -> list[dict[str, Any]]:
    edges = document["x-lifecycle"]["edges"]
    assert isinstance(edges, list)
    return edges


def _drop_edge(source: str, target: str) -> Callable[[Document], None]:
    def edit(document: Document) -> None:
        edges = _edges(document)
        edges.remove(next(e for e in edges if (e["from"], e["to"]) == (source, target)))

    return edit


@pytest.mark.parametrize(
    ("edit", "rule", "detail"),
    [
        (_drop_edge("paying", "failed"), "lifecycle-edge-removed", "paying -> failed"),
        (
            lambda d: _edges(d).append({"from": "failed", "to": "canceled", "by": "internal"}),
            "lifecycle-edge-added",
            "failed -> canceled",
        ),
        (
            lambda d: d["x-lifecycle"]["stagedMutableFields"].remove("driver_notes"),
            "staged-field-frozen",
            "driver_notes",
        ),
        (
            lambda d: d["x-lifecycle"]["stagedMutableFields"].append("vehicle_color"),
            "staged-field-unfrozen",
            "vehicle_color",
        ),
    ],
    ids=["edge removed", "edge added", "field frozen", "field unfrozen"],
)
def test_lifecycle_changes_have_rules_of_their_own(
    document: Document, edit: Callable[[Document], object], rule: str, detail: str
) -> None:
    # A break that keeps info.version also breaks oasdiff's versioning policy.
    changes = [c for c in compare(document, _edited(document, edit)) if c.operation != "info"]
    assert [(c.rule.id, c.operation) for c in changes] == [(rule, "x-lifecycle")]
    assert detail in changes[0].detail
    assert changes[0].rule.oasdiff is None


def test_a_shared_schema_change_is_reported_for_each_operation_and_status(
    document: Document,
) -> None:
    edit = lambda d: _at(d, f"{S}/Problem")["required"].append("instance")  # noqa: E731
    changes = compare(document, _edited(document, edit))
    assert {c.rule.id for c in changes} == {"response-property-became-required"}
    # Every operation answers a problem for 400 and 401 at least.
    assert {c.operation for c in changes} >= {
        "POST /appointments",
        "PUT /appointments/{id}",
        "PATCH /appointments/{id}",
        "POST /concierge-loaner-moves",
        "POST /round-trip-moves",
    }
    assert any(c.where.startswith("response 401 application/problem+json /") for c in changes)


def test_changes_come_in_a_stable_order(document: Document) -> None:
    def edit(d: Document) -> None:
        _at(d, f"{S}/TransportationType")["enum"].remove("rideshare")
        _at(d, f"{S}/Zip")["pattern"] = "^[0-9]{5}(-[0-9]{4})?$"

    edited = _edited(document, edit)
    assert compare(document, edited) == compare(document, copy.deepcopy(edited))


def test_a_change_points_at_the_keyword_that_changed(document: Document) -> None:
    edit = lambda d: _at(d, f"{S}/Zip").update(pattern="^[0-9]{5}(-[0-9]{4})?$")  # noqa: E731
    changes = compare(document, _edited(document, edit))
    assert changes
    assert {c.pointer for c in changes} == {"/components/schemas/Zip/pattern"}


def test_every_rule_names_a_level_and_a_reason() -> None:
    assert all(isinstance(r.level, Level) and r.why for r in RULES.values())
    assert all(r.oasdiff in (None, r.id) for r in RULES.values())


@pytest.mark.parametrize(
    ("version", "rule"),
    [
        ("1.0.0", "api-version-not-bumped"),
        ("0.9.0", "api-version-decreased"),
        ("1.1.0", "api-major-version-not-bumped"),
        ("2.0.0", None),
        ("2026-12-01", None),
    ],
)
def test_a_break_needs_a_major_version_bump(
    document: Document, version: str, rule: str | None
) -> None:
    def edit(d: Document) -> None:
        _drop_edge("paying", "failed")(d)
        d["info"]["version"] = version

    policy = [
        c.rule.id for c in compare(document, _edited(document, edit)) if c.operation == "info"
    ]
    assert policy == ([rule] if rule else [])


def test_a_change_that_breaks_nobody_needs_no_version_bump(document: Document) -> None:
    edit = lambda d: _edges(d).append({"from": "failed", "to": "canceled", "by": "internal"})  # noqa: E731
    assert all(c.operation != "info" for c in compare(document, _edited(document, edit)))
