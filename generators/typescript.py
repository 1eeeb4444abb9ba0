"""TypeScript declarations by openapi-typescript (installed pinned from npm by the Makefile)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from generators.public import write_public
from generators.tools import GeneratorError, run
from spec import Spec

DECLARATIONS = "typescript/hopdrive.d.ts"
NODE_BIN = Path(__file__).parents[1] / "node_modules" / ".bin"


def files(spec: Spec) -> dict[str, str]:
    """The declarations file, by path under generated/."""
    tool = NODE_BIN / "openapi-typescript"
    if not tool.exists():
        raise GeneratorError(f"{tool} is missing; `make node_modules` installs it")
    with tempfile.TemporaryDirectory() as folder:
        source = write_public(spec, Path(folder))
        output = Path(folder) / "hopdrive.d.ts"
        flags = ["--output", str(output), "--root-types", "--root-types-no-schema-prefix"]
        # From the temporary folder: the repository's redocly.yaml, which turns every lint
        # warning into an error for `make lint`, is not meant for the generator's own checks.
        run([str(tool), str(source), *flags], "openapi-typescript", cwd=Path(folder))
        return {DECLARATIONS: output.read_text(encoding="utf-8")}
