"""The code's shape: no import cycle, no test reaching into private names, no repeated runs."""

from __future__ import annotations

import ast
import io
import keyword
import tokenize
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("spec", "generators", "contract_tests", "mock_server", "gate", "docs_site", "hopdrive")
# Code that is not shipped but is read and changed all the same.
OTHER_CODE = ("tests", "bench", "testbeds")
# A run of this many lines, the same or the same but for names and values, is a helper missed.
RUN = 6


def _files(*tops: str) -> Iterator[Path]:
    for top in tops:
        yield from sorted((ROOT / top).rglob("*.py"))


def _module(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, modules: set[str]) -> Iterator[str]:
    """The project modules `path` imports, wherever in the file the import stands."""
    here = _module(path)
    package = here if path.name == "__init__.py" else here.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names if alias.name in modules)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}".rstrip(".")
            for alias in node.names:
                name = f"{base}.{alias.name}"
                if name in modules:
                    yield name
                elif base in modules:
                    yield base


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1 or node in graph[node]:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_module_imports_itself_back() -> None:
    paths = list(_files(*PACKAGES, *OTHER_CODE))
    modules = {_module(path) for path in paths}
    graph = {_module(path): set(_imports(path, modules)) - {_module(path)} for path in paths}
    cycles = _cycles(graph)
    assert not cycles, "\n".join(" <-> ".join(cycle) for cycle in cycles)


def _private_uses(path: Path) -> Iterator[str]:
    """Where `path` touches a `_name` of another module: attribute, import or setattr text."""
    tree = ast.parse(path.read_text(), str(path))
    own = {
        node.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
    }

    def private(name: str) -> bool:
        return name.startswith("_") and not name.startswith("__")

    for node in ast.walk(tree):
        where = f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', 0)}"
        if isinstance(node, ast.ImportFrom):
            for alias in node.names:
                if private(alias.name):
                    yield f"{where}: imports {alias.name}"
        elif isinstance(node, ast.Attribute) and private(node.attr):
            holder = node.value
            if not (isinstance(holder, ast.Name) and holder.id in {"self", "cls", *own}):
                yield f"{where}: .{node.attr}"
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute | ast.Name):
            called = node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id
            if called in {"setattr", "getattr", "delattr", "hasattr"}:
                for argument in node.args:
                    text = argument.value if isinstance(argument, ast.Constant) else None
                    if isinstance(text, str) and private(text):
                        yield f"{where}: {called}(..., {text!r})"


def test_no_test_touches_a_private_name_of_another_module() -> None:
    uses = [use for path in _files("tests", "testbeds") for use in _private_uses(path)]
    assert not uses, "\n".join(uses)


class Line(NamedTuple):
    """One line that says something."""

    row: int
    text: str  # as written, without its comment
    shape: str  # names, strings and numbers made alike


def _lines(path: Path) -> list[Line]:
    """Each line that says something: its number, its text, and its shape (names, strings and
    numbers made alike). Blank lines, comments, docstrings, imports and brackets say nothing."""
    rows: dict[int, list[str]] = defaultdict(list)
    statement: list[tokenize.TokenInfo] = []
    source = path.read_text()
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type in (tokenize.COMMENT, tokenize.NL, tokenize.INDENT, tokenize.DEDENT):
            continue
        if token.type not in (tokenize.NEWLINE, tokenize.ENDMARKER):
            statement.append(token)
            continue
        first = statement[0] if statement else None
        said = first is not None and not (
            (first.type == tokenize.STRING and len(statement) == 1)
            or (first.type == tokenize.NAME and first.string in {"import", "from"})
        )
        for part in statement if said else ():
            rows[part.start[0]].append(_SHAPE.get(part.type, part.string))
            if part.type == tokenize.NAME and keyword.iskeyword(part.string):
                rows[part.start[0]][-1] = part.string
        statement = []
    text = source.splitlines()
    return [
        Line(row, text[row - 1].split("#")[0].strip(), " ".join(rows[row]))
        for row in sorted(rows)
        if " ".join(rows[row]).strip("()[]{},:; ")
    ]


