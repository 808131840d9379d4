"""Multi-node training: one torchrun per participating node, met at a c10d rendezvous.

``create`` checks the request against the member table (every participant known,
reachable, with versions that agree and an interface to pin), then queues one
ordinary training job per participant through the one pool (``jobs.py``: a
peer's is queued there over mTLS, so its log, follow, control and cancel work
from any node as for any job). Each job carries its ``distributed`` launch
(``models.jobs.DistributedLaunch``): torchrun's rendezvous options, the explicit
``is_host`` and the interface that NCCL / Gloo / TensorPipe are pinned to. A
fanout that fails partway cancels the ranks already queued and raises the
error: no half-submitted bundle is left.

The bundle's record is then kept on every participant (``bundles.py``); reads
merge this node's records with the reachable peers' and roll the ranks' live
statuses up (``rollup``).

About 430 lines: the pure half (rollup, interface derivation, ``plan``, which the
unit tests call without a cluster) sits beside the service that uses it, so the
checks and the fanout they guard read together.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from pydantic import ValidationError

from ..errors import BadRequest, Conflict, Forbidden, ForgatherError, NotFound, Unavailable
from ..models.caller import Caller
from ..models.cluster import DescribeProbe, ProbeInterface
from ..models.cluster_jobs import (
    ClusterJobStatus,
    CreateClusterJob,
    DescribeClusterJob,
    DescribeClusterRank,
    DescribeRendezvous,
    ListClusterJobs,
)
from ..models.jobs import CreateJob, DistributedLaunch
from .bundles import BundleStore, valid_id

if TYPE_CHECKING:
    from .jobs import ClusterJobs
    from .service import ClusterService

log = logging.getLogger("forgather_lab")

#: The first port tried for a rendezvous (torchrun's own default).
RDZV_PORT = 29400
#: Versions every participant must share (else 409 unless allowed).
CHECKED_VERSIONS = ("forgather_lab", "torch", "python")
#: Rank statuses from the first that wins the rollup to the last.
ROLLUP_ORDER: tuple[ClusterJobStatus, ...] = ("failed", "running", "cancelled", "queued", "done")
TERMINAL: frozenset[ClusterJobStatus] = frozenset({"done", "failed", "cancelled"})


class Unprocessable(ForgatherError):
    """The request is well-formed but cannot be run as asked (no interface to pin, ...)."""

    status: ClassVar[int] = 422
    default_reason = "unprocessable"


# -- the pure parts (unit-tested without a cluster) -------------------------------


def rank_status(job_status: str) -> ClusterJobStatus:
    """A rank's status from its job's: ``starting`` counts as running, and ``aborted``
    (killed: what cancelling a running job does) as cancelled."""
    if job_status in ("starting", "running"):
        return "running"
    if job_status == "aborted":
        return "cancelled"
    if job_status in ("queued", "done", "failed", "cancelled"):
        return job_status  # type: ignore[return-value]
    return "unknown"


def rollup(statuses: Iterable[ClusterJobStatus]) -> ClusterJobStatus:
    """A bundle's status: failed > running > cancelled > queued > done.

    ``unknown`` (a rank whose node does not answer) ranks with running: it may
    still be working, so the bundle is neither over nor merely queued. A bundle
    whose top rank is unknown with none running reads ``unknown``. ``done``
    therefore needs every rank done.
    """
    seen = set(statuses)
    if not seen:
        return "unknown"
    if "failed" in seen:
        return "failed"
    if "running" in seen:
        return "running"
    if "unknown" in seen:
        return "unknown"
    return next(s for s in ROLLUP_ORDER if s in seen)


def derive_iface(addresses: Iterable[str], interfaces: Iterable[ProbeInterface]) -> str | None:
    """The interface holding the first of a node's advertised ``addresses`` that one has."""
    by_address = {i.address: i.name for i in interfaces}
    return next((by_address[a] for a in addresses if a in by_address), None)


def address_on(iface: str, interfaces: Iterable[ProbeInterface]) -> str | None:
    """The address an interface has (its first), or None."""
    return next((i.address for i in interfaces if i.name == iface), None)


def local_address(view: NodeView, iface: str) -> str | None:
    """A node's address on ``iface`` (else its first advertised one)."""
    known = view.probe.interfaces if view.probe is not None else []
    return address_on(iface, known) or next(iter(view.addresses), None)


