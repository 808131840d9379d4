"""A job's history: every transition with its time, attempt and reason.

Rows are written by the repository inside the transaction that changes the
job (``record``), never after it, so the history can neither miss a step
nor show one that did not happen.
"""

from __future__ import annotations

import sqlite3
import time

from ..models.jobs import JobHistory, JobTransition

#: One history row from the job's row as it is now; parameters (at, reason, job id).
RECORD_SQL = (
    "INSERT INTO job_history (job_id, at, status, attempt, reason) "
    "SELECT id, ?, status, attempt, ? FROM jobs WHERE id = ?"
)


def record(
    conn: sqlite3.Connection, job_id: str, reason: str | None, at: float | None = None
) -> None:
    """A row for the job's status and attempt as they are now (call inside a transaction)."""
    conn.execute(RECORD_SQL, (time.time() if at is None else at, reason, job_id))


def read_history(conn: sqlite3.Connection, job_id: str) -> JobHistory:
    """Every recorded step of a job, oldest first."""
    rows = conn.execute(
        "SELECT at, status, attempt, reason FROM job_history WHERE job_id = ? ORDER BY id",
        (job_id,),
    ).fetchall()
    return JobHistory(
        job_id=job_id,
        transitions=[
            JobTransition(at=r["at"], status=r["status"], attempt=r["attempt"], reason=r["reason"])
            for r in rows
        ],
    )
