"""`hopdrive-docs` builds a self-contained site of the public API, and refuses bad input."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from docs_site.build import DocsError, build
from docs_site.cli import EXIT_SETUP, main
from spec import Spec

# A page that fetches from elsewhere: a script, stylesheet, image or font with a remote address.
REMOTE_LOAD = re.compile(r"""<(?:script|link|img)[^>]+(?:src|href)=["']?(?:https?:)?//""", re.I)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, spec: Spec) -> Path:
    out = tmp_path_factory.mktemp("docs") / "site"
    build(spec, out)
    return out


def test_site_has_the_reference_the_lifecycle_page_and_mermaid(site: Path) -> None:
    names = {str(p.relative_to(site)) for p in site.rglob("*") if p.is_file()}
    assert names == {"index.html", "lifecycle.html", "openapi.json", "assets/mermaid.min.js"}


def test_reference_leaves_out_the_internal_operation_and_its_tag(site: Path, spec: Spec) -> None:
    page = (site / "index.html").read_text(encoding="utf-8")
    published = json.loads((site / "openapi.json").read_text(encoding="utf-8"))
    for operation in spec.operations.values():
        assert (operation.operation_id in page) == operation.public, operation.operation_id
    assert "/_test/" not in json.dumps(published["paths"])
    assert [tag["name"] for tag in published["tags"]] == ["appointments", "moves"]


def test_reference_links_to_the_lifecycle_page(site: Path) -> None:
    assert 'href="lifecycle.html"' in (site / "index.html").read_text(encoding="utf-8")


def test_pages_load_nothing_from_the_network(site: Path) -> None:
    for page in ("index.html", "lifecycle.html"):
        text = (site / page).read_text(encoding="utf-8")
        assert not REMOTE_LOAD.search(text), page
    policy = (site / "index.html").read_text(encoding="utf-8").split("Content-Security-Policy")[1]
    assert "default-src &#x27;none&#x27;" in policy.split(">")[0]


def test_rebuilding_replaces_the_earlier_build(tmp_path: Path, spec: Spec) -> None:
    out = tmp_path / "site"
    build(spec, out)
    (out / "assets" / "mermaid.min.js").write_text("stale", encoding="utf-8")
    build(spec, out)
    assert (out / "assets" / "mermaid.min.js").stat().st_size > 1_000_000


def test_a_folder_holding_other_files_is_refused_and_kept(tmp_path: Path, spec: Spec) -> None:
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(DocsError, match="not a docs build"):
        build(spec, tmp_path)
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_cli_reports_a_broken_spec_in_one_line(
    tmp_path: Path,
    document: dict[str, Any],
    write_spec: Callable[[Any], Path],
    capsys: pytest.CaptureFixture[str],
) -> None:
    del document["paths"]
    code = main(["--spec", str(write_spec(document)), "--out", str(tmp_path / "site")])
    error = capsys.readouterr().err
    assert code == EXIT_SETUP
    assert error.startswith("hopdrive-docs: error: ")
    assert error.count("\n") == 1
    assert not (tmp_path / "site").exists()
