"""Persisted project state: search roots and per-config dynamic-args overrides.

Both live in the state database (migration 2). Functions here take a SQLite
connection and run on the database thread (the services call them with
``db.call``, already off the event loop).
"""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path
from typing import Any

from ..store.db import transaction

SEEDED_KEY = "projects.seeded"


def list_roots(conn: sqlite3.Connection) -> list[Path]:
    """The persisted search roots, in the order they were added."""
    rows = conn.execute("SELECT path FROM search_roots ORDER BY position, created_at").fetchall()
    return [Path(r["path"]) for r in rows]


def add_root(conn: sqlite3.Connection, path: Path) -> bool:
    """Append a root; False when it was already there."""
    with transaction(conn):
        exists = conn.execute("SELECT 1 FROM search_roots WHERE path = ?", (str(path),)).fetchone()
        if exists:
            return False
        position = conn.execute("SELECT COALESCE(MAX(position), -1) + 1 FROM search_roots")
        conn.execute(
            "INSERT INTO search_roots (path, position, created_at) VALUES (?, ?, ?)",
            (str(path), position.fetchone()[0], time.time()),
        )
    return True


def remove_root(conn: sqlite3.Connection, path: Path) -> bool:
    """Forget a root; False when it was not there."""
    with transaction(conn):
        cur = conn.execute("DELETE FROM search_roots WHERE path = ?", (str(path),))
    return cur.rowcount > 0


def seed_once(conn: sqlite3.Connection, roots: list[Path]) -> bool:
    """Register ``roots`` on the very first start only (a settings flag remembers),
    so a user who removes the example root does not get it back on restart."""
    with transaction(conn):
        if conn.execute("SELECT 1 FROM settings WHERE key = ?", (SEEDED_KEY,)).fetchone():
            return False
        for i, root in enumerate(roots):
            conn.execute(
                "INSERT OR IGNORE INTO search_roots (path, position, created_at) VALUES (?, ?, ?)",
                (str(root), i, time.time()),
            )
        conn.execute("INSERT INTO settings (key, value) VALUES (?, ?)", (SEEDED_KEY, "1"))
    return True


def get_overrides(conn: sqlite3.Connection, project_dir: Path, config: str) -> dict[str, Any]:
    """The stored values for one config (empty when none)."""
    row = conn.execute(
        'SELECT "values" FROM config_overrides WHERE project_dir = ? AND config = ?',
        (str(project_dir), config),
    ).fetchone()
    return dict(json.loads(row[0])) if row else {}


def set_overrides(
    conn: sqlite3.Connection, project_dir: Path, config: str, values: dict[str, Any]
) -> None:
    """Replace the stored values for one config."""
    with transaction(conn):
        conn.execute(
            'INSERT INTO config_overrides (project_dir, config, "values", updated_at) '
            "VALUES (?, ?, ?, ?) ON CONFLICT (project_dir, config) DO UPDATE SET "
            '"values" = excluded."values", updated_at = excluded.updated_at',
            (str(project_dir), config, json.dumps(values), time.time()),
        )


def clear_overrides(conn: sqlite3.Connection, project_dir: Path, config: str) -> bool:
    """Drop the stored values for one config; False when there were none."""
    with transaction(conn):
        cur = conn.execute(
            "DELETE FROM config_overrides WHERE project_dir = ? AND config = ?",
            (str(project_dir), config),
        )
    return cur.rowcount > 0
