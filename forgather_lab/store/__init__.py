"""Durable state: one SQLite database (WAL) under the state directory."""

from .db import Database
from .failures import ReadOnlyState, StorageFull
from .migrations import SCHEMA_VERSION

__all__ = ["SCHEMA_VERSION", "Database", "ReadOnlyState", "StorageFull"]
