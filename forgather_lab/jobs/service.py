"""The jobs service: enqueue, lifecycle, exits, kills, cleanup. No HTTP here.

Every status change is written to the database first and published on the
event bus second, so what a client is told has always been made durable.
Where a job's processes run is the executor's business (``executors/``);
this service decides what runs, records it, and reacts to how it ended.

Over 400 lines because a job's end is one state machine that must stay in
one place: the runner's exit, processes that outlive it, kills (which may
leave survivors that keep the GPUs) and re-attach after a restart all decide
the same transition to a terminal status.
"""

from __future__ import annotations

import asyncio
import builtins
import contextlib
import functools
import logging
import shutil
import signal
from pathlib import Path
from typing import Any, Protocol

from ..errors import BadRequest, Conflict, NotFound
from ..events import EventBus
from ..executors.base import Executor
from ..models.jobs import CreateJob, KillResult
from ..store import Database
from ..tasks import TaskSet
from . import repository as repo
from .kinds import ConfigResolver, JobKinds
from .logs import read_tail
from .model import ACTIVE, TERMINAL, DescribeJob, JobStatus

log = logging.getLogger("forgather_lab.jobs")

SQLITE_MAX_INT = 2**63 - 1  # a bigger OFFSET is an OverflowError in sqlite3, not a page
FORCE_KILL_WAIT = 5.0


class JobObserver(Protocol):
    """Told when a job's process starts and ends (the simulated GPUs attribute it)."""

    def job_started(self, job: DescribeJob) -> None:
        """``job`` now runs, as ``job.pid`` on ``job.gpus``."""

    def job_ended(self, job: DescribeJob) -> None:
        """``job``'s process has ended."""


