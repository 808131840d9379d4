"""The jobs service: the lifecycle of a job's processes. No HTTP here.

Records and the queue are ``records.py`` (the base class); this module
starts jobs, follows their exits, kills them, retries failures and
re-attaches after a restart. Every status change is written to the
database first and published on the event bus second, so what a client is
told has always been made durable.
Where a job's processes run is the executor's business (``executors/``);
this service decides what runs, records it, and reacts to how it ended.
A job handed to an engine (Slurm, Ray) stays ``starting``, with the engine's
id, until the engine runs it; only then is it ``running`` (``started_at``,
from which its time limit counts).

A job's end is one state machine that stays in one place (``_settle``):
the runner's exit, processes that outlive it, kills (which may leave
survivors that keep the GPUs), a stop the server planned (preemption, time
limit), retries and re-attach after a restart all decide the same
transition, to a terminal status or back to the queue.

About 545 lines, one module on purpose: start, kill, exit and re-attach share
the in-flight state (``_spawning``, ``_exited``, ``_killing``) whose races
they settle together; split apart, each would reach into the others' state.
"""

from __future__ import annotations

import asyncio
import builtins
import dataclasses
import functools
import logging
import os
import sqlite3
from collections.abc import Callable
from typing import Protocol

from ..errors import Conflict, ForgatherError
from ..events import EventBus
from ..executors.base import Executor, Submitted
from ..jobfiles import open_regular
from ..models.jobs import KillResult
from ..store import Database
from ..tasks import TaskSet, wait_set
from . import endings
from . import repository as repo
from .endings import PlannedEnd
from .kinds import ConfigResolver, JobKinds
from .logs import read_tail
from .model import ACTIVE, DescribeJob, JobStatus
from .records import QUEUED_ONLY, JobRecords
from .submit import MaxGpuMemory, launch_params

__all__ = ["JobObserver", "JobsService", "LaunchEnv", "PlannedEnd"]

log = logging.getLogger("forgather_lab.jobs")

FORCE_KILL_WAIT = 5.0
#: Variables a package adds to a job's environment at each start (a dataset server's).
LaunchEnv = Callable[[DescribeJob], dict[str, str]]


class JobObserver(Protocol):
    """Told when a job's process starts and ends (the simulated GPUs attribute it)."""

    def job_started(self, job: DescribeJob) -> None:
        """``job`` now runs, as ``job.pid`` on ``job.gpus``."""

    def job_ended(self, job: DescribeJob) -> None:
        """``job``'s process has ended."""


