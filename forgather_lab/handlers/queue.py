"""The queue and the scheduler."""

from __future__ import annotations

from jupyter_server.auth.decorator import authorized
from tornado import web

from ..models.jobs import (
    CreateJob,
    CreateJobBatch,
    CreateSweep,
    DescribeJob,
    DescribeScheduler,
    ListJobs,
    UpdateQueuedJob,
    UpdateScheduler,
)
from .base import ForgatherHandler, Route, operation


class QueueHandler(ForgatherHandler):
    @operation("The queue: queued jobs in dispatch order", response=ListJobs)
    @web.authenticated
    @authorized
    async def get(self) -> None:
        jobs = await self.runtime.jobs.queue()
        if self.runtime.cluster.enabled:  # records carry this node's node_id
            jobs = [self.runtime.cluster.pool.stamp(j) for j in jobs]
        self.reply(ListJobs(jobs=jobs))

    @operation(
        "Queue a job (durable when answered)",
        body=CreateJob,
        response=DescribeJob,
        status=201,
        errors={
            404: "cluster mode: no such node (reason no_such_node)",
            429: "the caller has user_queue_limit jobs queued already",
            503: "the state directory is read-only or unusable, or the node asked for does "
            "not answer (reason peer_unreachable)",
            507: "the state directory's disk is full",
        },
    )
    @web.authenticated
    @authorized
    async def post(self) -> None:
        body = self.parse_body(CreateJob)
        if body.node is not None or self.runtime.cluster.enabled:  # on which node: cluster/jobs.py
            placed = await self.runtime.cluster.pool.enqueue(body, self.caller)
            self.set_header("X-Forgather-Placement", placed.reason)
            self.reply(placed.job, status=201)
            return
        job = await self.runtime.jobs.enqueue(body, owner=self.caller.name)
        self.reply(job, status=201)


class BatchHandler(ForgatherHandler):
    @operation(
        "Queue many jobs in one transaction, all or none (one invalid job: 400, none queued); "
        "they share a group and come back in order",
        body=CreateJobBatch,
        response=ListJobs,
        status=201,
        errors={
            429: "these jobs would put the caller over user_queue_limit",
            503: "the state directory is read-only or unusable",
        },
    )
    @web.authenticated
    @authorized
    async def post(self) -> None:
        jobs = await self.runtime.jobs.enqueue_batch(
            self.parse_body(CreateJobBatch), owner=self.caller.name
        )
        self.reply(ListJobs(jobs=jobs, total=len(jobs)), status=201)


class SweepHandler(ForgatherHandler):
    @operation(
        "Queue one job per point of a grid of dynamic arguments (the cartesian product, "
        "merged over the base job's), sharing a group; at most max_sweep_size points",
        body=CreateSweep,
        response=ListJobs,
        status=201,
        errors={
            429: "these jobs would put the caller over user_queue_limit",
            503: "the state directory is read-only or unusable",
        },
    )
    @web.authenticated
    @authorized
    async def post(self) -> None:
        jobs = await self.runtime.jobs.enqueue_sweep(
            self.parse_body(CreateSweep), owner=self.caller.name
        )
        self.reply(ListJobs(jobs=jobs, total=len(jobs)), status=201)


class QueueItemHandler(ForgatherHandler):
    owner_only = frozenset({"PATCH", "DELETE"})

    @operation(
        "Change a queued job's priority or name; the scheduler re-plans at once",
        body=UpdateQueuedJob,
        response=DescribeJob,
        errors={404: "no such job", 409: "the job is not queued (any more)"},
    )
    @web.authenticated
    @authorized
    async def patch(self, job_id: str) -> None:
        change = self.parse_body(UpdateQueuedJob)
        self.reply(await self.runtime.jobs.update_queued(job_id, change))

    @operation(
        "Cancel a queued job, or abort it if it already runs",
        response=DescribeJob,
        errors={
            404: "no such job",
            409: "already finished",
            503: "cluster mode: the node holding it does not answer",
        },
    )
    @web.authenticated
    @authorized
    async def delete(self, job_id: str) -> None:
        if self.runtime.cluster.enabled:  # a peer's job: cancelled there, over mTLS
            self.reply(await self.runtime.cluster.pool.cancel(job_id, self.caller))
            return
        self.reply(await self.runtime.jobs.cancel(job_id))


class SchedulerHandler(ForgatherHandler):
    admin_only = frozenset({"POST"})
    admin_action = "pause or resume the scheduler"

    @operation("Whether the scheduler dispatches", response=DescribeScheduler)
    @web.authenticated
    @authorized
    async def get(self) -> None:
        self.reply(await self.runtime.describe_scheduler())

    @operation("Pause or resume dispatching", body=UpdateScheduler, response=DescribeScheduler)
    @web.authenticated
    @authorized
    async def post(self) -> None:
        body = self.parse_body(UpdateScheduler)
        self.reply(await self.runtime.set_scheduler(body.enabled))


ROUTES = [
    Route("/queue", QueueHandler),
    Route("/queue/scheduler", SchedulerHandler),
    Route("/queue/batch", BatchHandler),
    Route("/queue/sweep", SweepHandler),
    Route("/queue/{job_id}", QueueItemHandler),
]
