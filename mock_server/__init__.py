"""The reference mock: a stateful, persistent implementation of the spec, served over HTTP."""

from mock_server.app import Mock, UnservedOperations, create_app
from mock_server.problems import Problem
from mock_server.store import Database, StoreError, open_store

__all__ = [
    "Database",
    "Mock",
    "Problem",
    "StoreError",
    "UnservedOperations",
    "create_app",
    "open_store",
]
