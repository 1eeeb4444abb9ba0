"""The generated/ tree: written in full, or compared with what the spec would give now."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path


def write(files: Mapping[str, str], out: Path, folders: tuple[str, ...]) -> list[Path]:
    """Write `files` under `out`, removing files in `folders` the spec no longer produces."""
    for stray in _strays(files, out, folders):
        stray.unlink()
    written = []
    for relative, text in sorted(files.items()):
        target = out / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            target.write_text(text, encoding="utf-8")
            written.append(target)
    return written


def stale(files: Mapping[str, str], out: Path, folders: tuple[str, ...]) -> list[str]:
    """How the tree under `out` differs from `files`: one line per differing file."""
    found = []
    for relative, text in sorted(files.items()):
        target = out / relative
        if not target.exists():
            found.append(f"{target} is missing")
        elif target.read_text(encoding="utf-8") != text:
            found.append(f"{target} is stale")
    found += [f"{stray} is no longer generated" for stray in _strays(files, out, folders)]
    return found


def _strays(files: Mapping[str, str], out: Path, folders: tuple[str, ...]) -> list[Path]:
    return [
        existing
        for folder in folders
        if (out / folder).exists()
        for existing in sorted((out / folder).rglob("*"))
        if existing.is_file() and existing.relative_to(out).as_posix() not in files
    ]
