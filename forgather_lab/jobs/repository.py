"""SQL for jobs. Every function takes a connection and runs on the db thread.

Claiming a job (queued → starting with its GPUs) happens in one
``BEGIN IMMEDIATE`` transaction that re-checks the status, so two dispatch
passes can never start the same job, and a job is never deleted to claim it:
after a crash the row says exactly how far it got.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import time
from collections.abc import Iterable
from typing import Any

from ..store.db import transaction
from .model import ACTIVE, PUBLIC_COLUMNS, TERMINAL, DescribeJob, JobStatus, row_to_record

_COLS = ", ".join(PUBLIC_COLUMNS)


def new_job_id() -> str:
    """8 hex characters: short enough to type, random enough not to collide in practice."""
    return secrets.token_hex(4)


def insert(
    conn: sqlite3.Connection,
    *,
    name: str,
    job_type: str,
    priority: int,
    requested_gpus: int,
    params: dict[str, Any],
) -> DescribeJob:
    """Create a queued job and return its record."""
    now = time.time()
    for _ in range(5):
        job_id = new_job_id()
        try:
            with transaction(conn):
                conn.execute(
                    "INSERT INTO jobs (id, name, job_type, status, priority, requested_gpus, "
                    "params, created_at, queued_at) VALUES (?, ?, ?, 'queued', ?, ?, ?, ?, ?)",
                    (
                        job_id,
                        name or job_id,
                        job_type,
                        priority,
                        requested_gpus,
                        json.dumps(params),
                        now,
                        now,
                    ),
                )
        except sqlite3.IntegrityError:
            continue  # id collision; draw again
        found = get(conn, job_id)
        assert found is not None
        return found
    raise RuntimeError("could not allocate a job id")


def get(conn: sqlite3.Connection, job_id: str) -> DescribeJob | None:
    """One job record, or None."""
    row = conn.execute(f"SELECT {_COLS} FROM jobs WHERE id = ?", (job_id,)).fetchone()
    return None if row is None else row_to_record(row)


def list_jobs(
    conn: sqlite3.Connection,
    statuses: Iterable[str] | None = None,
    limit: int = 100,
    offset: int = 0,
    newest_first: bool = True,
) -> tuple[list[DescribeJob], int]:
    """A page of jobs and the total count matching the filter."""
    where, args = "", list(statuses or [])
    if args:
        where = f"WHERE status IN ({','.join('?' * len(args))})"
    order = "seq DESC" if newest_first else "seq"
    rows = conn.execute(
        f"SELECT {_COLS} FROM jobs {where} ORDER BY {order} LIMIT ? OFFSET ?",
        [*args, limit, offset],
    ).fetchall()
    total = conn.execute(f"SELECT COUNT(*) FROM jobs {where}", args).fetchone()[0]
    return [row_to_record(r) for r in rows], total


def queued(conn: sqlite3.Connection) -> list[DescribeJob]:
    """The queue in dispatch order: priority descending, then submission order."""
    rows = conn.execute(
        f"SELECT {_COLS} FROM jobs WHERE status = 'queued' ORDER BY priority DESC, seq"
    ).fetchall()
    return [row_to_record(r) for r in rows]


def active(conn: sqlite3.Connection) -> list[DescribeJob]:
    """Jobs holding (or about to hold) a process: starting and running."""
    rows = conn.execute(
        f"SELECT {_COLS} FROM jobs WHERE status IN ('starting', 'running') ORDER BY seq"
    ).fetchall()
    return [row_to_record(r) for r in rows]


def claim(conn: sqlite3.Connection, job_id: str, gpus: list[int]) -> bool:
    """queued → starting with ``gpus``; False if it is no longer queued."""
    with transaction(conn):
        cur = conn.execute(
            "UPDATE jobs SET status = 'starting', gpus = ? WHERE id = ? AND status = 'queued'",
            (json.dumps(gpus), job_id),
        )
    return cur.rowcount == 1


def mark_running(
    conn: sqlite3.Connection,
    job_id: str,
    *,
    pid: int,
    create_time: float | None,
    log_path: str,
    token_hash: str | None,
) -> None:
    """starting → running once the process exists."""
    with transaction(conn):
        conn.execute(
            "UPDATE jobs SET status = 'running', pid = ?, pid_create_time = ?, log_path = ?, "
            "token_hash = ?, started_at = ? WHERE id = ?",
            (pid, create_time, log_path, token_hash, time.time(), job_id),
        )


def finish(
    conn: sqlite3.Connection,
    job_id: str,
    status: JobStatus,
    exit_code: int | None = None,
    error: str | None = None,
    only_from: frozenset[JobStatus] = ACTIVE,
) -> bool:
    """Move a job to a terminal status (from ``only_from``); False if it was not there."""
    assert status in TERMINAL
    marks = ",".join("?" * len(only_from))
    with transaction(conn):
        cur = conn.execute(
            f"UPDATE jobs SET status = ?, exit_code = ?, error = ?, ended_at = ? "
            f"WHERE id = ? AND status IN ({marks})",
            (status.value, exit_code, error, time.time(), job_id, *[s.value for s in only_from]),
        )
    return cur.rowcount == 1


def set_error(conn: sqlite3.Connection, job_id: str, error: str) -> None:
    """Record a problem on a job without changing its status."""
    with transaction(conn):
        conn.execute("UPDATE jobs SET error = ? WHERE id = ?", (error, job_id))


def delete(conn: sqlite3.Connection, job_ids: Iterable[str]) -> int:
    """Delete terminal jobs by id; returns how many went."""
    ids = list(job_ids)
    if not ids:
        return 0
    marks = ",".join("?" * len(ids))
    terminal = ",".join(f"'{s.value}'" for s in TERMINAL)
    with transaction(conn):
        cur = conn.execute(
            f"DELETE FROM jobs WHERE id IN ({marks}) AND status IN ({terminal})", ids
        )
    return cur.rowcount


def terminal_ids(conn: sqlite3.Connection) -> list[str]:
    """Ids of every job in a terminal status."""
    terminal = ",".join(f"'{s.value}'" for s in TERMINAL)
    return [r[0] for r in conn.execute(f"SELECT id FROM jobs WHERE status IN ({terminal})")]


def all_ids(conn: sqlite3.Connection) -> set[str]:
    """Every job id known (for log garbage collection)."""
    return {r[0] for r in conn.execute("SELECT id FROM jobs")}


def token_hash(conn: sqlite3.Connection, job_id: str) -> str | None:
    """The stored hash of a job's callback token."""
    row = conn.execute("SELECT token_hash FROM jobs WHERE id = ?", (job_id,)).fetchone()
    return None if row is None or row[0] is None else str(row[0])
