"""contract_tests/diagram.py: the lifecycle drawn as SVG, each edge classed by its coverage."""

from __future__ import annotations

import dataclasses
import itertools
import re
import xml.etree.ElementTree as ElementTree

import pytest

from contract_tests.diagram import lifecycle_svg
from spec import Edge, Lifecycle, Spec, State

SVG = "{http://www.w3.org/2000/svg}"


def _tree(svg: str) -> ElementTree.Element:
    return ElementTree.fromstring(svg)


def _edges(root: ElementTree.Element) -> dict[tuple[str, str], ElementTree.Element]:
    """Each drawn edge by (from, to)."""
    return {
        (g.attrib["data-from"], g.attrib["data-to"]): g
        for g in root.iter(f"{SVG}g")
        if g.attrib.get("class", "").startswith("edge ")
    }


def _states(root: ElementTree.Element) -> dict[str, ElementTree.Element]:
    return {g.attrib["data-state"]: g for g in root.iter(f"{SVG}g") if "data-state" in g.attrib}


def _box(state: ElementTree.Element) -> tuple[float, float, float, float]:
    rect = state.find(f"{SVG}rect")
    assert rect is not None
    x, y = float(rect.attrib["x"]), float(rect.attrib["y"])
    return x, y, x + float(rect.attrib["width"]), y + float(rect.attrib["height"])


def _pairs(lifecycle: Lifecycle) -> list[tuple[str, str]]:
    return list(dict.fromkeys((edge.source, edge.target) for edge in lifecycle.edges))


def _tiny(spec: Spec, states: dict[str, str], edges: list[tuple[str, str, str]]) -> Lifecycle:
    """The spec's lifecycle with other states (name -> kind) and edges (from, to, by)."""
    return dataclasses.replace(
        spec.lifecycle,
        initial=next(iter(states)),
        states={name: State(name, kind, name) for name, kind in states.items()},  # type: ignore[arg-type]
        edges=tuple(Edge(source, target, by) for source, target, by in edges),  # type: ignore[arg-type]
    )


def test_every_state_is_drawn_with_its_name(spec: Spec) -> None:
    states = _states(_tree(lifecycle_svg(spec.lifecycle, {})))
    assert list(states) == list(spec.lifecycle.states)
    for name, group in states.items():
        assert "".join(group.itertext()).endswith(name)
        assert group.attrib["class"] == f"state {spec.lifecycle.states[name].kind}"


def test_every_edge_is_one_element_titled_with_its_ends_driver_and_class(spec: Spec) -> None:
    covered = ("new", "ready")
    edges = _edges(_tree(lifecycle_svg(spec.lifecycle, {covered: "covered"})))
    assert sorted(edges) == sorted(_pairs(spec.lifecycle))
    for (source, target), group in edges.items():
        title = group.find(f"{SVG}title")
        assert title is not None
        by = next(e.by for e in spec.lifecycle.edges if (e.source, e.target) == (source, target))
        kind = "covered" if (source, target) == covered else "unreachable"
        assert title.text == f"{source} -> {target} ({by}): {kind}"


def test_each_edge_takes_its_class_from_the_mapping_and_a_missing_one_is_unreachable(
    spec: Spec,
) -> None:
    mapping = {("new", "ready"): "covered", ("new", "pending"): "uncovered"}
    edges = _edges(_tree(lifecycle_svg(spec.lifecycle, mapping)))
    assert edges[("new", "ready")].attrib["class"] == "edge covered"
    assert edges[("new", "pending")].attrib["class"] == "edge uncovered"
    assert edges[("ready", "paying")].attrib["class"] == "edge unreachable"


def test_the_three_classes_are_drawn_green_red_dashed_and_grey(spec: Spec) -> None:
    mapping = {("new", "ready"): "covered", ("new", "pending"): "uncovered"}
    edges = _edges(_tree(lifecycle_svg(spec.lifecycle, mapping)))

    def stroke(pair: tuple[str, str]) -> dict[str, str]:
        # The last path is the visible one; the first is the wide transparent hover target.
        return edges[pair].findall(f"{SVG}path")[-1].attrib

    assert stroke(("new", "ready"))["stroke"] == "#1a7f37"
    assert stroke(("new", "pending"))["stroke"] == "#cf222e"
    assert "stroke-dasharray" in stroke(("new", "pending"))
    assert stroke(("ready", "paying"))["stroke"] == "#afb8c1"


