"""Trainer control, trainer status, inline progress and metric series of a job."""

from __future__ import annotations

from jupyter_server.auth.decorator import authorized
from tornado import web

from ..models.control import (
    ControlResult,
    DescribeInlineProgress,
    DescribeTrainerStatus,
    ListMetrics,
    MetricsQuery,
)
from .base import ForgatherHandler, Route, operation


class ControlHandler(ForgatherHandler):
    owner_only = frozenset({"POST"})

    @operation(
        "Control a job: save | stop | save-stop | abort are queued for its trainer (needs "
        "forgather_lab.reporter); kill (SIGTERM to its process group) | force-kill (SIGKILL)",
        response=ControlResult,
        errors={
            400: "unknown action",
            404: "no such job",
            409: "job not running, or it has no reporter",
            503: "cluster mode: the node holding it does not answer",
        },
    )
    @web.authenticated
    @authorized
    async def post(self, job_id: str, action: str) -> None:
        if self.runtime.cluster.enabled:  # a peer's job: controlled there, over mTLS
            self.reply(await self.runtime.cluster.pool.act(job_id, action, self.caller))
            return
        self.reply(await self.runtime.control.act(job_id, action))


class StatusHandler(ForgatherHandler):
    owner_only = frozenset({"GET"})

    @operation(
        "The trainer's latest status (step, progress, loss, lr, ...) and recent commands",
        response=DescribeTrainerStatus,
        errors={404: "no such job"},
    )
    @web.authenticated
    @authorized
    async def get(self, job_id: str) -> None:
        self.reply(await self.runtime.control.status(job_id))


class InlineProgressHandler(ForgatherHandler):
    owner_only = frozenset({"GET"})

    @operation(
        "Stage, last log line and percent parsed from the job's log (works without a reporter)",
        response=DescribeInlineProgress,
        errors={404: "no such job"},
    )
    @web.authenticated
    @authorized
    async def get(self, job_id: str) -> None:
        self.reply(await self.runtime.control.inline_progress(job_id))


class MetricsHandler(ForgatherHandler):
    owner_only = frozenset({"GET"})

    @operation(
        "Metric series as [step, value] pairs, downsampled to max_points keeping extremes",
        query=MetricsQuery,
        response=ListMetrics,
        errors={404: "no such job", 503: "cluster mode: the node holding it does not answer"},
    )
    @web.authenticated
    @authorized
    async def get(self, job_id: str) -> None:
        q = self.parse_query(MetricsQuery)
        if self.runtime.cluster.enabled:  # a peer's job: its series come over mTLS
            self.reply(await self.runtime.cluster.pool.metrics(job_id, q, self.caller))
            return
        names = [n.strip() for n in (q.names or "").split(",") if n.strip()] or None
        self.reply(await self.runtime.control.metrics(job_id, names, q.since_step, q.max_points))


ROUTES = [
    Route("/jobs/{job_id}/control/{action}", ControlHandler),
    Route("/jobs/{job_id}/status", StatusHandler),
    Route("/jobs/{job_id}/inline-progress", InlineProgressHandler),
    Route("/jobs/{job_id}/metrics", MetricsHandler),
]
