"""The inter-node operations on this node's jobs (below ``/peer/v1``, mTLS only).

A peer forwards what one of its users asked for: the user comes along as a
``ClusterCaller`` (in the enqueue body, or ``as`` / ``admin`` / ``from`` in the
query), authenticated by the node they called. The cluster's trust model is
the CA's (docs/cluster.md): a node certificate vouches for what its node
says about its users, as the node's own Jupyter authentication did. What only
a job's owner or an admin may do (its log, metrics, control, cancel) is
checked here against that caller, as the Jupyter handlers check their own.

* ``POST /jobs``: queue a job here for the caller (its owner);
* ``GET /jobs``: a page of this node's jobs (``ListJobsQuery``);
* ``GET /jobs/{id}``, ``/tty?max_bytes=``, ``/log?offset=&limit=``, ``/metrics?...``;
* ``POST /jobs/{id}/control/{action}``, ``DELETE /jobs/{id}`` (cancel);
* ``GET /load``: idle and usable GPUs and the queue's length, for ``node: any``.
"""

from __future__ import annotations

import base64
import json
import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

from pydantic import BaseModel, ValidationError

from ..errors import BadRequest, Forbidden
from ..models.cluster import ClusterCaller, NodeLoad, PeerEnqueue, PeerLog
from ..models.control import MetricsQuery
from ..models.gpus import ListGpus
from ..models.jobs import DescribeJob, ListJobs, ListJobsQuery, TtyQuery
from .local_jobs import LocalJobs

log = logging.getLogger("forgather_lab")

#: What a job id and a control action may be (as the API takes them).
JOB_ID = r"[A-Za-z0-9_.-]{1,64}"
ACTION = r"[a-z-]{1,20}"
JOB = f"({JOB_ID})"
#: The most of a log one follow call carries.
MAX_LOG_PIECE = 256 * 1024

Query = dict[str, list[str]]
Handler = Callable[[re.Match[str], bytes, Query], Awaitable[Any]]


