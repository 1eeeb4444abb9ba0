"""The appointment lifecycle as an inline SVG, each edge coloured by what a run covered."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from html import escape
from itertools import pairwise

from spec.lifecycle import Lifecycle

__all__ = ["lifecycle_svg"]

# What an edge's class says, and how it is drawn: stroke colour, width, dash pattern.
_EDGE_STYLES = {
    "covered": ("#1a7f37", 2.0, ""),
    "uncovered": ("#cf222e", 2.5, "7 4"),
    "unreachable": ("#afb8c1", 1.5, ""),
}
_EDGE_WORDS = {
    "covered": "covered",
    "uncovered": "not covered (reachable)",
    "unreachable": "unreachable",
}
# Drawn in this order, so a red edge is never hidden under a grey or green one.
_PAINT_ORDER = ("unreachable", "covered", "uncovered")
# The docs' Mermaid diagram colours states by kind the same way (docs_site/lifecycle_page.py).
_KIND_STYLES = {
    "open": ("#e8f4ff", "#1f6feb"),
    "staged": ("#fff4d6", "#b08800"),
    "terminal": ("#eeeeee", "#6e7781"),
}
_UNKNOWN_KIND = ("#ffffff", "#57606a")
_START_COLOUR = "#24292f"

_NODE_HEIGHT = 36.0
_LOOP_RISE = 24.0  # how far a self-loop stands above its state
_RANK_GAP = 76.0  # between the widest boxes of neighbouring columns
_ROW_GAP = 22.0
_DUMMY_HALF = 5.0  # half the room a long edge takes where it passes a column
_MARGIN = 24.0
_START_GAP = 34.0  # from the start dot to the initial state
_LEGEND_HEIGHT = 64.0
_LEGEND_WIDTH = 560.0
_SWEEPS = 8
_RELAXATIONS = 40

# A column's entry: a state's name, or (arrow index, rank) where a long arrow passes a column.
_Item = str | tuple[int, int]


@dataclass(frozen=True)
class _Arrow:
    """One drawn arrow: every lifecycle edge between the same two states, as the docs draw it."""

    source: str
    target: str
    drivers: str
    kind: str

    @property
    def title(self) -> str:
        return f"{self.source} -> {self.target} ({self.drivers}): {self.kind}"


@dataclass
class _Layout:
    """Where everything goes: columns of items, and each item's centre."""

    columns: list[list[_Item]]
    x: dict[_Item, float]
    y: dict[_Item, float]
    width: dict[str, float]
    loops: set[str]
    # Each non-loop arrow as laid out: its items from left to right, and whether it runs back.
    chains: dict[int, tuple[list[_Item], bool]]


def lifecycle_svg(lifecycle: Lifecycle, edges: Mapping[tuple[str, str], str]) -> str:
    """The lifecycle as SVG, each edge classed by `edges[(source, target)]` (else unreachable)."""
    arrows = _arrows(lifecycle, edges)
    layout = _lay_out(lifecycle, arrows)
    start = layout.x[lifecycle.initial] - layout.width[lifecycle.initial] / 2 - _START_GAP
    # Columns are placed from 0: shift them right so the start dot and every box fit.
    left = min(layout.x[name] - layout.width[name] / 2 for name in layout.width)
    shift = _MARGIN - min(start - 6, left)
    for item in layout.x:
        layout.x[item] += shift
    right = max(layout.x[name] + layout.width[name] / 2 for name in layout.width)
    bottom = max(layout.y[item] + _extent(layout, item)[1] for item in layout.y)
    width = max(right + _MARGIN, _LEGEND_WIDTH)
    height = bottom + _ROW_GAP + _LEGEND_HEIGHT
    paths = _paths(layout, arrows)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="lifecycle" role="img" '
        f'aria-labelledby="lifecycle-title" viewBox="0 0 {_n(width)} {_n(height)}" '
        f'width="{_n(width)}" height="{_n(height)}" '
        'font-family="system-ui, -apple-system, Segoe UI, sans-serif" font-size="13">',
        '<title id="lifecycle-title">The appointment lifecycle: states, and each edge '
        "as the run covered it</title>",
        _markers(),
        _start(layout, lifecycle.initial),
    ]
    for kind in _PAINT_ORDER:
        parts.extend(
            _edge(arrow, paths[index]) for index, arrow in enumerate(arrows) if arrow.kind == kind
        )
    parts.extend(_state(lifecycle, layout, name) for name in layout.width)
    parts.append(_legend(bottom + _ROW_GAP + 8))
    parts.append("</svg>")
    return "\n".join(parts)


