"""The run's two offline HTML pages: coverage.html (every item) and report.html (the outcome)."""

from __future__ import annotations

import textwrap
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

from contract_tests.diagram import lifecycle_svg
from spec import load

__all__ = ["coverage_page", "report_page"]

# Nothing may leave the page: no script, font, image or stylesheet from anywhere (data: images
# aside), and the inline styles below are the only ones.
_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"

_STYLE = """
:root { color-scheme: light; --fg: #1f2328; --muted: #59636e; --line: #d1d9e0;
  --head: #f6f8fa; --green: #1a7f37; --green-bg: #dafbe1; --red: #cf222e;
  --red-bg: #ffebe9; --grey: #6e7781; --grey-bg: #f0f1f3; }
* { box-sizing: border-box; }
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg);
  margin: 0 auto; max-width: 74rem; padding: 1.5rem 1.5rem 3rem; }
h1 { font-size: 1.6rem; margin: 0 0 0.4rem; }
h1 code { font-size: 0.8em; font-weight: 600; background: var(--head); padding: 0 0.3rem;
  border-radius: 4px; }
h2 { font-size: 1.2rem; margin: 0; display: inline; }
h3 { font-size: 1rem; margin: 0 0 0.5rem; word-break: break-all; }
section { margin: 1.75rem 0; }
section > h2 { display: block; margin-bottom: 0.6rem; padding-bottom: 0.3rem;
  border-bottom: 1px solid var(--line); }
code, pre { font: 13px/1.45 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
pre { background: var(--head); border: 1px solid var(--line); border-radius: 6px;
  padding: 0.6rem 0.8rem; overflow-x: auto; white-space: pre-wrap; word-break: break-word;
  margin: 0.4rem 0 0.8rem; }
.lead { color: var(--muted); margin: 0 0 1rem; }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: 0.15rem 1rem;
  margin: 0.5rem 0 1rem; }
.facts dt { color: var(--muted); }
.facts dd { margin: 0; }
.score { font-size: 2.2rem; font-weight: 650; margin-right: 0.5rem; }
.bar { height: 10px; background: var(--red-bg); border-radius: 5px; overflow: hidden;
  max-width: 28rem; margin: 0.4rem 0 1rem; }
.bar > span { display: block; height: 100%; background: var(--green); }
table { border-collapse: collapse; margin: 0.6rem 0 0.4rem; font-size: 14px; }
th, td { border: 1px solid var(--line); padding: 0.22rem 0.6rem; text-align: left;
  vertical-align: top; }
th { background: var(--head); font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.mark { white-space: nowrap; }
tr.covered td.mark, td.cell.covered { color: var(--green); }
tr.uncovered, td.cell.uncovered { background: var(--red-bg); }
tr.uncovered td.mark, td.cell.uncovered { color: var(--red); font-weight: 650; }
tr.unreachable, td.cell.unreachable { color: var(--grey); background: var(--grey-bg); }
th.cell, td.cell { text-align: center; min-width: 3.2rem; }
table.members td.cell { min-width: 4.5rem; }
td.cell.none { color: var(--line); }
td.outcome.failed { background: var(--red-bg); }
td.outcome.skipped { color: var(--grey); background: var(--grey-bg); }
td.outcome.none { color: var(--line); text-align: center; }
.p { color: var(--green); } .f { color: var(--red); font-weight: 650; } .s { color: var(--grey); }
.z { color: #b7bdc4; }
td.missed { color: var(--red); font-weight: 650; }
.pill { display: inline-block; border-radius: 1rem; padding: 0.1rem 0.7rem; margin-right: 0.4rem;
  font-weight: 600; }
.pill.p { background: var(--green-bg); } .pill.f { background: var(--red-bg); }
.pill.s { background: var(--grey-bg); }
.verdict { font-size: 1.05rem; }
.verdict.passed { color: var(--green); font-weight: 600; }
details { margin: 0.3rem 0; }
summary { cursor: pointer; padding: 0.2rem 0; }
summary .tally { color: var(--muted); margin-left: 0.5rem; }
.failure { border: 1px solid var(--line); border-left: 4px solid var(--red); border-radius: 6px;
  padding: 0.8rem 1rem; margin: 1rem 0; }
.failure .decision { margin: 0 0 0.4rem; font-weight: 600; }
pre.message, pre.gist { background: var(--red-bg); border-color: #ffcecb; }
pre.gist { font-weight: 600; }
pre.exchanges, pre.message { max-height: 36rem; overflow: auto; }
ul.entries { list-style: none; margin: 0; padding: 0; }
td code { overflow-wrap: anywhere; }
td.group { background: #fff; vertical-align: top; }
.label { color: var(--muted); font-size: 13px; margin: 0.4rem 0 0; }
.diagram { overflow-x: auto; border: 1px solid var(--line); border-radius: 6px;
  padding: 0.5rem; margin: 0.6rem 0 1rem; }
.diagram svg { display: block; max-width: 100%; height: auto; margin: 0 auto; }
svg.lifecycle g.edge:hover path + path { stroke-width: 4; }
.reason { margin: 0.6rem 0 1rem; }
.reason .why { font-weight: 600; margin: 0 0 0.2rem; }
.reason .tally { color: var(--muted); font-weight: 400; }
ul.unreachable { margin: 0; line-height: 1.7; }
ul.unreachable .area { color: var(--muted); }
ul.unreachable code { background: var(--grey-bg); border-radius: 4px; padding: 0 0.3rem;
  white-space: nowrap; }
.note { color: var(--muted); }
"""

