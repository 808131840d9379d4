"""The SQLite connection, its migrations and the thread it lives on.

Database work runs on one dedicated thread, not on the event loop: the Jupyter
server stays responsive while a long read runs, and writes are serialised
without lock juggling. The exception is a call its caller marks quick (one
job's claim, start or end: well under a millisecond), which runs in place when
the thread has nothing to do; a lock keeps the connection to one user at a time.

A state directory that cannot be written (a read-only mount, permissions) is
opened read-only, so the history still reads; every write then answers 503
saying why. A full disk answers 507 until a write succeeds again; both are
what ``problem`` reports to the health endpoint.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sqlite3
import stat
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

from ..errors import StateError
from .failures import (
    ReadOnlyState,
    StorageFull,
    classify,
    full_message,
    is_write_refusal,
    primary_code,
    read_only_message,
)
from .migrations import MIGRATIONS, SCHEMA_VERSION

T = TypeVar("T")


@dataclass(frozen=True)
class _Call(Generic[T]):
    """One ``Database.run``: the function, and where its result goes."""

    fn: Callable[[sqlite3.Connection], T]
    future: asyncio.Future[T]
    loop: asyncio.AbstractEventLoop


#: A call that ran: its result, or the error it raised.
_Outcome = tuple[_Call[Any], Any, BaseException | None]


def _settle(outcome: _Outcome) -> None:
    """Hand a call its result or error (on the caller's loop)."""
    call, result, error = outcome
    if call.future.done():  # the caller gave up meanwhile
        return
    if error is not None:
        call.future.set_exception(error)
    else:
        call.future.set_result(result)


DB_FILENAME = "forgather.db"
#: Databases up to this size get a full ``quick_check`` at open.
FULL_CHECK_MAX_BYTES = 256 * 2**20

log = logging.getLogger("forgather_lab.store")


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
    calls ``fn(connection)`` on the database thread. ``read_only=True``
    opens an existing database for reading alone (an archived copy); an
    unwritable state directory is opened that way by itself.
    """

    def __init__(self, path: Path, read_only: bool = False) -> None:
        self.path = Path(path)
        #: Why the database is open read-only (None: it is writable).
        self.read_only: str | None = "opened read-only" if read_only else None
        self._conn: sqlite3.Connection | None = None
        self._write_refused: str | None = None
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="forgather-db")
        # ``run`` calls not taken by the database thread yet, and whether it is taking them.
        self._lock = threading.Lock()
        self._pending: list[_Call[Any]] = []
        self._draining = False
        # Held while a call uses the connection: by the database thread, or by a quick
        # call run in place (``run``), so the two never use it at once.
        self._conn_lock = threading.Lock()

    @property
    def problem(self) -> str | None:
        """Why writes fail now (read-only state, full disk), or None when they work."""
        if self.read_only is not None:
            return read_only_message(self.path, self.read_only)
        return self._write_refused

    # -- life cycle -------------------------------------------------------

    def open(self) -> None:
        """Open (creating if needed) and migrate; raise StateError if unusable."""
        self._executor.submit(self._open).result()

    def _open(self) -> None:
        if self.read_only is None:
            self.read_only = _unwritable(self.path)
        conn = self._connect_read_only() if self.read_only is not None else self._connect()
        try:
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA busy_timeout = 5000")
            if self.read_only is None:
                mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
                if mode.lower() != "wal":
                    raise StateError(f"The state database {self.path} cannot use WAL mode ({mode})")
                conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA foreign_keys = ON")
            self._check(conn)
            self._migrate(conn)
        except sqlite3.DatabaseError as e:
            conn.close()
            raise self._open_error(e) from e
        except StateError:
            conn.close()
            raise
        self._conn = conn
        if self.read_only is not None:
            log.warning("%s", self.problem)

    def _check(self, conn: sqlite3.Connection) -> None:
        """Refuse a damaged file with a clear message instead of failing later.

        ``quick_check`` reads every page, which is cheap for the usual state
        database but grows with it (about 80 s for 4 GB of metric history).
        Above ``FULL_CHECK_MAX_BYTES`` only the header and the schema are
        read at open (a file that is not a database fails there): WAL keeps
        the file consistent across crashes, so a full scan of a big history
        buys little for a long wait at every start.
        """
        size = self.path.stat().st_size if self.path.exists() else 0
        if size > FULL_CHECK_MAX_BYTES:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            return
        check = conn.execute("PRAGMA quick_check").fetchone()[0]
        if check != "ok":
            raise StateError(f"The state database {self.path} is corrupt: {check}")

    def _connect(self) -> sqlite3.Connection:
        try:
            ensure_private_dir(self.path.parent)
            if not self.path.exists():
                # Create it 0600 ourselves: SQLite would use the umask, and
                # its -wal / -shm files copy the main file's mode.
                os.close(os.open(self.path, os.O_CREAT | os.O_RDWR, 0o600))
            elif stat.S_IMODE(self.path.stat().st_mode) & 0o077:
                self.path.chmod(0o600)
            return sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        except OSError as e:
            failure = classify(e, self.path, None)
            if isinstance(failure, StorageFull):
                raise failure from e
            raise StateError(f"Cannot open the state database {self.path}: {e.strerror}") from e
        except sqlite3.Error as e:
            raise StateError(f"Cannot open the state database {self.path}: {e}") from e

    def _connect_read_only(self) -> sqlite3.Connection:
        if not self.path.is_file():
            raise ReadOnlyState(
                f"The state directory {self.path.parent} is read-only ({self.read_only}) and "
                "holds no state database yet: make it writable, or point "
                "ForgatherLab.state_dir elsewhere."
            )
        uri = self.path.absolute().as_uri() + "?mode=ro"
        try:
            return _probe(
                sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
            )
        except sqlite3.OperationalError as e:
            wal = self.path.with_name(self.path.name + "-wal")
            cannot_share = primary_code(e) in (sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_READONLY)
            if not cannot_share or (wal.exists() and wal.stat().st_size):
                raise self._open_error(e) from e
        # A cleanly closed WAL database in a directory where SQLite cannot create
        # its -shm file (CANTOPEN on a read-only mount, READONLY_CANTINIT without
        # write permission): with no -wal left, everything is in the main file,
        # and its one writer, this server, writes nothing while it is read-only.
        try:
            return _probe(
                sqlite3.connect(
                    uri + "&immutable=1", uri=True, isolation_level=None, check_same_thread=False
                )
            )
        except sqlite3.DatabaseError as e:
            raise self._open_error(e) from e

    def _open_error(self, e: sqlite3.Error) -> StateError:
        """What an SQLite error while opening means, in words."""
        code = primary_code(e)
        if code == sqlite3.SQLITE_FULL:
            return StorageFull(full_message(self.path))
        if code in (sqlite3.SQLITE_READONLY, sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_PERM):
            return StateError(
                f"The state database {self.path} cannot be opened ({e}): check that "
                f"{self.path.parent} and the files in it can be read and written by this user."
            )
        return StateError(
            f"The state database {self.path} is unreadable ({e}). Move it aside to "
            "start with empty state, or point ForgatherLab.state_dir elsewhere."
        )

    def _migrate(self, conn: sqlite3.Connection) -> None:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise StateError(
                f"The state database {self.path} has schema version {version}, newer than "
                f"this forgather-lab understands ({SCHEMA_VERSION}). Upgrade forgather-lab."
            )
        if version < SCHEMA_VERSION and self.read_only is not None:
            raise ReadOnlyState(
                f"The state database {self.path} has schema version {version} and needs an "
                f"upgrade to {SCHEMA_VERSION}, but its directory is read-only "
                f"({self.read_only}): make it writable and restart the server."
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
        return self._executor.submit(self._on_thread, fn).result()

    async def run(self, fn: Callable[[sqlite3.Connection], T], *, quick: bool = False) -> T:
        """Run ``fn(connection)`` on the database thread without blocking the loop.

        Calls made while the thread is busy are taken by the hand-off already
        under way, in order: under load (a drain, many clients) a call costs no
        executor work item, future chain or thread wake-up of its own.

        ``quick=True`` (a call known to take well under a millisecond: one job's
        claim, start or end) runs on the caller's thread when the database thread
        has nothing to do, which keeps the order of calls. The hand-off to the
        thread and back (a wake-up of each thread, the interpreter lock passed
        twice, the loop woken) cost more than such a call, and on a busy server
        each pass of the lock waits for the holder's switch interval.
        """
        if quick and self._lock.acquire(blocking=False):
            try:
                free = not self._draining and self._conn_lock.acquire(blocking=False)
            finally:
                self._lock.release()
            if free:
                try:
                    return self._guarded(fn)
                finally:
                    self._conn_lock.release()
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        call = _Call(fn, future, loop)
        with self._lock:
            self._pending.append(call)
            idle, self._draining = not self._draining, True
        if idle:
            try:
                self._executor.submit(self._drain)
            except RuntimeError:  # closed: the thread is gone
                with self._lock:
                    self._pending.remove(call)
                    self._draining = False
                raise
        return await future

    def _drain(self) -> None:
        """Run pending calls until none is left (on the database thread)."""
        while True:
            with self._lock:
                batch, self._pending = self._pending, []
                if not batch:
                    self._draining = False
                    return
            for call in batch:
                if call.future.cancelled():  # as run_in_executor: a call not started is dropped
                    continue
                outcome: _Outcome
                try:
                    outcome = (call, self._on_thread(call.fn), None)
                except BaseException as e:  # the caller's to see, whatever it is
                    outcome = (call, None, e)
                # Each result goes back as soon as it is there: a claim must not
                # wait for a long read queued behind it.
                with contextlib.suppress(RuntimeError):  # that loop is closed: nobody waits
                    call.loop.call_soon_threadsafe(_settle, outcome)

    def _on_thread(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """``_guarded`` on the database thread, the connection held against quick calls."""
        with self._conn_lock:
            return self._guarded(fn)

    def _guarded(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        conn = self._conn
        if conn is None:
            raise StateError(f"The state database {self.path} is not open")
        changes = conn.total_changes
        try:
            result = fn(conn)
        except Exception as e:
            if conn.in_transaction:  # a failed call must not leave the next one inside it
                with contextlib.suppress(sqlite3.Error):
                    conn.execute("ROLLBACK")
            failure = classify(e, self.path, self.read_only)
            if failure is None:
                raise
            if is_write_refusal(failure):
                self._write_refused = failure.message
            raise failure from e
        if conn.total_changes != changes:
            self._write_refused = None  # a write went through: space was freed
        return result


def _unwritable(path: Path) -> str | None:
    """Why an existing state directory or database cannot be written, or None."""
    directory = path.parent
    if directory.is_dir() and not os.access(directory, os.W_OK):
        return "the directory cannot be written"
    if path.is_file() and not os.access(path, os.W_OK):
        return "the database file cannot be written"
    return None


def _probe(conn: sqlite3.Connection) -> sqlite3.Connection:
    """``conn`` once it has really opened the file (SQLite opens lazily)."""
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.Error:
        conn.close()
        raise
    return conn


@contextlib.contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """``BEGIN IMMEDIATE`` … ``COMMIT``: take the write lock up front.

    A failed COMMIT rolls back too, and a transaction SQLite already rolled
    back itself (a full disk does that) is not rolled back twice, so the
    original error is what the caller sees.
    """
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
        raise


def _split_sql(script: str) -> list[str]:
    """Split a migration script into statements (no semicolons inside literals)."""
    return [s.strip() for s in script.split(";") if s.strip()]


def row_to_dict(row: sqlite3.Row | None) -> dict[str, Any] | None:
    """A ``sqlite3.Row`` as a plain dict (or None)."""
    return None if row is None else dict(row)
