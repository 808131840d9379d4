"""The cluster service: this node's membership, its listener, discovery and the pull loop.

Built by the runtime whatever the settings say; standalone (``cluster``
empty) it starts nothing (no listener, no mDNS, no imports of zeroconf or
cryptography) and describes this node alone. Joined, ``start`` binds the
inter-node listener, advertises on mDNS and starts the pull loop
(``peering.py``). What the node itself offers its peers
(its GPUs, their policy) comes in as callables (``LocalNode``): the cluster
knows nothing of the services above it.

Every inter-node call is ``client.call(node_id, method, path, body)``, bounded;
the one pool (``pool``: any node's jobs from any node, ``jobs.py``) forwards
through it to the peers' job operations (``peer_jobs.py``).
"""

from __future__ import annotations

import asyncio
import logging
import socket
import ssl
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from pydantic import ValidationError

from .._version import __version__
from ..errors import ForgatherError, NotFound
from ..jobs import repository as jobs_repo
from ..models.cluster import (
    ClusterGpu,
    ClusterGpuNode,
    DescribeCluster,
    DescribeMember,
    DescribeNetwork,
    DescribeProbe,
    GpuSummary,
    ListClusterGpus,
)
from ..models.gpus import DescribeGpuPolicy, ListGpus, UpdateGpuPolicy
from ..settings import ForgatherLabSettings
from . import addresses, identity
from .addresses import Interface
from .membership import Member, MemberTable, Sighting

if TYPE_CHECKING:
    from .client import ClusterClient
    from .discovery import Discovery
    from .jobs import ClusterJobs
    from .listener import Listener
    from .local_jobs import LocalJobs
    from .multinode import MultiNodeJobs
    from .network import NetworkProbe
    from .peering import Peering

log = logging.getLogger("forgather_lab")

TAG_LENGTH = 6


@dataclass(frozen=True)
class LocalNode:
    """What this node offers through the cluster (the runtime passes its GPU service's)."""

    gpus: Callable[[], Awaitable[ListGpus]]
    set_policy: Callable[[int, bool | None, int | None], Awaitable[DescribeGpuPolicy]]
    #: This node's jobs, for the one pool (item 5); None: the node shares no jobs.
    jobs: LocalJobs | None = None