# The columns of each area's table, beyond the state of each item: (heading, item key).
_COLUMNS: Mapping[str, tuple[tuple[str, str], ...]] = {
    "edges": (("From", "from"), ("To", "to"), ("Driven by", "by")),
    "non_edges": (("From", "from"), ("To", "to")),
    "decisions": (
        ("Decision", "decision"),
        ("Title", "title"),
        ("Reached by", "checks"),
    ),
}


@dataclass(frozen=True)
class _Matrix:
    """An area drawn as a matrix: its row keys (heading, item key), its column key, the
    columns it always has, and whether the columns are sorted (statuses) or kept in order."""

    rows: tuple[tuple[str, str], ...]
    column: str
    columns: tuple[str, ...] = ()
    ordered: bool = False


_MATRICES = {
    "statuses": _Matrix((("Operation", "operation"),), "status", ordered=True),
    "members": _Matrix(
        (("Operation", "operation"), ("Member", "member")),
        "class",
        ("valid", "invalid", "null", "omitted"),
    ),
}
# What an item's count counts, per area: the column's heading, and the verb for a hover text.
_COUNTS = {
    "statuses": ("Answers", "answered"),
    "edges": ("Driven", "driven"),
    "non_edges": ("Refused", "refused"),
    "members": ("Sent", "sent"),
    "decisions": ("Checks", "reached by"),
}
_COUNT = ("Seen", "seen")
# A message or exchange this many lines long is shown whole; a longer one is folded.
_SHORT = 12
_GIST_LINES = 12
# A cell listing more entries than this folds them under their count.
_LISTED = 3
_MARKS = {"covered": "✓", "uncovered": "✗", "unreachable": "&ndash;"}
_WORDS = {"covered": "covered", "uncovered": "missing", "unreachable": "unreachable"}


def coverage_page(coverage: Mapping[str, Any]) -> str:
    """coverage.html: the run's coverage, area by area and item by item, with the lifecycle."""
    run = coverage["run"]
    sections = [
        f"<h1>Coverage of run <code>{_e(run['id'])}</code>: {_headline(coverage)}</h1>",
        _score(coverage, big=False),
        _facts(_run_facts(run)),
        _diagram_section(coverage),
        *(_area_section(area) for area in coverage["areas"]),
        _unreachable_section(coverage["unreachable"]),
    ]
    return _document(f"Coverage: run {run['id']}", sections)


def report_page(outcomes: Mapping[str, Any], coverage: Mapping[str, Any]) -> str:
    """report.html: what the run checked, what failed and how to repeat it, and its coverage."""
    run = outcomes["run"]
    failures = outcomes["failures"]
    sections = [
        f"<h1>Contract run <code>{_e(run['id'])}</code></h1>",
        _counts(outcomes["counts"]),
        _run_section(run, outcomes["figures"]),
        _outcome_section(outcomes["table"]),
        _failures_section(failures),
        _not_checked_section(outcomes["not_checked"]),
        _coverage_summary(coverage),
    ]
    return _document(f"Contract run {run['id']}", sections)