def version_mismatches(probes: dict[str, DescribeProbe | None]) -> dict[str, dict[str, str]]:
    """Per checked version that differs between nodes: node → its value ("?" when unknown)."""
    out: dict[str, dict[str, str]] = {}
    for key in CHECKED_VERSIONS:
        values = {
            node: (getattr(p.versions, key) if p is not None else None) or "?"
            for node, p in probes.items()
        }
        if len(set(values.values())) > 1:
            out[key] = values
    return out


def free_port(used: Iterable[int], start: int = RDZV_PORT) -> int:
    """The lowest port from ``start`` that no live bundle at the same node uses."""
    taken = set(used)
    port = start
    while port in taken:
        port += 1
    return port


@dataclass(frozen=True)
class NodeView:
    """What a request is checked against for one node (this one or a peer)."""

    node_id: str
    hostname: str
    addresses: list[str]
    probe: DescribeProbe | None
    reachable: bool


def plan(
    req: CreateClusterJob, nodes: dict[str, NodeView], bundle_id: str, port: int
) -> tuple[DescribeRendezvous, list[tuple[CreateJob, DescribeClusterRank]]]:
    """The rendezvous and one training job per participant, in rank order (or the error).

    Raises 400 (duplicate participant, rdzv node not among them), 404 (unknown
    node), 422 (unreachable node, no interface), 409 (versions differ).
    """
    ids = [p.node_id for p in req.participants]
    twice = sorted({n for n in ids if ids.count(n) > 1})
    if twice:
        raise BadRequest(f"Participants named more than once: {', '.join(twice)}")
    unknown = [n for n in ids if n not in nodes]
    if unknown:
        raise NotFound(f"No cluster member {', '.join(unknown)}", reason="no_such_node")
    if req.rdzv_node not in ids:
        raise BadRequest(f"rdzv_node {req.rdzv_node} is not one of the participants")
    down = [nodes[n].hostname for n in ids if not nodes[n].reachable]
    if down:
        raise Unprocessable(
            f"Participants unreachable now: {', '.join(down)}", reason="node_unreachable"
        )
    if not req.allow_version_mismatch:
        differ = version_mismatches({n: nodes[n].probe for n in ids})
        if differ:
            said = "; ".join(
                f"{k}: " + ", ".join(f"{nodes[n].hostname} {v}" for n, v in vals.items())
                for k, vals in differ.items()
            )
            raise Conflict(
                f"Versions differ between participants ({said}); "
                "pass allow_version_mismatch to run anyway",
                reason="version_mismatch",
                versions=differ,
            )
    ifaces: dict[str, str] = {}
    for p in req.participants:
        view = nodes[p.node_id]
        known = view.probe.interfaces if view.probe is not None else []
        if p.iface is not None:
            if known and address_on(p.iface, known) is None:
                names = ", ".join(sorted({i.name for i in known}))
                raise Unprocessable(
                    f"{view.hostname} has no interface {p.iface} (it has {names})",
                    reason="no_interface",
                )
            ifaces[p.node_id] = p.iface
            continue
        derived = derive_iface(view.addresses, known)
        if derived is None:
            raise Unprocessable(
                f"Cannot tell which interface of {view.hostname} holds its advertised "
                f"address ({', '.join(view.addresses) or 'none'}): name it (iface)",
                reason="no_interface",
            )
        ifaces[p.node_id] = derived
    host_view = nodes[req.rdzv_node]
    host = local_address(host_view, ifaces[req.rdzv_node])
    if host is None:
        raise Unprocessable(f"{host_view.hostname} advertises no address", reason="no_address")
    rdzv = DescribeRendezvous(node_id=req.rdzv_node, host=host, port=port)
    endpoint = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    name = req.name or f"{req.config} ({len(ids)} nodes)"
    out = []
    for rank, p in enumerate(req.participants):
        launch = DistributedLaunch(
            nnodes=len(ids),
            node_rank=rank,
            nproc_per_node=max(1, p.gpus),
            rdzv_endpoint=endpoint,
            rdzv_id=bundle_id,
            is_host=p.node_id == req.rdzv_node,
            local_addr=local_address(nodes[p.node_id], ifaces[p.node_id]),
            iface=ifaces[p.node_id],
        )
        job = CreateJob(
            job_type="training",
            project_dir=req.project_dir,
            config=req.config,
            dynamic_args=dict(req.dynamic_args),
            priority=req.priority,
            name=f"{name} · rank {rank}"[:200],
            requested_gpus=p.gpus,
            distributed=launch,
            node=p.node_id,
        )
        r = DescribeClusterRank(
            rank=rank,
            node_id=p.node_id,
            job_id="",
            gpus=p.gpus,
            iface=ifaces[p.node_id],
            status="queued",
        )
        out.append((job, r))
    return rdzv, out