class ClusterService:
    """This node in its cluster (or alone)."""

    def __init__(self, settings: ForgatherLabSettings, state_dir: Path, local: LocalNode) -> None:
        self.settings = settings
        self.name = settings.cluster.strip()
        self.enabled = bool(self.name)
        self.state_dir = state_dir
        self.local = local
        self.started_at = time.time()
        self.hostname = socket.gethostname()
        self.error: str | None = None
        self.addresses: list[str] = []
        self.port = 0
        self.url: str | None = None
        self.table: MemberTable | None = None
        self.client: ClusterClient | None = None
        self.network: NetworkProbe | None = None
        self._node_id: str | None = None
        self._probe: DescribeProbe | None = None
        self._listener: Listener | None = None
        self._discovery: Discovery | None = None
        self.peering: Peering | None = None
        self._pool: ClusterJobs | None = None
        self._multinode: MultiNodeJobs | None = None

    @property
    def pool(self) -> ClusterJobs:
        """Every node's jobs (this node's alone standalone), for the handlers."""
        if self._pool is None:
            from .jobs import ClusterJobs

            if self.local.jobs is None:
                raise RuntimeError("ClusterService.pool needs LocalNode.jobs")
            self._pool = ClusterJobs(self, self.local.jobs)
        return self._pool

    @property
    def multinode(self) -> MultiNodeJobs:
        """Multi-node training bundles (``/cluster/jobs``), for the handlers."""
        if self._multinode is None:
            from .bundles import BundleStore
            from .multinode import MultiNodeJobs

            self._multinode = MultiNodeJobs(self, self.pool, BundleStore(self.state_dir))
        return self._multinode

    # -- identity ---------------------------------------------------------------

    @property
    def node_id(self) -> str:
        """This node's UUID (minted into the state directory the first time it is asked)."""
        if self._node_id is None:
            self._node_id = identity.node_id(self.state_dir)
        return self._node_id

    def probe(self) -> DescribeProbe:
        """This node's probe, computed once."""
        if self._probe is None:
            from .probe import probe

            self._probe = probe()
        return self._probe

    # -- life cycle ---------------------------------------------------------------

    async def start(self, server_url: str) -> None:
        """Join the cluster (nothing standalone). A failure to join is reported, not raised:
        the node keeps working alone and ``GET /cluster`` says why."""
        if not self.enabled or self.table is not None:
            return
        node_id = await asyncio.to_thread(lambda: self.node_id)
        # Job ids minted here from now on start with this node's tag: unique cluster-wide.
        jobs_repo.ID_PREFIX = id_tag(node_id)
        try:
            await self._join(server_url)
        except (ForgatherError, OSError, ImportError, ValueError) as e:
            self.error = f"Could not join cluster {self.name!r}: {getattr(e, 'message', e)}"
            log.error("%s", self.error)
            await self._leave()

    async def _join(self, server_url: str) -> None:
        from .client import ClusterClient
        from .discovery import Discovery
        from .listener import Listener, local_addresses
        from .network import NetworkProbe
        from .peer_api import Node, PeerApi
        from .peering import Peering
        from .tls import client_context, server_context

        s = self.settings

        def contexts() -> tuple[ssl.SSLContext, ssl.SSLContext]:
            default = identity.cluster_dir(self.state_dir) / "tls"
            tls_dir = Path(s.cluster_tls_dir or default).expanduser()
            return server_context(tls_dir), client_context(tls_dir)

        server_ctx, client_ctx = await asyncio.to_thread(contexts)
        interfaces = await asyncio.to_thread(addresses.ipv4_interfaces)
        self._probe = await asyncio.to_thread(self._compute_probe, interfaces)
        self.addresses = addresses.choose(s.cluster_addresses, interfaces)
        node_id = await asyncio.to_thread(lambda: self.node_id)
        self.table = table = MemberTable(node_id, s.cluster_unreachable_after)
        self.client = ClusterClient(client_ctx, table.get, timeout=1.5, deadline=2.0)
        self.network = NetworkProbe(self.client, self._peers_for_probe)
        self.peering = peering = Peering(
            self.name, table, self.client, self._self_entry, self._peer_entries
        )
        api = PeerApi(Node(peering.exchange, self.local.gpus, self.local.set_policy))
        if self.local.jobs is not None:
            from .peer_jobs import PeerJobs

            api.routes.extend(PeerJobs(node_id, self.local.jobs, self.local.gpus).routes())
        from .bundles import BundleStore, PeerBundles

        api.routes.extend(PeerBundles(BundleStore(self.state_dir)).routes())
        self._listener = Listener(api, server_ctx, self.addresses, s.cluster_port)
        local = local_addresses([i.address for i in interfaces])
        self.port = await self._listener.start(local)
        self.url = s.public_url or _jupyter_url(server_url, self.addresses[0])
        for a in self.addresses:
            log.info(
                "Cluster %r: node %s advertises %s:%d (iface %s)",
                self.name,
                self.node_id,
                a,
                self.port,
                addresses.interface_of(a, interfaces) or "?",
            )
        me = Sighting(self.node_id, self.hostname, self.addresses, self.port, __version__)
        bind = [a for a in self.addresses if a in local]
        self._discovery = Discovery(
            self.name, me, peering.sighted, bind if bind == self.addresses else None
        )
        await self._discovery.start()
        peering.start(s.cluster_pull_interval)

    @staticmethod
    def _compute_probe(interfaces: list[Interface]) -> DescribeProbe:
        from .probe import probe

        return probe(list(interfaces))

    async def stop(self) -> None:
        """Leave: stop pulling, withdraw the mDNS record, close the listener and the client."""
        await self._leave()
        if self.enabled:
            jobs_repo.ID_PREFIX = ""

    async def _leave(self) -> None:
        if self._discovery is not None:
            await self._discovery.stop()
            self._discovery = None
        if self.peering is not None:
            await self.peering.stop()
        if self._listener is not None:
            await self._listener.stop()
            self._listener = None
        self.network = None
        if self.client is not None:
            await self.client.close()
            self.client = None

    # -- what the API shows -------------------------------------------------------

    async def _self_entry(self, master: str | None = None) -> DescribeMember:
        pool = await self.local.gpus()
        now = time.time()
        return DescribeMember(
            node_id=self.node_id,
            hostname=self.hostname,
            addresses=list(self.addresses),
            port=self.port,
            url=self.url,
            version=__version__,
            reachable=True,
            last_seen=now,
            started_at=self.started_at,
            is_self=True,
            is_master=master == self.node_id,
            probe=await asyncio.to_thread(self.probe),
            gpus=_summary(pool),
        )

    def _peer_entries(self, master: str | None = None) -> list[DescribeMember]:
        if self.table is None:
            return []
        now = time.time()
        return [self.table.describe(m, now, master) for m in self.table.peers()]

    def master(self) -> str:
        """The lowest node id among this node and the reachable peers."""
        now = time.time()
        peers = self.table.peers() if self.table is not None else []
        up = [m.node_id for m in peers if self.table is not None and self.table.reachable(m, now)]
        return identity.master([self.node_id, *up]) or self.node_id

    async def describe(self) -> DescribeCluster:
        """``GET /cluster``: every member (this node first), reachable or not."""
        await asyncio.to_thread(lambda: self.node_id)  # minted off the loop the first time
        master = self.master()
        me = await self._self_entry(master)
        return DescribeCluster(
            enabled=self.enabled,
            name=self.name or None,
            self=self.node_id,
            master=master,
            members=[me, *self._peer_entries(master)],
            message=self.error,
        )

    async def gpus(self) -> ListClusterGpus:
        """Every node's cards (reachable peers asked in parallel; the others said so)."""
        await asyncio.to_thread(lambda: self.node_id)
        local = await self.local.gpus()
        gpus = [ClusterGpu(**g.model_dump(), node_id=self.node_id) for g in local.gpus]
        nodes = [
            ClusterGpuNode(
                node_id=self.node_id,
                hostname=self.hostname,
                is_self=True,
                reachable=True,
                backend=local.backend,
            )
        ]
        peers = self.table.peers() if self.table is not None else []
        answers = await asyncio.gather(*(self._peer_gpus(m) for m in peers))
        for node, cards in answers:
            nodes.append(node)
            gpus.extend(cards)
        return ListClusterGpus(gpus=gpus, nodes=nodes)

    async def _peer_gpus(self, m: Member) -> tuple[ClusterGpuNode, list[ClusterGpu]]:
        assert self.table is not None
        node = ClusterGpuNode(
            node_id=m.node_id, hostname=m.hostname, is_self=False, reachable=False
        )
        if not self.table.reachable(m, time.time()) or self.client is None:
            node.message = "unreachable"
            return node, []
        try:
            pool = ListGpus.model_validate(await self.client.call(m.node_id, "GET", "/gpus"))
        except (ForgatherError, ValueError, ValidationError) as e:
            node.message = getattr(e, "message", None) or str(e).splitlines()[0]
            return node, []
        node.reachable, node.backend = True, pool.backend
        return node, [ClusterGpu(**g.model_dump(), node_id=m.node_id) for g in pool.gpus]

    async def set_gpu_policy(
        self, node_id: str, index: int, update: UpdateGpuPolicy
    ) -> DescribeGpuPolicy:
        """Change one card's policy on any node (a peer's through its listener)."""
        if node_id == await asyncio.to_thread(lambda: self.node_id):
            return await self.local.set_policy(index, update.disabled, update.min_priority)
        if self.table is None or self.client is None or node_id not in self.table:
            raise NotFound(f"No cluster member {node_id}", reason="no_such_node")
        body = update.model_dump(exclude_none=True)
        answer = await self.client.call(node_id, "POST", f"/gpus/{index}/policy", body)
        return DescribeGpuPolicy.model_validate(answer)

    # -- the network probe ----------------------------------------------------------

    def _peers_for_probe(self) -> list[Member]:
        if self.table is None:
            return []
        now = time.time()
        return [m for m in self.table.peers() if self.table.reachable(m, now)]

    async def describe_network(self) -> DescribeNetwork:
        """The last network probe (empty until a refresh; always empty standalone)."""
        return self.network.describe() if self.network is not None else DescribeNetwork(peers=[])

    async def refresh_network(self) -> DescribeNetwork:
        """Measure every reachable peer, one after the other."""
        if self.network is None:
            return DescribeNetwork(peers=[])
        return await self.network.refresh()


def id_tag(node_id: str) -> str:
    """What this node's job ids start with: 6 hex characters of its node id.

    Two nodes' ids can then only meet if their node ids (random UUIDs) agree in
    those 24 bits; one node's ids are kept apart by its database's primary key.
    """
    return node_id.replace("-", "")[:TAG_LENGTH].lower()


def _summary(pool: ListGpus) -> GpuSummary:
    idle = [
        g
        for g in pool.gpus
        if not g.excluded and not g.disabled and g.reserved_by is None and not g.processes
    ]
    return GpuSummary(total=len(pool.gpus), idle=len(idle))


def _jupyter_url(server_url: str, address: str) -> str:
    """This node's Jupyter server as a peer's browser reaches it (the port and base URL the
    loopback callback URL carries, at the advertised address)."""
    url = urlsplit(server_url)
    host = f"[{address}]" if ":" in address else address
    return f"{url.scheme}://{host}:{url.port}{url.path or '/'}"
