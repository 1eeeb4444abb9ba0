"""The lifecycle page: a state diagram and tables, generated from the spec's `x-lifecycle`."""

from __future__ import annotations

import json
from collections.abc import Iterable
from html import escape

from spec import Edge, Spec

# Mermaid class per state kind, so the diagram shows what the tables say.
KIND_STYLES = {
    "open": "fill:#e8f4ff,stroke:#1f6feb",
    "staged": "fill:#fff4d6,stroke:#b08800",
    "terminal": "fill:#eeeeee,stroke:#6e7781",
}


def mermaid_source(spec: Spec) -> str:
    """The lifecycle as a Mermaid state diagram: one node per state, one arrow per edge."""
    lifecycle = spec.lifecycle
    lines = ["stateDiagram-v2", f"    [*] --> {lifecycle.initial}"]
    for source, target, label in _arrows(spec):
        lines.append(f"    {source} --> {target} : {label}")
    for state in lifecycle.states.values():
        if not lifecycle.edges_from(state.name):
            lines.append(f"    {state.name} --> [*]")
    for kind, style in KIND_STYLES.items():
        lines.append(f"    classDef {kind} {style}")
    for state in lifecycle.states.values():
        lines.append(f"    class {state.name} {state.kind}")
    return "\n".join(lines) + "\n"


def _arrows(spec: Spec) -> Iterable[tuple[str, str, str]]:
    """One labelled arrow per (from, to) pair, naming the methods or `internal` that drive it."""
    labels: dict[tuple[str, str], list[str]] = {}
    for edge in spec.lifecycle.edges:
        labels.setdefault((edge.source, edge.target), []).extend(_drivers(spec, edge))
    for (source, target), drivers in labels.items():
        yield source, target, ", ".join(dict.fromkeys(drivers))


def _drivers(spec: Spec, edge: Edge) -> list[str]:
    if not edge.via:
        return [edge.by]
    return [spec.operations[operation_id].method.upper() for operation_id in edge.via]


def render(spec: Spec, *, mermaid_script: str, reference: str) -> str:
    """The whole lifecycle page as HTML, loading Mermaid from the site's own `mermaid_script`."""
    lifecycle = spec.lifecycle
    title = f"{spec.document['info']['title']}: appointment lifecycle"
    derivation = lifecycle.derivation
    complete_when = derivation.complete_when.get("description", "")
    staged = _in_order(spec, lifecycle.staged_states)
    terminal = _in_order(spec, lifecycle.terminal_states)
    derived = _in_order(spec, derivation.applies_in)
    sections = [
        f"<h1>{escape(title)}</h1>",
        f'<p><a href="{escape(reference)}">API reference</a> · generated from the spec\'s '
        "<code>x-lifecycle</code>; nothing on this page is written by hand.</p>",
        "<h2>States and transitions</h2>",
        f'<pre class="mermaid" id="lifecycle-diagram">{escape(mermaid_source(spec))}</pre>',
        _table(
            ("State", "Kind", "Meaning"),
            (
                (f"<code>{escape(s.name)}</code>", escape(s.kind), escape(s.description))
                for s in lifecycle.states.values()
            ),
            table_id="states",
        ),
        "<h2>Who moves each edge</h2>",
        _table(
            ("From", "To", "Driven by", "Through"),
            (
                (
                    f"<code>{escape(edge.source)}</code>",
                    f"<code>{escape(edge.target)}</code>",
                    escape(edge.by),
                    _operations(spec, edge),
                )
                for edge in lifecycle.edges
            ),
            table_id="edges",
        ),
        "<h2>What stays mutable</h2>",
        f"<p>In the staged states ({_codes(staged)}) only these fields may change; "
        "a request changing any other field is refused whole: "
        f"{_codes(lifecycle.staged_mutable_fields)}.</p>",
        f"<p>Terminal states ({_codes(terminal)}) refuse every change, "
        f"and so does an appointment whose <code>{escape(lifecycle.past_time_lock)}</code> "
        "has passed.</p>",
        "<h2>How PUT and PATCH set the status</h2>",
        f"<p>In {_codes(derived)} the server derives the status from the "
        f"record: <code>{escape(derivation.not_elected)}</code> while no "
        f"<code>{escape(lifecycle.elected_request_field)}</code> is elected, "
        f"<code>{escape(derivation.complete)}</code> when the data is complete, "
        f"<code>{escape(derivation.incomplete)}</code> otherwise. {escape(complete_when)}</p>",
        f"<p>The move exists, and <code>move_id</code> is set, from "
        f"<code>{escape(lifecycle.move_created_on)}</code> on.</p>",
    ]
    body = "\n".join(sections)
    init = json.dumps({"startOnLoad": True, "securityLevel": "strict"})
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 60rem; padding: 0 1rem; }}
table {{ border-collapse: collapse; margin: 1rem 0; }}
th, td {{ border: 1px solid #d0d7de; padding: 0.3rem 0.6rem; text-align: left; }}
th {{ background: #f6f8fa; }}
pre.mermaid {{ background: none; }}
</style>
</head>
<body>
{body}
<script src="{escape(mermaid_script)}"></script>
<script>mermaid.initialize({init});</script>
</body>
</html>
"""


def _operations(spec: Spec, edge: Edge) -> str:
    if not edge.via:
        return "HopDrive, not the public API"
    return ", ".join(
        f"<code>{escape(op.method.upper())} {escape(op.path)}</code>"
        for op in (spec.operations[operation_id] for operation_id in edge.via)
    )


def _in_order(spec: Spec, names: Iterable[str]) -> list[str]:
    """`names` in the order the spec lists its states, so every list reads the same way."""
    wanted = set(names)
    return [name for name in spec.lifecycle.states if name in wanted]


def _codes(names: Iterable[str]) -> str:
    return ", ".join(f"<code>{escape(name)}</code>" for name in names)


def _table(headings: tuple[str, ...], rows: Iterable[tuple[str, ...]], *, table_id: str) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headings)
    body = "\n".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f'<table id="{table_id}"><thead><tr>{head}</tr></thead><tbody>\n{body}\n</tbody></table>'