def _document(title: str, sections: Iterable[str]) -> str:
    body = "\n".join(sections)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{_CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{_e(title)}</title>
<style>{_STYLE}</style>
</head>
<body>
{body}
</body>
</html>
"""


def _e(value: object) -> str:
    """Any value of a document as HTML text; None as nothing."""
    return "" if value is None else escape(str(value))


def _percent(covered: int, reachable: int) -> str:
    return f"{100 * covered / reachable:.1f}%" if reachable else "&ndash;"


def _run_facts(run: Mapping[str, Any]) -> list[tuple[str, str]]:
    """What both pages say about a run: where, how and with which seed it ran."""
    return [
        ("Base URL", f"<code>{_e(run['base_url'])}</code>"),
        ("Profile", _e(run["profile"])),
        ("Seed", f"<code>{_e(run['seed'])}</code>"),
        ("Workers", _e(run["workers"])),
        ("Test control", "yes (D15)" if run["test_control"] else "no: internal edges not driven"),
    ]


def _facts(facts: Iterable[tuple[str, str]]) -> str:
    """Name/value pairs whose values are already HTML."""
    rows = "".join(f"<dt>{_e(name)}</dt><dd>{value}</dd>" for name, value in facts)
    return f'<dl class="facts">{rows}</dl>'


def _headline(coverage: Mapping[str, Any]) -> str:
    """`87.5% (35/40)`: the percent, and the counts it is made of."""
    percent = float(coverage["percent"])
    return f"{percent:.1f}% ({_e(coverage['covered'])}/{_e(coverage['reachable'])})"


def _score(coverage: Mapping[str, Any], *, big: bool = True) -> str:
    """The covered share as a bar, and as a big number where no heading states it already."""
    covered, reachable = coverage["covered"], coverage["reachable"]
    percent = float(coverage["percent"])
    width = min(100.0, max(0.0, percent))
    score = f'<span class="score">{percent:.1f}%</span>' if big else ""
    return (
        f'<p class="lead">{score}'
        f"{_e(covered)} of {_e(reachable)} reachable items covered</p>"
        f'<div class="bar" title="{percent:.1f}% covered"><span style="width: {width:.1f}%">'
        "</span></div>"
    )


def _state(item: Mapping[str, Any]) -> str:
    """covered, uncovered (reachable but missed: what a reader must see) or unreachable."""
    if not item.get("reachable", True):
        return "unreachable"
    return "covered" if item.get("covered") else "uncovered"


def _why(item: Mapping[str, Any], state: str, area: str) -> str:
    """The hover text of an item's mark: the reason it is unreachable, or what covered it."""
    if item.get("reason"):
        return str(item["reason"])
    if state != "covered":
        return "reachable, and no check of this run covered it"
    count = int(item.get("count", 0))
    if area == "decisions":
        return f"reached by {count} check{'' if count == 1 else 's'}"
    return f"{_COUNTS.get(area, _COUNT)[1]} {'once' if count == 1 else f'{count} times'}"


def _edge_classes(coverage: Mapping[str, Any]) -> dict[tuple[str, str], str]:
    """The diagram's class per edge, from the edges area; a missed variant marks it uncovered."""
    rank = {"unreachable": 0, "covered": 1, "uncovered": 2}
    classes: dict[tuple[str, str], str] = {}
    for area in coverage["areas"]:
        if area["name"] != "edges":
            continue
        for item in area["items"]:
            pair = (str(item["from"]), str(item["to"]))
            state = _state(item)
            if rank[state] >= rank[classes.get(pair, "unreachable")]:
                classes[pair] = state
    return classes


def _diagram(coverage: Mapping[str, Any]) -> str:
    """The lifecycle SVG with the edges area's classes, and how to read it."""
    svg = lifecycle_svg(load().lifecycle, _edge_classes(coverage))
    return (
        '<p class="note">Hover an edge or a state for its name and what the run made of it.</p>'
        f'<div class="diagram">{svg}</div>'
    )


def _diagram_section(coverage: Mapping[str, Any]) -> str:
    heading = "<h2>The lifecycle, edge by edge</h2>"
    return f'<section id="lifecycle">{heading}{_diagram(coverage)}</section>'


def _area_section(area: Mapping[str, Any]) -> str:
    items: Sequence[Mapping[str, Any]] = area["items"]
    layout = _MATRICES.get(area["name"])
    table = _item_table(area) if layout is None else _matrix(area, layout)
    missed = sum(1 for item in items if _state(item) == "uncovered")
    tally = f"{_e(area['covered'])} of {_e(area['reachable'])} covered"
    tally += f", {missed} missing" if missed else ""
    return (
        f'<section class="area" id="area-{_e(area["name"])}"><details open>'
        f'<summary><h2>{_e(area["title"])}</h2><span class="tally">{tally}</span></summary>'
        f"{table}</details></section>"
    )


def _cell(value: Any) -> str:
    if not isinstance(value, list | tuple):
        return _e(value)
    entries = "".join(f"<li><code>{_e(entry)}</code></li>" for entry in value)
    if len(value) <= _LISTED:
        return f'<ul class="entries">{entries}</ul>'
    return (
        f'<details><summary>show {len(value)}</summary><ul class="entries">{entries}</ul></details>'
    )


def _item_table(area: Mapping[str, Any]) -> str:
    """One row per item: its own columns, how often the run reached it, and its state."""
    columns = _COLUMNS.get(area["name"], (("Item", "label"),))
    head = "".join(f"<th>{_e(heading)}</th>" for heading, _ in columns)
    counted = _COUNTS.get(area["name"], _COUNT)[0]
    rows = []
    for item in area["items"]:
        state = _state(item)
        cells = "".join(f"<td>{_cell(item.get(key))}</td>" for _, key in columns)
        rows.append(
            f'<tr class="{state}" title="{_e(item["label"])}">{cells}'
            f'<td class="num">{_e(item.get("count", 0))}</td>'
            f'<td class="mark" title="{_e(_why(item, state, area["name"]))}">'
            f"{_MARKS[state]} {_WORDS[state]}</td></tr>"
        )
    return (
        f'<table class="items"><thead><tr>{head}<th class="num">{counted}</th><th>State</th>'
        f"</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


def _matrix(area: Mapping[str, Any], layout: _Matrix) -> str:
    """A row per thing (an operation, or an operation's member), a column per what it can be
    (a status, a class of value); a blank cell is what the thing cannot be (a required member
    is never omitted), so every ✗ is something the run could have reached and did not."""
    rows_of = [key for _, key in layout.rows]
    grid: dict[tuple[str, ...], dict[str, Mapping[str, Any]]] = {}
    columns = list(layout.columns)
    for item in area["items"]:
        column = str(item[layout.column])
        grid.setdefault(tuple(str(item[key]) for key in rows_of), {})[column] = item
        if column not in columns:
            columns.append(column)
    if layout.ordered:
        columns.sort(key=lambda column: (not column.isdigit(), column))
    head = "".join(f"<th>{_e(heading)}</th>" for heading, _ in layout.rows)
    head += "".join(f'<th class="cell">{_e(column)}</th>' for column in columns)
    # Members come grouped by operation: the operation is said once, for its whole group.
    group = Counter(names[0] for names in grid) if len(layout.rows) > 1 else Counter[str]()
    rows = []
    said: set[str] = set()
    for names, cells in grid.items():
        row = [f"<td><code>{_e(name)}</code></td>" for name in names]
        if group:
            row[0] = "" if names[0] in said else _spanning(names[0], group[names[0]])
            said.add(names[0])
        for column in columns:
            found = cells.get(column)
            if found is None:
                row.append('<td class="cell none" title="not applicable"></td>')
                continue
            state = _state(found)
            why = f"{found['label']}: {_why(found, state, area['name'])}"
            row.append(f'<td class="cell {state}" title="{_e(why)}">{_MARKS[state]}</td>')
        rows.append(f"<tr>{''.join(row)}</tr>")
    return (
        f'<table class="matrix {_e(area["name"])}"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
        '<p class="note">✓ covered, ✗ missing, &ndash; unreachable, blank: not applicable; '
        "hover a cell for why.</p>"
    )


def _spanning(name: str, rows: int) -> str:
    return f'<td class="group" rowspan="{rows}"><code>{_e(name)}</code></td>'


def _unreachable_section(unreachable: Sequence[Mapping[str, Any]]) -> str:
    if not unreachable:
        return (
            '<section id="unreachable"><h2>Unreachable</h2>'
            "<p>Nothing was unreachable.</p></section>"
        )
    # One reason usually stands for many items (no test control: every internal edge), so
    # each reason is said once, with its items under it, area by area.
    grouped: dict[str, dict[str, list[str]]] = {}
    for entry in unreachable:
        reason = str(entry.get("reason") or "no reason given")
        grouped.setdefault(reason, {}).setdefault(str(entry["area"]), []).append(entry["label"])
    groups = []
    for reason, areas in grouped.items():
        lines = "".join(
            f'<li><span class="area">{_e(area)}:</span> '
            + ", ".join(f"<code>{_e(label)}</code>" for label in labels)
            + "</li>"
            for area, labels in areas.items()
        )
        many = sum(len(labels) for labels in areas.values())
        groups.append(
            f'<div class="reason"><p class="why">{_e(reason)} <span class="tally">({many})</span>'
            f'</p><ul class="unreachable">{lines}</ul></div>'
        )
    return (
        f'<section id="unreachable"><h2>Unreachable ({len(unreachable)})</h2>'
        '<p class="note">Not counted against the run: no check could reach these here, '
        f"for the reason given.</p>{''.join(groups)}</section>"
    )


def _counts(counts: Mapping[str, Any]) -> str:
    pills = "".join(
        f'<span class="pill {key[0]}">{_e(counts.get(key, 0))} {key}</span>'
        for key in ("passed", "failed", "skipped")
    )
    return f'<p class="lead">{pills}</p>'


def _run_section(run: Mapping[str, Any], figures: Mapping[str, Any]) -> str:
    facts = [
        *_run_facts(run),
        ("Started", _e(run["started"])),
        ("Duration", f"{float(run['duration_s']):.1f} s"),
        ("Requests", _e(figures["requests"])),
        (
            "Answered 429",
            f"{_e(figures['rate_limited'])} (D24, waited out: "
            f"{float(figures['waited']):.1f} s in all)",
        ),
    ]
    settings = run.get("settings") or {}
    rows = "".join(
        f"<tr><td><code>{_e(name)}</code></td><td><code>{_e(value)}</code></td></tr>"
        for name, value in settings.items()
    )
    table = (
        f"<details open><summary>Settings ({len(settings)})</summary><table><thead><tr>"
        f"<th>Setting</th><th>Value</th></tr></thead><tbody>{rows}</tbody></table></details>"
    )
    return f'<section id="run"><h2>The run</h2>{_facts(facts)}{table}</section>'


def _outcome_cell(cell: Mapping[str, Any] | None) -> str:
    if cell is None:
        return '<td class="outcome none" title="no check of this kind reaches it">&ndash;</td>'
    passed, failed, skipped = (int(cell.get(key, 0)) for key in ("passed", "failed", "skipped"))
    state = "failed" if failed else "skipped" if skipped and not passed else "passed"
    # A zero is quiet: only a count that happened takes its outcome's colour.
    shown = " / ".join(
        f'<span class="{key if count else "z"}">{count}</span>'
        for key, count in (("p", passed), ("f", failed), ("s", skipped))
    )
    title = f"{passed} passed, {failed} failed, {skipped} skipped"
    return f'<td class="outcome num {state}" title="{title}">{shown}</td>'


def _outcome_section(table: Mapping[str, Any]) -> str:
    checks: Sequence[str] = table["checks"]
    head = "".join(f"<th>{_e(check)}</th>" for check in checks)
    rows = "".join(
        f"<tr><td><code>{_e(row['operation'])}</code></td>"
        + "".join(_outcome_cell(row["cells"].get(check)) for check in checks)
        + "</tr>"
        for row in table["rows"]
    )
    return (
        '<section id="outcomes"><h2>Operations &times; checks</h2>'
        '<p class="note">Each cell: <span class="p">passed</span> / <span class="f">failed</span>'
        ' / <span class="s">skipped</span>.</p>'
        f'<table class="outcomes"><thead><tr><th>Operation</th>{head}</tr></thead>'
        f"<tbody>{rows}</tbody></table></section>"
    )


def _gist(message: str) -> str:
    """What a long pytest report says went wrong: its `E` lines, else its last line."""
    said = [line[1:] for line in message.splitlines() if line.startswith("E ")]
    if not said:
        said = [line for line in message.splitlines() if line.strip()][-1:]
    return textwrap.dedent("\n".join(said[:_GIST_LINES])).strip()


def _folded(summary: str, pre_class: str, text: str, *, open_: bool) -> str:
    lines = text.count("\n") + 1
    return (
        f"<details{' open' if open_ else ''}><summary>{summary} ({lines} lines)</summary>"
        f'<pre class="{pre_class}">{_e(text)}</pre></details>'
    )


def _failure(number: int, failure: Mapping[str, Any]) -> str:
    decision = failure.get("decision") or "names no decision"
    message = str(failure["message"])
    parts = [
        f'<section class="failure" id="failure-{number}">',
        f"<h3><code>{_e(failure['test'])}</code></h3>",
        f'<p class="decision">{_e(decision)}</p>',
    ]
    # A pytest report runs to a page of source; its E lines say what broke, so those stand
    # first and the whole report waits, folded, for whoever wants the context.
    if message.count("\n") < _SHORT:
        parts.append(f'<pre class="message">{_e(message)}</pre>')
    else:
        parts.append(f'<pre class="gist">{_e(_gist(message))}</pre>')
        parts.append(_folded("The whole message", "message", message, open_=False))
    if failure.get("reproduce"):
        parts.append('<p class="label">Reproduce</p>')
        parts.append(f'<pre class="reproduce">{_e(failure["reproduce"])}</pre>')
    if failure.get("exchanges"):
        exchanges = str(failure["exchanges"])
        opened = exchanges.count("\n") < 3 * _SHORT
        parts.append(_folded("The last requests and answers", "exchanges", exchanges, open_=opened))
    parts.append("</section>")
    return "".join(parts)


def _failures_section(failures: Sequence[Mapping[str, Any]]) -> str:
    if not failures:
        return (
            '<section id="failures"><h2>Failures</h2>'
            '<p class="verdict passed">✓ Every check that ran passed.</p></section>'
        )
    body = "".join(_failure(number, failure) for number, failure in enumerate(failures, 1))
    return f'<section id="failures"><h2>Failures ({len(failures)})</h2>{body}</section>'


def _not_checked_section(lines: Sequence[str]) -> str:
    if not lines:
        return (
            '<section id="not-checked"><h2>Not checked</h2><p>Everything was checked.</p></section>'
        )
    items = "".join(f"<li>{_e(line)}</li>" for line in lines)
    return f'<section id="not-checked"><h2>Not checked</h2><ul>{items}</ul></section>'


def _coverage_summary(coverage: Mapping[str, Any]) -> str:
    rows = []
    for area in coverage["areas"]:
        covered, reachable = int(area["covered"]), int(area["reachable"])
        missing = reachable - covered
        rows.append(
            f"<tr><td>{_e(area['title'])}</td>"
            f'<td class="num">{covered}</td><td class="num">{reachable}</td>'
            f'<td class="num">{_percent(covered, reachable)}</td>'
            f'<td class="num{" missed" if missing else ""}">{missing or "&ndash;"}</td></tr>'
        )
    return (
        '<section id="coverage"><h2>Coverage</h2>'
        f"{_score(coverage)}"
        '<table class="summary"><thead><tr><th>Area</th><th class="num">Covered</th>'
        '<th class="num">Reachable</th><th class="num">%</th><th class="num">Missing</th>'
        f"</tr></thead><tbody>{''.join(rows)}</tbody></table>"
        f"{_diagram(coverage)}"
        '<p class="note">coverage.html, next to this report, lists every item of every area.</p>'
        "</section>"
    )
