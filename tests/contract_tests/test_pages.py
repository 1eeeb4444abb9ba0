"""contract_tests/pages.py: coverage.html and report.html, whole, offline and escaped."""

from __future__ import annotations

import copy
import re
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

import pytest

from contract_tests.pages import coverage_page, report_page
from spec import Spec

CSP = (
    '<meta http-equiv="Content-Security-Policy" '
    "content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">"
)
HOSTILE = '<script>alert("x")</script>&'
RUN: dict[str, Any] = {
    "id": "20261202T091500Z-4f2a9c",
    "base_url": "https://staging.example/v1?a=1&b=<2>",
    "profile": "quick",
    "seed": "3141592653",
    "workers": 4,
    "test_control": False,
}
DASH = "\N{EN DASH}"  # what a cell shows for an unreachable item or an unused check
NO_CONTROL = "the server declared no test-control endpoint (HOPDRIVE_TEST_CONTROL=1)"


def _item(
    label: str, covered: bool, detail: dict[str, Any], *, reachable: bool = True
) -> dict[str, Any]:
    reason = None if reachable else NO_CONTROL
    return {
        "label": label,
        "covered": covered,
        "reachable": reachable,
        "reason": reason,
        "count": 2 if covered else 0,
        **detail,
    }


def _area(name: str, title: str, items: list[dict[str, Any]]) -> dict[str, Any]:
    reachable = [item for item in items if item["reachable"]]
    covered = sum(1 for item in reachable if item["covered"])
    return {
        "name": name,
        "title": title,
        "covered": covered,
        "reachable": len(reachable),
        "items": items,
    }


def _member(member: str, value_class: str, covered: bool, reachable: bool = True) -> dict[str, Any]:
    label = f"createAppointment {member} {value_class}"
    detail = {"operation": "createAppointment", "member": member, "class": value_class}
    return _item(label, covered, detail, reachable=reachable)


@pytest.fixture
def coverage() -> dict[str, Any]:
    """A small coverage document: every area, one uncovered and one unreachable item at least."""
    areas = [
        _area(
            "statuses",
            "Documented statuses answered",
            [
                _item(
                    "createAppointment 201",
                    True,
                    {"operation": "createAppointment", "status": "201"},
                ),
                _item(HOSTILE, False, {"operation": "createAppointment", "status": "429"}),
            ],
        ),
        _area(
            "edges",
            "Lifecycle edges driven",
            [
                _item("new -> ready", True, {"from": "new", "to": "ready", "by": "public"}),
                _item("new -> pending", False, {"from": "new", "to": "pending", "by": "public"}),
                _item(
                    "ready -> paid",
                    False,
                    {"from": "ready", "to": "paid", "by": "internal"},
                    reachable=False,
                ),
            ],
        ),
        _area(
            "non_edges",
            "Non-edges tried and refused",
            [_item("paid -> new", True, {"from": "paid", "to": "new"})],
        ),
        _area(
            "members",
            "Request members sent, per class of value",
            [
                _member("consumer_name", "valid", True),
                _member("consumer_name", "invalid", False),
                _member("consumer_name", "null", False, reachable=False),
                _member("vin", "valid", True),
            ],
        ),
        _area(
            "decisions",
            "Decisions exercised",
            [
                _item(
                    "D11",
                    True,
                    {
                        "decision": "D11",
                        "title": "Staged appointments freeze",
                        "checks": ["contract_tests/test_appointments.py::test_d11_staged_freeze"],
                    },
                )
            ],
        ),
    ]
    unreachable = [
        {"area": area["name"], "label": item["label"], "reason": item["reason"]}
        for area in areas
        for item in area["items"]
        if not item["reachable"]
    ]
    return {
        "run": dict(RUN),
        "percent": 62.5,
        "covered": 5,
        "reachable": 8,
        "areas": areas,
        "unreachable": unreachable,
    }


