"""The lifecycle page says what the spec's `x-lifecycle` says, and changes when it does."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from docs_site.lifecycle_page import mermaid_source, render
from spec import Spec, load

ARROW = re.compile(r"^\s+(\S+) --> (\S+)(?: : (.+))?$")


def _arrows(spec: Spec) -> dict[tuple[str, str], str]:
    found = {}
    for line in mermaid_source(spec).splitlines():
        match = ARROW.match(line)
        if match:
            found[(match[1], match[2])] = match[3] or ""
    return found


def _page(spec: Spec) -> str:
    return render(spec, mermaid_script="assets/mermaid.min.js", reference="index.html")


def test_diagram_has_one_arrow_per_edge_of_the_spec(spec: Spec) -> None:
    arrows = _arrows(spec)
    for edge in spec.lifecycle.edges:
        assert (edge.source, edge.target) in arrows, edge


def test_public_arrows_name_their_methods_and_internal_ones_say_so(spec: Spec) -> None:
    arrows = _arrows(spec)
    assert arrows[("new", "ready")] == "PUT, PATCH"
    assert arrows[("ready", "paid")] == "internal"


def test_diagram_starts_at_the_initial_state_and_ends_where_no_edge_leaves(spec: Spec) -> None:
    arrows = _arrows(spec)
    assert ("[*]", spec.lifecycle.initial) in arrows
    ends = {source for source, target in arrows if target == "[*]"}
    assert ends == {"refunded", "failed"}


def test_every_state_is_classed_by_its_kind(spec: Spec) -> None:
    source = mermaid_source(spec)
    for state in spec.lifecycle.states.values():
        assert f"    class {state.name} {state.kind}\n" in source


def test_page_tables_list_every_state_and_edge(spec: Spec) -> None:
    page = _page(spec)
    states = page.split('<table id="states">')[1].split("</table>")[0]
    edges = page.split('<table id="edges">')[1].split("</table>")[0]
    for state in spec.lifecycle.states.values():
        assert f"<td><code>{state.name}</code></td><td>{state.kind}</td>" in states
    assert edges.count("<tr><td>") == len(spec.lifecycle.edges)
    assert "<code>PUT /appointments/{id}</code>, <code>PATCH /appointments/{id}</code>" in edges


def test_page_names_the_fields_that_stay_mutable_when_staged(spec: Spec) -> None:
    page = _page(spec)
    for name in spec.lifecycle.staged_mutable_fields:
        assert f"<code>{name}</code>" in page.split("What stays mutable")[1]


def test_page_loads_mermaid_from_the_site_not_a_cdn(spec: Spec) -> None:
    page = _page(spec)
    assert '<script src="assets/mermaid.min.js"></script>' in page
    assert "http://" not in page
    assert "https://" not in page


def test_an_edge_added_to_the_spec_appears_on_the_page(
    document: dict[str, Any], write_spec: Callable[[Any], Path]
) -> None:
    document["x-lifecycle"]["edges"].append({"from": "failed", "to": "canceled", "by": "internal"})
    edited = load(write_spec(document))
    assert _arrows(edited)[("failed", "canceled")] == "internal"
    assert _page(edited).count("<tr><td>") == _page(load()).count("<tr><td>") + 1
