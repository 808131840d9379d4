"""Multi-node training on the wire: a bundle of one torchrun per participating node.

``POST /cluster/jobs`` takes a ``CreateClusterJob``; every read answers
``DescribeClusterJob`` (the bundle, its rendezvous, and each rank's job with a
live status). The same record travels between nodes (``PUT /peer/v1/bundles``)
so that every participant keeps a copy of every bundle it takes part in.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field

from .base import ApiModel, Model

#: A network interface name as Linux allows it (IFNAMSIZ 16, no '/' or blanks).
IfaceName = Annotated[str, Field(min_length=1, max_length=15, pattern=r"^[A-Za-z0-9_.:@-]+$")]
NodeId = Annotated[str, Field(min_length=1, max_length=64)]

#: A rank's (and a bundle's) status; ``unknown``: the rank's node does not answer.
ClusterJobStatus = Literal["queued", "running", "done", "failed", "cancelled", "unknown"]


class CreateClusterParticipant(ApiModel):
    """One node of a multi-node job: how many GPUs its torchrun uses, on which interface."""

    node_id: NodeId
    gpus: int = Field(
        ge=0, le=64, description="GPUs (= processes) on this node; 0: one CPU process (gloo)"
    )
    iface: IfaceName | None = Field(
        None,
        description="the interface NCCL / Gloo / TensorPipe use; default: the one holding the "
        "node's advertised address",
    )


class CreateClusterJob(ApiModel):
    """``POST /cluster/jobs``: one training job across several nodes (one torchrun each)."""

    project_dir: str = Field(min_length=1, description="the same path on every participant")
    config: str = Field(min_length=1)
    dynamic_args: dict[str, Any] = Field(default_factory=dict)
    priority: int = Field(0, ge=-1000, le=1000)
    name: str | None = Field(None, max_length=200)
    participants: list[CreateClusterParticipant] = Field(
        min_length=1, max_length=64, description="node ranks follow this order"
    )
    rdzv_node: NodeId = Field(description="the participant hosting the c10d rendezvous store")
    rdzv_port: int | None = Field(
        None,
        ge=1,
        le=65535,
        description="default: the lowest port from 29400 that no other live bundle uses there",
    )
    allow_version_mismatch: bool = Field(
        False, description="queue even if forgather_lab / torch / python differ between nodes"
    )


class DescribeRendezvous(Model):
    """Where the ranks meet: the rdzv node's advertised address and the port."""

    node_id: str
    host: str
    port: int


class DescribeClusterRank(Model):
    """One node's torchrun: the job queued there and its status."""

    rank: int = Field(description="the node rank (torchrun --node-rank)")
    node_id: str
    job_id: str
    gpus: int
    iface: str
    status: ClusterJobStatus


class DescribeClusterJob(Model):
    """A multi-node job: its ranks, where they meet and the status rolled up from theirs.

    The rollup takes the first of failed > running (``unknown`` counts as running:
    an unreachable rank may still be working) > cancelled > queued > done.
    """

    id: str
    name: str
    project_dir: str
    config: str
    dynamic_args: dict[str, Any]
    created: float = Field(description="epoch seconds")
    owner: str | None
    nnodes: int
    rdzv: DescribeRendezvous
    status: ClusterJobStatus
    ranks: list[DescribeClusterRank]


class ListClusterJobs(Model):
    """``GET /cluster/jobs``: every bundle this node or a reachable peer keeps, newest first."""

    jobs: list[DescribeClusterJob]
