"""coverage.html and report.html in headless Chromium: drawn whole, and nothing leaves the page.

Screenshots go to reports/coverage.png and reports/report.png for a person to look at.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from playwright.sync_api import ConsoleMessage, Page, Route, sync_playwright

from contract_tests.pages import coverage_page, report_page
from contract_tests.report import CHECKS, decision_titles
from spec import Spec

ROOT = Path(__file__).parents[2]
REPORTS = ROOT / "reports"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Root in a closed network needs no sandbox; the rest keep Chromium's own traffic off.
FLAGS = [
    "--no-sandbox",
    "--no-first-run",
    "--disable-gpu",
    "--disable-sync",
    "--disable-quic",
    "--disable-component-update",
    "--disable-background-networking",
]
TIMEOUT_MS = 20_000
NO_CONTROL = "the server declared no test-control endpoint (HOPDRIVE_TEST_CONTROL=1)"
# The edge the sample run missed, which the diagram must draw red.
MISSED = ("pending", "new")
RED = "rgb(207, 34, 46)"
# As pytest reports a failed assertion: the test's source, then its E lines.
LONG_MESSAGE = (
    "    def test_d11_staged_fields_are_frozen(api: Api, target: Target) -> None:\n"
    + "".join(f"        step_{n} = drive(api, target, {n})\n" for n in range(14))
    + "        answer = api.send('PATCH', path, {'vin': '1HGCM82633A004352'})\n"
    ">       assert answer.status_code == 409, f'D11: got {answer.status_code}'\n"
    "E       AssertionError: D11: a staged appointment's vin changed: got 200\n"
    "E       assert 200 == 409\n"
    "E        +  where 200 = <Response [200 OK]>.status_code"
)


class Browser(NamedTuple):
    """A page, the requests it tried to send off the machine, and what it complained of."""

    page: Page
    remote: list[str]
    complaints: list[str]


def _item(label: str, covered: bool, reachable: bool, detail: dict[str, Any]) -> dict[str, Any]:
    return {
        "label": label,
        "covered": covered and reachable,
        "reachable": reachable,
        "reason": None if reachable else NO_CONTROL,
        "count": 3 if covered and reachable else 0,
        **detail,
    }


def _area(name: str, title: str, items: list[dict[str, Any]]) -> dict[str, Any]:
    reachable = [item for item in items if item["reachable"]]
    return {
        "name": name,
        "title": title,
        "covered": sum(item["covered"] for item in reachable),
        "reachable": len(reachable),
        "items": items,
    }


def _coverage(spec: Spec) -> dict[str, Any]:
    """A run without test control: internal edges unreachable, one public edge missed."""
    lifecycle = spec.lifecycle
    public = [op for op in spec.operations.values() if op.public]
    # Nothing answered 429: the sample server never limited the suite.
    statuses = [
        _item(
            f"{op.operation_id} {status}",
            status != "429",
            True,
            {"operation": op.operation_id, "status": status},
        )
        for op in public
        for status in op.responses
    ]
    edges = [
        _item(
            f"{e.source} -> {e.target}",
            (e.source, e.target) != MISSED,
            e.by == "public",
            {"from": e.source, "to": e.target, "by": e.by},
        )
        for e in lifecycle.edges
    ]
    pairs = {(e.source, e.target) for e in lifecycle.edges}
    non_edges = [
        _item(
            f"{a} -> {b}",
            a != "new",
            lifecycle.states[a].kind != "terminal",
            {"from": a, "to": b},
        )
        for a in lifecycle.states
        for b in lifecycle.states
        if (a, b) not in pairs
    ][:12]
    members = []
    for op in public[:2]:
        assert op.request_schema is not None
        for n, member in enumerate(spec.fields(op.request_schema)[:8]):
            for c, value_class in enumerate(("valid", "invalid", "null", "omitted")):
                detail = {"operation": op.operation_id, "member": member, "class": value_class}
                label = f"{op.operation_id} {member} {value_class}"
                members.append(_item(label, (n + c) % 5 != 4, c != 2 or n % 3 == 0, detail))
    checks = "contract_tests/test_appointments.py::test_{}"
    decisions = [
        _item(d, True, d != "D2", {"decision": d, "title": title, "checks": [checks.format(d)]})
        for d, title in list(decision_titles().items())[:10]
    ]
    areas = [
        _area("statuses", "Documented statuses answered", statuses),
        _area("edges", "Lifecycle edges driven", edges),
        _area("non_edges", "Non-edges tried and refused", non_edges),
        _area("members", "Request members sent, per class of value", members),
        _area("decisions", "Decisions exercised", decisions),
    ]
    covered = sum(area["covered"] for area in areas)
    reachable = sum(area["reachable"] for area in areas)
    unreachable = []
    for area in areas:
        unreachable += [
            {"area": area["name"], "label": item["label"], "reason": item["reason"]}
            for item in area["items"]
            if not item["reachable"]
        ]
    return {
        "run": {
            "id": "20261202T091500Z-4f2a9c",
            "base_url": "https://staging.hopdrive.example/v1",
            "profile": "default",
            "seed": "3141592653",
            "workers": 8,
            "test_control": False,
        },
        "percent": round(100 * covered / reachable, 1),
        "covered": covered,
        "reachable": reachable,
        "areas": areas,
        "unreachable": unreachable,
    }


def _outcomes(spec: Spec, coverage: dict[str, Any]) -> dict[str, Any]:
    """Two failures with their exchanges and curl lines, over the spec's public operations."""
    public = [op.operation_id for op in spec.operations.values() if op.public]
    # Lifecycle checks reach the appointment operations, move checks the move operations.
    kind = {"lifecycle": "Appointment", "moves": "Move"}
    rows = [
        {
            "operation": operation,
            "cells": {
                check: {
                    "passed": 9 + 3 * n,
                    "failed": int((n, check) in {(0, "schema"), (2, "lifecycle")}),
                    "skipped": 4 * (check == "lifecycle"),
                }
                if kind.get(check, operation) in operation
                else None
                for check in CHECKS
            },
        }
        for n, operation in enumerate(public)
    ]
    url = coverage["run"]["base_url"]
    failures = [
        {
            "test": "contract_tests/test_appointments.py::test_d11_staged_fields_are_frozen",
            "decision": "breaks D11 (Staged appointments keep their data) - see spec/DECISIONS.md",
            "exchanges": f"> PATCH {url}/appointments/17\n> content-type: application/json\n"
            '{"vin": "1HGCM82633A004352"}\n< 200 OK\n< content-type: application/json\n'
            '{"id": 17, "status": "ready", "vin": "1HGCM82633A004352"}',
            "reproduce": "by hand (the request that got the answer above):\n"
            f"  curl -X PATCH '{url}/appointments/17' -H 'Authorization: Bearer "
            "${HOPDRIVE_TOKEN}' -H 'Content-Type: application/json' "
            '-d \'{"vin": "1HGCM82633A004352"}\'\nthe same check again:\n'
            f"  make test BASE_URL={url} PYTEST_ARGS='contract_tests/test_appointments.py"
            "::test_d11_staged_fields_are_frozen --hypothesis-seed=3141592653'",
            "message": LONG_MESSAGE,
        },
        {
            "test": "contract_tests/test_schema.py::test_schema[POST /appointments]",
            "decision": None,
            "exchanges": None,
            "reproduce": f"  curl -X POST '{url}/appointments' -d '{{}}'",
            "message": "Response violates schema: 'status' is a required property",
        },
    ]
    return {
        "run": {
            **coverage["run"],
            "started": "2026-12-02T09:15:00Z",
            "duration_s": 57.4,
            "settings": {"profile": "default", "workers": "8", "rate_limit": "20/s"},
        },
        "counts": {"passed": 412, "failed": 2, "skipped": 10},
        "table": {"checks": list(CHECKS), "rows": rows},
        "failures": failures,
        "not_checked": [
            "staged and terminal states (D11, D12, D14, D15): 10 checks not run: " + NO_CONTROL,
        ],
        "figures": {"requests": 3767, "rate_limited": 41, "waited": 12.0},
    }


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory, spec: Spec) -> dict[str, Path]:
    """Both pages from the sample documents, written as a run writes them."""
    out = tmp_path_factory.mktemp("pages")
    coverage = _coverage(spec)
    written = {
        "coverage": coverage_page(coverage),
        "report": report_page(_outcomes(spec, coverage), coverage),
    }
    for name, html in written.items():
        (out / f"{name}.html").write_text(html, encoding="utf-8")
    return {name: out / f"{name}.html" for name in written}


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing; `make chromium` installs Debian's chromium")
    REPORTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = chromium.new_page(viewport={"width": 1280, "height": 900})
        page.set_default_timeout(TIMEOUT_MS)
        seen = Browser(page, [], [])

        def refuse(route: Route) -> None:
            # The page's own file may load; anything else is the page reaching out.
            if route.request.url.startswith("file:"):
                route.continue_()
                return
            seen.remote.append(route.request.url)
            route.abort()

        def complain(message: ConsoleMessage) -> None:
            # A CSP refusal shows here, as does anything else the page got wrong.
            if message.type in ("error", "warning"):
                seen.complaints.append(message.text)

        page.route("**/*", refuse)
        page.on("console", complain)
        page.on("pageerror", lambda error: seen.complaints.append(str(error)))
        yield seen
        chromium.close()


