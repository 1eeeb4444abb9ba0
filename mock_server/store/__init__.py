"""The mock's persistent state: `open_store()` gives SQLite, or PostgreSQL for a URL."""

from __future__ import annotations

from pathlib import Path

from mock_server.store.base import Database, Removed, StoreError, Transaction
from mock_server.store.checkpoints import Checkpoints
from mock_server.store.sqlite import Connect, Store

POSTGRES_SCHEMES = ("postgresql://", "postgres://")

__all__ = [
    "POSTGRES_SCHEMES",
    "Checkpoints",
    "Connect",
    "Database",
    "Removed",
    "Store",
    "StoreError",
    "Transaction",
    "open_store",
]


def open_store(location: str | Path, *, fsync: bool = False) -> Database:
    """A PostgreSQL store for a postgresql:// URL, else a SQLite file (or :memory:).

    `fsync` asks SQLite for answers that outlive a power cut (see Store); PostgreSQL's commits
    always do.
    """
    if str(location).startswith(POSTGRES_SCHEMES):
        # Imported here so the SQLite-only mock never loads the PostgreSQL driver.
        from mock_server.store.postgres import PostgresStore

        return PostgresStore(str(location))
    return Store(location, fsync=fsync)