@pytest.fixture
def outcomes() -> dict[str, Any]:
    """A small outcomes document with two failures, each with its curl line."""
    cells = {"passed": 3, "failed": 1, "skipped": 0}
    failures = [
        {
            "test": "contract_tests/test_appointments.py::test_d11_staged_freeze",
            "decision": "breaks D11 (Staged appointments freeze) - see spec/DECISIONS.md",
            "exchanges": '> PATCH /v1/appointments/1\n< 200 OK\n{"vin": "<changed>"}',
            "reproduce": "curl -X PATCH 'https://staging.example/v1/appointments/1' "
            "-H 'Authorization: Bearer ${HOPDRIVE_TOKEN}' -d '{\"vin\": \"X\"}'",
            "message": "expected 409, got 200 <&>",
        },
        {
            "test": "contract_tests/test_security.py::test_401",
            "decision": None,
            "exchanges": None,
            "reproduce": "curl -X POST 'https://staging.example/v1/appointments' -d '{}'",
            "message": "no WWW-Authenticate",
        },
    ]
    return {
        "run": {
            **RUN,
            "started": "2026-12-02T09:15:00Z",
            "duration_s": 41.25,
            "settings": {"profile": "quick", "rate_limit": "20/s", HOSTILE: "<v>"},
        },
        "counts": {"passed": 120, "failed": 2, "skipped": 10},
        "table": {
            "checks": ["schema", "lifecycle"],
            "rows": [
                {"operation": "createAppointment", "cells": {"schema": cells, "lifecycle": None}},
                {"operation": "updateAppointment", "cells": {"schema": None, "lifecycle": cells}},
            ],
        },
        "failures": failures,
        "not_checked": [f"tenant isolation (D2): 2 checks not run: {HOSTILE}"],
        "figures": {"requests": 3767, "rate_limited": 41, "waited": 12.0},
    }


@dataclass
class Element:
    """One element of a page: its tag, attributes and text (filled in at its end tag)."""

    tag: str
    attrs: dict[str, str]
    text: str = ""