class JobsService:
    """Owns job records and, through the executor, job processes."""

    def __init__(
        self,
        db: Database,
        bus: EventBus,
        executor: Executor,
        kinds: JobKinds,
        *,
        max_gpus: int,
        kill_timeout: float = 10.0,
        resolver: ConfigResolver | None = None,
        observer: JobObserver | None = None,
    ) -> None:
        self.db = db
        self.bus = bus
        self.executor = executor
        self.kinds = kinds
        self.max_gpus = max_gpus
        self.kill_timeout = kill_timeout
        self.resolver = resolver
        self.observer = observer
        self._exited: dict[str, asyncio.Event] = {}
        self._killing: set[str] = set()
        self._tasks = TaskSet("jobs")

    @property
    def watched(self) -> set[str]:
        """Ids of jobs whose process is being watched (running now)."""
        return set(self._exited)

    # -- the queue ------------------------------------------------------------

    async def enqueue(self, request: CreateJob) -> DescribeJob:
        """Validate and queue a job; it is durable when this returns."""
        kind = self.kinds.get(request.job_type)
        params = await asyncio.to_thread(kind.prepare, request, self.resolver)
        requested = request.requested_gpus
        if requested is None:
            requested = kind.default_gpus(params)
        if requested > self.max_gpus:
            raise BadRequest(
                f"requested_gpus is {requested} but this server has "
                f"{self.max_gpus} usable GPU{'s' if self.max_gpus != 1 else ''}"
            )
        name = request.name or _default_name(request, params)
        job = await self.db.run(
            lambda c: repo.insert(
                c,
                name=name,
                job_type=kind.name,
                priority=request.priority,
                requested_gpus=requested,
                params=params,
            )
        )
        self.bus.publish("job_queued", job_id=job.id, job=job.model_dump(mode="json"))
        self.bus.publish("queue_changed")
        return job

    async def queue(self) -> builtins.list[DescribeJob]:
        """Queued jobs in dispatch order."""
        return await self.db.run(repo.queued)

    async def active(self) -> builtins.list[DescribeJob]:
        """Jobs starting or running."""
        return await self.db.run(repo.active)

    async def cancel(self, job_id: str) -> DescribeJob:
        """Cancel a queued job, or abort (kill) it if it already runs."""
        job = await self.get(job_id)
        if job.status == JobStatus.QUEUED:
            if await self.db.run(
                lambda c: repo.finish(
                    c, job_id, JobStatus.CANCELLED, only_from=frozenset({JobStatus.QUEUED})
                )
            ):
                await self._changed(job_id, JobStatus.QUEUED)
                return await self.get(job_id)
            job = await self.get(job_id)  # it was dispatched meanwhile
        if job.status in ACTIVE:
            return (await self.kill(job_id, force=False)).job
        raise Conflict(f"Job {job_id} is already {job.status}")

    # -- records --------------------------------------------------------------

    async def get(self, job_id: str) -> DescribeJob:
        """One job; 404 if there is none."""
        job = await self.db.run(lambda c: repo.get(c, job_id))
        if job is None:
            raise NotFound(f"No job {job_id!r}")
        return job

    async def list_jobs(
        self, statuses: builtins.list[str] | None, limit: int, offset: int
    ) -> tuple[builtins.list[DescribeJob], int]:
        """A page of jobs, newest first, and how many match the filter."""
        known = {s.value for s in JobStatus}
        unknown = [s for s in statuses or [] if s not in known]
        if unknown:
            raise BadRequest(
                f"Unknown status {unknown[0]!r}; expected one of "
                f"{', '.join(s.value for s in JobStatus)}"
            )
        if offset > SQLITE_MAX_INT:
            raise BadRequest(f"offset {offset} is past any possible job")
        return await self.db.run(lambda c: repo.list_jobs(c, statuses, limit, offset))

    async def delete(self, job_id: str) -> None:
        """Delete a terminal job and its files."""
        job = await self.get(job_id)
        if job.status not in TERMINAL:
            raise Conflict(f"Job {job_id} is {job.status}; only finished jobs can be deleted")
        await self.db.run(lambda c: repo.delete(c, [job_id]))
        await asyncio.to_thread(shutil.rmtree, self.executor.job_dir(job_id), True)
        self.bus.publish("job_deleted", job_id=job_id)

    async def cleanup(self) -> builtins.list[str]:
        """Delete every terminal job and its files."""
        ids = await self.db.run(repo.terminal_ids)
        await self.db.run(lambda c: repo.delete(c, ids))
        for job_id in ids:
            await asyncio.to_thread(shutil.rmtree, self.executor.job_dir(job_id), True)
        if ids:
            self.bus.publish("jobs_cleaned", job_ids=ids)
        return ids

    async def gc(self) -> builtins.list[str]:
        """Remove job directories whose job no longer exists."""
        known = await self.db.run(repo.all_ids)
        jobs_dir = self.executor.jobs_dir

        def sweep() -> builtins.list[str]:
            if not jobs_dir.is_dir():
                return []
            orphans = [p for p in jobs_dir.iterdir() if p.is_dir() and p.name not in known]
            for p in orphans:
                shutil.rmtree(p, ignore_errors=True)
            return sorted(p.name for p in orphans)

        return await asyncio.to_thread(sweep)

    async def tail(self, job_id: str, max_bytes: int) -> tuple[bytes, int]:
        """The end of a job's log, capped, and the log's size."""
        await self.get(job_id)
        return await asyncio.to_thread(read_tail, self.executor.log_path(job_id), max_bytes)

    def log_path(self, job_id: str) -> Path:
        """Where the job's output goes."""
        return self.executor.log_path(job_id)

    # -- starting -------------------------------------------------------------

    async def start_job(self, job: DescribeJob, gpus: builtins.list[int]) -> None:
        """Claim a queued job for ``gpus`` and submit it (called by the dispatcher)."""
        job_id = job.id
        if not await self.db.run(lambda c: repo.claim(c, job_id, gpus)):
            return  # cancelled meanwhile
        await self._changed(job_id, JobStatus.QUEUED)
        try:
            spec = self.kinds.get(job.job_type).launch_spec(job.params, gpus)
            submitted = await self.executor.submit(job_id, spec, gpus)
        except (OSError, ValueError, KeyError, BadRequest) as e:
            reason = f"could not start: {e}"
            await self.db.run(lambda c: repo.finish(c, job_id, JobStatus.FAILED, error=reason))
            await self._changed(job_id, JobStatus.STARTING)
            return
        await self.db.run(
            lambda c: repo.mark_running(
                c,
                job_id,
                pid=submitted.pid,
                create_time=submitted.create_time,
                log_path=str(submitted.log_path),
                token_hash=submitted.token_hash,
            )
        )
        running = await self._changed(job_id, JobStatus.STARTING)
        if running is not None:
            self._watch(running, own_child=True)
        self.executor.ready_next()

    def _watch(self, job: DescribeJob, own_child: bool) -> None:
        self._exited[job.id] = asyncio.Event()
        if self.observer is not None:
            self.observer.job_started(job)
        self.executor.watch(job, lambda: self._spawn_exit(job), own_child)

    def _watch_leftovers(self, job: DescribeJob) -> None:
        """After a restart: the runner is gone but processes of the job still run."""
        self._exited[job.id] = asyncio.Event()
        if self.observer is not None:
            self.observer.job_started(job)
        self._spawn_exit(job, restarted=True)

    def _spawn_exit(self, job: DescribeJob, restarted: bool = False) -> None:
        self._tasks.spawn(self._on_exit(job, restarted), name=f"exit of job {job.id}")

    async def _on_exit(self, started: DescribeJob, restarted: bool = False) -> None:
        """The runner ended: once no process of the job is left, record how it ended.

        Until then the job stays ``running`` and keeps its GPUs: a child that
        left the job's session (or a daemon it started) may still use them.
        """
        job_id = started.id
        try:
            code = await self.executor.exit_code(job_id)
            await self._outlast(started, code)
            job = await self.db.run(lambda c: repo.get(c, job_id))
            if job is None:
                return
            status, error = _outcome(code, job_id in self._killing)
            if restarted and code is None and status == JobStatus.FAILED:
                error = _lost(started.pid)
            if await self.db.run(lambda c: repo.finish(c, job_id, status, code, error)):
                if self.observer is not None:
                    self.observer.job_ended(started)
                await self._changed(job_id, job.status)
        finally:
            self._killing.discard(job_id)
            self._exited.pop(job_id, asyncio.Event()).set()

    async def _outlast(self, job: DescribeJob, code: int | None) -> None:
        """Wait for the processes of ``job`` that outlive its runner, saying so on the job.

        A command that ended (``code``) may leave processes behind on purpose:
        they are waited for. A runner killed from outside (no exit status, no
        kill requested) leaves the job unsupervised, so what is left of it is
        stopped as a kill would (SIGTERM, SIGKILL after ``kill_timeout``).
        """
        left = await self.executor.lingering(job)
        if not left:
            return
        stop = code is None and job.id not in self._killing
        if stop:
            note = (
                f"the job's runner (pid {job.pid}) was killed from outside; stopping "
                f"what is left of the job ({_pids(left)}): SIGTERM, then SIGKILL after "
                f"{self.kill_timeout:g}s. Its GPUs stay reserved until they end"
            )
        else:
            how = "was stopped" if code is None else f"ended ({_describe_code(code)})"
            note = (
                f"the command {how} but left {_pids(left)} of the job running; the job "
                "ends, and its GPUs are freed, when they do (kill or force-kill stops them)"
            )
        await self.db.run(lambda c: repo.set_error(c, job.id, note))
        self.bus.publish("job_updated", job_id=job.id)
        if stop:
            await self.executor.signal(job, force=False)
            try:
                async with asyncio.timeout(self.kill_timeout):
                    await self.executor.wait_gone(job)
            except TimeoutError:
                await self.executor.signal(job, force=True)
        await self.executor.wait_gone(job)

    # -- stopping -------------------------------------------------------------

    async def kill(self, job_id: str, force: bool) -> KillResult:
        """Stop every process of the job (SIGTERM, or SIGKILL) and check that they went.

        Every process: also children that left the job's process group or
        session. ``exited`` is true only once none is left; until then the
        job stays ``running`` with its GPUs, and the survivors are listed
        (and recorded as the job's ``error``). The job ends when the last does.
        """
        job = await self.get(job_id)
        if job.status not in ACTIVE or not job.pid:
            raise Conflict(f"Job {job_id} is {job.status}, not running")
        exited = self._exited.get(job_id)
        if not await self.executor.lingering(job):
            if exited is not None:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(exited.wait(), self.kill_timeout)
            return KillResult(job=await self.get(job_id), signal="none", exited=True, lingering=[])
        self._killing.add(job_id)
        sent = await self.executor.signal(job, force)
        wait = FORCE_KILL_WAIT if force else self.kill_timeout
        lingering: builtins.list[int] = []
        try:
            async with asyncio.timeout(wait):
                await self.executor.wait_gone(job)
                if exited is not None:
                    await exited.wait()  # the end is recorded (and the GPUs free) right after
        except TimeoutError:
            lingering = await self.executor.lingering(job)
        if lingering:
            note = (
                f"{sent} sent to every process of the job; still alive after "
                f"{wait:g}s: {_pids(lingering)} (its GPUs stay reserved until they end)"
            )
            await self.db.run(lambda c: repo.set_error(c, job_id, note))
            self.bus.publish("job_updated", job_id=job_id)
        return KillResult(
            job=await self.get(job_id), signal=sent, exited=not lingering, lingering=lingering
        )

    # -- restart --------------------------------------------------------------

    async def reattach(self) -> dict[str, int]:
        """At start: watch every job still alive, settle the others. Returns counts."""
        counts = {"reattached": 0, "finished": 0, "failed": 0}
        for job in await self.db.run(repo.active):
            if not job.pid:
                found = await self.executor.find(job)
                if found is not None:
                    await self.db.run(
                        functools.partial(
                            repo.mark_running,
                            job_id=job.id,
                            pid=found.pid,
                            create_time=found.create_time,
                            log_path=str(found.log_path),
                            token_hash=None,
                        )
                    )
                    job = job.model_copy(
                        update={"pid": found.pid, "pid_create_time": found.create_time}
                    )
            if job.pid and await self.executor.is_alive(job):
                self._watch(job, own_child=False)
                counts["reattached"] += 1
                continue
            if await self.executor.lingering(job):
                # The runner is gone but processes of the job run on: they keep its GPUs.
                self._watch_leftovers(job)
                counts["reattached"] += 1
                continue
            code = await self.executor.exit_code(job.id)
            if code is not None:
                status, error = _outcome(code, killed=False)
                counts["finished"] += 1
            elif job.pid:
                status, error = JobStatus.FAILED, _lost(job.pid)
                counts["failed"] += 1
            else:
                status = JobStatus.FAILED
                error = "the server stopped while starting this job; it never ran"
                counts["failed"] += 1
            await self.db.run(
                functools.partial(
                    repo.finish, job_id=job.id, status=status, exit_code=code, error=error
                )
            )
            await self._changed(job.id, job.status)
        return counts

    async def close(self) -> None:
        """Stop watching (jobs keep running and are re-attached at next start)."""
        await self._tasks.close()
        await self.executor.close()

    async def _changed(self, job_id: str, previous: JobStatus) -> DescribeJob | None:
        job = await self.db.run(lambda c: repo.get(c, job_id))
        if job is not None:
            self.bus.publish(
                "job_status_changed",
                job_id=job_id,
                status=job.status.value,
                previous=previous.value,
                job=job.model_dump(mode="json"),
            )
            self.bus.publish("queue_changed")
        return job


