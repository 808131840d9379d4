"""Job records and the queue: enqueue (one, a batch, a sweep), edits, reads, cleanup.

The half of the jobs service that never touches a running process: what
is queued, changed, read and deleted. ``JobsService`` (``service.py``)
adds the lifecycle on top (start, exits, kills, retries, re-attach).
"""

from __future__ import annotations

import asyncio
import builtins
import dataclasses
import shutil
from collections.abc import Awaitable, Callable
from pathlib import Path

from ..errors import BadRequest, Conflict, NotFound, TooMany
from ..events import EventBus
from ..executors.base import Executor
from ..models.jobs import CreateJob, CreateJobBatch, CreateSweep, JobHistory, UpdateQueuedJob
from ..store import Database
from . import repository as repo
from .kinds import ConfigResolver, JobKinds
from .logs import read_tail
from .model import TERMINAL, DescribeJob, JobStatus
from .owners import SUBMITTER
from .submit import EnqueueCheck, GroupCommit, MaxGpuMemory, Submissions

SQLITE_MAX_INT = 2**63 - 1  # a bigger OFFSET is an OverflowError in sqlite3, not a page
QUEUED_ONLY = frozenset({JobStatus.QUEUED})

#: Fills what only the scheduler knows (``position``, ``pending_reason``) into records.
Annotator = Callable[[builtins.list[DescribeJob]], builtins.list[DescribeJob]]


