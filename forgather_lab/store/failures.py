"""What a failed database call means for the client: full disk, read-only state, bad values.

SQLite reports a full disk, a read-only file or a value it cannot bind as
exceptions that would otherwise escape as 500s. Here each becomes the
``ForgatherError`` that says what is wrong: a full disk is a 507 (nothing can
be saved until space is freed; reads still work), a read-only state is a 503
naming why, and a number or a string SQLite cannot hold is the request's
fault (400).
"""

from __future__ import annotations

import errno
import sqlite3
from pathlib import Path
from typing import ClassVar

from ..errors import BadRequest, ForgatherError, StateError

#: The largest integer SQLite stores (a signed 64-bit INTEGER).
MAX_SQLITE_INT = 2**63 - 1


class StorageFull(StateError):
    """The disk holding the state database is full (HTTP 507 Insufficient Storage)."""

    status: ClassVar[int] = 507
    default_reason: ClassVar[str] = "storage_full"


class ReadOnlyState(StateError):
    """The state database can be read but not written (503)."""

    default_reason: ClassVar[str] = "state_read_only"


def primary_code(e: sqlite3.Error) -> int | None:
    """SQLite's primary result code (``SQLITE_FULL``...) of an error, if it carries one."""
    code = getattr(e, "sqlite_errorcode", None)
    return None if code is None else int(code) & 0xFF


def full_message(path: Path) -> str:
    """What to tell a client while the disk is full."""
    return (
        f"The disk holding the state database {path} is full: nothing can be saved "
        "(jobs cannot be queued, reports are refused) until space is freed. Reads still work."
    )


def read_only_message(path: Path, why: str) -> str:
    """What to tell a client while the state can only be read."""
    return (
        f"The state directory {path.parent} is read-only ({why}): jobs, runs and settings "
        "can be read but nothing can be changed. Make it writable and restart the server."
    )


def classify(e: BaseException, path: Path, read_only: str | None) -> ForgatherError | None:
    """The client-facing error for ``e`` raised by a database call, or None for a bug.

    ``read_only`` is why the database was opened read-only (None when it
    was opened for writing).
    """
    if isinstance(e, ForgatherError):
        return None  # already says what is wrong
    if isinstance(e, OverflowError):
        return BadRequest(
            f"A number in the request is too large to store (at most {MAX_SQLITE_INT})",
            reason="number_too_large",
        )
    if isinstance(e, UnicodeEncodeError):
        return BadRequest(
            "The request holds text that cannot be stored (an unpaired UTF-16 surrogate)",
            reason="invalid_text",
        )
    if isinstance(e, OSError) and e.errno == errno.ENOSPC:
        return StorageFull(full_message(path))
    if isinstance(e, sqlite3.Error):
        code = primary_code(e)
        if code == sqlite3.SQLITE_FULL:
            return StorageFull(full_message(path))
        if code == sqlite3.SQLITE_READONLY:
            if read_only is not None:
                return ReadOnlyState(read_only_message(path, read_only))
            if e.sqlite_errorcode == sqlite3.SQLITE_READONLY_DBMOVED:
                why = "the database file was moved or deleted while the server ran"
            else:
                why = f"it can no longer be written: {e}"
            return ReadOnlyState(
                f"The state database {path} is read-only now ({why}): nothing more can be "
                "saved. Restore it and restart the server."
            )
    return None


def is_write_refusal(error: ForgatherError) -> bool:
    """Whether ``error`` means writes fail for now (health says so until one succeeds)."""
    return isinstance(error, StorageFull | ReadOnlyState)


__all__ = [
    "MAX_SQLITE_INT",
    "ReadOnlyState",
    "StorageFull",
    "classify",
    "full_message",
    "is_write_refusal",
    "primary_code",
    "read_only_message",
]
