"""What this node's jobs offer the cluster: callables the runtime passes in.

The cluster sits beside the control service in the layers and above the jobs
service; it never reaches into either. The runtime hands it these, and both
the forwarding side (``jobs.py``: this node's share of a cluster answer) and
the peer side (``peer_jobs.py``: a peer asking for this node's jobs) use them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from ..models.control import ControlResult, ListMetrics, MetricsQuery
from ..models.jobs import CreateJob, DescribeJob, ListJobsQuery


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
