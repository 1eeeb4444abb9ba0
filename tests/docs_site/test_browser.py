"""The built site in headless Chromium: every public operation and the lifecycle diagram render.

Screenshots go to reports/docs/ for a person (and CI's artifacts) to look at.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, Route, sync_playwright

from docs_site.build import build
from spec import Operation, Spec

ROOT = Path(__file__).parents[2]
SCREENSHOTS = ROOT / "reports" / "docs"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# As root in a closed network: no sandbox, and nothing of Chromium's own reaching out.
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
RENDER_TIMEOUT_MS = 20_000
NOT_FOUND = "No page at this address"  # Redoc's page for an address the document lacks


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, spec: Spec) -> Path:
    out = tmp_path_factory.mktemp("browser") / "site"
    build(spec, out)
    return out


@pytest.fixture(scope="module")
def browser_page() -> Iterator[tuple[Page, list[str], list[str]]]:
    """A page, the network requests it tried, and the script errors it raised."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing; `make chromium` installs Debian's chromium")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        # Debian's chromium is not pinned to a build; the report says which one ran.
        (SCREENSHOTS / "browser.txt").write_text(f"chromium {browser.version}\n", encoding="utf-8")
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        page.set_default_timeout(RENDER_TIMEOUT_MS)
        remote: list[str] = []
        errors: list[str] = []

        def refuse(route: Route) -> None:
            remote.append(route.request.url)
            route.abort()

        page.route("http*://**/*", refuse)
        page.on("pageerror", lambda error: errors.append(str(error)))
        yield page, remote, errors
        browser.close()


def _section(operation: Operation) -> str:
    """Redoc's element id for an operation: its first tag, then its lower-cased operationId."""
    return f"{operation.tags[0]}/{operation.operation_id.lower()}"


def _first_example(spec: Spec, operation: Operation) -> dict[str, Any]:
    """The request body of the operation's first example (Redoc shows it first)."""
    item: Any = spec.document["paths"][operation.path][operation.method.lower()]
    content = item.get("requestBody", {}).get("content", {}).get("application/json", {})
    examples = list(content.get("examples", {}).values())
    return dict(examples[0]["value"]) if examples else {}


def test_every_public_operation_renders_with_fields_examples_and_errors(
    browser_page: tuple[Page, list[str], list[str]], site: Path, spec: Spec
) -> None:
    page, remote, errors = browser_page
    for operation in spec.public_operations:
        section = _section(operation)
        page.goto(f"{(site / 'index.html').as_uri()}#/{section}")
        element = page.locator(f'[id="{section}"]')
        element.wait_for(state="visible")
        text = element.inner_text()
        summary = spec.document["paths"][operation.path][operation.method.lower()]["summary"]
        assert summary in text, section
        assert operation.path in text, section
        if operation.request_schema is not None:
            for name in spec.fields(operation.request_schema):
                field = page.locator(f'[id="{section}/t=request&path={name}"]')
                assert field.count() == 1, f"{section}: request field {name} not shown"
        for name in _first_example(spec, operation):
            assert f'"{name}":' in text, f"{section}: example member {name} not shown"
        statuses = page.locator(f'[id="{section}/responses"]').inner_text()
        for status in operation.responses:
            assert status in statuses, f"{section}: response {status} not listed"
        page.screenshot(path=SCREENSHOTS / f"{operation.operation_id}.png")
    assert remote == [], f"the reference reached the network: {remote}"
    assert errors == [], f"the reference raised: {errors}"


def test_internal_operation_is_not_in_the_reference(
    browser_page: tuple[Page, list[str], list[str]], site: Path, spec: Spec
) -> None:
    page, _, _ = browser_page
    internal = [operation for operation in spec.operations.values() if not operation.public]
    assert internal, "the spec has no internal operation to leave out"
    for operation in internal:
        page.goto(f"{(site / 'index.html').as_uri()}#/{_section(operation)}")
        page.get_by_text(NOT_FOUND).wait_for(state="visible")
        assert operation.operation_id not in page.content()
    page.goto((site / "index.html").as_uri())
    page.screenshot(path=SCREENSHOTS / "reference.png")


def test_lifecycle_diagram_renders_every_state(
    browser_page: tuple[Page, list[str], list[str]], site: Path, spec: Spec
) -> None:
    page, remote, errors = browser_page
    page.goto((site / "lifecycle.html").as_uri())
    diagram = page.locator("#lifecycle-diagram svg")
    diagram.wait_for(state="visible")
    nodes = page.eval_on_selector_all(
        "#lifecycle-diagram svg g.node", "nodes => nodes.map(n => n.textContent.trim())"
    )
    assert set(spec.lifecycle.states) <= set(nodes), nodes
    box = diagram.bounding_box()
    assert box is not None
    assert box["height"] > 300, f"the diagram is {box['height']}px tall"
    page.screenshot(path=SCREENSHOTS / "lifecycle.png", full_page=True)
    assert remote == [], f"the lifecycle page reached the network: {remote}"
    assert errors == [], f"the lifecycle page raised: {errors}"
