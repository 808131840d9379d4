"""The SQLite connection, its migrations and the thread it lives on.

All database work runs on one dedicated thread, never on the event loop: the
Jupyter server stays responsive, writes are serialised without lock juggling,
and SQLite's connection is only ever touched by the thread that made it.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sqlite3
import stat
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from ..errors import StateError
from .migrations import MIGRATIONS, SCHEMA_VERSION

T = TypeVar("T")

DB_FILENAME = "forgather.db"


def ensure_private_dir(path: Path) -> Path:
    """Create ``path`` (and parents) and make it 0700."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    if stat.S_IMODE(path.stat().st_mode) != 0o700:
        path.chmod(0o700)
    return path


class Database:
    """The state database of one server.

    ``open()`` is synchronous (it runs at start-up, before the loop serves
    requests); everything afterwards goes through ``await run(fn)`` which
    calls ``fn(connection)`` on the database thread.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._conn: sqlite3.Connection | None = None
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="forgather-db")

    # -- life cycle -------------------------------------------------------

    def open(self) -> None:
        """Open (creating if needed) and migrate; raise StateError if unusable."""
        self._executor.submit(self._open).result()

    def _open(self) -> None:
        try:
            ensure_private_dir(self.path.parent)
            if not self.path.exists():
                # Create it 0600 ourselves: SQLite would use the umask, and
                # its -wal / -shm files copy the main file's mode.
                os.close(os.open(self.path, os.O_CREAT | os.O_RDWR, 0o600))
            elif stat.S_IMODE(self.path.stat().st_mode) & 0o077:
                self.path.chmod(0o600)
            conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        except OSError as e:
            raise StateError(f"Cannot open the state database {self.path}: {e.strerror}") from e
        except sqlite3.Error as e:
            raise StateError(f"Cannot open the state database {self.path}: {e}") from e
        try:
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA busy_timeout = 5000")
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if mode.lower() != "wal":
                raise StateError(f"The state database {self.path} cannot use WAL mode ({mode})")
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA foreign_keys = ON")
            check = conn.execute("PRAGMA quick_check").fetchone()[0]
            if check != "ok":
                raise StateError(f"The state database {self.path} is corrupt: {check}")
            self._migrate(conn)
        except sqlite3.DatabaseError as e:
            conn.close()
            raise StateError(
                f"The state database {self.path} is unreadable ({e}). Move it aside to "
                "start with empty state, or point ForgatherLab.state_dir elsewhere."
            ) from e
        except StateError:
            conn.close()
            raise
        self._conn = conn

    def _migrate(self, conn: sqlite3.Connection) -> None:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise StateError(
                f"The state database {self.path} has schema version {version}, newer than "
                f"this forgather-lab understands ({SCHEMA_VERSION}). Upgrade forgather-lab."
            )
        for number in range(version, SCHEMA_VERSION):
            with transaction(conn):
                for statement in _split_sql(MIGRATIONS[number]):
                    conn.execute(statement)
                conn.execute(f"PRAGMA user_version = {number + 1}")

    def close(self) -> None:
        """Close the connection and stop the database thread."""
        if self._conn is not None:
            conn, self._conn = self._conn, None
            self._executor.submit(conn.close).result()
        self._executor.shutdown(wait=True)

    # -- access -----------------------------------------------------------

    def call(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """Run ``fn(connection)`` on the database thread and wait (sync callers)."""
        return self._executor.submit(self._guarded, fn).result()

    async def run(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """Run ``fn(connection)`` on the database thread without blocking the loop."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self._guarded, fn)

    def _guarded(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        if self._conn is None:
            raise StateError(f"The state database {self.path} is not open")
        return fn(self._conn)


@contextlib.contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """``BEGIN IMMEDIATE`` … ``COMMIT``: take the write lock up front."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def _split_sql(script: str) -> list[str]:
    """Split a migration script into statements (no semicolons inside literals)."""
    return [s.strip() for s in script.split(";") if s.strip()]


def row_to_dict(row: sqlite3.Row | None) -> dict[str, Any] | None:
    """A ``sqlite3.Row`` as a plain dict (or None)."""
    return None if row is None else dict(row)
