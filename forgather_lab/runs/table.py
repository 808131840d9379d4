"""The runs table: one row per job of a project or config, with each metric's summary.

A summary is one statement per (job, metric), every part of it a search of
a primary key's prefix: the last point is the top of the ``metrics`` key
``(job_id, name, step)`` read backwards, min and max aggregate the coarsest
rollups (``width = 65536``: 16 rows for a million steps) instead of the
points. ``PLAN_CHECK`` is that statement, for ``EXPLAIN QUERY PLAN`` in the
tests. The jobs themselves are picked by their stored ``project_dir`` /
``config`` params; a project directory is compared resolved (a run queued
as ``~/proj`` or ``proj`` is the same project), by the caller.
"""

from __future__ import annotations

import json
import sqlite3
import time
from typing import Any

from ..jobs.model import row_to_record
from ..models.jobs import DescribeJob
from ..models.runs import MetricSummary, RunRow

SUMMARY = """
SELECT
    (SELECT step FROM metrics WHERE job_id = :job AND name = :name
        ORDER BY step DESC LIMIT 1),
    (SELECT value FROM metrics WHERE job_id = :job AND name = :name
        ORDER BY step DESC LIMIT 1),
    (SELECT MIN(min_value) FROM metric_rollups
        WHERE job_id = :job AND name = :name AND width = :width),
    (SELECT MAX(max_value) FROM metric_rollups
        WHERE job_id = :job AND name = :name AND width = :width)
"""
PLAN_CHECK = SUMMARY


def config_jobs(conn: sqlite3.Connection) -> list[tuple[DescribeJob, str, str | None]]:
    """Every job made from a config, newest first: (record, project_dir, config) as stored."""
    rows = conn.execute(
        "SELECT * FROM jobs WHERE json_extract(params, '$.project_dir') IS NOT NULL "
        "ORDER BY created_at DESC, id"
    ).fetchall()
    out = []
    for row in rows:
        params = json.loads(row["params"])
        project = params.get("project_dir")
        if isinstance(project, str):
            config = params.get("config")
            out.append((row_to_record(row), project, config if isinstance(config, str) else None))
    return out


def summaries(
    conn: sqlite3.Connection, job_id: str, names: list[str], coarsest: int
) -> dict[str, MetricSummary]:
    """Last, min and max of each of ``names`` of one job (``coarsest``: the widest rollup)."""
    out: dict[str, MetricSummary] = {}
    for name in names:
        args = {"job": job_id, "name": name, "width": coarsest}
        step, last, lo, hi = conn.execute(SUMMARY, args).fetchone()
        out[name] = MetricSummary(last=last, last_step=int(step), min=lo, max=hi)
    return out


def row(job: DescribeJob, metrics: dict[str, MetricSummary], now: float | None = None) -> RunRow:
    """One row of the table."""
    params: dict[str, Any] = job.params
    duration = None
    if job.started_at is not None:
        duration = max(0.0, (job.ended_at or now or time.time()) - job.started_at)
    config = params.get("config")
    return RunRow(
        id=job.id,
        name=job.name,
        status=job.status,
        owner=None,
        job_type=job.job_type,
        config=config if isinstance(config, str) else None,
        dynamic_args=dict(params.get("dynamic_args") or {}),
        created_at=job.created_at,
        started_at=job.started_at,
        ended_at=job.ended_at,
        duration=duration,
        attempt=job.attempt,
        rerun_of=job.rerun_of,
        group=job.group,
        metrics=metrics,
    )
