"""Durable state: one SQLite database (WAL) under the state directory."""

from .db import Database
from .migrations import SCHEMA_VERSION

__all__ = ["SCHEMA_VERSION", "Database"]
