"""Multi-node training (cluster mode): bundles of one torchrun per node, and their status.

Thin over ``ClusterService.multinode`` (``cluster/multinode.py``). Standalone,
listing answers an empty list and submitting is a 409 (``cluster_disabled``).
"""

from __future__ import annotations

from jupyter_server.auth.decorator import authorized
from tornado import web

from ..models.cluster_jobs import CreateClusterJob, DescribeClusterJob, ListClusterJobs
from .base import ForgatherHandler, Route, operation


class ClusterJobsHandler(ForgatherHandler):
    @operation(
        "Every multi-node job this node or a reachable peer keeps, with live per-rank status",
        response=ListClusterJobs,
    )
    @web.authenticated
    @authorized
    async def get(self) -> None:
        self.reply(await self.runtime.cluster.multinode.list_jobs())

    @operation(
        "Queue a multi-node training job: one torchrun per participant, all or none",
        body=CreateClusterJob,
        response=DescribeClusterJob,
        status=201,
        errors={
            404: "a participant is no cluster member (reason no_such_node)",
            409: "versions differ between participants (reason version_mismatch), or "
            "cluster mode is off (reason cluster_disabled)",
            422: "a participant is unreachable (node_unreachable), or its interface cannot be "
            "told (no_interface)",
            503: "a participant stopped answering during the fanout (rolled back)",
        },
    )
    @web.authenticated
    @authorized
    async def post(self) -> None:
        body = self.parse_body(CreateClusterJob)
        job = await self.runtime.cluster.multinode.create(body, self.caller)
        self.reply(job, status=201)


class ClusterJobHandler(ForgatherHandler):
    @operation(
        "One multi-node job with each rank's live status rolled up",
        response=DescribeClusterJob,
        errors={404: "no such multi-node job on this node or a reachable peer"},
    )
    @web.authenticated
    @authorized
    async def get(self, bundle_id: str) -> None:
        self.reply(await self.runtime.cluster.multinode.get(bundle_id))


class ClusterJobCancelHandler(ForgatherHandler):
    @operation(
        "Cancel every rank of a multi-node job (queued ones cancelled, running ones killed)",
        response=DescribeClusterJob,
        errors={403: "only its owner or an admin may cancel it", 404: "no such multi-node job"},
    )
    @web.authenticated
    @authorized
    async def post(self, bundle_id: str) -> None:
        self.reply(await self.runtime.cluster.multinode.cancel(bundle_id, self.caller))


ROUTES = [
    Route("/cluster/jobs", ClusterJobsHandler),
    Route("/cluster/jobs/{bundle_id}", ClusterJobHandler),
    Route("/cluster/jobs/{bundle_id}/cancel", ClusterJobCancelHandler),
]