def _drawn_states(page: Page) -> list[str]:
    """The state names the diagram shows, each with a box of some size."""
    texts: list[str] = page.eval_on_selector_all(
        "svg.lifecycle g.state text",
        "texts => texts.filter(t => t.getBBox().width > 0).map(t => t.textContent)",
    )
    return texts


def _open(browser: Browser, path: Path) -> Page:
    browser.page.goto(path.as_uri())
    browser.page.locator("svg.lifecycle").wait_for(state="visible")
    return browser.page


def test_the_coverage_page_draws_every_state_and_edge_and_reaches_nothing(
    browser: Browser, pages: dict[str, Path], spec: Spec
) -> None:
    page = _open(browser, pages["coverage"])
    assert sorted(_drawn_states(page)) == sorted(spec.lifecycle.states)
    pairs = {(edge.source, edge.target) for edge in spec.lifecycle.edges}
    assert page.locator("svg.lifecycle g.edge").count() == len(pairs)
    missed = page.locator(f'g.edge[data-from="{MISSED[0]}"][data-to="{MISSED[1]}"] path').last
    assert missed.evaluate("p => getComputedStyle(p).stroke") == RED
    box = page.locator("svg.lifecycle").bounding_box()
    assert box is not None
    assert box["x"] >= 0
    assert box["x"] + box["width"] <= 1280, "the diagram runs off the page"
    assert page.locator("tr.uncovered, td.cell.uncovered").count() > 0
    assert page.locator("table").count() >= 5
    page.screenshot(path=REPORTS / "coverage.png", full_page=True)
    assert browser.remote == [], f"the coverage page reached out: {browser.remote}"
    assert browser.complaints == [], f"the coverage page complained: {browser.complaints}"


def test_the_report_page_shows_each_failure_with_its_curl_and_reaches_nothing(
    browser: Browser, pages: dict[str, Path], spec: Spec
) -> None:
    page = _open(browser, pages["report"])
    assert sorted(_drawn_states(page)) == sorted(spec.lifecycle.states)
    failures = page.locator("section.failure")
    assert failures.count() == 2
    for index in range(failures.count()):
        reproduce = failures.nth(index).locator("pre.reproduce")
        assert reproduce.is_visible()
        assert "curl -X " in reproduce.inner_text()
    assert page.locator("pre.exchanges").first.is_visible()
    page.screenshot(path=REPORTS / "report.png", full_page=True)
    assert browser.remote == [], f"the report reached out: {browser.remote}"
    assert browser.complaints == [], f"the report complained: {browser.complaints}"
