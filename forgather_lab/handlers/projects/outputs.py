"""A project's outputs: models, runs, checkpoints, evaluations, a run's summary and log."""

from __future__ import annotations

from jupyter_server.auth.decorator import authorized
from tornado import web

from ...models import projects as m
from ..base import Route, operation
from ._base import PATH_ERRORS, ProjectsHandlerBase


class ProjectModelsHandler(ProjectsHandlerBase):
    @operation(
        "One row per distinct output_dir of the configs",
        query=m.ProjectQuery,
        response=m.ListModels,
        errors=PATH_ERRORS,
    )
    @web.authenticated
    @authorized
    async def get(self) -> None:
        q = self.parse_query(m.ProjectQuery)
        self.reply(await self.projects.run(self.projects.outputs.models, q.project_dir))


class RunsHandler(ProjectsHandlerBase):
    @operation(
        "Runs under an output_dir", query=m.OutputDirQuery, response=m.ListRuns, errors=PATH_ERRORS
    )
    @web.authenticated
    @authorized
    async def get(self) -> None:
        q = self.parse_query(m.OutputDirQuery)
        self.reply(await self.projects.run(self.projects.outputs.runs, q.output_dir))


class CheckpointsHandler(ProjectsHandlerBase):
    @operation(
        "Checkpoints under an output_dir",
        query=m.OutputDirQuery,
        response=m.ListCheckpoints,
        errors=PATH_ERRORS,
    )
    @web.authenticated
    @authorized
    async def get(self) -> None:
        q = self.parse_query(m.OutputDirQuery)
        self.reply(await self.projects.run(self.projects.outputs.checkpoints, q.output_dir))


class EvaluationsHandler(ProjectsHandlerBase):
    @operation(
        "Evaluations under an output_dir",
        query=m.OutputDirQuery,
        response=m.ListEvaluations,
        errors=PATH_ERRORS,
    )
    @web.authenticated
    @authorized
    async def get(self) -> None:
        q = self.parse_query(m.OutputDirQuery)
        self.reply(await self.projects.run(self.projects.outputs.evaluations, q.output_dir))


class RunSummaryHandler(ProjectsHandlerBase):
    @operation(
        "Statistics from a run's metrics log",
        query=m.RunQuery,
        response=m.DescribeRunSummary,
        errors=PATH_ERRORS,
    )
    @web.authenticated
    @authorized
    async def get(self) -> None:
        q = self.parse_query(m.RunQuery)
        self.reply(await self.projects.run(self.projects.outputs.run_summary, q.run_dir))


class RunTtyHandler(ProjectsHandlerBase):
    @operation(
        "The tail of a run's console log",
        query=m.RunQuery,
        response=m.DescribeRunTty,
        errors=PATH_ERRORS,
    )
    @web.authenticated
    @authorized
    async def get(self) -> None:
        q = self.parse_query(m.RunQuery)
        self.reply(await self.projects.run(self.projects.outputs.run_tty, q.run_dir))


ROUTES = [
    Route("/project/models", ProjectModelsHandler),
    Route("/model/runs", RunsHandler),
    Route("/model/checkpoints", CheckpointsHandler),
    Route("/model/evaluations", EvaluationsHandler),
    Route("/run/summary", RunSummaryHandler),
    Route("/run/tty", RunTtyHandler),
]
