"""Helpers for tests that run real jobs through a real server."""

from __future__ import annotations

import asyncio
import os
import sys
import time
from pathlib import Path
from typing import Any

from forgather_lab.jobs import repository as jobs_repo
from forgather_lab.models.jobs import DescribeJob
from forgather_lab.store import Database

PY = sys.executable


def command(
    *code_lines: str, gpus: int = 0, priority: int = 0, name: str | None = None, **extra: Any
) -> dict[str, Any]:
    """A ``POST /queue`` body running a small Python program."""
    body: dict[str, Any] = {
        "job_type": "command",
        "job_params": {"argv": [PY, "-c", "\n".join(code_lines)], **extra},
        "requested_gpus": gpus,
        "priority": priority,
    }
    if name:
        body["name"] = name
    return body


async def wait_for(
    api: Any, job_id: str, statuses: set[str], timeout: float = 20.0
) -> dict[str, Any]:
    """Poll a job until its status is one of ``statuses``."""
    deadline = time.monotonic() + timeout
    job: dict[str, Any] = {}
    while time.monotonic() < deadline:
        status, job = await api("jobs", job_id)
        assert status == 200, job
        if job["status"] in statuses:
            return job
        await asyncio.sleep(0.05)
    raise AssertionError(f"job {job_id} stayed {job.get('status')}, wanted {statuses}: {job}")


async def wait_until(predicate: Any, timeout: float = 10.0) -> None:
    """Await an async predicate until it is true."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if await predicate():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("condition not met in time")


async def job_token(state_dir: Path, job_id: str) -> str:
    """A job's callback token, once its runner has written it (it does as the job starts)."""
    path = state_dir / "jobs" / job_id / "token"

    async def written() -> bool:
        return path.exists()

    await wait_until(written)
    return path.read_text().strip()


async def running_inference_job(db: Database) -> DescribeJob:
    """An inference job recorded as running in this very process, straight in the store."""
    job = await db.run(
        lambda c: jobs_repo.insert(
            c, name="srv", job_type="inference", priority=0, requested_gpus=0, params={}
        )
    )
    await db.run(lambda c: jobs_repo.claim(c, job.id, []))
    await db.run(
        lambda c: jobs_repo.mark_running(
            c, job.id, pid=os.getpid(), create_time=0.0, log_path="x", token_hash=None
        )
    )
    return job
