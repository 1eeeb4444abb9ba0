"""One run of the suite: its id, its settings, and the directory its processes share.

The runner (or, for a bare `pytest`, the controlling process) begins a run and hands it to every
worker through HOPDRIVE_RUN_* variables. The directory gathers what the processes learn: the ids
the server handed out, and the reason the run stopped, if it did.
"""

from __future__ import annotations

import json
import os
import secrets
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

from contract_tests.errors import STOPS, ContractError

# The key the suite's records carry in `config`, the integration's own metadata on the pages.
MARK = "hopdrive_contract_run"
_ID = "HOPDRIVE_RUN_ID"
_DIR = "HOPDRIVE_RUN_DIR"
_TIMEOUT = "HOPDRIVE_TIMEOUT"
_RATE = "HOPDRIVE_RATE_LIMIT"
_REQUIRE = "HOPDRIVE_REQUIRE"
DEFAULT_TIMEOUT = 30.0
_STOP = "stop.json"


@dataclass(frozen=True)
class Run:
    """A run's identity and settings, the same in every process of it."""

    id: str
    directory: Path
    timeout: float = DEFAULT_TIMEOUT
    rate_limit: float | None = None
    require: frozenset[str] = frozenset()

    @classmethod
    def begin(
        cls,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        rate_limit: float | None = None,
        require: Iterable[str] = (),
    ) -> Run:
        """A new run with a fresh id and directory, published to this process's environment."""
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        run = cls(
            id=f"{stamp}-{secrets.token_hex(3)}",
            directory=Path(tempfile.mkdtemp(prefix="hopdrive-run-")),
            timeout=timeout,
            rate_limit=rate_limit,
            require=frozenset(require),
        )
        os.environ.update(
            {
                _ID: run.id,
                _DIR: str(run.directory),
                _TIMEOUT: str(timeout),
                _RATE: "" if rate_limit is None else str(rate_limit),
                _REQUIRE: ",".join(sorted(run.require)),
            }
        )
        this_run.cache_clear()
        return run

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Run | None:
        """The run `env` names, or None when no run was begun."""
        if not env.get(_ID) or not env.get(_DIR):
            return None
        return cls(
            id=env[_ID],
            directory=Path(env[_DIR]),
            timeout=float(env.get(_TIMEOUT) or DEFAULT_TIMEOUT),
            rate_limit=float(env[_RATE]) if env.get(_RATE) else None,
            require=frozenset(name for name in env.get(_REQUIRE, "").split(",") if name),
        )

    def mark(self) -> dict[str, str]:
        """What the suite puts in the `config` of each record it creates."""
        return {MARK: self.id}

    def record_created(self, ids: Mapping[str, Iterable[int]]) -> None:
        """Note ids the server handed out (`{"appointments": [...]}`), as soon as they are seen."""
        kept = {kind: list(values) for kind, values in ids.items() if values}
        if kept:
            # One file per process: appends from several processes never interleave.
            with (self.directory / f"created-{os.getpid()}.jsonl").open("a") as file:
                file.write(json.dumps(kept) + "\n")

    def created(self) -> dict[str, list[int]]:
        """Every id any process of the run noted, by kind, sorted."""
        found: dict[str, set[int]] = {}
        for path in sorted(self.directory.glob("created-*.jsonl")):
            for line in path.read_text().splitlines():
                for kind, values in json.loads(line).items():
                    found.setdefault(kind, set()).update(values)
        return {kind: sorted(values) for kind, values in sorted(found.items())}

    def stop(self, error: ContractError) -> None:
        """Stop the run for `error`; the first reason recorded is the one reported."""
        try:
            with (self.directory / _STOP).open("x") as file:
                json.dump({"kind": type(error).__name__, "message": str(error)}, file)
        except FileExistsError:
            pass

    def stopped(self) -> ContractError | None:
        """Why the run stopped, as the error to raise, or None while it goes on."""
        try:
            recorded = json.loads((self.directory / _STOP).read_text())
        except FileNotFoundError:
            return None
        return STOPS.get(recorded["kind"], ContractError)(recorded["message"])


@cache
def this_run() -> Run:
    """This process's run: the one its environment names, else a new one."""
    return Run.from_env(os.environ) or Run.begin()
