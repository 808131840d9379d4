"""Cluster mode for browsers and API users (Jupyter-authenticated): members, GPUs, network.

Standalone, every endpoint still answers: this node alone, ``enabled: false``.
Peers are reached by the cluster service over mutual TLS; an unreachable one
is said so (503 ``peer_unreachable`` for a call aimed at it, a row marked
unreachable in a list), never a 500 or a long wait.
"""

from __future__ import annotations

from jupyter_server.auth.decorator import authorized
from tornado import web

from ..models.cluster import DescribeCluster, DescribeNetwork, ListClusterGpus
from ..models.gpus import DescribeGpuPolicy, UpdateGpuPolicy
from .base import ForgatherHandler, Route, operation


class ClusterHandler(ForgatherHandler):
    @operation(
        "This node's cluster: every member (reachable or not), its probe and GPU counts",
        response=DescribeCluster,
    )
    @web.authenticated
    @authorized
    async def get(self) -> None:
        self.reply(await self.runtime.cluster.describe())


class ClusterGpusHandler(ForgatherHandler):
    @operation("Every reachable node's GPUs, each with its node_id", response=ListClusterGpus)
    @web.authenticated
    @authorized
    async def get(self) -> None:
        self.reply(await self.runtime.cluster.gpus())


class ClusterGpuPolicyHandler(ForgatherHandler):
    admin_only = frozenset({"POST"})
    admin_action = "change GPU policy"

    @operation(
        "Change a GPU's policy on any node of the cluster (a peer's over mTLS)",
        body=UpdateGpuPolicy,
        response=DescribeGpuPolicy,
        errors={404: "no such node or GPU", 503: "the node is unreachable"},
    )
    @web.authenticated
    @authorized
    async def post(self, node_id: str, index: str) -> None:
        body = self.parse_body(UpdateGpuPolicy)
        self.reply(await self.runtime.cluster.set_gpu_policy(node_id, int(index), body))


class ClusterNetworkHandler(ForgatherHandler):
    @operation(
        "The last network probe of every peer (latency, bandwidth)", response=DescribeNetwork
    )
    @web.authenticated
    @authorized
    async def get(self) -> None:
        self.reply(await self.runtime.cluster.describe_network())


class ClusterNetworkRefreshHandler(ForgatherHandler):
    @operation(
        "Measure latency and bandwidth to every reachable peer, one after the other",
        response=DescribeNetwork,
    )
    @web.authenticated
    @authorized
    async def post(self) -> None:
        self.reply(await self.runtime.cluster.refresh_network())


ROUTES = [
    Route("/cluster", ClusterHandler),
    Route("/cluster/gpus", ClusterGpusHandler),
    Route("/cluster/nodes/{node_id}/gpus/{index:int}/policy", ClusterGpuPolicyHandler),
    Route("/cluster/network", ClusterNetworkHandler),
    Route("/cluster/network/refresh", ClusterNetworkRefreshHandler),
]