class JobsService(JobRecords):
    """Owns job records (``JobRecords``) and, through the executor, job processes."""

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
        max_gpu_memory: MaxGpuMemory | None = None,
        max_sweep_size: int = 1000,
    ) -> None:
        super().__init__(
            db,
            bus,
            executor,
            kinds,
            max_gpus=max_gpus,
            resolver=resolver,
            max_gpu_memory=max_gpu_memory,
            max_sweep_size=max_sweep_size,
        )
        self.kill_timeout = kill_timeout
        self.observer = observer
        self._exited: dict[str, asyncio.Event] = {}
        # Jobs between their claim and their process (or failure) being recorded: a
        # cancel in that window waits for the process instead of missing it.
        self._spawning: dict[str, asyncio.Event] = {}
        self._killing: set[str] = set()
        self._tasks = TaskSet("jobs")
        self._launch_envs: builtins.list[LaunchEnv] = []
        self._planned: dict[str, PlannedEnd] = {}
        # Handed to an engine and watched, not seen running there yet (still ``starting``).
        self._engine_pending: set[str] = set()
        executor.listen(self._engine_moved)

    def add_launch_env(self, env: LaunchEnv) -> None:
        """Merge ``env(job)`` into the environment of every job at each start."""
        self._launch_envs.append(env)

    @property
    def watched(self) -> set[str]:
        """Ids of jobs whose process is being watched (running now)."""
        return set(self._exited)

    # -- the queue ------------------------------------------------------------

    async def cancel(self, job_id: str) -> DescribeJob:
        """Cancel a queued job, or abort (kill) it if it already runs."""
        job = await self.get(job_id)
        if job.status == JobStatus.QUEUED:
            if await self.db.run(
                lambda c: repo.finish(
                    c,
                    job_id,
                    JobStatus.CANCELLED,
                    only_from=QUEUED_ONLY,
                    reason="cancelled by request",
                )
            ):
                await self._changed(job_id, JobStatus.QUEUED)
                return await self.get(job_id)
            job = await self.get(job_id)  # it was dispatched meanwhile
        spawning = self._spawning.get(job_id)
        if spawning is not None and not job.pid:
            # Claimed, no process yet: kill it once it has one (it would run on otherwise).
            await wait_set(spawning, self.kill_timeout)
            job = await self.get(job_id)
        if job.status in ACTIVE:
            return (await self.kill(job_id, force=False)).job
        raise Conflict(f"Job {job_id} is already {job.status}")

    # -- starting -------------------------------------------------------------

    async def start_job(self, job: DescribeJob, gpus: builtins.list[int]) -> bool:
        """Claim a queued job for ``gpus`` and submit it (called by the dispatcher).

        True when the job holds the cards now: it runs, or an engine has it.
        """
        job_id = job.id
        if job.attempt > 1:
            # The previous attempt's exit status must not be read as this one's
            # (after a restart between the claim and the process starting).
            await asyncio.to_thread(self._forget_exit, job_id)
        # Set before the claim, so that a cancel that sees it ``starting`` finds it here.
        spawning = self._spawning[job_id] = asyncio.Event()
        try:
            return await self._claim_and_spawn(job, gpus)
        finally:
            spawning.set()
            self._spawning.pop(job_id, None)

    async def _claim_and_spawn(self, job: DescribeJob, gpus: builtins.list[int]) -> bool:
        job_id = job.id
        # The claim and the read of the claimed record in one hop to the database.
        starting = await self.db.run(lambda c: _claimed(c, job_id, gpus), quick=True)
        if starting is None:
            return False  # cancelled meanwhile
        # Said while the job is handed over (the claim is durable already): the
        # process need not wait for the event's fan-out.
        announced = asyncio.ensure_future(self._announce_soon(starting, JobStatus.QUEUED))
        claimed = job.model_copy(update={"status": JobStatus.STARTING, "gpus": list(gpus)})
        try:
            spec = self.kinds.get(job.job_type).launch_spec(launch_params(job.params), gpus)
            env = dict(spec.env)
            for extra in self._launch_envs:
                env.update(extra(claimed))
            env.update(endings.attempt_env(job.attempt))
            spec = dataclasses.replace(spec, env=env)
            if job.attempt > 1:
                await asyncio.to_thread(
                    self._append_log, job_id, endings.attempt_banner(job.attempt, job.error)
                )
            submitted = await self.executor.submit(job_id, spec, gpus, job=claimed)
        except (OSError, ValueError, KeyError, ForgatherError) as e:
            message = e.message if isinstance(e, ForgatherError) else str(e)
            await announced
            await self._settle(claimed, JobStatus.FAILED, None, f"could not start: {message}")
            return False
        await announced
        if self.executor.remote:
            return await self._handed_over(job_id, submitted, own_child=True)

        def record_running(c: sqlite3.Connection) -> DescribeJob | None:
            repo.mark_running(
                c,
                job_id,
                pid=submitted.pid,
                create_time=submitted.create_time,
                log_path=str(submitted.log_path),
                token_hash=submitted.token_hash,
                executor=self.executor.name,
                external_id=submitted.external_id,
                node=submitted.node,
            )
            return repo.get(c, job_id)  # read in the same hop: one round trip, not two

        running = await self.db.run(record_running, quick=True)
        if running is not None:
            self._announce(running, JobStatus.STARTING)
            self._watch(running, own_child=True)
        self.executor.ready_next()
        return running is not None and running.status in ACTIVE

    # -- jobs on an engine ----------------------------------------------------

    async def _handed_over(self, job_id: str, submitted: Submitted, own_child: bool) -> bool:
        """The engine has the job: record its id and watch it, still ``starting``.

        False when it ended meanwhile (its cards are free again).
        """
        name = self.executor.name
        if not await self.db.run(lambda c: _handed_over(c, job_id, submitted, name), quick=True):
            return False  # no longer starting: it ended meanwhile
        self.bus.publish("job_updated", job_id=job_id)
        job = await self.db.run(lambda c: repo.get(c, job_id))
        if job is None:
            return False
        self._engine_pending.add(job_id)
        self._watch(job, own_child=own_child)
        self._engine_moved(job_id)  # the engine may have started it already
        return True

    def _engine_moved(self, job_id: str) -> None:
        """The engine's word on a job changed: one it now runs becomes ``running``."""
        state = self.executor.engine_job(job_id)
        if job_id in self._engine_pending and state is not None and state.phase == "running":
            self._engine_pending.discard(job_id)
            self._tasks.spawn(self._engine_started(job_id, state.node), name=f"run {job_id}")

    async def _engine_started(self, job_id: str, node: str | None) -> None:
        why = f"{self.executor.name} started it"
        if await self.db.run(lambda c: repo.engine_running(c, job_id, node, why)):
            await self._changed(job_id, JobStatus.STARTING)

    def _forget_exit(self, job_id: str) -> None:
        # The executors keep the status in <job_dir>/exit_code (the runner writes it).
        (self.executor.job_dir(job_id) / "exit_code").unlink(missing_ok=True)

    def _append_log(self, job_id: str, line: bytes) -> None:
        path = self.executor.log_path(job_id)
        if path.parent.is_dir():
            # The job's owner may own the directory: never append through a link.
            with os.fdopen(open_regular(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT), "ab") as f:
                f.write(line)

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
            if code == 0 and job_id not in self._killing and job_id not in self._planned:
                # The common end (a run that succeeded, nothing planned for it) is
                # recorded in the hop that reads the job: one round trip, not two.
                ended, job = await self.db.run(lambda c: _ended_cleanly(c, job_id), quick=True)
                if ended and job is not None:
                    self._announce(job, JobStatus.RUNNING)
                    if self.observer is not None:
                        self.observer.job_ended(started)
                    return
            else:
                job = await self.db.run(lambda c: repo.get(c, job_id))
            if job is None:
                return
            if job.status == JobStatus.STARTING and job.pid and code is not None:
                # It ran on the engine between two polls (it says how it ended): it did run.
                why = "ran and ended between two polls of the engine"
                seen = self.executor.engine_job(job_id)
                node = seen.node if seen is not None else None
                if await self.db.run(lambda c: repo.engine_running(c, job_id, node, why)):
                    job = await self._changed(job_id, JobStatus.STARTING) or job
            status, error = endings.outcome(code, job_id in self._killing)
            if restarted and code is None and status == JobStatus.FAILED:
                error = endings.lost(started.pid)
            if await self._settle(job, status, code, error) and self.observer is not None:
                self.observer.job_ended(started)
        finally:
            self._killing.discard(job_id)
            self._engine_pending.discard(job_id)
            self._exited.pop(job_id, asyncio.Event()).set()

    async def _outlast(self, job: DescribeJob, code: int | None) -> None:
        """Wait for the processes of ``job`` that outlive its runner, saying so on the job.

        A command that ended (``code``) may leave processes behind on purpose:
        they are waited for. A runner killed from outside (no exit status, no
        kill requested) leaves the job unsupervised, so what is left of it is
        stopped as a kill would (SIGTERM, SIGKILL after ``kill_timeout``).
        """
        if code is not None and await self.executor.left_nothing(job):
            return  # the usual end: no look through every process for leftovers
        left = await self.executor.lingering(job)
        if not left:
            return
        stop = code is None and job.id not in self._killing
        if stop:
            note = (
                f"the job's runner (pid {job.pid}) was killed from outside; stopping "
                f"what is left of the job ({endings.pids(left)}): SIGTERM, then SIGKILL after "
                f"{self.kill_timeout:g}s. Its GPUs stay reserved until they end"
            )
        else:
            how = "was stopped" if code is None else f"ended ({endings.describe_code(code)})"
            note = (
                f"the command {how} but left {endings.pids(left)} of the job running; the job "
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

    def plan_end(self, job_id: str, end: PlannedEnd | None) -> None:
        """Say how the job's next end is recorded (None: as its exit status says).

        Called by whoever stops a job on the server's behalf (preemption,
        time limits) before and while stopping it; kept in memory, so after a
        restart they plan again before ``reattach`` (their marks are rows).
        """
        if end is None:
            self._planned.pop(job_id, None)
        else:
            self._planned[job_id] = end

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
                await wait_set(exited, self.kill_timeout)
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
                f"{wait:g}s: {endings.pids(lingering)} (its GPUs stay reserved until they end)"
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
            if job.job_type == "external":  # not ours to watch: control/external.py checks them
                continue
            if not job.pid:
                found = await self.executor.find(job)
                if found is not None and self.executor.remote:
                    handed = functools.partial(_handed_over, executor=self.executor.name)
                    await self.db.run(functools.partial(handed, job_id=job.id, submitted=found))
                    job = job.model_copy(update={"pid": found.pid})
                elif found is not None:
                    await self.db.run(
                        functools.partial(
                            repo.mark_running,
                            job_id=job.id,
                            pid=found.pid,
                            create_time=found.create_time,
                            log_path=str(found.log_path),
                            token_hash=None,
                            executor=self.executor.name,
                            external_id=found.external_id,
                            node=found.node,
                        )
                    )
                    job = job.model_copy(
                        update={"pid": found.pid, "pid_create_time": found.create_time}
                    )
            if job.pid and await self.executor.is_alive(job):
                if job.status == JobStatus.STARTING and self.executor.remote:
                    self._engine_pending.add(job.id)  # still waiting in the engine's queue
                self._watch(job, own_child=False)
                self._engine_moved(job.id)
                counts["reattached"] += 1
                continue
            if await self.executor.lingering(job):
                # The runner is gone but processes of the job run on: they keep its GPUs.
                self._watch_leftovers(job)
                counts["reattached"] += 1
                continue
            code = await self.executor.exit_code(job.id)
            if code is not None:
                status, error = endings.outcome(code, killed=False)
                counts["finished"] += 1
            elif job.pid:
                status, error = JobStatus.FAILED, endings.lost(job.pid)
                counts["failed"] += 1
            else:
                status = JobStatus.FAILED
                error = "the server stopped while starting this job; it never ran"
                counts["failed"] += 1
            await self._settle(job, status, code, error)
        return counts

    async def close(self) -> None:
        """Stop watching (jobs keep running and are re-attached at next start)."""
        await self._tasks.close()
        await self.executor.close()

    async def _settle(
        self, job: DescribeJob, status: JobStatus, code: int | None, error: str | None
    ) -> bool:
        """Record how an active job ended: finished, or queued again for its next attempt.

        A planned end (the server stopped the job itself: a preemption
        requeues it, a time limit fails it) wins over the exit code. A
        failure by exit code is explained from the log; a failure with
        retries left is requeued instead. False if the job was no longer active.
        """
        planned = self._planned.pop(job.id, None)
        if planned is not None and planned.requeue:
            return await self._requeue(job, planned.reason, retry=False)
        if planned is not None:
            status, error = JobStatus.FAILED, planned.reason
        elif status == JobStatus.FAILED and code is not None:
            tail, _ = await asyncio.to_thread(
                read_tail, self.executor.log_path(job.id), endings.EXPLAIN_TAIL
            )
            error = endings.explained(error or f"exited with {endings.describe_code(code)}", tail)
        if status == JobStatus.FAILED:
            used = await self.db.run(lambda c: repo.retries_used(c, job.id))
            why = endings.retry_reason(used, job.max_retries, error)
            if why is not None and await self._requeue(job, why, retry=True):
                return True
        ended = await self.db.run(lambda c: _finished(c, job.id, status, code, error), quick=True)
        if ended is None:
            return False
        self._announce(ended, job.status)
        return True

    async def _announce_soon(self, job: DescribeJob, previous: JobStatus) -> None:
        self._announce(job, previous)

    async def _requeue(self, job: DescribeJob, reason: str, *, retry: bool) -> bool:
        if not await self.db.run(
            lambda c: repo.requeue(c, job.id, reason, from_statuses=ACTIVE, retry=retry)
        ):
            return False
        await self._changed(job.id, job.status)
        return True


def _claimed(conn: sqlite3.Connection, job_id: str, gpus: builtins.list[int]) -> DescribeJob | None:
    """Claim a queued job for ``gpus``; the claimed record, or None if it was not queued."""
    return repo.get(conn, job_id) if repo.claim(conn, job_id, gpus) else None


def _finished(
    conn: sqlite3.Connection, job_id: str, status: JobStatus, code: int | None, error: str | None
) -> DescribeJob | None:
    """``repo.finish``, then the ended record; None if the job was no longer active."""
    return repo.get(conn, job_id) if repo.finish(conn, job_id, status, code, error) else None


def _ended_cleanly(conn: sqlite3.Connection, job_id: str) -> tuple[bool, DescribeJob | None]:
    """Record a ``running`` job as done with exit 0: (whether it was, the record now)."""
    done = repo.finish(conn, job_id, JobStatus.DONE, 0, None, only_from=_RUNNING)
    return done, repo.get(conn, job_id)


_RUNNING = frozenset({JobStatus.RUNNING})


def _handed_over(
    conn: sqlite3.Connection, job_id: str, submitted: Submitted, executor: str
) -> bool:
    return repo.handed_over(
        conn,
        job_id,
        pid=submitted.pid,
        log_path=str(submitted.log_path),
        token_hash=submitted.token_hash,
        executor=executor,
        external_id=submitted.external_id,
        node=submitted.node,
    )
