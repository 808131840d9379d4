"""What a job is: its statuses and its record, as the store reads it."""

from __future__ import annotations

import json
import sqlite3

from ..models.jobs import ACTIVE, TERMINAL, DescribeJob, JobStatus

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
    "depends_on",
    "time_limit",
    "gpu_memory",
    "preemptible",
    "max_retries",
    "attempt",
    "group_id",
    "rerun_of",
    "queued_at",
    "executor",
    "external_id",
    "owner",
)


def row_to_record(row: sqlite3.Row) -> DescribeJob:
    """A jobs row as the API's job record (JSON columns decoded)."""
    record = {k: row[k] for k in PUBLIC_COLUMNS}
    record["gpus"] = json.loads(record["gpus"])
    record["params"] = json.loads(record["params"])
    record["depends_on"] = json.loads(record["depends_on"])
    record["preemptible"] = bool(record["preemptible"])
    record["group"] = record.pop("group_id")
    return DescribeJob.model_validate(record)


__all__ = ["ACTIVE", "PUBLIC_COLUMNS", "TERMINAL", "DescribeJob", "JobStatus", "row_to_record"]
