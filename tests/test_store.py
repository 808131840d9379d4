"""The SQLite store: WAL, migrations, and clear errors for unusable files."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from forgather_lab.errors import StateError
from forgather_lab.runtime import Runtime
from forgather_lab.settings import ForgatherLabSettings
from forgather_lab.store import SCHEMA_VERSION, Database


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
