"""The queue and the scheduler."""

from __future__ import annotations

from jupyter_server.auth.decorator import authorized
from tornado import web

from ..models.jobs import CreateJob, DescribeJob, DescribeScheduler, ListJobs, UpdateScheduler
from .base import ForgatherHandler, Route, operation


class QueueHandler(ForgatherHandler):
    @operation("The queue: queued jobs in dispatch order", response=ListJobs)
    @web.authenticated
    @authorized
    async def get(self) -> None:
        self.reply(ListJobs(jobs=await self.runtime.jobs.queue()))

    @operation(
        "Queue a job (durable when answered)",
        body=CreateJob,
        response=DescribeJob,
        status=201,
        errors={
            503: "the state directory is read-only or unusable",
            507: "the state directory's disk is full",
        },
    )
    @web.authenticated
    @authorized
    async def post(self) -> None:
        job = await self.runtime.jobs.enqueue(self.parse_body(CreateJob))
        self.reply(job, status=201)


class QueueItemHandler(ForgatherHandler):
    @operation(
        "Cancel a queued job, or abort it if it already runs",
        response=DescribeJob,
        errors={404: "no such job", 409: "already finished"},
    )
    @web.authenticated
    @authorized
    async def delete(self, job_id: str) -> None:
        self.reply(await self.runtime.jobs.cancel(job_id))


class SchedulerHandler(ForgatherHandler):
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
    Route("/queue/{job_id}", QueueItemHandler),
]
