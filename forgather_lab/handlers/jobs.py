"""Jobs: records, cleanup, kill, logs."""

from __future__ import annotations

import codecs

from jupyter_server.auth.decorator import authorized
from tornado import web
from tornado.websocket import WebSocketClosedError

from ..jobs.logs import follow
from ..models.jobs import (
    CleanupResult,
    DescribeJob,
    JobHistory,
    ListJobs,
    ListJobsQuery,
    TtyQuery,
)
from .base import ForgatherHandler, Route, operation
from .streams import StreamingHandler

FOLLOW_BACKLOG = 1024 * 1024


class JobsHandler(ForgatherHandler):
    @operation(
        "Jobs, newest first, with status and owner filters and paging (offset, or the before "
        "cursor for deep pages)",
        query=ListJobsQuery,
        response=ListJobs,
    )
    @web.authenticated
    @authorized
    async def get(self) -> None:
        q = self.parse_query(ListJobsQuery)
        if q.scope == "cluster" or self.runtime.cluster.enabled:  # every node's: cluster/jobs.py
            self.reply(await self.runtime.cluster.pool.list_jobs(q))
            return
        statuses = [s for s in (q.status or "").split(",") if s] or None
        jobs, total = await self.runtime.jobs.list_jobs(
            statuses, q.limit, q.offset, owner=q.owner, before=q.before
        )
        self.reply(ListJobs(jobs=jobs, total=total))


class JobHandler(ForgatherHandler):
    owner_only = frozenset({"DELETE"})

    @operation(
        "One job (cluster mode: any node's)",
        response=DescribeJob,
        errors={404: "no such job", 503: "cluster mode: the node holding it does not answer"},
    )
    @web.authenticated
    @authorized
    async def get(self, job_id: str) -> None:
        if self.runtime.cluster.enabled:  # wherever in the cluster it is
            self.reply(await self.runtime.cluster.pool.get(job_id))
            return
        self.reply(await self.runtime.jobs.get(job_id))

    @operation(
        "Delete a finished job and its log",
        status=204,
        errors={404: "no such job", 409: "job not finished"},
    )
    @web.authenticated
    @authorized
    async def delete(self, job_id: str) -> None:
        await self.runtime.jobs.delete(job_id)
        self.set_status(204)
        self.finish()


class CleanupHandler(ForgatherHandler):
    @operation("Delete every finished job", response=CleanupResult)
    @web.authenticated
    @authorized
    async def post(self) -> None:
        # Everyone's finished jobs for an admin; one's own for anyone else.
        ids = await self.runtime.jobs.cleanup(None if self.caller.admin else self.caller.name)
        self.reply(CleanupResult(removed=len(ids), removed_ids=ids))


class GcHandler(ForgatherHandler):
    admin_only = frozenset({"POST"})
    admin_action = "collect job directories"

    @operation("Remove log directories of jobs that no longer exist", response=CleanupResult)
    @web.authenticated
    @authorized
    async def post(self) -> None:
        ids = await self.runtime.jobs.gc()
        self.reply(CleanupResult(removed=len(ids), removed_ids=ids))


class HistoryHandler(ForgatherHandler):
    @operation(
        "Every transition of the job (queued, started, requeued, retried, ended) with its "
        "time, attempt and reason, oldest first",
        response=JobHistory,
        errors={404: "no such job"},
    )
    @web.authenticated
    @authorized
    async def get(self, job_id: str) -> None:
        self.reply(await self.runtime.jobs.history(job_id))


class TtyHandler(StreamingHandler):
    owner_only = frozenset({"GET"})
    #: Cluster mode: the peer holding the job (None: this node's own).
    _node: str | None = None

    @operation(
        "The end of the job's log (text/plain, capped); with follow=1 and a WebSocket "
        "upgrade: the backlog, then live output until the job ends",
        query=TtyQuery,
        errors={404: "no such job", 503: "cluster mode: the node holding it does not answer"},
        content_type="text/plain",
    )
    @web.authenticated
    @authorized
    async def get(self, job_id: str) -> None:  # type: ignore[override]  # web.authenticated widens the return
        q = self.parse_query(TtyQuery)
        if self.runtime.cluster.enabled:  # a peer's job: its log comes over mTLS
            self._node, job = await self.runtime.cluster.pool.locate(job_id)
        else:
            job = await self.runtime.jobs.get(job_id)
        if q.follow and self.is_upgrade():
            self._job_id = job.id
            self._backlog = (
                min(q.max_bytes, FOLLOW_BACKLOG)
                if "max_bytes" in self.request.query_arguments
                else FOLLOW_BACKLOG
            )
            await self.upgrade()
            return
        if self._node is not None:
            data, size = await self.runtime.cluster.pool.tail(job_id, q.max_bytes, self.caller)
        else:
            data, size = await self.runtime.jobs.tail(job_id, q.max_bytes)
        self.set_header("X-Log-Size", str(size))
        self.finish(data, set_content_type="text/plain; charset=utf-8")

    async def stream(self, job_id: str) -> None:
        jobs = self.runtime.jobs
        if self._node is not None:
            pool = self.runtime.cluster.pool
            chunks = pool.follow(self._node, job_id, self._backlog, self.caller)
        else:
            path = jobs.log_path(job_id)
            _, size = await jobs.tail(job_id, 1)
            start = max(0, size - self._backlog)
            chunks = follow(path, start, lambda: job_id in jobs.watched)
        decoder = codecs.getincrementaldecoder("utf-8")("replace")
        try:
            async for chunk in chunks:
                text = decoder.decode(chunk)
                if text:
                    await self.write_message(text)
        except WebSocketClosedError:
            return


ROUTES = [
    Route("/jobs", JobsHandler),
    Route("/jobs/cleanup", CleanupHandler),
    Route("/jobs/gc", GcHandler),
    Route("/jobs/{job_id}", JobHandler),
    Route("/jobs/{job_id}/tty", TtyHandler),
    Route("/jobs/{job_id}/history", HistoryHandler),
]