class PeerJobs:
    """The job operations for ``PeerApi`` (``routes()`` gives them its way)."""

    def __init__(
        self, node_id: str, jobs: LocalJobs, gpus: Callable[[], Awaitable[ListGpus]]
    ) -> None:
        self.node_id = node_id
        self.jobs = jobs
        self.gpus = gpus

    def routes(self) -> list[tuple[str, re.Pattern[str], Handler]]:
        return [
            ("POST", re.compile(r"/jobs"), self._enqueue),
            ("GET", re.compile(r"/jobs"), self._list),
            ("GET", re.compile(rf"/jobs/{JOB}"), self._get),
            ("DELETE", re.compile(rf"/jobs/{JOB}"), self._cancel),
            ("GET", re.compile(rf"/jobs/{JOB}/tty"), self._tty),
            ("GET", re.compile(rf"/jobs/{JOB}/log"), self._log),
            ("GET", re.compile(rf"/jobs/{JOB}/metrics"), self._metrics),
            ("POST", re.compile(rf"/jobs/{JOB}/control/({ACTION})"), self._control),
            ("GET", re.compile(r"/load"), self._load),
        ]

    async def _enqueue(self, m: re.Match[str], body: bytes, q: Query) -> BaseModel:
        asked = _parse(PeerEnqueue, body)
        request = asked.request.model_copy(update={"node": None})
        job = self._stamp(await self.jobs.enqueue(request, asked.caller.name))
        log.info(
            "Job %s queued here for %s, asked on cluster node %s",
            job.id,
            asked.caller.name,
            asked.caller.node_id,
        )
        return job

    async def _list(self, m: re.Match[str], body: bytes, q: Query) -> BaseModel:
        query = _query(ListJobsQuery, q)
        jobs, total = await self.jobs.list_jobs(query)
        return ListJobs(jobs=[self._stamp(j) for j in jobs], total=total)

    async def _get(self, m: re.Match[str], body: bytes, q: Query) -> BaseModel:
        return self._stamp(await self.jobs.get(m.group(1)))

    def _stamp(self, job: DescribeJob) -> DescribeJob:
        """This node's id where the record says ``local`` (an engine's node list stays)."""
        return job.model_copy(update={"node": self.node_id}) if job.node == "local" else job

    async def _owned(self, job_id: str, q: Query) -> None:
        """403 unless the forwarded caller owns the job or is an admin (404 if none)."""
        caller = caller_from(q)
        job = await self.jobs.get(job_id)
        if not (caller.admin or (job.owner is not None and job.owner == caller.name)):
            whose = f"{job.owner}'s" if job.owner else "an unowned"
            raise Forbidden(
                f"Job {job_id} is {whose} job: only its owner or an admin may do that",
                reason="not_owner",
            )

    async def _cancel(self, m: re.Match[str], body: bytes, q: Query) -> BaseModel:
        await self._owned(m.group(1), q)
        return self._stamp(await self.jobs.cancel(m.group(1)))

    async def _tty(self, m: re.Match[str], body: bytes, q: Query) -> BaseModel:
        await self._owned(m.group(1), q)
        tq = _query(TtyQuery, {k: v for k, v in q.items() if k == "max_bytes"})
        data, size = await self.jobs.tail(m.group(1), tq.max_bytes)
        return PeerLog(
            data=base64.b64encode(data).decode(), offset=size - len(data), size=size, running=True
        )

    async def _log(self, m: re.Match[str], body: bytes, q: Query) -> BaseModel:
        await self._owned(m.group(1), q)
        offset = _int(q, "offset", 0, lo=-(1 << 40), hi=1 << 50)
        limit = _int(q, "limit", MAX_LOG_PIECE, lo=1, hi=MAX_LOG_PIECE)
        piece = await self.jobs.read_log(m.group(1), offset, limit)
        return PeerLog(
            data=base64.b64encode(piece.data).decode(),
            offset=piece.offset,
            size=piece.size,
            running=piece.running,
        )

    async def _metrics(self, m: re.Match[str], body: bytes, q: Query) -> BaseModel:
        await self._owned(m.group(1), q)
        wanted = {k: v for k, v in q.items() if k in MetricsQuery.model_fields}
        return await self.jobs.metrics(m.group(1), _query(MetricsQuery, wanted))

    async def _control(self, m: re.Match[str], body: bytes, q: Query) -> BaseModel:
        await self._owned(m.group(1), q)
        return await self.jobs.act(m.group(1), m.group(2))

    async def _load(self, m: re.Match[str], body: bytes, q: Query) -> BaseModel:
        return load_of(self.node_id, await self.gpus(), await self.jobs.queued())


def load_of(node_id: str, pool: ListGpus, queued: int) -> NodeLoad:
    """A node's load from its GPU pool: usable cards (not excluded or disabled) and idle ones."""
    usable = [g for g in pool.gpus if not g.excluded and not g.disabled]
    idle = [g for g in usable if g.reserved_by is None and not g.processes]
    return NodeLoad(node_id=node_id, usable_gpus=len(usable), idle_gpus=len(idle), queued=queued)


def caller_from(q: Query) -> ClusterCaller:
    """The forwarded caller in a query (``as``, ``admin``, ``from``)."""
    name = (q.get("as") or [""])[0]
    if not name:
        raise BadRequest("A forwarded job operation names its caller (as=...)")
    admin = (q.get("admin") or ["0"])[0] == "1"
    return ClusterCaller(name=name, admin=admin, node_id=(q.get("from") or ["?"])[0])


def _int(q: Query, key: str, default: int, *, lo: int, hi: int) -> int:
    try:
        value = int((q.get(key) or [str(default)])[0])
    except ValueError:
        raise BadRequest(f"{key} must be a number") from None
    if not lo <= value <= hi:
        raise BadRequest(f"{key} must be {lo} to {hi}")
    return value


def _query(model: type[Any], q: Query) -> Any:
    data = {k: v[0] for k, v in q.items() if k not in {"as", "admin", "from"}}
    try:
        return model.model_validate(data, strict=False)
    except ValidationError as e:
        raise BadRequest(f"Bad inter-node query: {str(e).splitlines()[0]}") from e


def _parse(model: type[Any], body: bytes) -> Any:
    try:
        return model.model_validate(json.loads(body or b"{}"), strict=False)
    except (ValueError, ValidationError) as e:
        raise BadRequest(f"Bad inter-node request body: {str(e).splitlines()[0]}") from e