class JobRecords:
    """Job records and the queue, in the state database."""

    def __init__(
        self,
        db: Database,
        bus: EventBus,
        executor: Executor,
        kinds: JobKinds,
        *,
        max_gpus: int,
        resolver: ConfigResolver | None = None,
        max_gpu_memory: MaxGpuMemory | None = None,
        max_sweep_size: int = 1000,
    ) -> None:
        self.db = db
        self.bus = bus
        self.executor = executor
        self.kinds = kinds
        self.max_gpus = max_gpus
        self.resolver = resolver
        self.submissions = Submissions(
            db,
            kinds,
            resolver=resolver,
            max_gpus=lambda: self.max_gpus,
            max_gpu_memory=max_gpu_memory,
            max_sweep_size=max_sweep_size,
        )
        #: Concurrent enqueues share one transaction (``submit.GroupCommit``).
        self.group_commit = GroupCommit(db)
        #: Awaited with a job's id before its directory is removed: what still writes
        #: there (its provenance capture, in flight) is done first, and cannot make
        #: the directory again after it is gone.
        self.before_removal: builtins.list[Callable[[str], Awaitable[None]]] = []
        #: Set by the runtime to the scheduler's annotator; applied to every record read.
        self.annotate: Annotator = _as_is
        #: Queued jobs one owner may have at once (0: no limit); set from the settings.
        self.user_queue_limit = 0

    def add_enqueue_check(self, check: EnqueueCheck) -> None:
        """Run ``check`` on every request before it is queued (it raises BadRequest to refuse)."""
        self.submissions.checks.append(check)

    # -- the queue ------------------------------------------------------------

    async def enqueue(
        self,
        request: CreateJob,
        *,
        rerun_of: str | None = None,
        group: str | None = None,
        owner: str | None = None,
    ) -> DescribeJob:
        """Validate and queue a job; it is durable when this returns.

        ``owner`` defaults to the submitter of the request being served (``SUBMITTER``).
        """
        row = await self.submissions.prepare(request, group=group, rerun_of=rerun_of)
        return (await self._insert([row], owner))[0]

    async def enqueue_batch(
        self, batch: CreateJobBatch, *, owner: str | None = None
    ) -> builtins.list[DescribeJob]:
        """Queue many jobs in one transaction (one bad job: 400 and none queued), in order."""
        return await self._insert(await self.submissions.prepare_batch(batch), owner)

    async def enqueue_sweep(
        self, sweep: CreateSweep, *, owner: str | None = None
    ) -> builtins.list[DescribeJob]:
        """Queue one job per grid point, sharing a group, in one transaction."""
        return await self._insert(await self.submissions.prepare_sweep(sweep), owner)

    async def set_owner(self, job_id: str, owner: str) -> DescribeJob:
        """Record ``owner`` as the owner of a job created outside the queue."""
        await self.db.run(lambda c: repo.set_owner(c, job_id, owner))
        return await self.get(job_id)

    async def _insert(
        self, rows: builtins.list[repo.NewJob], owner: str | None
    ) -> builtins.list[DescribeJob]:
        owner = owner if owner is not None else SUBMITTER.get()
        if owner is not None:
            await self._check_queue_limit(owner, len(rows))
            rows = _owned(rows, owner)
        jobs = await self.group_commit.insert(rows)
        for job in jobs:
            self.bus.publish("job_queued", job_id=job.id, job=job.model_dump(mode="json"))
        self.bus.publish("queue_changed")
        return self.annotate(jobs)

    async def _check_queue_limit(self, owner: str, adding: int) -> None:
        """429 when ``adding`` more jobs would put ``owner`` over ``user_queue_limit``."""
        limit = self.user_queue_limit
        if limit <= 0:
            return
        queued = await self.db.run(lambda c: repo.queued_count(c, owner))
        if queued + adding > limit:
            raise TooMany(
                f"{owner} has {queued} of {limit} queued jobs (user_queue_limit); "
                f"{adding} more would exceed it: wait for some to start or cancel some",
                reason="user_queue_limit",
                queued=queued,
                limit=limit,
            )

    async def update_queued(self, job_id: str, change: UpdateQueuedJob) -> DescribeJob:
        """Change a queued job's priority or name; the dispatcher re-plans at once."""
        if change.priority is None and change.name is None:
            raise BadRequest("Nothing to change: give priority, name or both")
        job = await self.get(job_id)
        if not await self.db.run(
            lambda c: repo.update_queued(c, job.id, change.priority, change.name)
        ):
            current = await self.get(job_id)
            raise Conflict(
                f"Job {job_id} is {current.status}; only queued jobs can be changed",
                reason="not_queued",
            )
        updated = await self.get(job_id)
        self.bus.publish(
            "queue_reordered",
            job_id=job_id,
            priority=updated.priority,
            job=updated.model_dump(mode="json"),
        )
        self.bus.publish("queue_changed")
        return updated

    async def cancel_queued(self, job_id: str, reason: str) -> None:
        """Cancel a queued job with ``reason`` (the dispatcher's: a dependency that failed).

        Nothing happens if the job is no longer queued.
        """
        if await self.db.run(
            lambda c: repo.finish(
                c, job_id, JobStatus.CANCELLED, error=reason, only_from=QUEUED_ONLY
            )
        ):
            await self._changed(job_id, JobStatus.QUEUED)

    async def history(self, job_id: str) -> JobHistory:
        """Every transition of a job with its time, attempt and reason; 404 if there is none."""
        job = await self.get(job_id)
        return await self.db.run(lambda c: repo.history(c, job.id))

    async def queue(self) -> builtins.list[DescribeJob]:
        """Queued jobs in dispatch order."""
        return self.annotate(await self.db.run(repo.queued))

    async def active(self) -> builtins.list[DescribeJob]:
        """Jobs starting or running."""
        return await self.db.run(repo.active)

    # -- records --------------------------------------------------------------

    async def get(self, job_id: str) -> DescribeJob:
        """One job; 404 if there is none."""
        job = await self.db.run(lambda c: repo.get(c, job_id))
        if job is None:
            raise NotFound(f"No job {job_id!r}")
        return self.annotate([job])[0]

    async def list_jobs(
        self,
        statuses: builtins.list[str] | None,
        limit: int,
        offset: int,
        *,
        owner: str | None = None,
        before: str | None = None,
    ) -> tuple[builtins.list[DescribeJob], int]:
        """A page of jobs, newest first (after job ``before`` when given: a cursor), and
        how many match the filter."""
        known = {s.value for s in JobStatus}
        unknown = [s for s in statuses or [] if s not in known]
        if unknown:
            raise BadRequest(
                f"Unknown status {unknown[0]!r}; expected one of "
                f"{', '.join(s.value for s in JobStatus)}"
            )
        if offset > SQLITE_MAX_INT:
            raise BadRequest(f"offset {offset} is past any possible job")
        jobs, total = await self.db.run(
            lambda c: repo.list_jobs(c, statuses, limit, offset, owner=owner, before=before)
        )
        return self.annotate(jobs), total

    async def delete(self, job_id: str) -> None:
        """Delete a terminal job and its files."""
        job = await self.get(job_id)
        if job.status not in TERMINAL:
            raise Conflict(f"Job {job_id} is {job.status}; only finished jobs can be deleted")
        await self.db.run(lambda c: repo.delete(c, [job_id]))
        await self._remove_dir(job_id)
        self.bus.publish("job_deleted", job_id=job_id)

    async def cleanup(self, owner: str | None = None) -> builtins.list[str]:
        """Delete every terminal job (only ``owner``'s when given) and its files."""
        ids = await self.db.run(lambda c: repo.terminal_ids(c, owner))
        await self.db.run(lambda c: repo.delete(c, ids))
        for job_id in ids:
            await self._remove_dir(job_id)
        if ids:
            self.bus.publish("jobs_cleaned", job_ids=ids)
        return ids

    async def _remove_dir(self, job_id: str) -> None:
        """Remove a deleted job's directory, once nothing of the server writes there."""
        for settled in self.before_removal:
            await settled(job_id)
        await asyncio.to_thread(shutil.rmtree, self.executor.job_dir(job_id), True)

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

    async def _changed(self, job_id: str, previous: JobStatus) -> DescribeJob | None:
        job = await self.db.run(lambda c: repo.get(c, job_id))
        if job is not None:
            self._announce(job, previous)
        return job

    def _announce(self, job: DescribeJob, previous: JobStatus) -> None:
        """Publish that ``job`` (as just read from the store) left ``previous``."""
        self.bus.publish(
            "job_status_changed",
            job_id=job.id,
            status=job.status.value,
            previous=previous.value,
            job=job.model_dump(mode="json"),
        )
        self.bus.publish("queue_changed")


def _as_is(jobs: builtins.list[DescribeJob]) -> builtins.list[DescribeJob]:
    return jobs


def _owned(rows: builtins.list[repo.NewJob], owner: str) -> builtins.list[repo.NewJob]:
    """``rows`` owned by ``owner``; a row repeated (``prepare_batch``) is copied once."""
    copies: dict[int, repo.NewJob] = {}
    out = []
    for row in rows:
        copy = copies.get(id(row))
        if copy is None:
            copy = copies[id(row)] = dataclasses.replace(row, owner=owner)
        out.append(copy)
    return out
