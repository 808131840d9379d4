"""Helpers for tests that run real jobs through a real server."""

from __future__ import annotations

import asyncio
import sys
import time
from typing import Any

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