def _arrows(lifecycle: Lifecycle, edges: Mapping[tuple[str, str], str]) -> list[_Arrow]:
    """One arrow per (source, target) pair, in the spec's order, naming every driver."""
    drivers: dict[tuple[str, str], list[str]] = {}
    for edge in lifecycle.edges:
        drivers.setdefault((edge.source, edge.target), []).append(edge.by)
    arrows = []
    for pair, by in drivers.items():
        kind = edges.get(pair, "unreachable")
        if kind not in _EDGE_STYLES:
            # A misspelt class would otherwise be drawn as some other class without a word.
            raise ValueError(f"edge {pair[0]} -> {pair[1]}: unknown class {kind!r}")
        arrows.append(_Arrow(pair[0], pair[1], ", ".join(dict.fromkeys(by)), kind))
    return arrows


def _lay_out(lifecycle: Lifecycle, arrows: Sequence[_Arrow]) -> _Layout:
    """Columns by longest path from the initial state, rows by barycentre, then relaxed."""
    states = list(lifecycle.states)
    back = _back_arrows(lifecycle.initial, states, arrows)
    ranks = _ranks(states, arrows, back)
    columns: list[list[_Item]] = [[] for _ in range(max(ranks.values()) + 1)]
    for name in states:
        columns[ranks[name]].append(name)
    chains: dict[int, tuple[list[_Item], bool]] = {}
    for index, arrow in enumerate(arrows):
        if arrow.source == arrow.target:
            continue
        left, right = (
            (arrow.target, arrow.source) if index in back else (arrow.source, arrow.target)
        )
        passing = [(index, rank) for rank in range(ranks[left] + 1, ranks[right])]
        for item in passing:
            columns[item[1]].append(item)
        chain: list[_Item] = [left, *passing, right]
        chains[index] = (chain, index in back)
    links = _links(chains.values())
    _order(columns, links)
    loops = {arrow.source for arrow in arrows if arrow.source == arrow.target}
    width = {name: max(84.0, 7.6 * len(name) + 28) for name in states}
    layout = _Layout(columns, {}, {}, width, loops, chains)
    _place(layout, links)
    return layout


def _back_arrows(initial: str, states: Sequence[str], arrows: Sequence[_Arrow]) -> set[int]:
    """The arrows that close a cycle, found depth first from the initial state in spec order."""
    leaving: dict[str, list[tuple[int, str]]] = {name: [] for name in states}
    for index, arrow in enumerate(arrows):
        if arrow.source != arrow.target:
            leaving[arrow.source].append((index, arrow.target))
    back: set[int] = set()
    done: set[str] = set()
    path: list[str] = []

    def visit(name: str) -> None:
        path.append(name)
        for index, target in leaving[name]:
            if target in path:
                back.add(index)
            elif target not in done:
                visit(target)
        path.pop()
        done.add(name)

    for root in [initial, *states]:
        if root not in done:
            visit(root)
    return back


def _ranks(states: Sequence[str], arrows: Sequence[_Arrow], back: set[int]) -> dict[str, int]:
    """Each state's column: the longest path to it once the cycles' arrows are turned round."""
    forward = [
        (arrow.target, arrow.source) if index in back else (arrow.source, arrow.target)
        for index, arrow in enumerate(arrows)
        if arrow.source != arrow.target
    ]
    ranks = dict.fromkeys(states, 0)
    # A DAG of n states settles within n rounds; the loop stops as soon as nothing moves.
    for _ in states:
        moved = False
        for left, right in forward:
            if ranks[right] < ranks[left] + 1:
                ranks[right] = ranks[left] + 1
                moved = True
        if not moved:
            break
    return ranks


def _links(chains: Iterable[tuple[list[_Item], bool]]) -> dict[_Item, list[_Item]]:
    """Each item's neighbours in the next and the previous column."""
    links: dict[_Item, list[_Item]] = {}
    for items, _ in chains:
        for left, right in pairwise(items):
            links.setdefault(left, []).append(right)
            links.setdefault(right, []).append(left)
    return links


