"""What a job is: its statuses and its record."""

from __future__ import annotations

import json
import sqlite3
from enum import Enum
from typing import Any


class JobStatus(str, Enum):
    """queued → starting → running → done | failed | aborted; queued → cancelled."""

    QUEUED = "queued"
    STARTING = "starting"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    ABORTED = "aborted"
    CANCELLED = "cancelled"


TERMINAL = frozenset({JobStatus.DONE, JobStatus.FAILED, JobStatus.ABORTED, JobStatus.CANCELLED})
ACTIVE = frozenset({JobStatus.STARTING, JobStatus.RUNNING})

# Columns served to clients, in order; token_hash never leaves the server.
PUBLIC_COLUMNS = (
    "id",
    "name",
    "job_type",
    "status",
    "priority",
    "requested_gpus",
    "gpus",
    "params",
    "pid",
    "pid_create_time",
    "exit_code",
    "error",
    "log_path",
    "node",
    "created_at",
    "started_at",
    "ended_at",
)


def row_to_record(row: sqlite3.Row) -> dict[str, Any]:
    """A jobs row as the API's job record (JSON columns decoded)."""
    record = {k: row[k] for k in PUBLIC_COLUMNS}
    record["gpus"] = json.loads(record["gpus"])
    record["params"] = json.loads(record["params"])
    return record
