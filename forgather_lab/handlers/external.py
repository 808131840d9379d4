"""Trainers started outside the queue: register (Jupyter auth), end (job token), remove stale."""

from __future__ import annotations

from jupyter_server.auth.decorator import allow_unauthenticated, authorized
from tornado import web

from ..models.external import EndExternal, ExternalRegistration, RegisterExternal
from ..models.jobs import CleanupResult, DescribeJob
from .base import ForgatherHandler, Route, operation
from .callback import CallbackHandler


class RegisterExternalHandler(ForgatherHandler):
    @operation(
        "Register a trainer started outside the queue (forgather_lab.reporter found this "
        "server by discovery): a running job of type external, its callback token once",
        body=RegisterExternal,
        response=ExternalRegistration,
        status=201,
        errors={400: "no such process, or it has ended", 403: "another user's process"},
    )
    @web.authenticated
    @authorized
    async def post(self) -> None:
        request = self.parse_body(RegisterExternal)
        registration = await self.runtime.external.register(request)
        # The trainer registers as whoever calls (its user's token): that user owns it.
        job = await self.runtime.jobs.set_owner(registration.job.id, self.caller.name)
        self.reply(registration.model_copy(update={"job": job}), status=201)


class ExternalCleanupHandler(ForgatherHandler):
    admin_only = frozenset({"POST"})
    admin_action = "clean up external jobs"

    @operation("Remove stale: delete every ended external job", response=CleanupResult)
    @web.authenticated
    @authorized
    async def post(self) -> None:
        ids = await self.runtime.external.cleanup()
        self.reply(CleanupResult(removed=len(ids), removed_ids=ids))


class ExternalEndHandler(CallbackHandler):
    """Job token auth, as the callback: the reporter of the job says how it ended."""

    @operation(
        "An external trainer's reporter closing (job token auth): done, failed with its "
        "exception, or aborted",
        body=EndExternal,
        response=DescribeJob,
        errors={
            401: "no job token",
            403: "not this job's token",
            404: "no such job",
            409: "the job has ended already, or is not external",
        },
    )
    @allow_unauthenticated
    async def post(self, job_id: str) -> None:
        await self.runtime.control.authenticate_callback(job_id, self._bearer_token())
        ending = self.parse_body(EndExternal)
        self.reply(await self.runtime.external.end(job_id, ending))


# Before jobs.ROUTES in the route table: /jobs/{job_id} would take /jobs/external.
ROUTES = [
    Route("/jobs/external", RegisterExternalHandler),
    Route("/jobs/external/cleanup", ExternalCleanupHandler),
    Route("/jobs/external/{job_id}/end", ExternalEndHandler),
]
