"""Stopping a running job on purpose: save-stop, a grace time, then kill.

Two enforcers stop jobs the user did not stop: time limits (``limits.py``:
the job ends ``failed``) and preemption (here: the job goes back to
``queued`` with the same id and its next attempt resumes). Both take the
same steps, in ``Stopper``:

1. a ``job_history`` row marks the stop, written in the transaction that
   checks the attempt still runs and is not being stopped already, so a
   ``kill -9`` of the server cannot forget it and no stop starts twice;
2. the jobs service is told how to record the coming end (``plan_end``:
   requeue, or failed with the reason), so whoever notices the exit (the
   exit watch, or re-attach after a restart) records it so;
3. a trainer with a reporter gets ``save-stop`` and ``stop_grace`` seconds,
   counted from the mark, to acknowledge and exit; then, or at once for a
   job without a reporter, the jobs service's kill (SIGTERM, SIGKILL when
   it does not go). Preemption gives a job without a reporter SIGTERM at
   once and SIGKILL only when the grace time is up, the way Slurm and
   Kubernetes let a process checkpoint on SIGTERM.

After a restart ``prepare`` (before the jobs service re-attaches) plans the
ends of the marked jobs again, so a victim that exited while the server was
down is requeued rather than recorded as done; ``resume`` (after) carries on
the stops of those still running: the save-stop already queued is not sent
twice, and the kill comes when the grace time counted from the mark is up
(from the restart, if the trainer had not received the save-stop yet).
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from dataclasses import dataclass

from ..errors import Conflict, NotFound
from ..events import Event, EventBus
from ..jobs.history import record
from ..jobs.service import JobsService, PlannedEnd
from ..models.jobs import ACTIVE, JobStatus
from ..store import Database
from ..store.db import transaction
from ..tasks import TaskSet, wait_set
from .service import ControlService

log = logging.getLogger("forgather_lab.control")

#: History reasons that mark a stop, by whether the job is requeued after it.
MARKS = {True: "stopping to requeue: ", False: "stopping: "}
_ACTIVE = frozenset(s.value for s in ACTIVE)


@dataclass
class Stop:
    """One stop in progress: why, since when, and how far it got."""

    job_id: str
    attempt: int
    why: str
    requeue: bool
    since: float  # the mark's time: the grace time counts from it
    asked: bool = False  # whether the reporter was asked (command_id says whether it could be)
    command_id: int | None = None  # the save-stop sent, if the job has a reporter
    acknowledged: bool = False
    killing: bool = False

    def end(self, grace: float) -> PlannedEnd:
        """How the job's end is recorded, given how far the stop got."""
        if self.killing and self.command_id is not None:
            late = " (it acknowledged but had not exited)" if self.acknowledged else ""
            how = f"killed after {grace:g}s grace{late}"
        elif self.acknowledged:
            how = "saved and stopped"
        elif self.command_id is not None:
            how = "save-stop requested; it ended before acknowledging"
        elif not self.asked:
            how = "stopped"
        elif self.requeue:
            how = f"no reporter: SIGTERM, then SIGKILL after {grace:g}s grace"
        else:
            how = "killed (no reporter to save first)"
        return PlannedEnd(f"{self.why}: {how}", requeue=self.requeue)


def mark(conn: sqlite3.Connection, stop: Stop) -> float | None:
    """Mark the stop of the active attempt; its time, or None (the attempt no longer
    runs, or is being stopped already)."""
    with transaction(conn):
        found = conn.execute(
            "SELECT status, attempt FROM jobs WHERE id = ?", (stop.job_id,)
        ).fetchone()
        if found is None or found["status"] not in _ACTIVE:
            return None
        if found["attempt"] != stop.attempt or _marks(conn, stop.job_id, stop.attempt):
            return None
        now = time.time()
        record(conn, stop.job_id, MARKS[stop.requeue] + stop.why, now)
    return now


def _marks(conn: sqlite3.Connection, job_id: str, attempt: int) -> list[sqlite3.Row]:
    return conn.execute(
        "SELECT at, reason FROM job_history WHERE job_id = ? AND attempt = ? "
        "AND (reason LIKE ? OR reason LIKE ?) ORDER BY id",
        (job_id, attempt, *(m + "%" for m in MARKS.values())),
    ).fetchall()