class _Collector(HTMLParser):
    """Every element of a page with the text inside it (void elements have none)."""

    VOID = frozenset({"meta", "br", "link", "img", "input", "hr"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self.open: list[tuple[int, list[str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append(Element(tag, {k: v or "" for k, v in attrs}))
        if tag not in self.VOID:
            self.open.append((len(self.elements) - 1, []))

    def handle_endtag(self, tag: str) -> None:
        if tag in self.VOID or not self.open:
            return
        index, parts = self.open.pop()
        self.elements[index].text = "".join(parts)
        if self.open:
            self.open[-1][1].extend(parts)

    def handle_data(self, data: str) -> None:
        if self.open:
            self.open[-1][1].append(data)


def _elements(page: str, tag: str, cls: str | None = None) -> list[Element]:
    collector = _Collector()
    collector.feed(page)
    collector.close()
    return [
        element
        for element in collector.elements
        if element.tag == tag and (cls is None or cls in element.attrs.get("class", "").split())
    ]


def _svg(page: str) -> ElementTree.Element:
    match = re.search(r"<svg.*?</svg>", page, re.DOTALL)
    assert match, "the page has no SVG"
    return ElementTree.fromstring(match.group(0))


def _edge_classes(page: str) -> dict[tuple[str, str], str]:
    return {
        (g.attrib["data-from"], g.attrib["data-to"]): g.attrib["class"].split()[1]
        for g in _svg(page).iter("{http://www.w3.org/2000/svg}g")
        if "data-from" in g.attrib
    }


def _pages(outcomes: dict[str, Any], coverage: dict[str, Any]) -> list[str]:
    return [coverage_page(coverage), report_page(outcomes, coverage)]


def test_both_pages_are_whole_documents_that_reach_nothing_outside(
    outcomes: dict[str, Any], coverage: dict[str, Any]
) -> None:
    for page in _pages(outcomes, coverage):
        assert page.startswith("<!DOCTYPE html>")
        assert page.rstrip().endswith("</html>")
        assert CSP in page
        assert "<script" not in page
        assert "<link" not in page
        assert "<a " not in page
        assert not re.search(r"\b(src|href)=", page)
        # The only url() is the SVG's own arrowheads, by fragment.
        assert set(re.findall(r"url\(([^)]*)\)", page)) <= {
            f"#lifecycle-arrow-{kind}" for kind in ("covered", "uncovered", "unreachable", "start")
        }


def test_every_text_from_the_documents_is_escaped(
    outcomes: dict[str, Any], coverage: dict[str, Any]
) -> None:
    for page in _pages(outcomes, coverage):
        assert HOSTILE not in page
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;" in page
        assert "?a=1&amp;b=&lt;2&gt;" in page


def test_the_coverage_heading_names_the_run_and_the_percent_of_reachable(
    coverage: dict[str, Any],
) -> None:
    [heading] = _elements(coverage_page(coverage), "h1")
    assert RUN["id"] in heading.text
    assert "62.5% (5/8)" in heading.text


def test_the_diagram_classes_each_edge_from_the_edges_area(
    spec: Spec, coverage: dict[str, Any]
) -> None:
    classes = _edge_classes(coverage_page(coverage))
    assert classes[("new", "ready")] == "covered"
    assert classes[("new", "pending")] == "uncovered"
    assert classes[("ready", "paid")] == "unreachable"
    # Edges the document does not name are unreachable, never green.
    assert classes[("paying", "paid")] == "unreachable"
    assert set(classes) == {(edge.source, edge.target) for edge in spec.lifecycle.edges}


def test_a_missed_variant_of_an_edge_marks_the_edge_uncovered(coverage: dict[str, Any]) -> None:
    edges = coverage["areas"][1]["items"]
    edges.append({**edges[0], "by": "internal", "covered": False})
    assert _edge_classes(coverage_page(coverage))[("new", "ready")] == "uncovered"


def test_every_state_and_edge_is_on_both_pages(
    spec: Spec, outcomes: dict[str, Any], coverage: dict[str, Any]
) -> None:
    for page in _pages(outcomes, coverage):
        svg = _svg(page)
        names = {"".join(g.itertext()) for g in svg.iter() if "data-state" in g.attrib}
        assert {f"{name} ({s.kind}){name}" for name, s in spec.lifecycle.states.items()} == names
        titles = {t.text for t in svg.iter("{http://www.w3.org/2000/svg}title")}
        for edge in spec.lifecycle.edges:
            assert any(
                title and title.startswith(f"{edge.source} -> {edge.target} (") for title in titles
            ), edge


def test_each_area_has_a_table_and_a_missed_reachable_item_stands_out(
    coverage: dict[str, Any],
) -> None:
    page = coverage_page(coverage)
    for area in coverage["areas"]:
        assert area["title"] in _section(page, f"area-{area['name']}").text
    # Listed areas mark whole rows; matrices mark the cell.
    missed = {row.attrs["title"]: row.text for row in _elements(page, "tr", "uncovered")}
    assert list(missed) == ["new -> pending"]
    assert missed["new -> pending"].endswith("✗ missing")
    missed_cells = [cell.attrs["title"] for cell in _elements(page, "td", "uncovered")]
    assert missed_cells == [
        f"{HOSTILE}: reachable, and no check of this run covered it",
        "createAppointment consumer_name invalid: reachable, and no check of this run covered it",
    ]
    unreachable = _elements(page, "tr", "unreachable")
    assert [row.attrs["title"] for row in unreachable] == ["ready -> paid"]
    [mark] = [cell for cell in _elements(page, "td", "mark") if "unreachable" in cell.text]
    assert mark.attrs["title"] == NO_CONTROL


def _part(page: str, opening: str) -> str:
    """The HTML from the tag that opens with `opening` to its end (the tag does not nest)."""
    tag = re.split(r"[\s>]", opening, maxsplit=1)[0]
    found = re.search(rf"<{re.escape(opening)}.*?</{tag}>", page, re.DOTALL)
    assert found, f"no <{opening}"
    return found.group(0)


def _matrix(page: str, area: str) -> tuple[list[str], list[str]]:
    """An area's matrix: its headings, and the text of each row."""
    table = _part(page, f'table class="matrix {area}"')
    return [th.text for th in _elements(table, "th")], [r.text for r in _elements(table, "tr")[1:]]


def test_members_are_a_matrix_of_classes_with_the_reason_on_each_cell(
    coverage: dict[str, Any],
) -> None:
    headings, rows = _matrix(coverage_page(coverage), "members")
    assert headings == ["Operation", "Member", "valid", "invalid", "null", "omitted"]
    # Covered, missed, unreachable, and a class the member was never listed for; the
    # operation is said once for all its members.
    assert rows == [f"createAppointmentconsumer_name✓✗{DASH}", "vin✓"]
    [group] = _elements(coverage_page(coverage), "td", "group")
    assert group.attrs["rowspan"] == "2"
    [unreachable] = _elements(coverage_page(coverage), "td", "unreachable")
    assert unreachable.attrs["title"] == f"createAppointment consumer_name null: {NO_CONTROL}"


def test_statuses_are_a_matrix_of_operations_and_statuses_in_order(
    coverage: dict[str, Any],
) -> None:
    headings, rows = _matrix(coverage_page(coverage), "statuses")
    assert headings == ["Operation", "201", "429"]
    assert rows == ["createAppointment✓✗"]


def _section(page: str, section_id: str) -> Element:
    [section] = [s for s in _elements(page, "section") if s.attrs.get("id") == section_id]
    return section


def test_the_unreachable_list_gives_each_item_its_reason(coverage: dict[str, Any]) -> None:
    page = coverage_page(coverage)
    [reason] = [p.text for p in _elements(page, "p", "why")]
    assert reason == f"{NO_CONTROL} (2)"
    lines = [li.text for li in _elements(_part(page, 'section id="unreachable"'), "li")]
    assert lines == ["edges: ready -> paid", "members: createAppointment consumer_name null"]
    assert "Unreachable (2)" in _section(page, "unreachable").text


def test_the_report_shows_the_seed_the_settings_the_counts_and_what_was_not_checked(
    outcomes: dict[str, Any], coverage: dict[str, Any]
) -> None:
    page = report_page(outcomes, coverage)
    facts = dict(
        zip(
            [dt.text for dt in _elements(page, "dt")],
            [dd.text for dd in _elements(page, "dd")],
            strict=True,
        )
    )
    assert facts["Seed"] == "3141592653"
    assert facts["Duration"] == "41.2 s"
    assert facts["Requests"] == "3767"
    assert facts["Answered 429"].startswith("41")
    settings = [row.text for row in _elements(page, "tr") if "20/s" in row.text]
    assert settings == ["rate_limit20/s"]
    pills = [pill.text for pill in _elements(page, "span", "pill")]
    assert pills == ["120 passed", "2 failed", "10 skipped"]
    assert "tenant isolation (D2): 2 checks not run" in _section(page, "not-checked").text


def test_the_report_has_a_cell_per_operation_and_check(
    outcomes: dict[str, Any], coverage: dict[str, Any]
) -> None:
    page = report_page(outcomes, coverage)
    rows = [row.text for row in _elements(page, "tr") if "Appointment" in row.text]
    # A check that never reached an operation is a dash, not 0 / 0 / 0.
    assert rows == [f"createAppointment3 / 1 / 0{DASH}", f"updateAppointment{DASH}3 / 1 / 0"]
    assert len(_elements(page, "td", "failed")) == 2


def test_each_failure_is_a_section_with_its_decision_message_exchanges_and_curl(
    outcomes: dict[str, Any], coverage: dict[str, Any]
) -> None:
    page = report_page(outcomes, coverage)
    sections = _elements(page, "section", "failure")
    assert len(sections) == len(outcomes["failures"])
    reproduce = [pre.text for pre in _elements(page, "pre", "reproduce")]
    assert reproduce == [failure["reproduce"] for failure in outcomes["failures"]]
    assert all(text.startswith("curl ") for text in reproduce)
    messages = [pre.text for pre in _elements(page, "pre", "message")]
    assert messages == [failure["message"] for failure in outcomes["failures"]]
    [exchanges] = _elements(page, "pre", "exchanges")
    assert exchanges.text == outcomes["failures"][0]["exchanges"]
    first, second = sections
    assert outcomes["failures"][0]["test"] in first.text
    assert "breaks D11 (Staged appointments freeze)" in first.text
    assert "names no decision" in second.text


def test_a_long_message_stands_as_its_assertion_lines_with_the_whole_report_folded(
    outcomes: dict[str, Any], coverage: dict[str, Any]
) -> None:
    source = "\n".join(f"    line {n} of the test's source" for n in range(40))
    outcomes["failures"][0]["message"] = (
        f"{source}\n>       assert answer == 409\nE       assert 200 == 409\nE        +  where 200"
    )
    page = report_page(outcomes, coverage)
    [gist] = _elements(page, "pre", "gist")
    assert gist.text == "assert 200 == 409\n +  where 200"
    folded = _part(page, 'section class="failure" id="failure-1"')
    assert "<details><summary>The whole message (43 lines)</summary>" in folded
    assert [pre.text for pre in _elements(folded, "pre", "message")] == [
        outcomes["failures"][0]["message"]
    ]
    # The short message of the second failure stands whole, unfolded.
    assert len(_elements(page, "pre", "gist")) == 1


def test_a_long_list_in_a_cell_folds_under_its_count(coverage: dict[str, Any]) -> None:
    checks = [f"contract_tests/test_schema.py::test_{n}" for n in range(5)]
    coverage["areas"][4]["items"][0]["checks"] = checks
    cell = _part(coverage_page(coverage), "details><summary>show 5</summary>")
    assert [li.text for li in _elements(cell, "li")] == checks


def test_a_run_without_failures_says_every_check_that_ran_passed(
    outcomes: dict[str, Any], coverage: dict[str, Any]
) -> None:
    passed = copy.deepcopy(outcomes)
    passed["failures"] = []
    page = report_page(passed, coverage)
    assert "every check that ran passed" in page.lower()
    assert not _elements(page, "section", "failure")
    assert "every check that ran passed" not in report_page(outcomes, coverage).lower()


def test_the_report_sums_up_coverage_per_area_and_points_to_coverage_html_without_a_link(
    outcomes: dict[str, Any], coverage: dict[str, Any]
) -> None:
    page = report_page(outcomes, coverage)
    [summary] = _elements(page, "table", "summary")
    assert "Lifecycle edges driven1250.0%" in summary.text
    assert "Request members sent, per class of value2366.7%" in summary.text
    assert "coverage.html" in page
    assert _edge_classes(page)[("new", "pending")] == "uncovered"


def test_the_same_documents_give_the_same_pages(
    outcomes: dict[str, Any], coverage: dict[str, Any]
) -> None:
    assert _pages(outcomes, coverage) == _pages(copy.deepcopy(outcomes), copy.deepcopy(coverage))