def _outcome(code: int | None, killed: bool) -> tuple[JobStatus, str | None]:
    if killed:
        return JobStatus.ABORTED, "stopped by request" + (
            f" (exit {_describe_code(code)})" if code is not None else " (SIGKILL)"
        )
    if code == 0:
        return JobStatus.DONE, None
    if code is None:
        return JobStatus.FAILED, "the job's processes were killed (SIGKILL) from outside"
    return JobStatus.FAILED, f"exited with {_describe_code(code)}"


def _lost(pid: int | None) -> str:
    what = f"process {pid}" if pid else "the job's runner"
    return (
        f"{what} is gone and left no exit status (it ended while "
        "the server was down, or was killed with SIGKILL)"
    )


def _pids(pids: builtins.list[int]) -> str:
    return ("pid " if len(pids) == 1 else "pids ") + ", ".join(map(str, pids))


def _describe_code(code: int) -> str:
    if code < 0:
        try:
            return f"signal {signal.Signals(-code).name}"
        except ValueError:
            return f"signal {-code}"
    return f"code {code}"


def _default_name(request: CreateJob, params: dict[str, Any]) -> str:
    if request.job_type == "command":
        return " ".join(Path(params["argv"][0]).name.split() + params["argv"][1:])[:80]
    return f"{request.job_type}: {params.get('config', '')}"[:80]
