"""Time limits: a job that runs past ``started_at + time_limit`` is stopped and fails.

The clock starts when the job runs: a job handed to an engine (Slurm, Ray)
stays ``starting``, unarmed, while the engine holds it in its own queue, and
gets its ``started_at`` when the engine runs it.

One heap of deadlines and one sleeper task for every running job, woken
when a job starts or ends (``job_status_changed``), never a poll loop and
never a task per job. The deadline comes from the job record, so after a
restart the re-attached jobs are armed again from the same instant; a stop
already under way when the server went down is carried on by the
``Stopper`` (``preemption.py``), whose durable planned end also keeps it
from starting twice.

Past its deadline a job with a reporter gets save-stop and ``stop_grace``
seconds to exit before the kill; a job without one is killed at once
(SIGTERM, SIGKILL after ``kill_timeout``). Either way it ends ``failed``,
its error saying "time limit" and how it stopped.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import logging
import time
from collections.abc import Callable, Mapping
from typing import Any

from ..errors import NotFound
from ..events import Event, EventBus
from ..jobs.service import JobsService
from ..models.jobs import JobStatus
from ..tasks import TaskSet, wait_set
from .preemption import Stopper

log = logging.getLogger("forgather_lab.control")


def describe_limit(seconds: float) -> str:
    """The limit as the job's error says it: ``30s``, ``1.5s``."""
    return f"{seconds:g}s"


class TimeLimits:
    """Arms a deadline for each running job that has a ``time_limit`` and enforces it."""

    def __init__(self, bus: EventBus, jobs: JobsService, stopper: Stopper) -> None:
        self.bus = bus
        self.jobs = jobs
        self.stopper = stopper
        self._heap: list[tuple[float, str, int]] = []  # (deadline, job id, attempt)
        self._armed: dict[str, tuple[float, int]] = {}  # what the heap holds that is still due
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._unlisten: Callable[[], None] | None = None
        self._stops = TaskSet("forgather time limits")

    def deadline(self, job_id: str) -> float | None:
        """When the job's limit is reached (wall clock), if it is armed."""
        armed = self._armed.get(job_id)
        return armed[0] if armed else None

    async def start(self) -> None:
        """Arm the running jobs (re-attached ones included) and start the sleeper."""
        if self._task is not None:
            return
        self._unlisten = self.bus.listen(self._on_event)
        for job in await self.jobs.active():
            self._arm(job.model_dump(mode="json"))
        self._task = asyncio.create_task(self._run(), name="forgather-time-limits")

    def _on_event(self, event: Event) -> None:
        if event.type != "job_status_changed":
            return
        job = event.data.get("job")
        if event.data.get("status") == JobStatus.RUNNING.value and isinstance(job, dict):
            self._arm(job)
        elif event.data.get("status") != JobStatus.STARTING.value:
            self._armed.pop(event.data.get("job_id", ""), None)  # its heap entry goes stale

    def _arm(self, job: Mapping[str, Any]) -> None:
        limit, started = job.get("time_limit"), job.get("started_at")
        if job.get("status") != JobStatus.RUNNING.value or not limit or started is None:
            return
        deadline, attempt = float(started) + float(limit), int(job.get("attempt") or 1)
        if self._armed.get(job["id"]) == (deadline, attempt):
            return
        self._armed[job["id"]] = (deadline, attempt)
        heapq.heappush(self._heap, (deadline, job["id"], attempt))
        self._wake.set()

    async def _run(self) -> None:
        while True:
            self._wake.clear()
            now = time.time()
            while self._heap and (
                self._heap[0][0] <= now
                or self._armed.get(self._heap[0][1]) != (self._heap[0][0], self._heap[0][2])
            ):
                deadline, job_id, attempt = heapq.heappop(self._heap)
                if self._armed.get(job_id) == (deadline, attempt):
                    del self._armed[job_id]
                    self._stops.spawn(self._enforce(job_id, attempt), name=f"limit of {job_id}")
            timeout = self._heap[0][0] - now if self._heap else None
            await wait_set(self._wake, timeout)

    async def _enforce(self, job_id: str, attempt: int) -> None:
        try:
            job = await self.jobs.get(job_id)
        except NotFound:
            return
        if job.status != JobStatus.RUNNING or job.attempt != attempt or not job.time_limit:
            return
        why = f"time limit of {describe_limit(job.time_limit)} reached"
        if await self.stopper.begin(job_id, why, requeue=False):
            log.info("job %s: %s", job_id, why)

    async def close(self) -> None:
        """Stop the sleeper (the deadlines are read again from the jobs at the next start)."""
        if self._unlisten is not None:
            self._unlisten()
            self._unlisten = None
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        await self._stops.close()
