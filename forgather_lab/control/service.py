"""The control service: what the reporter sends in, what the trainer is told.

Everything a callback brings (status, metrics, acknowledgements) is written in
one database call, then published (``job_progress``), so what a client sees
has been made durable first. Job ends become ``job_finished`` events, shaped
for a notification, which the webhooks also send out.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from typing import Any

from ..errors import BadRequest, Conflict, ForgatherError
from ..events import Event, EventBus
from ..jobs.model import TERMINAL, JobStatus
from ..jobs.service import JobsService
from ..models.control import ReportBatch
from ..store import Database
from . import commands, metrics, status
from .progress import LogProgress

log = logging.getLogger("forgather_lab.control")

MAX_TRACKED_LOGS = 1024
_TERMINAL = {s.value for s in TERMINAL}
_RUNNING = {JobStatus.STARTING.value, JobStatus.RUNNING.value}


class ControlService:
    """Trainer commands, trainer status, metric series and inline progress."""

    def __init__(self, db: Database, bus: EventBus, jobs: JobsService) -> None:
        self.db = db
        self.bus = bus
        self.jobs = jobs
        self._logs: OrderedDict[str, LogProgress] = OrderedDict()
        self._log_locks: dict[str, asyncio.Lock] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._unlisten = bus.listen(self._on_event)

    # -- commands -------------------------------------------------------------

    async def command(self, job_id: str, command: str) -> dict[str, Any]:
        """Queue a trainer command; 409 when the job is not running or has no reporter."""
        if command not in commands.TRAINER_COMMANDS:
            raise BadRequest(
                f"Unknown control {command!r}; expected one of "
                f"{', '.join(commands.TRAINER_COMMANDS)}, kill or force-kill"
            )
        job = await self.jobs.get(job_id)
        if job["status"] not in _RUNNING:
            raise Conflict(f"Job {job_id} is {job['status']}, not running")
        if await self.db.run(lambda c: status.load(c, job_id)) is None:
            raise Conflict(
                f"Job {job_id} has no reporter: its code does not use forgather_lab.reporter "
                "(or has not connected yet), so it cannot save or stop on request. "
                "Kill and force-kill still work."
            )
        record = await self.db.run(lambda c: commands.queue(c, job_id, command))
        self.bus.publish("job_command", job_id=job_id, command=record)
        return record

    # -- the reporter's callback ----------------------------------------------

    async def callback(self, job_id: str, batch: ReportBatch) -> dict[str, Any]:
        """Store a reporter batch; answer with the commands the trainer has not taken."""
        job = await self.jobs.get(job_id)
        records = [r.model_dump() for r in batch.records]
        now = time.time()

        def write(conn: Any) -> tuple[dict[str, Any], list[int], list[dict[str, Any]]]:
            current = status.load(conn, job_id) or {}
            new, rows = status.fold(current, records)
            new["dropped"] = max(batch.dropped, int(new.get("dropped") or 0))
            status.save(conn, job_id, new, now)
            metrics.append(conn, job_id, rows)
            acked = commands.acknowledge(conn, job_id, batch.ack)
            pending = commands.deliver(conn, job_id) if job["status"] not in _TERMINAL else []
            return status.load(conn, job_id) or new, acked, pending

        new, acked, pending = await self.db.run(write)
        if records or batch.hello is not None or batch.final:
            self.bus.publish("job_progress", job_id=job_id, status=_public(new))
        for command_id in acked:
            self.bus.publish("job_command_acknowledged", job_id=job_id, command_id=command_id)
        return {"commands": pending}

    # -- reads ----------------------------------------------------------------

    async def status(self, job_id: str) -> dict[str, Any]:
        """The trainer's latest status, with the job's recent commands."""
        job = await self.jobs.get(job_id)

        def read(conn: Any) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
            return status.load(conn, job_id), commands.recent(conn, job_id)

        stored, recent = await self.db.run(read)
        current = {**status.EMPTY, "connected_at": None, "updated_at": None, **(stored or {})}
        return {
            "job_id": job_id,
            "job_status": job["status"],
            "has_reporter": stored is not None,
            **_public(current),
            "commands": recent,
        }

    async def inline_progress(self, job_id: str) -> dict[str, Any]:
        """Stage, last log line and percent from the job's log, read incrementally."""
        job = await self.jobs.get(job_id)
        lock = self._log_locks.setdefault(job_id, asyncio.Lock())
        async with lock:
            state = self._logs.pop(job_id, None) or LogProgress()
            self._logs[job_id] = state  # most recently used last
            while len(self._logs) > MAX_TRACKED_LOGS:
                old, _ = self._logs.popitem(last=False)
                self._log_locks.pop(old, None)
            finished = job["status"] in _TERMINAL
            await asyncio.to_thread(state.read, self.jobs.log_path(job_id), finished)
            return state.to_dict(job_id)

    async def metrics(
        self, job_id: str, names: list[str] | None, since_step: int, max_points: int
    ) -> dict[str, Any]:
        """Series by name, each downsampled to about ``max_points``."""
        await self.jobs.get(job_id)

        def read(conn: Any) -> dict[str, Any]:
            wanted = names if names else metrics.names(conn, job_id)
            return {n: metrics.series(conn, job_id, n, since_step, max_points) for n in wanted}

        return {"series": await self.db.run(read)}

    # -- job ends -------------------------------------------------------------

    def _on_event(self, event: Event) -> None:
        if event.type == "job_deleted":
            self._logs.pop(event.data["job_id"], None)
            self._log_locks.pop(event.data["job_id"], None)
        elif event.type == "job_status_changed" and event.data.get("status") in _TERMINAL:
            task = asyncio.ensure_future(self._finished(event.data["job_id"]))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _finished(self, job_id: str) -> None:
        try:
            job = await self.jobs.get(job_id)
        except ForgatherError:  # deleted meanwhile, or the db is closing: nothing to say
            log.debug("job %s ended but could not be read", job_id, exc_info=True)
            return
        name, st = job["name"], job["status"]
        message = {
            "done": f"Job {name!r} finished",
            "failed": f"Job {name!r} failed" + (f": {job['error']}" if job["error"] else ""),
            "aborted": f"Job {name!r} was stopped",
            "cancelled": f"Job {name!r} was cancelled",
        }.get(st, f"Job {name!r} is {st}")
        self.bus.publish(
            "job_finished",
            job_id=job_id,
            status=st,
            name=name,
            message=message,
            level="success" if st == "done" else "error" if st == "failed" else "info",
            exit_code=job["exit_code"],
            error=job["error"],
            job=job,
        )

    async def close(self) -> None:
        """Stop listening and finish pending announcements."""
        self._unlisten()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)


def _public(current: dict[str, Any]) -> dict[str, Any]:
    return {k: current.get(k) for k in (*status.EMPTY, "connected_at", "updated_at")}
