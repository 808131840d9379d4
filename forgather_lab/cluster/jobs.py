"""One pool, not N islands: any node's jobs from any node, forwarded over mutual TLS.

The Jupyter-authenticated handlers ask this in cluster mode (standalone they
keep their own path). A job is found here first, else by asking the
reachable peers at once (the answer is cached: job → node); what the caller
asked is then done on the node holding the job, through its inter-node
listener (``peer_jobs.py``), as the caller: the user this node authenticated
travels along (their name, whether they are an admin, and this node's id),
and the peer checks ownership against it as the handlers here would.

Aggregates (``list_jobs``) fan out to every reachable peer concurrently; a
member already known unreachable is not asked, and one that does not answer
within the client's deadline (2 s) is reported in ``nodes`` / ``unreachable``,
never a 500 and never a long wait.
"""

from __future__ import annotations

import asyncio
import base64
import logging
import re
import time
from collections import OrderedDict
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from pydantic import ValidationError

from ..errors import ForgatherError, NotFound, Unavailable
from ..models.caller import Caller
from ..models.cluster import ClusterCaller, NodeLoad, PeerEnqueue, PeerLog
from ..models.control import ControlResult, ListMetrics, MetricsQuery
from ..models.jobs import CreateJob, DescribeJob, JobsNode, ListJobs, ListJobsQuery
from .local_jobs import LocalJobs
from .peer_jobs import ACTION, JOB_ID, load_of

if TYPE_CHECKING:
    from .membership import Member
    from .service import ClusterService

log = logging.getLogger("forgather_lab")

#: Jobs whose node is remembered (the most recently found).
MAX_CACHED = 10_000
#: A forwarded enqueue may validate a config on the peer: more than a read's time.
ENQUEUE_TIMEOUT = 10.0
#: Between looks at a peer's quiet log while following it.
FOLLOW_INTERVAL = 0.25
ANY = "any"
LOCAL = "local"
_ID = re.compile(JOB_ID)
_ACTION = re.compile(ACTION)


@dataclass(frozen=True)
class Placement:
    """A queued job and why it went to its node."""

    job: DescribeJob
    reason: str


