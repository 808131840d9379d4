"""Search roots, the project tree, a project, its README and assets."""

from __future__ import annotations

from jupyter_server.auth.decorator import authorized
from tornado import web

from ...models import projects as m
from ..base import Route, operation
from ._base import PATH_ERRORS, ProjectsHandlerBase


class SearchRootsHandler(ProjectsHandlerBase):
    @operation("List the search roots", response=m.ListSearchRoots)
    @web.authenticated
    @authorized
    async def get(self) -> None:
        self.reply(await self.projects.run(self.projects.roots.describe))

    @operation(
        "Add a search root (inside root_dir unless the operator allows more)",
        body=m.AddSearchRoot,
        response=m.ListSearchRoots,
        status=201,
        errors={403: "outside the server's root_dir", 404: "no such directory"},
    )
    @web.authenticated
    @authorized
    async def post(self) -> None:
        b = self.parse_body(m.AddSearchRoot)
        self.reply(await self.projects.run(self.projects.roots.add, b.path, b.create), status=201)

    @operation(
        "Remove a search root (?path=)",
        query=m.PathQuery,
        response=m.ListSearchRoots,
        errors={403: "a root from the server configuration", 404: "not a search root"},
    )
    @web.authenticated
    @authorized
    async def delete(self) -> None:
        q = self.parse_query(m.PathQuery)
        self.reply(await self.projects.run(self.projects.roots.remove, q.path))


class ProjectsHandler(ProjectsHandlerBase):
    @operation(
        "Workspaces (nested) with their projects, and Unaffiliated projects",
        response=m.ListProjects,
    )
    @web.authenticated
    @authorized
    async def get(self) -> None:
        self.reply(await self.projects.run(self.projects.catalog.tree))


class ProjectDetailHandler(ProjectsHandlerBase):
    @operation("One project", query=m.ProjectQuery, response=m.DescribeProject, errors=PATH_ERRORS)
    @web.authenticated
    @authorized
    async def get(self) -> None:
        q = self.parse_query(m.ProjectQuery)
        self.reply(await self.projects.run(self.projects.catalog.detail, q.project_dir))


class ReadmeHandler(ProjectsHandlerBase):
    @operation(
        "The project README as markdown",
        query=m.ProjectQuery,
        response=m.DescribeReadme,
        errors=PATH_ERRORS,
    )
    @web.authenticated
    @authorized
    async def get(self) -> None:
        q = self.parse_query(m.ProjectQuery)
        self.reply(await self.projects.run(self.projects.catalog.readme, q.project_dir))


class AssetHandler(ProjectsHandlerBase):
    @operation(
        "A file embedded in the project README (path-guarded, 50 MiB cap)",
        query=m.AssetQuery,
        content_type="*/*",
        errors={**PATH_ERRORS, 413: "larger than the cap"},
    )
    @web.authenticated
    @authorized
    async def get(self) -> None:
        q = self.parse_query(m.AssetQuery)
        asset = await self.projects.run(self.projects.catalog.asset, q.project_dir, q.asset)
        self.set_header("X-Content-Type-Options", "nosniff")
        self.set_header("Content-Security-Policy", "sandbox")
        # APIHandler.finish would otherwise label the bytes application/json,
        # which (with nosniff) stops an SVG from rendering.
        self.finish(asset.data, set_content_type=asset.media_type)


ROUTES = [
    Route("/search-roots", SearchRootsHandler),
    Route("/projects", ProjectsHandler),
    Route("/project", ProjectDetailHandler),
    Route("/project/readme", ReadmeHandler),
    Route("/project/asset", AssetHandler),
]
