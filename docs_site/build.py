"""Building the site: Redoc's reference of the public API, the lifecycle page, their assets."""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

from docs_site import lifecycle_page
from generators.public import public_document
from generators.tools import run
from hopdrive.errors import HopDriveError
from spec import Spec

ROOT = Path(__file__).parents[1]
REDOCLY = ROOT / "node_modules" / ".bin" / "redocly"
MERMAID = ROOT / "node_modules" / "mermaid" / "dist" / "mermaid.min.js"
REFERENCE = "index.html"
LIFECYCLE = "lifecycle.html"
MERMAID_ASSET = "assets/mermaid.min.js"
SPEC_DOWNLOAD = "openapi.json"
# Redocly CLI reports usage and looks for updates over the network unless told not to.
QUIET_REDOCLY = {"REDOCLY_TELEMETRY": "off", "REDOCLY_SUPPRESS_UPDATE_NOTICE": "true"}
OWN_FILES = frozenset({REFERENCE, LIFECYCLE, SPEC_DOWNLOAD, "assets"})
TEMPLATE = Path(__file__).with_name("templates") / "reference.hbs"
# What the pages may load: their own inline code and files, never the network.
REFERENCE_POLICY = (
    "default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval' blob:; "
    "style-src 'unsafe-inline'; img-src data: blob:; font-src data:; "
    "connect-src blob: data:; worker-src blob:"
)


class DocsError(HopDriveError):
    """The site cannot be built: a tool is missing or `out` is not ours; `str()` is one line."""


def build(spec: Spec, out: Path) -> list[Path]:
    """Write the site into `out` (replacing an earlier build there); return the pages."""
    for tool in (REDOCLY, MERMAID):
        if not tool.exists():
            raise DocsError(f"{tool} is missing; `make node_modules` installs it")
    if out.exists() and not (out.is_dir() and {p.name for p in out.iterdir()} <= OWN_FILES):
        raise DocsError(f"{out} holds files that are not a docs build; choose another --out")
    with tempfile.TemporaryDirectory() as folder:
        staging = Path(folder) / "site"
        staging.mkdir()
        _reference(spec, staging)
        (staging / MERMAID_ASSET).parent.mkdir()
        shutil.copyfile(MERMAID, staging / MERMAID_ASSET)
        page = lifecycle_page.render(spec, mermaid_script=MERMAID_ASSET, reference=REFERENCE)
        (staging / LIFECYCLE).write_text(page, encoding="utf-8")
        if out.exists():
            shutil.rmtree(out)
        shutil.copytree(staging, out)
    return [out / REFERENCE, out / LIFECYCLE]


def _reference(spec: Spec, site: Path) -> None:
    """Redoc's page for the public document, scripts inlined so it needs no network to show."""
    document = public_document(spec)
    info = document["info"]
    info["description"] = (
        f"{info.get('description', '').rstrip()}\n\n"
        f"The appointment status lifecycle (states, who moves each edge, what stays mutable) "
        f"has [its own page]({LIFECYCLE}).\n"
    )
    source = site / SPEC_DOWNLOAD
    source.write_text(json.dumps(document, indent=2, sort_keys=True), encoding="utf-8")
    command = [str(REDOCLY), "build-docs", str(source), "--output", str(site / REFERENCE)]
    options = [
        "--inlineBundle",
        f"--title={info['title']}",
        f"--template={TEMPLATE}",
        f"--templateOptions.csp={REFERENCE_POLICY}",
        # The panel would send requests from the page, which its policy forbids.
        "--openapi.hideTryItPanel=true",
    ]
    run([*command, *options], "redocly", env=QUIET_REDOCLY)
