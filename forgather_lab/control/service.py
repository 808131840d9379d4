"""The control service: what the reporter sends in, what the trainer is told.

Everything a callback brings (status, metrics, acknowledgements) is written in
one database call, then published (``job_progress``), so what a client sees
has been made durable first. Job ends become ``job_finished`` events, shaped
for a notification, which the webhooks also send out. The reporter's job
token is checked here too, so the callback endpoint only hands it over.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import sqlite3
import time
from collections import OrderedDict
from typing import Any

from ..errors import BadRequest, Conflict, Forbidden, ForgatherError
from ..events import Event, EventBus
from ..jobs import repository as jobs_repo
from ..jobs.launcher import hash_token
from ..jobs.model import ACTIVE, TERMINAL, DescribeJob, JobStatus
from ..jobs.service import JobsService
from ..models.control import (
    ControlResult,
    DescribeCommand,
    DescribeInlineProgress,
    DescribeTrainerStatus,
    ListMetrics,
    PendingCommand,
    ReportBatch,
    ReportReply,
    TrainerStatus,
)
from ..store import Database
from ..store.db import transaction
from ..tasks import TaskSet
from . import commands, metrics, status
from .progress import LogProgress
from .streams import ClientSlots, EventStreams, socket_slots

log = logging.getLogger("forgather_lab.control")

MAX_TRACKED_LOGS = 1024
KILLS = {"kill": False, "force-kill": True}  # action -> force
_LEVELS = {JobStatus.DONE: "success", JobStatus.FAILED: "error"}  # the rest are "info"
_NO_HASH = "0" * 64  # compared against when the job has no token, so timing tells nothing


class ControlService:
    """Trainer commands, trainer status, metric series, inline progress, event streams."""

    def __init__(self, db: Database, bus: EventBus, jobs: JobsService) -> None:
        self.db = db
        self.bus = bus
        self.jobs = jobs
        #: The SSE streams this server has open (the connection limit is per server).
        self.streams = EventStreams(bus)
        #: Its WebSocket streams (job log follows, the GPU stream), capped per client.
        self.sockets: ClientSlots = socket_slots()
        self._logs: OrderedDict[str, LogProgress] = OrderedDict()
        self._log_locks: dict[str, asyncio.Lock] = {}
        self._tasks = TaskSet("forgather control")
        self._unlisten = bus.listen(self._on_event)

    # -- commands -------------------------------------------------------------

    async def act(self, job_id: str, action: str) -> ControlResult:
        """``POST /jobs/{id}/control/{action}``: kill the job's processes, or tell its trainer."""
        if action in KILLS:
            return ControlResult(await self.jobs.kill(job_id, force=KILLS[action]))
        return ControlResult(await self.command(job_id, action))

    async def command(self, job_id: str, command: str) -> DescribeCommand:
        """Queue a trainer command; 409 when the job is not running or has no reporter."""
        if command not in commands.TRAINER_COMMANDS:
            raise BadRequest(
                f"Unknown control {command!r}; expected one of "
                f"{', '.join(commands.TRAINER_COMMANDS)}, kill or force-kill"
            )
        job = await self.jobs.get(job_id)
        if job.status not in ACTIVE:
            raise Conflict(f"Job {job_id} is {job.status}, not running")
        if await self.db.run(lambda c: status.load(c, job_id)) is None:
            raise Conflict(
                f"Job {job_id} has no reporter: its code does not use forgather_lab.reporter "
                "(or has not connected yet), so it cannot save or stop on request. "
                "Kill and force-kill still work."
            )
        record = await self.db.run(lambda c: commands.queue(c, job_id, command))
        self.bus.publish("job_command", job_id=job_id, command=record.model_dump(mode="json"))
        return record

    # -- the reporter's callback ----------------------------------------------

    async def authenticate_callback(self, job_id: str, token: str) -> None:
        """Let ``token`` through only to its own running job's callback.

        403 for any other token. The hash is compared in constant time, and an
        unknown job or one with no token yet compares against a placeholder and
        answers the same 403, so neither timing nor the reply tells which job
        ids exist. 409 once the job has ended: its token is spent, and a
        straggling process must not rewrite what the job's end recorded.
        """
        stored = await self.db.run(lambda c: jobs_repo.token_hash(c, job_id))
        # A job that has not started has no hash (NULL): it opens nothing yet.
        expected = stored if stored is not None and len(stored) == len(_NO_HASH) else None
        if not hmac.compare_digest(hash_token(token), expected or _NO_HASH) or expected is None:
            raise Forbidden("The token is not this job's token")
        job = await self.jobs.get(job_id)
        if job.status in TERMINAL:
            raise _ended(job)

    async def callback(self, job_id: str, batch: ReportBatch) -> ReportReply:
        """Store a reporter batch; answer with the commands the trainer has not taken.

        409 when the job has ended (checked again on the database thread, so a
        batch racing the job's end is refused rather than stored after it).
        """
        await self.jobs.get(job_id)
        now = time.time()

        def write(
            conn: sqlite3.Connection,
        ) -> tuple[TrainerStatus, list[int], list[PendingCommand]]:
            job = jobs_repo.get(conn, job_id)
            if job is not None and job.status in TERMINAL:
                raise _ended(job)
            current = status.load(conn, job_id) or status.empty()
            new, rows = status.fold(current, batch.records)
            new.dropped = max(batch.dropped, new.dropped)
            status.save(conn, job_id, new, now)
            metrics.append(conn, job_id, rows)
            acked = commands.acknowledge(conn, job_id, batch.ack)
            pending = commands.deliver(conn, job_id)
            return status.load(conn, job_id) or new, acked, pending

        new, acked, pending = await self.db.run(write)
        if batch.records or batch.hello is not None or batch.final:
            self.bus.publish("job_progress", job_id=job_id, status=new.model_dump(mode="json"))
        for command_id in acked:
            self.bus.publish("job_command_acknowledged", job_id=job_id, command_id=command_id)
        return ReportReply(commands=pending)

    # -- reads ----------------------------------------------------------------

    async def status(self, job_id: str) -> DescribeTrainerStatus:
        """The trainer's latest status, with the job's recent commands."""
        job = await self.jobs.get(job_id)

        def read(conn: sqlite3.Connection) -> tuple[TrainerStatus | None, list[DescribeCommand]]:
            return status.load(conn, job_id), commands.recent(conn, job_id)

        stored, recent = await self.db.run(read)
        return DescribeTrainerStatus(
            **(stored or status.empty()).model_dump(),
            job_id=job_id,
            job_status=job.status,
            has_reporter=stored is not None,
            commands=recent,
        )

    async def inline_progress(self, job_id: str) -> DescribeInlineProgress:
        """Stage, last log line and percent from the job's log, read incrementally."""
        job = await self.jobs.get(job_id)
        lock = self._log_locks.setdefault(job_id, asyncio.Lock())
        async with lock:
            state = self._logs.pop(job_id, None) or LogProgress()
            self._logs[job_id] = state  # most recently used last
            while len(self._logs) > MAX_TRACKED_LOGS:
                old, _ = self._logs.popitem(last=False)
                self._log_locks.pop(old, None)
            finished = job.status in TERMINAL
            await asyncio.to_thread(state.read, self.jobs.log_path(job_id), finished)
            return state.describe(job_id)

    async def metrics(
        self, job_id: str, names: list[str] | None, since_step: int, max_points: int
    ) -> ListMetrics:
        """Series by name, each downsampled to about ``max_points``."""
        await self.jobs.get(job_id)

        def read(conn: sqlite3.Connection) -> dict[str, list[metrics.Point]]:
            wanted = names if names else metrics.names(conn, job_id)
            return {n: metrics.series(conn, job_id, n, since_step, max_points) for n in wanted}

        return ListMetrics(series=await self.db.run(read))

    # -- job ends -------------------------------------------------------------

    def _on_event(self, event: Event) -> None:
        if event.type == "job_deleted":
            self._logs.pop(event.data["job_id"], None)
            self._log_locks.pop(event.data["job_id"], None)
        elif event.type == "job_status_changed" and event.data.get("status") in TERMINAL:
            job_id = event.data["job_id"]
            ended = event.data.get("job")
            self._tasks.spawn(self._finished(job_id, ended), name=f"announce end of job {job_id}")
        elif event.type == "job_status_changed" and event.data.get("status") == JobStatus.QUEUED:
            # Requeued (preempted, retried): what the last attempt's trainer never took
            # must not reach the next one, which would save-stop as soon as it connects.
            job_id = event.data["job_id"]
            before = (event.data.get("job") or {}).get("queued_at") or time.time()
            self._tasks.spawn(
                self.db.run(lambda c: _withdraw(c, job_id, before)),
                name=f"withdraw commands of requeued job {job_id}",
            )

    async def _finished(self, job_id: str, ended: dict[str, Any] | None) -> None:
        """Publish ``job_finished`` for the job whose end ``ended`` (its record) says."""
        if ended is not None:
            # The record as the end was written, sent with the change: no read again.
            job = DescribeJob.model_validate(ended)
        else:
            try:
                job = await self.jobs.get(job_id)
            except ForgatherError:  # deleted meanwhile, or the db is closing: nothing to say
                log.debug("job %s ended but could not be read", job_id, exc_info=True)
                return
        st = job.status
        self.bus.publish(
            "job_finished",
            job_id=job_id,
            status=st.value,
            name=job.name,
            message=_ending(job),
            level=_LEVELS.get(st, "info"),
            exit_code=job.exit_code,
            error=job.error,
            job=ended if ended is not None else job.model_dump(mode="json"),
        )

    async def close(self) -> None:
        """Stop listening and cancel pending announcements (twice is harmless)."""
        unlisten, self._unlisten = self._unlisten, _nothing
        unlisten()
        await self._tasks.close()


def _nothing() -> None:
    pass


def _withdraw(conn: sqlite3.Connection, job_id: str, before: float) -> None:
    """Drop the job's commands its trainer never acknowledged, queued up to ``before``."""
    with transaction(conn):
        conn.execute(
            "DELETE FROM job_commands WHERE job_id = ? AND acknowledged_at IS NULL "
            "AND created_at <= ?",
            (job_id, before),
        )


def _ended(job: DescribeJob) -> Conflict:
    return Conflict(
        f"Job {job.id} has ended ({job.status}): its token no longer reports",
        reason="job_ended",
        status=job.status.value,
    )


def _ending(job: DescribeJob) -> str:
    """A job's end as a notification sentence."""
    name = job.name
    match job.status:
        case JobStatus.DONE:
            return f"Job {name!r} finished"
        case JobStatus.FAILED:
            return f"Job {name!r} failed" + (f": {job.error}" if job.error else "")
        case JobStatus.ABORTED:
            return f"Job {name!r} was stopped"
        case JobStatus.CANCELLED:
            return f"Job {name!r} was cancelled"
    return f"Job {name!r} is {job.status}"
