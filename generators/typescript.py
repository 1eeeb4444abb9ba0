"""TypeScript declarations by openapi-typescript (installed pinned from npm by the Makefile)."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

from generators.public import write_public
from generators.python_stubs import GeneratorError
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
        result = subprocess.run(
            [
                str(tool),
                str(source),
                "--output",
                str(output),
                "--root-types",
                "--root-types-no-schema-prefix",
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            lines = result.stderr.strip().splitlines()
            raise GeneratorError(
                f"openapi-typescript failed: {lines[-1] if lines else 'no output'}"
            )
        return {DECLARATIONS: output.read_text(encoding="utf-8")}
