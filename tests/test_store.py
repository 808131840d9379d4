"""The SQLite store: WAL, migrations, and clear errors for unusable files."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from forgather_lab.errors import StateError
from forgather_lab.runtime import Runtime
from forgather_lab.settings import ForgatherLabSettings
from forgather_lab.store import SCHEMA_VERSION, Database, ReadOnlyState, StorageFull
from forgather_lab.store.db import transaction


def test_fresh_database_is_migrated_and_in_wal(tmp_path: Path) -> None:
    db = Database(tmp_path / "s" / "forgather.db")
    db.open()
    try:
        assert db.call(lambda c: c.execute("PRAGMA user_version").fetchone()[0]) == SCHEMA_VERSION
        assert db.call(lambda c: c.execute("PRAGMA journal_mode").fetchone()[0]) == "wal"
        tables = db.call(
            lambda c: {r[0] for r in c.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        )
        assert {"jobs", "settings", "gpu_policy"} <= tables
    finally:
        db.close()


def test_reopen_keeps_data(tmp_path: Path) -> None:
    path = tmp_path / "forgather.db"
    db = Database(path)
    db.open()
    db.call(lambda c: c.execute("INSERT INTO settings VALUES ('k', 'v')"))
    db.close()
    db = Database(path)
    db.open()
    try:
        assert db.call(lambda c: c.execute("SELECT value FROM settings").fetchone()[0]) == "v"
    finally:
        db.close()


def test_garbage_file_is_a_clear_error_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "forgather.db"
    path.write_bytes(b"this is not a database, it is a shopping list\n" * 200)
    db = Database(path)
    with pytest.raises(StateError) as info:
        db.open()
    db.close()
    assert str(path) in info.value.message
    assert "unreadable" in info.value.message


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "forgather.db"
    with sqlite3.connect(path) as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    db = Database(path)
    with pytest.raises(StateError, match="newer"):
        db.open()
    db.close()


def test_unwritable_state_dir_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file-not-dir"
    blocker.write_text("x")
    db = Database(blocker / "forgather.db")
    with pytest.raises(StateError, match=str(blocker)):
        db.open()
    db.close()


def test_runtime_degrades_instead_of_raising(tmp_path: Path) -> None:
    (tmp_path / "forgather.db").write_bytes(b"\x00garbage" * 1000)
    runtime = Runtime(ForgatherLabSettings(state_dir=str(tmp_path), gpu_backend="simulated"))
    try:
        assert runtime.error is not None
        assert str(tmp_path / "forgather.db") in runtime.error
    finally:
        asyncio.run(runtime.stop())


def test_a_database_opened_read_only_reads_and_refuses_writes(tmp_path: Path) -> None:
    path = tmp_path / "forgather.db"
    db = Database(path)
    db.open()
    db.call(lambda c: c.execute("INSERT INTO settings VALUES ('k', 'v')"))
    db.close()
    db = Database(path, read_only=True)
    db.open()
    try:
        assert db.call(lambda c: c.execute("SELECT value FROM settings").fetchone()[0]) == "v"
        for write in (
            "INSERT INTO settings VALUES ('k2', 'v2')",
            "UPDATE settings SET value = 'x'",
            "DELETE FROM settings",
        ):
            with pytest.raises(ReadOnlyState, match="read-only") as info:
                db.call(lambda c, w=write: c.execute(w))
            assert info.value.status == 503
            assert info.value.reason == "state_read_only"
        with pytest.raises(ReadOnlyState):  # inside a transaction too, and it is rolled back
            db.call(lambda c: _in_transaction(c, "INSERT INTO settings VALUES ('k3', 'v3')"))
        assert db.call(lambda c: c.in_transaction) is False
        assert db.problem is not None
        assert "read-only" in db.problem
        assert db.call(lambda c: c.execute("SELECT COUNT(*) FROM settings").fetchone()[0]) == 1
    finally:
        db.close()


def _in_transaction(conn: sqlite3.Connection, statement: str) -> None:
    with transaction(conn):
        conn.execute(statement)


def test_a_full_database_keeps_its_error_and_its_connection(tmp_path: Path) -> None:
    """SQLITE_FULL rolls the transaction back itself: the caller sees FULL, not a ROLLBACK error."""
    db = Database(tmp_path / "forgather.db")
    db.open()

    def fill(conn: sqlite3.Connection) -> None:
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        conn.execute(f"PRAGMA max_page_count = {pages}")
        with transaction(conn):
            for i in range(1000):
                conn.execute("INSERT INTO settings VALUES (?, ?)", (f"k{i}", "x" * 1000))

    try:
        with pytest.raises(StorageFull, match="is full") as info:
            db.call(fill)
        assert info.value.status == 507
        assert isinstance(info.value.__cause__, sqlite3.OperationalError)
        assert "full" in str(info.value.__cause__)
        assert db.problem is not None
        assert db.call(lambda c: c.in_transaction) is False
        assert db.call(lambda c: c.execute("SELECT COUNT(*) FROM settings").fetchone()[0]) == 0
        db.call(lambda c: c.execute("PRAGMA max_page_count = 4294967294"))
        db.call(lambda c: c.execute("INSERT INTO settings VALUES ('k', 'v')"))
        assert db.problem is None  # a write went through again
    finally:
        db.close()


def test_a_failed_commit_does_not_leave_the_transaction_open(tmp_path: Path) -> None:
    db = Database(tmp_path / "forgather.db")
    db.open()

    def violate(conn: sqlite3.Connection) -> None:
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA defer_foreign_keys = ON")  # checked at COMMIT
        with transaction(conn):
            conn.execute(
                "INSERT INTO job_commands (job_id, command, created_at) VALUES ('nope', 'x', 0)"
            )

    try:
        with pytest.raises(sqlite3.IntegrityError):
            db.call(violate)
        assert db.call(lambda c: c.in_transaction) is False
        db.call(lambda c: _in_transaction(c, "INSERT INTO settings VALUES ('k', 'v')"))
    finally:
        db.close()


def test_calls_made_together_share_a_hand_off_and_keep_their_order(tmp_path: Path) -> None:
    db = Database(tmp_path / "forgather.db")
    db.open()
    ran: list[int] = []

    def step(i: int) -> int:
        def fn(conn: sqlite3.Connection) -> int:
            if i == 0:
                time.sleep(0.05)  # the others are queued meanwhile: one batch
            if i == 3:
                raise ValueError("three")
            ran.append(i)
            return i * 10

        return fn

    async def main() -> list[object]:
        waiting = [asyncio.ensure_future(db.run(step(i))) for i in range(8)]
        await asyncio.sleep(0.01)  # the first is running, the rest pending
        waiting[5].cancel()  # a call not started yet is dropped, as run_in_executor's
        return await asyncio.gather(*waiting, return_exceptions=True)

    try:
        got = asyncio.run(main())
        seen = [type(g) if isinstance(g, BaseException) else g for g in got]
        assert seen == [0, 10, 20, ValueError, 40, asyncio.CancelledError, 60, 70]
        assert ran == [0, 1, 2, 4, 6, 7]  # in order, the failed one not stopping the rest
        assert asyncio.run(db.run(lambda c: 1)) == 1  # idle again, and a new loop is served
    finally:
        db.close()

    async def after_close() -> None:
        await db.run(lambda c: 1)

    with pytest.raises(RuntimeError):  # refused, not waited on for ever
        asyncio.run(asyncio.wait_for(after_close(), 5))


def test_a_quick_call_runs_in_place_only_when_the_database_thread_is_idle(tmp_path: Path) -> None:
    # In place it costs no hand-off; behind other calls it waits its turn on the thread,
    # so calls still run in the order they were made, and never two on the connection.
    db = Database(tmp_path / "forgather.db")
    db.open()
    ran: list[tuple[str, bool]] = []
    here = threading.get_ident()

    def step(name: str, slow: bool = False) -> Callable[[sqlite3.Connection], str]:
        def fn(conn: sqlite3.Connection) -> str:
            if slow:
                time.sleep(0.05)
            ran.append((name, threading.get_ident() == here))
            return conn.execute("SELECT ?", (name,)).fetchone()[0]

        return fn

    async def main() -> list[str]:
        alone = await db.run(step("alone"), quick=True)
        slow = asyncio.ensure_future(db.run(step("slow", slow=True)))
        await asyncio.sleep(0.01)  # the thread is in the slow call
        behind = await db.run(step("behind"), quick=True)
        return [alone, await slow, behind, await db.run(step("after"), quick=True)]

    try:
        assert asyncio.run(main()) == ["alone", "slow", "behind", "after"]
        assert ran == [("alone", True), ("slow", False), ("behind", False), ("after", True)]
        with pytest.raises(sqlite3.OperationalError):  # its failure is the caller's, as any
            asyncio.run(db.run(lambda c: c.execute("SELECT * FROM nowhere"), quick=True))
    finally:
        db.close()