def in_progress(conn: sqlite3.Connection) -> list[Stop]:
    """The stops marked for the current attempt of jobs still starting or running."""
    stops = []
    marks = ",".join("?" * len(_ACTIVE))
    rows = conn.execute(
        f"SELECT id, attempt FROM jobs WHERE status IN ({marks}) ORDER BY seq", sorted(_ACTIVE)
    ).fetchall()
    for job in rows:
        found = _marks(conn, job["id"], job["attempt"])
        if not found:
            continue
        at, reason = found[0]["at"], found[0]["reason"]
        requeue = reason.startswith(MARKS[True])
        stop = Stop(job["id"], job["attempt"], reason[len(MARKS[requeue]) :], requeue, at)
        asked = conn.execute(
            "SELECT id, delivered_at, acknowledged_at FROM job_commands WHERE job_id = ? "
            "AND command = 'save-stop' AND created_at >= ? ORDER BY id LIMIT 1",
            (job["id"], at),
        ).fetchone()
        if asked is not None:
            stop.asked, stop.command_id = True, asked["id"]
            stop.acknowledged = asked["acknowledged_at"] is not None
        if asked is None or asked["delivered_at"] is None:
            # The trainer never heard of the stop (the server went down first): its
            # grace time starts now rather than running out while nobody could ask.
            stop.since = time.time()
        stops.append(stop)
    return stops


