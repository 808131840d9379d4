"""Templates: those a project can use, where they are searched, their source, new ones."""

from __future__ import annotations

from jupyter_server.auth.decorator import authorized
from tornado import web

from ...models import projects as m
from ..base import Route, operation
from ._base import CREATE_ERRORS, PATH_ERRORS, ProjectsHandlerBase


class ListTemplatesHandler(ProjectsHandlerBase):
    @operation(
        "Every template on the search path, grouped",
        query=m.ProjectQuery,
        response=m.ListTemplates,
        errors=PATH_ERRORS,
    )
    @web.authenticated
    @authorized
    async def get(self) -> None:
        q = self.parse_query(m.ProjectQuery)
        self.reply(await self.projects.run(self.projects.templates.available, q.project_dir))


class TemplatePathsHandler(ProjectsHandlerBase):
    @operation(
        "Where new templates and configs go",
        query=m.ProjectQuery,
        response=m.DescribeTemplatePaths,
        errors=PATH_ERRORS,
    )
    @web.authenticated
    @authorized
    async def get(self) -> None:
        q = self.parse_query(m.ProjectQuery)
        self.reply(await self.projects.run(self.projects.templates.paths, q.project_dir))


class TemplateSourceHandler(ProjectsHandlerBase):
    @operation(
        "A template's source and mtime (also in the X-Mtime header)",
        query=m.PathQuery,
        response=m.DescribeTemplateSource,
        errors={**PATH_ERRORS, 413: "too large", 415: "a binary file"},
    )
    @web.authenticated
    @authorized
    async def get(self) -> None:
        q = self.parse_query(m.PathQuery)
        source = await self.projects.run(self.projects.templates.source, q.path)
        self.set_header("X-Mtime", repr(source.mtime))
        self.reply(source)

    @operation(
        "Replace a template's source atomically (409 when changed since expected_mtime)",
        body=m.SaveTemplateSource,
        response=m.SavedTemplateSource,
        errors={**PATH_ERRORS, 409: "changed on disk: current_mtime, expected_mtime"},
    )
    @web.authenticated
    @authorized
    async def put(self) -> None:
        b = self.parse_body(m.SaveTemplateSource)
        saved = await self.projects.run(
            self.projects.templates.save, b.path, b.content, b.expected_mtime
        )
        self.set_header("X-Mtime", repr(saved.mtime))
        self.reply(saved)


class NewTemplateHandler(ProjectsHandlerBase):
    @operation(
        "Create a config or template file",
        body=m.CreateTemplate,
        response=m.CreatedTemplate,
        status=201,
        errors=CREATE_ERRORS,
    )
    @web.authenticated
    @authorized
    async def post(self) -> None:
        b = self.parse_body(m.CreateTemplate)
        created = await self.projects.run(
            self.projects.workspace.create_template, b.project_dir, b.kind, b.name
        )
        self.reply(created, status=201)


ROUTES = [
    Route("/project/templates", ListTemplatesHandler),
    Route("/project/template-paths", TemplatePathsHandler),
    Route("/project/new-template", NewTemplateHandler),
    Route("/template/source", TemplateSourceHandler),
]