def test_every_arrowhead_is_a_marker_the_svg_defines(spec: Spec) -> None:
    root = _tree(lifecycle_svg(spec.lifecycle, {("new", "ready"): "covered"}))
    defined = {marker.attrib["id"] for marker in root.iter(f"{SVG}marker")}
    used = {
        re.fullmatch(r"url\(#(.+)\)", path.attrib["marker-end"]).group(1)  # type: ignore[union-attr]
        for path in root.iter(f"{SVG}path")
        if "marker-end" in path.attrib
    }
    assert used
    assert used <= defined


def test_a_self_loop_is_a_small_loop_on_top_of_its_state(spec: Spec) -> None:
    root = _tree(lifecycle_svg(spec.lifecycle, {}))
    left, top, right, _ = _box(_states(root)["new"])
    path = _edges(root)[("new", "new")].findall(f"{SVG}path")[-1].attrib["d"]
    numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", path)]
    xs, ys = numbers[0::2], numbers[1::2]
    assert ys[0] == ys[-1] == top, "the loop leaves and enters the top of its box"
    assert left < xs[0] < xs[-1] < right
    assert top - 40 < min(ys) < top


def test_no_two_states_overlap(spec: Spec) -> None:
    boxes = [_box(state) for state in _states(_tree(lifecycle_svg(spec.lifecycle, {}))).values()]
    for a, b in itertools.combinations(boxes, 2):
        apart = a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1]
        assert apart, f"{a} overlaps {b}"


def test_every_state_and_edge_lies_inside_the_picture(spec: Spec) -> None:
    root = _tree(lifecycle_svg(spec.lifecycle, {}))
    _, _, width, height = (float(v) for v in root.attrib["viewBox"].split())
    for path in root.iter(f"{SVG}path"):
        numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", path.attrib["d"])]
        assert all(0 <= x <= width for x in numbers[0::2]), path.attrib["d"]
        assert all(0 <= y <= height for y in numbers[1::2]), path.attrib["d"]


def test_a_legend_says_what_each_class_and_kind_means(spec: Spec) -> None:
    root = _tree(lifecycle_svg(spec.lifecycle, {}))
    legend = next(g for g in root.iter(f"{SVG}g") if g.attrib.get("class") == "legend")
    words = "".join(legend.itertext())
    for meaning in ("covered", "not covered", "unreachable", "open", "staged", "terminal"):
        assert meaning in words


def test_the_same_input_gives_the_same_bytes_whatever_the_mapping_order(spec: Spec) -> None:
    pairs = _pairs(spec.lifecycle)
    mapping = {pair: ("covered", "uncovered", "unreachable")[i % 3] for i, pair in enumerate(pairs)}
    reordered = dict(reversed(mapping.items()))
    first = lifecycle_svg(spec.lifecycle, mapping)
    assert lifecycle_svg(spec.lifecycle, mapping) == first
    assert lifecycle_svg(spec.lifecycle, reordered) == first


def test_names_are_escaped(spec: Spec) -> None:
    odd = 'a<b>&"c'
    lifecycle = _tiny(spec, {"start": "open", odd: "terminal"}, [("start", odd, "internal")])
    svg = lifecycle_svg(lifecycle, {("start", odd): "uncovered"})
    assert odd not in svg
    root = _tree(svg)
    assert odd in _states(root)
    assert _edges(root)[("start", odd)].attrib["class"] == "edge uncovered"


def test_edges_between_the_same_states_are_drawn_once_naming_every_driver(spec: Spec) -> None:
    lifecycle = _tiny(
        spec,
        {"a": "open", "b": "staged", "c": "terminal"},
        [
            ("a", "b", "public"),
            ("a", "b", "internal"),
            ("b", "a", "public"),
            ("a", "c", "internal"),
        ],
    )
    edges = _edges(_tree(lifecycle_svg(lifecycle, {("a", "b"): "covered"})))
    assert sorted(edges) == [("a", "b"), ("a", "c"), ("b", "a")]
    title = edges[("a", "b")].find(f"{SVG}title")
    assert title is not None
    assert title.text == "a -> b (public, internal): covered"


def test_an_unknown_class_is_refused_rather_than_drawn_as_another(spec: Spec) -> None:
    with pytest.raises(ValueError, match="coverd"):
        lifecycle_svg(spec.lifecycle, {("new", "ready"): "coverd"})