def _order(columns: list[list[_Item]], links: Mapping[_Item, list[_Item]]) -> None:
    """Rows within each column by the barycentre of their neighbours, keeping the fewest
    crossings seen; ties keep the spec's order, so the result never depends on chance."""
    best = [list(column) for column in columns]
    fewest = _crossings(columns, links)
    for sweep in range(_SWEEPS):
        downward = sweep % 2 == 0
        ranks = range(1, len(columns)) if downward else range(len(columns) - 2, -1, -1)
        for rank in ranks:
            fixed = columns[rank - 1 if downward else rank + 1]
            row = {item: position for position, item in enumerate(fixed)}
            current = {item: position for position, item in enumerate(columns[rank])}
            columns[rank].sort(key=lambda item: _barycentre(item, links, row, current))
        crossings = _crossings(columns, links)
        if crossings < fewest:
            fewest, best = crossings, [list(column) for column in columns]
    columns[:] = best


def _barycentre(
    item: _Item,
    links: Mapping[_Item, list[_Item]],
    row: Mapping[_Item, int],
    current: Mapping[_Item, int],
) -> tuple[float, int]:
    """Where an item wants to sit: its neighbours' mean row, or where it is when it has none;
    then where it is, to break ties."""
    near = [row[other] for other in links.get(item, ()) if other in row]
    return (sum(near) / len(near) if near else float(current[item]), current[item])


def _crossings(columns: Sequence[list[_Item]], links: Mapping[_Item, list[_Item]]) -> int:
    """How many pairs of links between neighbouring columns cross."""
    total = 0
    for left, right in pairwise(columns):
        row = {item: position for position, item in enumerate(right)}
        pairs = [
            (position, row[other])
            for position, item in enumerate(left)
            for other in links.get(item, ())
            if other in row
        ]
        total += sum(
            1 for a, (p, q) in enumerate(pairs) for r, s in pairs[a + 1 :] if (p - r) * (q - s) < 0
        )
    return total


def _extent(layout: _Layout, item: _Item) -> tuple[float, float]:
    """How far an item reaches above and below its centre (a self-loop stands above)."""
    if isinstance(item, tuple):
        return _DUMMY_HALF, _DUMMY_HALF
    rise = _LOOP_RISE if item in layout.loops else 0.0
    return _NODE_HEIGHT / 2 + rise, _NODE_HEIGHT / 2


def _place(layout: _Layout, links: Mapping[_Item, list[_Item]]) -> None:
    """x by column; y pulled towards the neighbours' mean, never closer than the room needed."""
    x = 0.0
    previous = 0.0
    for rank, column in enumerate(layout.columns):
        widest = max((layout.width[i] for i in column if isinstance(i, str)), default=0.0)
        x += 0.0 if rank == 0 else previous / 2 + _RANK_GAP + widest / 2
        previous = widest
        offset = 0.0
        for item in column:
            layout.x[item] = x
            layout.y[item] = offset
            offset += sum(_extent(layout, item)) + _ROW_GAP
    for round_ in range(_RELAXATIONS):
        ranks = range(len(layout.columns))
        for rank in ranks if round_ % 2 == 0 else reversed(ranks):
            column = layout.columns[rank]
            wanted = []
            for item in column:
                near = [layout.y[other] for other in links.get(item, ())]
                wanted.append(sum(near) / len(near) if near else layout.y[item])
            # Separations as offsets: then keeping order and room is a monotone fit (PAV).
            offsets = [0.0]
            for upper, lower in pairwise(column):
                room = _extent(layout, upper)[1] + _extent(layout, lower)[0] + _ROW_GAP
                offsets.append(offsets[-1] + room)
            fitted = _monotone([w - o for w, o in zip(wanted, offsets, strict=True)])
            for item, value, o in zip(column, fitted, offsets, strict=True):
                layout.y[item] = value + o
    top = min(layout.y[item] - _extent(layout, item)[0] for item in layout.y)
    for item in layout.y:
        layout.y[item] = round(layout.y[item] - top + _MARGIN, 1)