class ClusterJobs:
    """Jobs of the whole cluster, for the handlers of one node."""

    def __init__(self, cluster: ClusterService, local: LocalJobs) -> None:
        self.cluster = cluster
        self.local = local
        self._where: OrderedDict[str, str] = OrderedDict()

    # -- who is who -------------------------------------------------------------

    @property
    def node_id(self) -> str:
        return self.cluster.node_id

    def _reachable(self) -> list[Member]:
        table = self.cluster.table
        if table is None or self.cluster.client is None:
            return []
        now = time.time()
        return [m for m in table.peers() if table.reachable(m, now)]

    def stamp(self, job: DescribeJob) -> DescribeJob:
        """A record of this node's with this node's id where it says ``local``."""
        if job.node == LOCAL and self.cluster.enabled:
            return job.model_copy(update={"node": self.node_id})
        return job

    def _is_self(self, node: str) -> bool:
        return node in (LOCAL, self.node_id)

    def _as(self, caller: Caller) -> dict[str, str]:
        return {"as": caller.name, "admin": "1" if caller.admin else "0", "from": self.node_id}

    async def _call(self, node: str, method: str, path: str, body: Any = None, **kw: Any) -> Any:
        client = self.cluster.client
        if client is None or self.cluster.table is None or node not in self.cluster.table:
            raise NotFound(f"No cluster member {node}", reason="no_such_node")
        return await client.call(node, method, path, body, **kw)

    # -- finding a job ------------------------------------------------------------

    async def locate(self, job_id: str) -> tuple[str | None, DescribeJob]:
        """``(None, job)`` for a job of this node, else ``(node_id, job)`` of the peer holding it.

        404 when neither this node nor a reachable peer has it (the message names the
        peers that could not be asked); 503 ``peer_unreachable`` when the node known to
        hold it does not answer.
        """
        try:
            return None, self.stamp(await self.local.get(job_id))
        except NotFound:
            # Only an id a peer could have leaves this node: it goes into their URLs.
            if not self.cluster.enabled or _ID.fullmatch(job_id) is None:
                raise
        cached = self._where.get(job_id)
        if cached is not None:
            try:
                return cached, await self._peer_job(cached, job_id)
            except NotFound:
                self._where.pop(job_id, None)
        return await self._search(job_id)

    async def _peer_job(self, node: str, job_id: str) -> DescribeJob:
        job = DescribeJob.model_validate(await self._call(node, "GET", f"/jobs/{job_id}"))
        self._remember(job_id, node)
        return job

    async def _search(self, job_id: str) -> tuple[str, DescribeJob]:
        peers = self._reachable()
        answers = await asyncio.gather(
            *(self._peer_job(m.node_id, job_id) for m in peers), return_exceptions=True
        )
        silent = []
        for m, answer in zip(peers, answers, strict=True):
            if isinstance(answer, DescribeJob):
                return m.node_id, answer
            if not isinstance(answer, NotFound):
                silent.append(m.hostname)
        table = self.cluster.table
        asked = {m.node_id for m in peers}
        down = [m.hostname for m in table.peers() if m.node_id not in asked] if table else []
        missing = sorted({*silent, *down})
        also = f" (not asked or not answering: {', '.join(missing)})" if missing else ""
        raise NotFound(f"No job {job_id!r} on any reachable cluster node{also}")

    def _remember(self, job_id: str, node: str) -> None:
        self._where[job_id] = node
        self._where.move_to_end(job_id)
        while len(self._where) > MAX_CACHED:
            self._where.popitem(last=False)

    # -- queueing ---------------------------------------------------------------

    async def enqueue(self, request: CreateJob, caller: Caller) -> Placement:
        """Queue ``request`` on its ``node`` (this one, a peer, or ``any``) for ``caller``."""
        wanted = request.node or LOCAL
        reason = "asked for this node"
        if wanted == ANY:
            wanted, reason = await self.choose(request)
        elif not self._is_self(wanted):
            reason = "asked for that node"
        plain = request.model_copy(update={"node": None})
        if self._is_self(wanted):
            return Placement(self.stamp(await self.local.enqueue(plain, caller.name)), reason)
        who = ClusterCaller(name=caller.name, admin=caller.admin, node_id=self.node_id)
        body = PeerEnqueue(request=plain, caller=who).model_dump(mode="json")
        answer = await self._call(
            wanted, "POST", "/jobs", body, per_address=ENQUEUE_TIMEOUT, deadline=ENQUEUE_TIMEOUT + 1
        )
        job = DescribeJob.model_validate(answer)
        self._remember(job.id, wanted)
        log.info(
            "Job %s queued on cluster node %s for %s (%s)", job.id, wanted, caller.name, reason
        )
        return Placement(job, reason)

    async def choose(self, request: CreateJob) -> tuple[str, str]:
        """The node where ``request`` can start soonest, and why, in words.

        Among the nodes with enough usable GPUs for it: one whose idle GPUs fit it
        now (the most idle first), else the shortest queue; this node on a tie (no
        forwarding). None has enough: this node, whose own check then says why.
        """
        needed = request.requested_gpus
        if needed is None:  # the config's default, unknown here: one card for config jobs
            needed = 0 if request.job_type == "command" else 1
        mine = load_of(self.node_id, await self.cluster.local.gpus(), await self.local.queued())
        peers = self._reachable()
        answers = await asyncio.gather(
            *(self._call(m.node_id, "GET", "/load") for m in peers), return_exceptions=True
        )
        loads = [mine]
        for answer in answers:
            if isinstance(answer, BaseException):
                continue  # a peer that does not answer now is no place for a job
            try:
                loads.append(NodeLoad.model_validate(answer))
            except ValidationError:
                continue
        fit = [x for x in loads if x.usable_gpus >= needed]
        if not fit:
            return self.node_id, f"no node has {needed} usable GPUs; queued here"

        def key(x: NodeLoad) -> tuple[int, int, int, int, str]:
            now = x.idle_gpus >= needed
            return (
                0 if now else 1,
                x.queued if not now else 0,
                -x.idle_gpus,
                0 if x.node_id == self.node_id else 1,
                x.node_id,
            )

        best = min(fit, key=key)
        name = self._hostname(best.node_id)
        if best.idle_gpus >= needed:
            why = f"{name}: {best.idle_gpus} idle GPUs fit the {needed} it needs"
        else:
            why = f"{name}: no node has {needed} idle GPUs; shortest queue ({best.queued} queued)"
        return best.node_id, why

    def _hostname(self, node: str) -> str:
        table = self.cluster.table
        m = table.get(node) if table is not None else None
        return m.hostname if m is not None else self.cluster.hostname

    # -- one job, wherever it is ---------------------------------------------------

    async def get(self, job_id: str) -> DescribeJob:
        return (await self.locate(job_id))[1]

    async def cancel(self, job_id: str, caller: Caller) -> DescribeJob:
        node, _ = await self.locate(job_id)
        if node is None:
            return self.stamp(await self.local.cancel(job_id))
        path = f"/jobs/{job_id}?{urlencode(self._as(caller))}"
        return DescribeJob.model_validate(await self._call(node, "DELETE", path))

    async def call(self, node: str, method: str, path: str, body: Any = None) -> Any:
        """One inter-node call to a member (404 for an unknown one), its JSON answer."""
        return await self._call(node, method, path, body)

    async def get_on(self, node: str, job_id: str) -> DescribeJob:
        """A job on a node known to hold it (no search: a multi-node rank)."""
        if self._is_self(node):
            return self.stamp(await self.local.get(job_id))
        return await self._peer_job(node, job_id)

    async def cancel_on(self, node: str, job_id: str, caller: Caller) -> DescribeJob:
        """Cancel (or kill, if it runs) a job on a node known to hold it, for ``caller``."""
        if self._is_self(node):
            return self.stamp(await self.local.cancel(job_id))
        path = f"/jobs/{job_id}?{urlencode(self._as(caller))}"
        # A kill waits for the processes to go (up to the kill timeout): more than a read.
        answer = await self._call(
            node, "DELETE", path, per_address=ENQUEUE_TIMEOUT, deadline=ENQUEUE_TIMEOUT + 1
        )
        return DescribeJob.model_validate(answer)

    async def act(self, job_id: str, action: str, caller: Caller) -> ControlResult:
        node, _ = await self.locate(job_id)
        if node is None or _ACTION.fullmatch(action) is None:  # an unknown action: the local 400
            return await self.local.act(job_id, action)
        path = f"/jobs/{job_id}/control/{action}?{urlencode(self._as(caller))}"
        # A kill waits for the processes to go (up to the kill timeout): more than a read.
        answer = await self._call(
            node, "POST", path, per_address=ENQUEUE_TIMEOUT, deadline=ENQUEUE_TIMEOUT + 1
        )
        return ControlResult.model_validate(answer)

    async def metrics(self, job_id: str, q: MetricsQuery, caller: Caller) -> ListMetrics:
        node, _ = await self.locate(job_id)
        if node is None:
            return await self.local.metrics(job_id, q)
        query = {**q.model_dump(exclude_none=True), **self._as(caller)}
        path = f"/jobs/{job_id}/metrics?{urlencode(query)}"
        return ListMetrics.model_validate(await self._call(node, "GET", path))

    async def tail(self, job_id: str, max_bytes: int, caller: Caller) -> tuple[bytes, int]:
        """The end of a job's log and its size, from whichever node holds it."""
        node, _ = await self.locate(job_id)
        if node is None:
            return await self.local.tail(job_id, max_bytes)
        path = f"/jobs/{job_id}/tty?{urlencode({'max_bytes': max_bytes, **self._as(caller)})}"
        piece = PeerLog.model_validate(await self._call(node, "GET", path))
        return base64.b64decode(piece.data), piece.size

    async def follow(
        self, node: str, job_id: str, backlog: int, caller: Caller
    ) -> AsyncIterator[bytes]:
        """A peer's job log: the last ``backlog`` bytes, then what is appended, until it ends.

        The peer is polled (one bounded call per piece): a peer that stops answering
        ends the follow with a line saying so, rather than a socket that hangs.
        """
        offset = -backlog
        while True:
            query = {"offset": offset, **self._as(caller)}
            try:
                answer = await self._call(node, "GET", f"/jobs/{job_id}/log?{urlencode(query)}")
                piece = PeerLog.model_validate(answer)
            except (Unavailable, ValidationError) as e:
                text = getattr(e, "message", None) or str(e).splitlines()[0]
                yield f"\r\n[forgather: the follow ended: {text}]\r\n".encode()
                return
            data = base64.b64decode(piece.data)
            offset = piece.offset + len(data)
            if data:
                yield data
                continue
            if not piece.running:
                return
            await asyncio.sleep(FOLLOW_INTERVAL)

    # -- every node's jobs ----------------------------------------------------------

    async def list_jobs(self, q: ListJobsQuery) -> ListJobs:
        """``GET /jobs?scope=cluster``: every reachable node's page, merged newest first
        (``scope=node``: this node's alone)."""
        mine, total = await self.local.list_jobs(q)
        if q.scope == "node":  # cluster mode's plain GET /jobs: this node's, with its node_id
            return ListJobs(jobs=[self.stamp(j) for j in mine], total=total)
        nodes = [
            JobsNode(
                node_id=self.node_id,
                hostname=self.cluster.hostname,
                is_self=True,
                reachable=True,
                total=total,
            )
        ]
        jobs = [self.stamp(j) for j in mine]
        table = self.cluster.table
        peers = table.peers() if table is not None else []
        up = self._reachable()
        query = urlencode(q.model_dump(exclude_none=True, exclude={"scope"}))
        answers = await asyncio.gather(
            *(self._call(m.node_id, "GET", f"/jobs?{query}") for m in up),
            return_exceptions=True,
        )
        for m, answer in zip(up, answers, strict=True):
            node = JobsNode(node_id=m.node_id, hostname=m.hostname, is_self=False, reachable=False)
            nodes.append(node)
            if isinstance(answer, BaseException):
                # A peer that answered with a refusal is up; its jobs are missing all the same.
                node.reachable = isinstance(answer, ForgatherError) and not isinstance(
                    answer, Unavailable
                )
                node.message = _say(answer)
                continue
            try:
                page = ListJobs.model_validate(answer)
            except ValidationError as e:
                node.message = _say(e)
                continue
            node.reachable, node.total = True, page.total
            for j in page.jobs:
                self._remember(j.id, m.node_id)
            jobs.extend(page.jobs)
        asked = {m.node_id for m in up}
        for m in peers:
            if m.node_id not in asked:
                nodes.append(
                    JobsNode(
                        node_id=m.node_id,
                        hostname=m.hostname,
                        is_self=False,
                        reachable=False,
                        message="unreachable",
                    )
                )
        jobs.sort(key=lambda j: j.created_at, reverse=True)
        counted = [n.total for n in nodes if n.total is not None]
        return ListJobs(
            jobs=jobs[: q.limit],
            total=sum(counted),
            nodes=nodes,
            unreachable=[n.node_id for n in nodes if n.total is None],
        )


def _say(e: BaseException) -> str:
    if isinstance(e, ForgatherError):
        return e.message
    return (str(e) or type(e).__name__).splitlines()[0][:200]
