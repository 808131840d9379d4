"""Cluster mode on the wire: members, their probes, every node's GPUs, the network probe.

The same models travel between nodes (the inter-node listener's member
table) and to browsers (``GET /forgather/api/cluster``), so a peer's answer
is validated into them before anything of it is believed.
"""

from __future__ import annotations

from pydantic import Field

from .base import Model
from .gpus import DescribeGpu
from .jobs import CreateJob


class ProbeVersions(Model):
    """What multi-node training needs to agree on; null where a package is absent."""

    forgather_lab: str | None = None
    python: str | None = None
    platform: str | None = None
    torch: str | None = None
    cuda: str | None = None
    nccl: str | None = None
    transformers: str | None = None


class ProbeInterface(Model):
    """One IPv4 interface of a node (to pick NCCL_SOCKET_IFNAME from)."""

    name: str
    address: str
    netmask: str | None = None


class DescribeProbe(Model):
    """A node's pre-flight probe, computed once at its start."""

    versions: ProbeVersions
    interfaces: list[ProbeInterface]
    cpus: int | None = Field(None, description="logical CPUs")
    memory_gb: float | None = Field(None, description="total memory in GiB")


class GpuSummary(Model):
    """A node's cards: how many, and how many no job holds and no policy keeps closed."""

    total: int = 0
    idle: int = 0


class DescribeMember(Model):
    """One node as this node knows it."""

    node_id: str
    hostname: str
    addresses: list[str]
    port: int = Field(description="its inter-node (mTLS) listener")
    url: str | None = Field(None, description="its Jupyter server, for links")
    version: str
    reachable: bool = Field(description="a direct pull answered within the threshold")
    last_seen: float | None = Field(None, description="epoch seconds of its last direct answer")
    started_at: float | None = Field(None, description="epoch seconds its server started")
    is_self: bool = False
    is_master: bool = False
    probe: DescribeProbe | None = None
    gpus: GpuSummary = Field(default_factory=GpuSummary)


class DescribeCluster(Model):
    """``GET /cluster``: standalone, ``enabled`` is false and this node is alone."""

    enabled: bool
    name: str | None = Field(None, description="the cluster's name (empty: standalone)")
    self: str = Field(description="this node's node_id")
    master: str | None = Field(None, description="the reachable member with the lowest node_id")
    members: list[DescribeMember]
    message: str | None = Field(None, description="why cluster mode is not working, if it is not")


class MemberTable(Model):
    """What a node's inter-node listener answers to a pull: itself, fresh, and whom it knows."""

    cluster: str
    self: DescribeMember
    members: list[DescribeMember]


class ClusterGpu(DescribeGpu):
    """One card of one node."""

    node_id: str


class ClusterGpuNode(Model):
    """One node of ``GET /cluster/gpus``: whether its cards could be read, and why not."""

    node_id: str
    hostname: str
    is_self: bool
    reachable: bool
    backend: str | None = None
    message: str | None = None


class ListClusterGpus(Model):
    """``GET /cluster/gpus``: every reachable node's cards, each with its ``node_id``."""

    gpus: list[ClusterGpu]
    nodes: list[ClusterGpuNode]


class PeerLatency(Model):
    """Round trips to one peer's listener, warm-up samples left out (milliseconds)."""

    min_ms: float
    median_ms: float
    max_ms: float
    samples: int


class PeerNetwork(Model):
    """The network probe's result for one peer."""

    node_id: str
    hostname: str
    address: str | None = None
    measured_at: float | None = None
    latency: PeerLatency | None = None
    bandwidth_mbps: float | None = Field(None, description="HTTPS download, megabits per second")
    message: str | None = Field(None, description="why the peer could not be measured")


class DescribeNetwork(Model):
    """``GET /cluster/network``: the last probe of every peer (cached until the next refresh)."""

    peers: list[PeerNetwork]
    refreshed_at: float | None = None


# -- one pool: a peer's jobs (inter-node only) -----------------------------------


class ClusterCaller(Model):
    """Who a forwarded request acts for, as the node that took it authenticated them."""

    name: str
    admin: bool
    node_id: str = Field(description="the node the request came in on")


class PeerEnqueue(Model):
    """``POST /peer/v1/jobs``: queue ``request`` here for ``caller`` (its owner)."""

    request: CreateJob
    caller: ClusterCaller


class PeerAct(Model):
    """A forwarded change to a job (control, cancel): done for ``caller``, if they may."""

    caller: ClusterCaller


class PeerLog(Model):
    """A piece of a job's log from byte ``offset`` (base64: logs need not be UTF-8)."""

    data: str
    offset: int
    size: int = Field(description="the log's size when read")
    running: bool = Field(description="whether more may come (the job is not over)")


class NodeLoad(Model):
    """How soon a node could start a job: its usable and idle GPUs and its queue."""

    node_id: str
    usable_gpus: int
    idle_gpus: int
    queued: int
