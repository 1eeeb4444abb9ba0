"""proxy/session.py: the report of a run through the proxy, its rows per operation, the coverage
of the traffic as the suite writes its own, and the summary printed on exit."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

import pytest

from proxy.session import NO_OPERATION
from spec import Spec
from tests.proxy.clients import careless, conforming
from tests.proxy.conftest import UPSTREAM, Through


@pytest.fixture
def after_conforming(
    proxied: Callable[..., AbstractContextManager[Through]], spec: Spec
) -> Through:
    """The proxy once the conforming client's traffic went through it."""
    with proxied() as through:
        conforming(through.client, spec)
    return through


@pytest.fixture
def after_careless(proxied: Callable[..., AbstractContextManager[Through]], spec: Spec) -> Through:
    """The proxy once the careless client's traffic went through it."""
    with proxied() as through:
        careless(through.client, spec)
    return through


AREAS = ["statuses", "edges", "non_edges", "members", "decisions"]
COUNTS = ("exchanges", "client_violations", "server_violations", "not_judged")


def test_conforming_traffic_is_reported_per_operation_with_no_violation(
    after_conforming: Through, spec: Spec
) -> None:
    through = after_conforming
    report = through.session.report()
    rows = report["operations"]
    assert list(rows) == sorted(rows)
    assert set(rows) <= {op.operation_id for op in spec.operations.values()}
    assert {"createAppointment", "updateAppointment", "setAppointmentStatusForTest"} <= set(rows)
    assert rows["createAppointment"]["exchanges"] == 2
    for name in COUNTS:
        assert report["totals"][name] == sum(row[name] for row in rows.values())
    assert report["totals"]["exchanges"] == 29
    assert all(row["client_violations"] == row["server_violations"] == 0 for row in rows.values())
    assert all(row["decisions_broken"] == [] for row in rows.values())
    assert report["not_judged_for_faults_of_the_proxy"] == []


def test_coverage_of_the_traffic_has_the_suites_shape(after_conforming: Through) -> None:
    through = after_conforming
    document = through.session.report()["coverage"]
    assert document["run"]["base_url"] == UPSTREAM
    assert document["run"]["test_control"] is True  # the conforming client drove test control
    assert [area["name"] for area in document["areas"]] == AREAS
    for area in document["areas"]:
        items = area["items"]
        assert area["covered"] == sum(i["covered"] and i["reachable"] for i in items)
        assert area["reachable"] == sum(i["reachable"] for i in items)
    assert document["covered"] == sum(area["covered"] for area in document["areas"])
    assert document["reachable"] == sum(area["reachable"] for area in document["areas"])
    assert 0 < document["percent"] < 100
    statuses = {i["label"] for i in document["areas"][0]["items"] if i["covered"]}
    assert "createAppointment 201" in statuses
    decisions = {i["label"] for i in document["areas"][4]["items"] if i["covered"]}
    assert any(label.startswith("D6") for label in decisions), decisions


def test_summary_has_a_header_a_row_per_operation_the_totals_and_the_coverage(
    after_conforming: Through,
) -> None:
    through = after_conforming
    report = through.session.report()
    lines = list(through.session.summary(report))
    rows = report["operations"]
    header, *table = lines[: 1 + len(rows)]
    assert header.split() == [
        "operation",
        "exchanges",
        "client",
        "server",
        "not",
        "judged",
        "decisions",
        "broken",
    ]
    for line, (name, row) in zip(table, rows.items(), strict=True):
        assert line.split() == [name, str(row["exchanges"]), "0", "0", "0", "-"]
    # The columns line up: every row as wide as the header.
    assert {len(line) for line in table} == {len(header)}
    assert lines[1 + len(rows)] == (
        "29 exchanges: 0 client violations, 0 server violations, 0 not judged (not enough seen)"
    )
    assert lines[-1].startswith(f"coverage: {report['coverage']['percent']}% ")


def test_write_report_writes_the_json_and_the_coverage_page_beside_it(
    after_conforming: Through, tmp_path: Path
) -> None:
    path = tmp_path / "runs" / "proxy.json"
    through = after_conforming
    report = through.session.write_report(path)
    assert json.loads(path.read_text(encoding="utf-8")) == report
    assert report["totals"]["exchanges"] == 29
    page = path.with_suffix(".html").read_text(encoding="utf-8")
    assert page.lstrip().lower().startswith("<!doctype html")
    assert "Coverage" in page


def test_careless_traffic_counts_client_violations_per_operation(after_careless: Through) -> None:
    through = after_careless
    report = through.session.report()
    logged = through.side("client")
    rows = report["operations"]
    logged_per_row = Counter(v["operation"] or NO_OPERATION for v in logged)
    assert {name: row["client_violations"] for name, row in rows.items()} == {
        name: logged_per_row[name] for name in rows
    }
    assert set(logged_per_row) <= set(rows)
    assert report["totals"]["client_violations"] == len(logged) > 0
    assert report["totals"]["server_violations"] == 0
    # A DELETE the path lacks matches no operation, and breaks D3.
    assert rows[NO_OPERATION]["decisions_broken"] == ["D3"]
    assert {"D2", "D3"} <= set(rows["createAppointment"]["decisions_broken"])
    for name, row in rows.items():
        broken = {v["decision"] for v in logged if (v["operation"] or NO_OPERATION) == name}
        assert set(row["decisions_broken"]) == broken


def test_decisions_broken_cell_shows_d_numbers_and_the_count_of_page_rules(
    after_careless: Through,
) -> None:
    through = after_careless
    report = through.session.report()
    lines = list(through.session.summary(report))
    rows = report["operations"]
    table = dict(zip(rows, lines[1 : 1 + len(rows)], strict=True))
    with_pages = 0
    for name, row in rows.items():
        broken: list[str] = row["decisions_broken"]
        decisions = [s for s in broken if s[:1] in "DS" and s[1:].isdigit()]
        pages = len(broken) - len(decisions)
        shown = ", ".join(decisions) + (f" (+{pages} page rules)" if pages else "")
        assert table[name].rstrip().endswith(shown.strip() or "-"), (name, table[name])
        with_pages += pages > 0
    # The careless client sends driver_notes as a number: a rule only a page quote gives.
    assert with_pages > 0
    update = rows["updateAppointment"]["decisions_broken"]
    assert any(not s[1:].isdigit() for s in update), update
    assert table["updateAppointment"].rstrip().endswith("D5, D22 (+1 page rules)")
    assert table["createAppointment"].rstrip().endswith("D2, D3, D4, D22")
