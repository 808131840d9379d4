"""Runs: provenance, re-run, compare, the runs table and CSV export."""

from __future__ import annotations

from jupyter_server.auth.decorator import authorized
from tornado import web

from ..models.jobs import DescribeJob
from ..models.runs import (
    CompareMetrics,
    CompareQuery,
    DescribeProvenance,
    ListRunsTable,
    MetricsCsvQuery,
    ProvenanceQuery,
    RerunJob,
    RunsQuery,
)
from .base import ForgatherHandler, Route, operation

_PENDING = "no such job; or provenance not captured yet (reason provenance_pending) or never "
_PENDING += "(provenance_missing)"


def _names(raw: str | None) -> list[str] | None:
    names = [n.strip() for n in (raw or "").split(",") if n.strip()]
    return list(dict.fromkeys(names)) or None


class ProvenanceHandler(ForgatherHandler):
    owner_only = frozenset({"GET"})

    @operation(
        "How the run was made, captured when it started: argv, cwd, env names (never "
        "values), git state, interpreter and packages, config, host, GPUs",
        query=ProvenanceQuery,
        response=DescribeProvenance,
        errors={404: _PENDING},
    )
    @web.authenticated
    @authorized
    async def get(self, job_id: str) -> None:
        q = self.parse_query(ProvenanceQuery)
        record = await self.runtime.runs.provenance(job_id)
        if q.download:
            name = f"job-{record.job_id}-provenance.json"
            self.set_header("Content-Disposition", f'attachment; filename="{name}"')
        self.reply(record)


class ProvenanceDiffHandler(ForgatherHandler):
    owner_only = frozenset({"GET"})

    @operation(
        "The uncommitted diff (against HEAD) captured with the provenance, capped at 1 MiB; "
        "empty when the work tree was clean or not a repository",
        errors={404: _PENDING},
        content_type="text/x-diff",
    )
    @web.authenticated
    @authorized
    async def get(self, job_id: str) -> None:
        data = await self.runtime.runs.provenance_diff(job_id)
        self.finish(data, set_content_type="text/x-diff; charset=utf-8")


class RerunHandler(ForgatherHandler):
    owner_only = frozenset({"POST"})

    @operation(
        "Queue the job again (same kind, params or project / config, limits) with the "
        "changes given; dynamic_args are merged over the original's",
        body=RerunJob,
        response=DescribeJob,
        status=201,
        errors={400: "invalid changes (nothing is queued)", 404: "no such job"},
    )
    @web.authenticated
    @authorized
    async def post(self, job_id: str) -> None:
        changes = self.parse_body(RerunJob)
        self.reply(await self.runtime.runs.rerun(job_id, changes), status=201)


class CompareHandler(ForgatherHandler):
    @operation(
        "Curves of several jobs side by side, each downsampled on the server (LTTB keeping "
        "the first, last, lowest and highest point) to at most max_points, against the step "
        "or (axis=time) the wall time each point was recorded at",
        query=CompareQuery,
        response=CompareMetrics,
    )
    @web.authenticated
    @authorized
    async def get(self) -> None:
        q = self.parse_query(CompareQuery)
        jobs = _names(q.jobs) or []
        for job_id in jobs:  # metrics are their owners' (hub mode), as /jobs/{id}/metrics
            await self.require_job_owner(job_id)
        self.reply(await self.runtime.runs.compare(jobs, _names(q.keys), q.max_points, q.axis))


class RunsTableHandler(ForgatherHandler):
    @operation(
        "One row per job of a project (or one config): status, dynamic args, duration, "
        "attempt and the last / min / max of every metric",
        query=RunsQuery,
        response=ListRunsTable,
    )
    @web.authenticated
    @authorized
    async def get(self) -> None:
        q = self.parse_query(RunsQuery)
        self.reply(await self.runtime.runs.runs(q.project_dir, q.config, q.limit))


class MetricsCsvHandler(ForgatherHandler):
    owner_only = frozenset({"GET"})

    @operation(
        "The job's metrics as CSV (step,key,value; streamed), for archiving or a tracker",
        query=MetricsCsvQuery,
        errors={404: "no such job"},
        content_type="text/csv",
    )
    @web.authenticated
    @authorized
    async def get(self, job_id: str) -> None:
        q = self.parse_query(MetricsCsvQuery)
        chunks = await self.runtime.runs.metrics_csv(job_id, _names(q.keys))
        self.set_header("Content-Type", "text/csv; charset=utf-8")
        self.set_header("Content-Disposition", f'attachment; filename="job-{job_id}-metrics.csv"')
        async for chunk in chunks:
            self.write(chunk)
            await self.flush()
        self.finish()


ROUTES = [
    Route("/jobs/{job_id}/provenance", ProvenanceHandler),
    Route("/jobs/{job_id}/provenance/diff", ProvenanceDiffHandler),
    Route("/jobs/{job_id}/rerun", RerunHandler),
    Route("/jobs/{job_id}/metrics.csv", MetricsCsvHandler),
    Route("/metrics/compare", CompareHandler),
    Route("/runs", RunsTableHandler),
]