# -- the service ------------------------------------------------------------------


class MultiNodeJobs:
    """``/cluster/jobs`` for the handlers of one node."""

    def __init__(self, cluster: ClusterService, pool: ClusterJobs, store: BundleStore) -> None:
        self.cluster = cluster
        self.pool = pool
        self.store = store

    def _views(self) -> dict[str, NodeView]:
        c = self.cluster
        views = {c.node_id: NodeView(c.node_id, c.hostname, list(c.addresses), c.probe(), True)}
        if c.table is not None:
            now = time.time()
            for m in c.table.peers():
                views[m.node_id] = NodeView(
                    m.node_id, m.hostname, list(m.addresses), m.probe, c.table.reachable(m, now)
                )
        return views

    def _peers_up(self) -> list[str]:
        c = self.cluster
        if c.table is None or c.client is None:
            return []
        now = time.time()
        return [m.node_id for m in c.table.peers() if c.table.reachable(m, now)]

    # -- submit -------------------------------------------------------------------

    async def create(self, req: CreateClusterJob, caller: Caller) -> DescribeClusterJob:
        """Queue one rank per participant and keep the bundle on each (all or nothing)."""
        if not self.cluster.enabled or self.cluster.table is None:
            raise Conflict(
                "Multi-node jobs need cluster mode (ForgatherLab.cluster)",
                reason="cluster_disabled",
            )
        views = await asyncio.to_thread(self._views)
        bundle_id = f"cj-{uuid.uuid4().hex[:12]}"
        port = req.rdzv_port
        if port is None:
            bundles = (await self.list_jobs()).jobs
            live = [b for b in bundles if any(r.status not in TERMINAL for r in b.ranks)]
            port = free_port(b.rdzv.port for b in live if b.rdzv.node_id == req.rdzv_node)
        rdzv, planned = plan(req, views, bundle_id, port)
        ranks: list[DescribeClusterRank] = []
        try:
            for job, rank in planned:
                placed = await self.pool.enqueue(job, caller)
                ranks.append(rank.model_copy(update={"job_id": placed.job.id}))
        except BaseException:
            await self._roll_back(ranks, caller)
            raise
        bundle = DescribeClusterJob(
            id=bundle_id,
            name=req.name or f"{req.config} ({len(planned)} nodes)",
            project_dir=req.project_dir,
            config=req.config,
            dynamic_args=dict(req.dynamic_args),
            created=time.time(),
            owner=caller.name,
            nnodes=len(planned),
            rdzv=rdzv,
            status="queued",
            ranks=ranks,
        )
        keepers = sorted({r.node_id for r in ranks} - {self.cluster.node_id})
        try:
            await asyncio.to_thread(self.store.put, bundle)
            body = bundle.model_dump(mode="json")
            await asyncio.gather(
                *(self.pool.call(n, "PUT", f"/bundles/{bundle_id}", body) for n in keepers)
            )
        except BaseException:
            await self._roll_back(ranks, caller)
            await self._forget(bundle_id, keepers)
            raise
        log.info(
            "Multi-node job %s for %s: %s on %s, rendezvous %s:%d",
            bundle_id,
            caller.name,
            req.config,
            ", ".join(f"rank {r.rank} {r.node_id} ({r.job_id})" for r in ranks),
            rdzv.host,
            rdzv.port,
        )
        return bundle

    async def _roll_back(self, ranks: list[DescribeClusterRank], caller: Caller) -> None:
        if not ranks:
            return
        log.warning("Multi-node submit failed: cancelling %d queued ranks", len(ranks))
        answers = await asyncio.gather(
            *(self.pool.cancel(r.job_id, caller) for r in ranks), return_exceptions=True
        )
        for r, a in zip(ranks, answers, strict=True):
            if isinstance(a, BaseException):
                log.error("Could not roll back rank job %s on %s: %s", r.job_id, r.node_id, a)

    async def _forget(self, bundle_id: str, keepers: list[str]) -> None:
        await asyncio.to_thread(self.store.delete, bundle_id)
        await asyncio.gather(
            *(self.pool.call(n, "DELETE", f"/bundles/{bundle_id}") for n in keepers),
            return_exceptions=True,
        )

    # -- reads --------------------------------------------------------------------

    async def _records(self) -> list[DescribeClusterJob]:
        """This node's records and every reachable peer's, one per id (a terminal copy wins)."""
        mine = await asyncio.to_thread(self.store.all)
        peers = self._peers_up()
        answers = await asyncio.gather(
            *(self.pool.call(n, "GET", "/bundles") for n in peers), return_exceptions=True
        )
        found: dict[str, DescribeClusterJob] = {b.id: b for b in mine}
        for answer in answers:
            if isinstance(answer, BaseException):
                continue  # that peer's copies are all on other nodes too, or shown later
            try:
                page = ListClusterJobs.model_validate(answer)
            except ValidationError:
                continue
            for b in page.jobs:
                have = found.get(b.id)
                if have is None or (b.status in TERMINAL and have.status not in TERMINAL):
                    found[b.id] = b
        return sorted(found.values(), key=lambda b: b.created, reverse=True)

    async def _live(self, bundle: DescribeClusterJob) -> DescribeClusterJob:
        """The bundle with each rank's status as its node says now (``unknown`` if silent)."""
        if bundle.status in TERMINAL:
            return bundle  # every rank was over when it was promoted: nothing changes
        statuses = await asyncio.gather(*(self._rank_status(r) for r in bundle.ranks))
        ranks = [
            r.model_copy(update={"status": s}) for r, s in zip(bundle.ranks, statuses, strict=True)
        ]
        live = bundle.model_copy(update={"ranks": ranks, "status": rollup(statuses)})
        # Failed as soon as one rank failed, but kept live until every rank is over: a
        # rank still running holds its node's resources and the rendezvous port.
        if all(s in TERMINAL for s in statuses) and valid_id(live.id):
            await asyncio.to_thread(self.store.put, live)  # promoted: later reads stop here
        return live

    async def _rank_status(self, rank: DescribeClusterRank) -> ClusterJobStatus:
        try:
            job = await self.pool.get_on(rank.node_id, rank.job_id)
        except (Unavailable, NotFound):
            return "unknown"
        return rank_status(str(job.status))

    async def list_jobs(self) -> ListClusterJobs:
        """``GET /cluster/jobs``: every bundle kept here or on a reachable peer, live."""
        records = await self._records()
        return ListClusterJobs(jobs=list(await asyncio.gather(*map(self._live, records))))

    async def get(self, bundle_id: str) -> DescribeClusterJob:
        """One bundle, live; 404 when neither this node nor a reachable peer keeps it."""
        mine = await asyncio.to_thread(self.store.get, bundle_id)
        if mine is not None:
            return await self._live(mine)
        for b in await self._records():
            if b.id == bundle_id:
                return await self._live(b)
        raise NotFound(f"No multi-node job {bundle_id!r} on this node or a reachable peer")

    async def cancel(self, bundle_id: str, caller: Caller) -> DescribeClusterJob:
        """Cancel every rank not yet over (queued: cancelled, running: killed), all at once."""
        bundle = await self.get(bundle_id)
        if not caller.may_act_on(bundle.owner):
            raise Forbidden(
                f"Multi-node job {bundle_id} is {bundle.owner or 'nobody'}'s: only its owner "
                "or an admin may cancel it",
                reason="not_owner",
            )
        todo = [r for r in bundle.ranks if r.status not in TERMINAL]
        answers = await asyncio.gather(
            *(self._cancel_rank(r, caller) for r in todo), return_exceptions=True
        )
        for r, a in zip(todo, answers, strict=True):
            if isinstance(a, BaseException):
                log.warning("Cancel of rank %d (%s on %s): %s", r.rank, r.job_id, r.node_id, a)
        log.info("Multi-node job %s cancelled by %s", bundle_id, caller.name)
        return await self._live(bundle)

    async def _cancel_rank(self, rank: DescribeClusterRank, caller: Caller) -> None:
        with contextlib.suppress(Conflict):  # it ended meanwhile
            await self.pool.cancel_on(rank.node_id, rank.job_id, caller)
