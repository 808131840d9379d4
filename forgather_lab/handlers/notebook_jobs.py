"""Notebook jobs: the executed notebook of a job, while it runs and after."""

from __future__ import annotations

from jupyter_server.auth.decorator import authorized
from tornado import web

from ..models.notebook_jobs import ExecutedNotebook
from .base import ForgatherHandler, Route, operation


class ExecutedNotebookHandler(ForgatherHandler):
    owner_only = frozenset({"GET"})

    @operation(
        "The executed notebook of a notebook job (nbformat 4 JSON), updated after each cell "
        "while it runs",
        response=ExecutedNotebook,
        errors={404: "no such job, or not a notebook job", 409: "the job has not started yet"},
    )
    @web.authenticated
    @authorized
    async def get(self, job_id: str) -> None:
        self.reply(await self.runtime.notebook_jobs.executed(job_id))


ROUTES = [Route("/jobs/{job_id}/notebook", ExecutedNotebookHandler)]