def _monotone(values: Sequence[float]) -> list[float]:
    """The non-decreasing sequence nearest `values` in squares: pool adjacent violators."""
    blocks: list[tuple[float, int]] = []
    for value in values:
        total, count = value, 1
        while blocks and blocks[-1][0] / blocks[-1][1] > total / count:
            before, many = blocks.pop()
            total, count = total + before, count + many
        blocks.append((total, count))
    return [total / count for total, count in blocks for _ in range(count)]


def _paths(layout: _Layout, arrows: Sequence[_Arrow]) -> list[str]:
    """Each arrow's path data: a loop above its state, or a curve through the columns."""
    ports = _ports(layout)
    paths = []
    for index, arrow in enumerate(arrows):
        if index not in layout.chains:
            x, y = layout.x[arrow.source], layout.y[arrow.source] - _NODE_HEIGHT / 2
            paths.append(
                f"M{_n(x - 11)},{_n(y)} C{_n(x - 22)},{_n(y - _LOOP_RISE - 4)} "
                f"{_n(x + 22)},{_n(y - _LOOP_RISE - 4)} {_n(x + 11)},{_n(y)}"
            )
            continue
        items, backwards = layout.chains[index]
        points = [ports[(index, "out")]]
        points += [(layout.x[item], layout.y[item]) for item in items[1:-1]]
        points.append(ports[(index, "in")])
        if backwards:
            points.reverse()
        paths.append(_curve(points))
    return paths


def _ports(layout: _Layout) -> dict[tuple[int, str], tuple[float, float]]:
    """Where each arrow leaves a state's right side and enters the next state's left side,
    spread over the side in the order of the arrows' other ends, so they do not cross there."""
    sides: dict[tuple[str, str], list[tuple[float, int]]] = {}
    for index, (items, _) in layout.chains.items():
        first, second, last, before_last = items[0], items[1], items[-1], items[-2]
        assert isinstance(first, str)
        assert isinstance(last, str)
        sides.setdefault((first, "out"), []).append((layout.y[second], index))
        sides.setdefault((last, "in"), []).append((layout.y[before_last], index))
    ports: dict[tuple[int, str], tuple[float, float]] = {}
    for (name, side), ends in sides.items():
        ends.sort()
        step = min(7.0, (_NODE_HEIGHT - 12) / max(1, len(ends) - 1))
        half = layout.width[name] / 2
        x = layout.x[name] + (half if side == "out" else -half)
        for position, (_, index) in enumerate(ends):
            ports[(index, side)] = (x, layout.y[name] + (position - (len(ends) - 1) / 2) * step)
    return ports


def _curve(points: Sequence[tuple[float, float]]) -> str:
    """A smooth path through `points`: level where it leaves and enters a state, and
    Catmull-Rom through the columns between, so a long edge bends once, not at every column."""
    last = len(points) - 1
    tangents = []
    for i, (x, _) in enumerate(points):
        if i in (0, last):
            # Level at a state's side; 1.5 times the run puts the handles halfway across.
            run = points[1][0] - x if i == 0 else x - points[-2][0]
            tangents.append((1.5 * run, 0.0))
        else:
            tangents.append(
                (
                    (points[i + 1][0] - points[i - 1][0]) / 2,
                    (points[i + 1][1] - points[i - 1][1]) / 2,
                )
            )
    data = [f"M{_n(points[0][0])},{_n(points[0][1])}"]
    for i in range(last):
        (x, y), (nx, ny) = points[i], points[i + 1]
        (tx, ty), (ux, uy) = tangents[i], tangents[i + 1]
        data.append(
            f"C{_n(x + tx / 3)},{_n(y + ty / 3)} {_n(nx - ux / 3)},{_n(ny - uy / 3)} "
            f"{_n(nx)},{_n(ny)}"
        )
    return " ".join(data)


def _markers() -> str:
    """One arrowhead per edge class and one for the start, sized in the picture's units so
    that a thick edge does not get a bigger head."""
    colours = {kind: colour for kind, (colour, _, _) in _EDGE_STYLES.items()}
    markers = [
        f'<marker id="lifecycle-arrow-{kind}" viewBox="0 0 10 10" refX="9" refY="5" '
        'markerWidth="9" markerHeight="9" markerUnits="userSpaceOnUse" orient="auto">'
        f'<path d="M0,0 L10,5 L0,10 z" fill="{colour}"/></marker>'
        for kind, colour in {**colours, "start": _START_COLOUR}.items()
    ]
    return "<defs>" + "".join(markers) + "</defs>"


