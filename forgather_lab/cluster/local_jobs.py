"""What this node's jobs offer the cluster: callables the runtime passes in.

The cluster sits beside the control service in the layers and above the jobs
service; it never reaches into either. The runtime hands it these, and both
the forwarding side (``jobs.py``: this node's share of a cluster answer) and
the peer side (``peer_jobs.py``: a peer asking for this node's jobs) use them.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..jobfiles import open_regular
from ..models.control import ControlResult, ListMetrics, MetricsQuery
from ..models.jobs import CreateJob, DescribeJob, ListJobsQuery

if TYPE_CHECKING:
    from ..jobs.service import JobsService


@dataclass(frozen=True)
class LogPiece:
    """Bytes of a job's log from ``offset``, its size when read, and whether more may come."""

    data: bytes
    offset: int
    size: int
    running: bool


@dataclass(frozen=True)
class LocalJobs:
    """This node's jobs, queue and control (the runtime's services, as callables)."""

    #: Queue ``request`` for ``owner`` (validated here: a 400 names the field).
    enqueue: Callable[[CreateJob, str], Awaitable[DescribeJob]]
    get: Callable[[str], Awaitable[DescribeJob]]
    #: A page of this node's jobs and how many match (``ListJobsQuery`` less its scope).
    list_jobs: Callable[[ListJobsQuery], Awaitable[tuple[list[DescribeJob], int]]]
    cancel: Callable[[str], Awaitable[DescribeJob]]
    tail: Callable[[str, int], Awaitable[tuple[bytes, int]]]
    #: ``(job_id, offset, limit)``; a negative offset counts back from the end.
    read_log: Callable[[str, int, int], Awaitable[LogPiece]]
    metrics: Callable[[str, MetricsQuery], Awaitable[ListMetrics]]
    act: Callable[[str, str], Awaitable[ControlResult]]
    #: How many jobs wait in the queue.
    queued: Callable[[], Awaitable[int]]


def read_piece(path: Path, offset: int, limit: int) -> tuple[bytes, int, int]:
    """Up to ``limit`` bytes of a log from ``offset`` (negative: from the end), the offset
    they start at, and the file's size (a log not written yet: nothing, 0, 0)."""
    try:
        fd = open_regular(path)
    except FileNotFoundError:
        return b"", 0, 0
    try:
        size = os.fstat(fd).st_size
        start = max(0, size + offset) if offset < 0 else min(offset, size)
        return os.pread(fd, limit, start), start, size
    finally:
        os.close(fd)


def pool_jobs(
    jobs: JobsService,
    act: Callable[[str, str], Awaitable[ControlResult]],
    metrics: Callable[[str, list[str] | None, int, int], Awaitable[ListMetrics]],
) -> LocalJobs:
    """``LocalJobs`` over this node's jobs service and its control service's ``act`` and
    ``metrics`` (passed in: the control service is the cluster's neighbour, not below it)."""

    async def list_jobs(q: ListJobsQuery) -> tuple[list[DescribeJob], int]:
        statuses = [s for s in (q.status or "").split(",") if s] or None
        return await jobs.list_jobs(statuses, q.limit, q.offset, owner=q.owner, before=q.before)

    async def read_log(job_id: str, offset: int, limit: int) -> LogPiece:
        await jobs.get(job_id)  # 404 for no such job
        running = job_id in jobs.watched  # before reading: what it writes as it ends is read
        data, start, size = await asyncio.to_thread(
            read_piece, jobs.log_path(job_id), offset, limit
        )
        return LogPiece(data, start, size, running)

    async def series(job_id: str, q: MetricsQuery) -> ListMetrics:
        names = [n.strip() for n in (q.names or "").split(",") if n.strip()] or None
        return await metrics(job_id, names, q.since_step, q.max_points)

    async def queued() -> int:
        return len(await jobs.queue())

    async def enqueue(request: CreateJob, owner: str) -> DescribeJob:
        return await jobs.enqueue(request, owner=owner)

    return LocalJobs(
        enqueue=enqueue,
        get=jobs.get,
        list_jobs=list_jobs,
        cancel=jobs.cancel,
        tail=jobs.tail,
        read_log=read_log,
        metrics=series,
        act=act,
        queued=queued,
    )