class Stopper:
    """Runs the stops of time limits and preemption (one background task per stop)."""

    def __init__(
        self, db: Database, bus: EventBus, jobs: JobsService, control: ControlService, grace: float
    ) -> None:
        self.db = db
        self.bus = bus
        self.jobs = jobs
        self.control = control
        self.grace = grace
        self._stops: dict[str, Stop] = {}
        self._gone: dict[str, asyncio.Event] = {}
        self._running: dict[str, asyncio.Event] = {}
        self._recovered: list[Stop] = []
        self._tasks = TaskSet("forgather stops")
        self._unlisten = bus.listen(self._on_event)

    def stopping(self, requeue: bool | None = None) -> set[str]:
        """Ids of the jobs being stopped now (only those to be requeued, or not, if given)."""
        return {i for i, s in self._stops.items() if requeue is None or s.requeue == requeue}

    async def begin(self, job_id: str, why: str, *, requeue: bool) -> bool:
        """Start stopping an active job; False when it is not active or already stopping.

        Returns once the stop is durable; the rest runs in the background. A
        job still starting is asked (or killed) once it runs: a kill needs its
        process, and a victim the scheduler chose must not be left running.
        """
        if job_id in self._stops:
            return False
        try:
            job = await self.jobs.get(job_id)
        except NotFound:
            return False
        if job.status not in ACTIVE or job_id in self._stops:
            return False
        stop = Stop(job_id, job.attempt, why, requeue, time.time())
        self._watch(stop)  # before the next await: a second call now sees it
        since = await self.db.run(lambda c: mark(c, stop))
        if since is None:
            self._forget(job_id)
            return False
        stop.since = since
        log.info("stopping job %s: %s", job_id, why)
        self._start(stop)
        self.bus.publish("job_updated", job_id=job_id)
        return True

    async def prepare(self) -> None:
        """At start, before the jobs service re-attaches: plan the marked jobs' ends again."""
        self._recovered = await self.db.run(in_progress)
        for stop in self._recovered:
            self.jobs.plan_end(stop.job_id, stop.end(self.grace))

    async def resume(self) -> None:
        """After re-attach: carry on the stops of the marked jobs that still run."""
        recovered, self._recovered = self._recovered, []
        for stop in recovered:
            if stop.job_id in self._stops:
                continue
            if not await self._active(stop.job_id):
                self.jobs.plan_end(stop.job_id, None)  # re-attach recorded its end
                continue
            log.info("resuming the stop of job %s: %s", stop.job_id, stop.why)
            self._watch(stop)
            self._start(stop)

    def _start(self, stop: Stop) -> None:
        self._plan(stop)
        self._tasks.spawn(self._run(stop), name=f"stop job {stop.job_id}")

    def _plan(self, stop: Stop) -> None:
        # Synchronous, and never once the job has left running: the plan the jobs
        # service took for that end is gone with it, and a new one would wait for
        # the next attempt's end.
        gone = self._gone.get(stop.job_id)
        if gone is not None and not gone.is_set():
            self.jobs.plan_end(stop.job_id, stop.end(self.grace))

    def _watch(self, stop: Stop) -> None:
        self._stops[stop.job_id] = stop
        self._gone[stop.job_id] = asyncio.Event()
        self._running[stop.job_id] = asyncio.Event()

    def _forget(self, job_id: str) -> None:
        self._stops.pop(job_id, None)
        self._gone.pop(job_id, None)
        self._running.pop(job_id, None)

    async def _run(self, stop: Stop) -> None:
        job_id = stop.job_id
        try:
            if not await self._until_running(job_id):
                return
            deadline = stop.since + self.grace
            if not stop.asked:
                await self._ask(stop)
            if stop.command_id is not None:
                if await self._wait_gone(job_id, deadline):
                    return
                stop.killing = True
                self._plan(stop)
                await self._terminate(job_id, until=None)
            else:
                await self._terminate(job_id, until=deadline if stop.requeue else None)
        finally:
            self._forget(job_id)
        if not await self._active(job_id):
            self.jobs.plan_end(job_id, None)  # it ended before the plan was made
        # Otherwise survivors of the kill keep the job running; the plan waits for them.

    async def _ask(self, stop: Stop) -> None:
        try:
            sent = await self.control.command(stop.job_id, "save-stop")
        except Conflict:  # no reporter (or it ended meanwhile): nobody to ask
            pass
        else:
            stop.command_id = sent.id
        stop.asked = True
        self._plan(stop)

    async def _terminate(self, job_id: str, until: float | None) -> None:
        """SIGTERM; SIGKILL when it does not go (after ``kill_timeout``, or at ``until``)."""
        try:
            if (await self.jobs.kill(job_id, force=False)).exited:
                return
            if until is not None and await self._wait_gone(job_id, until):
                return
            await self.jobs.kill(job_id, force=True)
        except Conflict:  # it ended meanwhile
            return

    async def _wait_gone(self, job_id: str, deadline: float) -> bool:
        """Whether the job leaves running before ``deadline`` (wall clock)."""
        gone = self._gone[job_id]
        if not await self._active(job_id):
            return True
        try:
            async with asyncio.timeout(max(0.0, deadline - time.time())):
                await gone.wait()
        except TimeoutError:
            return False
        return True

    async def _until_running(self, job_id: str) -> bool:
        """Wait while the job is starting; whether it runs (False: it ended meanwhile)."""
        ready = self._running[job_id]
        while True:
            try:
                job = await self.jobs.get(job_id)
            except NotFound:
                return False
            status = job.status
            if status != JobStatus.STARTING:
                return status == JobStatus.RUNNING
            if job.pid is not None:
                # Starting with a pid: handed to an engine that holds it pending
                # (a local job gets its pid and "running" together). Stop it there.
                return True
            await wait_set(ready, 1.0)  # the event wakes it; the timeout is a net

    async def _active(self, job_id: str) -> bool:
        try:
            return (await self.jobs.get(job_id)).status in ACTIVE
        except NotFound:
            return False

    def _on_event(self, event: Event) -> None:
        job_id = event.data.get("job_id")
        if not isinstance(job_id, str) or job_id not in self._stops:
            return
        stop, gone, running = self._stops[job_id], self._gone[job_id], self._running[job_id]
        status = event.data.get("status")
        if event.type == "job_status_changed" and status == JobStatus.RUNNING.value:
            running.set()
        elif event.type == "job_status_changed" and status not in _ACTIVE:
            gone.set()
            running.set()
            # The end is recorded: a plan made while it was being recorded is stale.
            self.jobs.plan_end(job_id, None)
        elif (
            event.type == "job_command_acknowledged"
            and event.data.get("command_id") == stop.command_id
            and not stop.killing
        ):
            stop.acknowledged = True
            self._plan(stop)

    async def close(self) -> None:
        """Stop listening and cancel the stops in flight (the marks carry them over)."""
        self._unlisten()
        await self._tasks.close()


class Preemptor:
    """Preemption that checkpoints first: what the dispatcher calls as ``preempt``."""

    def __init__(self, jobs: JobsService, stopper: Stopper) -> None:
        self.jobs = jobs
        self.stopper = stopper

    def preempting(self) -> set[str]:
        """Ids of the jobs being preempted now (still running until they are requeued)."""
        return self.stopper.stopping(requeue=True)

    async def preempt(self, job_id: str, reason: str) -> None:
        """Save-stop a running preemptible job and put it back on the queue with ``reason``.

        Returns once the preemption is durable (a second call for the same
        attempt does nothing); the job is requeued, attempt + 1, when its last
        process is gone. A job that is not running, or not preemptible, is left alone.
        """
        try:
            job = await self.jobs.get(job_id)
        except NotFound:
            return
        if job.status != JobStatus.RUNNING:
            return
        if not job.preemptible:
            log.warning("not preempting job %s: it is not preemptible (%s)", job_id, reason)
            return
        await self.stopper.begin(job_id, reason, requeue=True)