def _stroke(kind: str) -> str:
    colour, width, dash = _EDGE_STYLES[kind]
    dashes = f' stroke-dasharray="{dash}"' if dash else ""
    return f'stroke="{colour}" stroke-width="{_n(width)}"{dashes}'


def _edge(arrow: _Arrow, path: str) -> str:
    # The wide transparent copy gives the pointer something to hover for the title.
    return (
        f'<g class="edge {arrow.kind}" data-from="{escape(arrow.source)}" '
        f'data-to="{escape(arrow.target)}"><title>{escape(arrow.title)}</title>'
        f'<path d="{path}" fill="none" stroke="transparent" stroke-width="10"/>'
        f'<path d="{path}" fill="none" {_stroke(arrow.kind)} '
        f'marker-end="url(#lifecycle-arrow-{arrow.kind})"/></g>'
    )


def _start(layout: _Layout, initial: str) -> str:
    """The dot that points at the initial state, as Mermaid's `[*]` does."""
    x = layout.x[initial] - layout.width[initial] / 2
    y = layout.y[initial]
    return (
        f'<g class="start"><title>start: {escape(initial)}</title>'
        f'<circle cx="{_n(x - _START_GAP)}" cy="{_n(y)}" r="6" fill="{_START_COLOUR}"/>'
        f'<path d="M{_n(x - _START_GAP + 6)},{_n(y)} L{_n(x)},{_n(y)}" '
        f'stroke="{_START_COLOUR}" stroke-width="1.5" marker-end="url(#lifecycle-arrow-start)"/>'
        "</g>"
    )


def _state(lifecycle: Lifecycle, layout: _Layout, name: str) -> str:
    kind = lifecycle.states[name].kind
    fill, stroke = _KIND_STYLES.get(kind, _UNKNOWN_KIND)
    width = layout.width[name]
    x, y = layout.x[name], layout.y[name]
    return (
        f'<g class="state {escape(kind)}" data-state="{escape(name)}">'
        f"<title>{escape(name)} ({escape(kind)})</title>"
        f'<rect x="{_n(x - width / 2)}" y="{_n(y - _NODE_HEIGHT / 2)}" width="{_n(width)}" '
        f'height="{_n(_NODE_HEIGHT)}" rx="8" fill="{fill}" stroke="{stroke}" stroke-width="1.5"/>'
        f'<text x="{_n(x)}" y="{_n(y)}" text-anchor="middle" dominant-baseline="central" '
        f'fill="#1f2328">{escape(name)}</text></g>'
    )


def _legend(top: float) -> str:
    """What the colours mean: the three edge classes, then the three kinds of state."""
    parts = [f'<g class="legend" transform="translate({_n(_MARGIN)},{_n(top)})">']
    x = 0.0
    for kind in ("covered", "uncovered", "unreachable"):
        parts.append(
            f'<path d="M{_n(x)},10 L{_n(x + 34)},10" {_stroke(kind)} '
            f'marker-end="url(#lifecycle-arrow-{kind})"/>'
            f'<text x="{_n(x + 42)}" y="10" dominant-baseline="central" fill="#1f2328">'
            f"{_EDGE_WORDS[kind]}</text>"
        )
        x += 60 + 7.2 * len(_EDGE_WORDS[kind])
    x = 0.0
    for kind, (fill, stroke) in _KIND_STYLES.items():
        parts.append(
            f'<rect x="{_n(x)}" y="30" width="30" height="18" rx="5" fill="{fill}" '
            f'stroke="{stroke}" stroke-width="1.5"/>'
            f'<text x="{_n(x + 38)}" y="39" dominant-baseline="central" fill="#1f2328">'
            f"{kind} state</text>"
        )
        x += 130
    parts.append("</g>")
    return "".join(parts)


def _n(value: float) -> str:
    """A coordinate as short, stable text: one decimal, no trailing `.0`."""
    text = f"{value:.1f}".removesuffix(".0")
    return "0" if text == "-0" else text