_SHAPE = {tokenize.NAME: "n", tokenize.STRING: "s", tokenize.NUMBER: "0"}
# Tokens that give a shape no substance: a run made of little else is data or a call's
# arguments, alike everywhere (`name="text",`), and is no helper missed.
_THIN = frozenset({"n", "s", "0", ",", "(", ")", "[", "]", "{", "}", ":", "=", ".", "None"})
_THIN |= {"->", "|", "*", "**", "True", "False"}
_HEADERS = ("def ", "async def ", "class ", "@ ")
# A run standing in more places than this is an idiom of the language, not a missed helper.
_IDIOM = 8


def _repeats(runs: dict[tuple[str, ...], list[str]]) -> list[str]:
    return [
        " ~ ".join(where) + "\n    " + "\n    ".join(run)
        for run, where in runs.items()
        if 2 <= len(where) <= _IDIOM
    ]


def test_no_run_of_lines_stands_twice() -> None:
    same: dict[tuple[str, ...], list[str]] = defaultdict(list)
    alike: dict[tuple[str, ...], list[str]] = defaultdict(list)
    for path in _files(*PACKAGES, *OTHER_CODE):
        lines = _lines(path)
        ends: dict[tuple[str, ...], int] = {}
        for start in range(len(lines) - RUN + 1):
            window = lines[start : start + RUN]
            # A run that reaches into the next definition is two pieces, no one helper's body.
            if any(line.shape.startswith(_HEADERS) for line in window[1:]):
                continue
            place = f"{path.relative_to(ROOT)}:{window[0].row}"
            for runs, run in (
                (same, tuple(line.text for line in window)),
                (alike, tuple(line.shape for line in window)),
            ):
                # A run overlapping its own last place in the file is one repetitive run.
                if ends.get(run, -1) >= window[0].row:
                    continue
                ends[run] = window[-1].row
                substance = sum(token not in _THIN for shape in run for token in shape.split())
                if runs is same or substance >= 4:
                    runs[run].append(place)
    repeated = _repeats(same) + _repeats(alike)
    assert not repeated, "\n".join(repeated)


@pytest.mark.parametrize("package", PACKAGES)
def test_each_package_says_what_it_offers(package: str) -> None:
    init = ast.parse((ROOT / package / "__init__.py").read_text())
    docstring = ast.get_docstring(init) or ""
    assert docstring, f"{package}/__init__.py has no docstring"
    assert "\n" not in docstring.strip(), f"{package}: the docstring is one line"
    assert "filled in" not in docstring, docstring
    assert "to come" not in docstring, docstring
    exported = [
        node
        for node in init.body
        if isinstance(node, ast.Assign)
        and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets)
    ]
    assert exported, f"{package}/__init__.py has no __all__"


def _layout_entries() -> set[str]:
    """The files the README's layout names, as paths: each entry under its folders."""
    readme = (ROOT / "README.md").read_text()
    block = readme.split("## Layout", 1)[1].split("```text", 1)[1].split("```", 1)[0]
    folders: list[tuple[int, str]] = []
    named = set()
    for line in block.splitlines():
        if not line.strip():
            continue
        depth = len(line) - len(line.lstrip())
        entry = line.split()[0]
        folders = [(d, f) for d, f in folders if d < depth]
        path = "".join(f for _, f in folders) + entry
        if entry.endswith("/"):
            folders.append((depth, entry))
        named.add(path)
    return named


def test_readme_layout_names_every_module() -> None:
    modules = {
        str(path.relative_to(ROOT))
        for path in _files(*PACKAGES, "testbeds", "bench")
        if path.name != "__init__.py" or path.parent.parent != ROOT
    }
    assert sorted(modules - _layout_entries()) == []
