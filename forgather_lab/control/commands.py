"""Control commands for a trainer: queued, delivered, acknowledged.

A command stays pending until the trainer acknowledges it: every callback
poll returns all unacknowledged commands (the reporter ignores ids it has
already seen), so a reply lost on the way does not lose a ``stop``.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterable
from typing import get_args

from ..models.control import DescribeCommand, PendingCommand, TrainerCommand
from ..store.db import transaction

TRAINER_COMMANDS: tuple[str, ...] = get_args(TrainerCommand)

_COLS = "id, job_id, command, created_at, delivered_at, acknowledged_at"


def _record(row: sqlite3.Row) -> DescribeCommand:
    return DescribeCommand.model_validate({k: row[k] for k in row.keys()})  # noqa: SIM118 (sqlite3.Row has no items())


def queue(conn: sqlite3.Connection, job_id: str, command: str) -> DescribeCommand:
    """Queue ``command`` for the job's trainer; returns the command record."""
    with transaction(conn):
        cur = conn.execute(
            "INSERT INTO job_commands (job_id, command, created_at) VALUES (?, ?, ?)",
            (job_id, command, time.time()),
        )
    row = conn.execute(f"SELECT {_COLS} FROM job_commands WHERE id = ?", (cur.lastrowid,))
    return _record(row.fetchone())


def deliver(conn: sqlite3.Connection, job_id: str) -> list[PendingCommand]:
    """Every unacknowledged command of the job, stamping first deliveries."""
    with transaction(conn):
        conn.execute(
            "UPDATE job_commands SET delivered_at = ? "
            "WHERE job_id = ? AND acknowledged_at IS NULL AND delivered_at IS NULL",
            (time.time(), job_id),
        )
        rows = conn.execute(
            "SELECT id, command FROM job_commands WHERE job_id = ? AND acknowledged_at IS NULL "
            "ORDER BY id",
            (job_id,),
        ).fetchall()
    return [PendingCommand(id=r["id"], command=r["command"]) for r in rows]


def acknowledge(conn: sqlite3.Connection, job_id: str, ids: Iterable[int]) -> list[int]:
    """Mark commands as taken by the trainer; returns the ids newly acknowledged."""
    wanted = sorted(set(ids))
    if not wanted:
        return []
    marks = ",".join("?" * len(wanted))
    now = time.time()
    with transaction(conn):
        rows = conn.execute(
            f"SELECT id FROM job_commands WHERE job_id = ? AND id IN ({marks}) "
            "AND acknowledged_at IS NULL",
            (job_id, *wanted),
        ).fetchall()
        done = [r[0] for r in rows]
        if done:
            conn.execute(
                f"UPDATE job_commands SET acknowledged_at = ?, "
                f"delivered_at = COALESCE(delivered_at, ?) "
                f"WHERE id IN ({','.join('?' * len(done))})",
                (now, now, *done),
            )
    return done


def recent(conn: sqlite3.Connection, job_id: str, limit: int = 20) -> list[DescribeCommand]:
    """The job's latest commands, newest first."""
    rows = conn.execute(
        f"SELECT {_COLS} FROM job_commands WHERE job_id = ? ORDER BY id DESC LIMIT ?",
        (job_id, limit),
    ).fetchall()
    return [_record(r) for r in rows]
