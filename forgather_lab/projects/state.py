"""Persisted project state: search roots, per-config dynamic-args overrides, and
which root_dirs the example workspace was seeded under.

All live in the state database (migration 2; the seeding flags in its ``settings``
table, one key per root_dir). Functions here take a SQLite
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


def seed_key(root_dir: Path) -> str:
    """The settings key that remembers the examples were seeded under ``root_dir``."""
    return f"{SEEDED_KEY}:{root_dir}"


def seeded(conn: sqlite3.Connection, root_dir: Path, target: Path) -> bool:
    """Whether the examples were already seeded under ``root_dir`` (so not again).

    A database from before the flag was per root holds only ``SEEDED_KEY``,
    set for whichever root_dir it first ran with. For that one it reads as
    seeded when ``target`` is registered, or exists on disk while not being
    registered (the user removed the root and keeps the folder); it reads as
    not seeded when ``target`` is neither there nor registered (more likely a
    new root_dir than a deleted folder, and a folder too many beats a blank
    sidebar).
    """
    if conn.execute("SELECT 1 FROM settings WHERE key = ?", (seed_key(root_dir),)).fetchone():
        return True
    if not conn.execute("SELECT 1 FROM settings WHERE key = ?", (SEEDED_KEY,)).fetchone():
        return False
    registered = conn.execute("SELECT 1 FROM search_roots WHERE path = ?", (str(target),))
    return registered.fetchone() is not None or target.exists()


def mark_seeded(conn: sqlite3.Connection, root_dir: Path, target: Path | None) -> bool:
    """Remember that ``root_dir`` was seeded and register ``target`` (when given) as
    the first search root. False (and nothing changed) when another server
    sharing this database seeded the same root first."""
    with transaction(conn):
        key = seed_key(root_dir)
        if conn.execute("SELECT 1 FROM settings WHERE key = ?", (key,)).fetchone():
            return False
        if target is not None:
            first = conn.execute("SELECT COALESCE(MIN(position), 0) - 1 FROM search_roots")
            conn.execute(
                "INSERT OR IGNORE INTO search_roots (path, position, created_at) VALUES (?, ?, ?)",
                (str(target), first.fetchone()[0], time.time()),
            )
        conn.execute("INSERT INTO settings (key, value) VALUES (?, ?)", (key, "1"))
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
