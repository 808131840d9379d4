"""Projects, configs, templates and outputs: thin handlers over ``ProjectsService``.

Each verb parses its query or body into a model, awaits one service call off
the event loop and replies. Paths are checked by the service (``..`` is a
400, a path or symlink leaving the search roots a 403).

Over 400 lines because it is the seed's whole projects API table (30 routes of
a few lines each, their ``@operation`` docs included); the ROUTES list at the
bottom is the index.
"""

from __future__ import annotations

from typing import Any

from jupyter_server.auth.decorator import authorized
from pydantic import BaseModel
from tornado import web

from ..models import projects as m
from ..projects import ProjectsService
from .base import ForgatherHandler, Route, operation

PATH_ERRORS = {404: "no such project, config or file", 403: "outside the search roots"}


class ProjectsHandlerBase(ForgatherHandler):
    """Gives handlers the projects service and a one-line call-and-reply."""

    @property
    def projects(self) -> ProjectsService:
        """The projects service of this server."""
        return self.runtime.projects

    async def answer(self, model: type[BaseModel], fn: Any, *args: Any, status: int = 200) -> None:
        """Run ``fn(*args)`` off the loop and reply with it validated into ``model``."""
        result = await self.projects.run(fn, *args)
        self.reply(model.model_validate(result), status=status)


class SearchRootsHandler(ProjectsHandlerBase):
    @operation("List the search roots", response=m.ListSearchRoots)
    @web.authenticated
    @authorized
    async def get(self) -> None:
        roots = await self.projects.run(self.projects.describe_roots)
        self.reply(m.ListSearchRoots.model_validate({"search_roots": roots}))

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
        body = self.parse_body(m.AddSearchRoot)
        roots = await self.projects.run(self.projects.add_search_root, body.path, body.create)
        self.reply(m.ListSearchRoots.model_validate({"search_roots": roots}), status=201)

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
        roots = await self.projects.run(self.projects.remove_search_root, q.path)
        self.reply(m.ListSearchRoots.model_validate({"search_roots": roots}))


class ProjectsHandler(ProjectsHandlerBase):
    @operation(
        "Workspaces (nested) with their projects, and Unaffiliated projects",
        response=m.ListProjects,
    )
    @web.authenticated
    @authorized
    async def get(self) -> None:
        self.reply(m.ListProjects.model_validate(await self.projects.projects()))


def _get(
    summary: str,
    query: type[BaseModel],
    response: type[BaseModel],
    method: str,
    args: tuple[str, ...],
    wrap: str | None = None,
) -> type[ProjectsHandlerBase]:
    """A GET handler: parse ``query``, call ``service.<method>(*query fields)``, reply.

    ``wrap`` puts a list result under that key. Written once so the many
    read-only endpoints cannot drift apart in how they parse and answer.
    """

    @operation(summary, query=query, response=response, errors=PATH_ERRORS)
    @web.authenticated
    @authorized
    async def get(self: ProjectsHandlerBase) -> None:
        q = self.parse_query(query)
        result = await self.projects.run(
            getattr(self.projects, method), *(getattr(q, a) for a in args)
        )
        self.reply(response.model_validate({wrap: result} if wrap else result))

    name = "".join(p.title() for p in method.split("_")) + "Handler"
    return type(name, (ProjectsHandlerBase,), {"get": get, "__doc__": summary})


class AssetHandler(ProjectsHandlerBase):
    @operation(
        "A file embedded in the project README (path-guarded, 50 MiB cap)",
        query=m.AssetQuery,
        content_type="application/octet-stream",
        errors={**PATH_ERRORS, 413: "larger than the cap"},
    )
    @web.authenticated
    @authorized
    async def get(self) -> None:
        q = self.parse_query(m.AssetQuery)
        data, kind = await self.projects.run(self.projects.asset, q.project_dir, q.asset)
        self.set_header("X-Content-Type-Options", "nosniff")
        self.set_header("Content-Security-Policy", "sandbox")
        # APIHandler.finish would otherwise label the bytes application/json,
        # which (with nosniff) stops an SVG from rendering.
        self.finish(data, set_content_type=kind)


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
        source = await self.projects.run(self.projects.template_source, q.path)
        self.set_header("X-Mtime", repr(source["mtime"]))
        self.reply(m.DescribeTemplateSource.model_validate(source))

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
            self.projects.save_source, b.path, b.content, b.expected_mtime
        )
        self.set_header("X-Mtime", repr(saved["mtime"]))
        self.reply(m.SavedTemplateSource.model_validate(saved))


def _post(
    summary: str, body: type[BaseModel], response: type[BaseModel], method: str, status: int = 201
) -> type[ProjectsHandlerBase]:
    """A POST handler: parse ``body``, call ``service.<method>(**body)``, reply."""

    @operation(
        summary,
        body=body,
        response=response,
        status=status,
        errors={**PATH_ERRORS, 409: "already exists"},
    )
    @web.authenticated
    @authorized
    async def post(self: ProjectsHandlerBase) -> None:
        b = self.parse_body(body)
        fn = getattr(self.projects, method)
        result = await self.projects.run(lambda: fn(**b.model_dump()))
        self.reply(response.model_validate(result), status=status)

    name = "".join(p.title() for p in method.split("_")) + "Handler"
    return type(name, (ProjectsHandlerBase,), {"post": post, "__doc__": summary})


class OverridesHandler(ProjectsHandlerBase):
    @operation(
        "Stored dynamic-args overrides of a config",
        query=m.ConfigQuery,
        response=m.DescribeOverrides,
        errors=PATH_ERRORS,
    )
    @web.authenticated
    @authorized
    async def get(self) -> None:
        q = self.parse_query(m.ConfigQuery)
        await self.answer(m.DescribeOverrides, self.projects.get_overrides, q.project_dir, q.config)

    @operation(
        "Replace the stored overrides (validated against the schema)",
        body=m.SetOverrides,
        response=m.DescribeOverrides,
        errors=PATH_ERRORS,
    )
    @web.authenticated
    @authorized
    async def post(self) -> None:
        b = self.parse_body(m.SetOverrides)
        await self.answer(
            m.DescribeOverrides, self.projects.set_overrides, b.project_dir, b.config, b.values
        )

    @operation(
        "Clear the stored overrides",
        query=m.ConfigQuery,
        response=m.DescribeOverrides,
        errors=PATH_ERRORS,
    )
    @web.authenticated
    @authorized
    async def delete(self) -> None:
        q = self.parse_query(m.ConfigQuery)
        await self.answer(
            m.DescribeOverrides, self.projects.clear_overrides, q.project_dir, q.config
        )


P, C = ("project_dir",), ("project_dir", "config")

ROUTES = [
    Route("/search-roots", SearchRootsHandler),
    Route("/projects", ProjectsHandler),
    Route("/project", _get("One project", m.ProjectQuery, m.DescribeProject, "project_detail", P)),
    Route(
        "/project/readme",
        _get("The project README as markdown", m.ProjectQuery, m.DescribeReadme, "readme", P),
    ),
    Route("/project/asset", AssetHandler),
    Route(
        "/project/templates",
        _get(
            "Every template on the search path, grouped",
            m.ProjectQuery,
            m.ListTemplates,
            "list_templates",
            P,
            "groups",
        ),
    ),
    Route(
        "/project/template-paths",
        _get(
            "Where new templates and configs go",
            m.ProjectQuery,
            m.DescribeTemplatePaths,
            "template_paths",
            P,
        ),
    ),
    Route(
        "/project/new-template",
        _post(
            "Create a config or template file", m.CreateTemplate, m.CreatedTemplate, "new_template"
        ),
    ),
    Route(
        "/project/models",
        _get(
            "One row per distinct output_dir of the configs",
            m.ProjectQuery,
            m.ListModels,
            "project_models",
            P,
            "models",
        ),
    ),
    Route(
        "/config/raw",
        _get("A config's source", m.ConfigQuery, m.DescribeConfigSource, "config_raw", C),
    ),
    Route(
        "/config/pp",
        _get(
            "The rendered YAML (overrides applied)",
            m.ConfigQuery,
            m.DescribeRenderedConfig,
            "config_pp",
            C,
        ),
    ),
    Route(
        "/config/trefs",
        _get(
            "The template dependency graph (overrides applied)",
            m.TrefsQuery,
            m.DescribeTemplateGraph,
            "config_trefs",
            ("project_dir", "config", "format"),
        ),
    ),
    Route(
        "/config/templates",
        _get(
            "Templates the config consumed",
            m.ConfigQuery,
            m.ListConfigTemplates,
            "config_templates",
            C,
        ),
    ),
    Route(
        "/config/meta",
        _get(
            "config_name, config_description, config_class",
            m.ConfigQuery,
            m.DescribeConfigMeta,
            "config_meta",
            C,
        ),
    ),
    Route(
        "/config/output-dir",
        _get(
            "Resolved output_dir and job (overrides applied)",
            m.ConfigQuery,
            m.DescribeOutputDir,
            "config_output_dir",
            C,
        ),
    ),
    Route(
        "/config/dynamic-args",
        _get(
            "The dynamic-args form schema and values",
            m.ConfigQuery,
            m.DescribeDynamicArgs,
            "config_dynamic_args",
            C,
        ),
    ),
    Route("/config/overrides", OverridesHandler),
    Route("/template/source", TemplateSourceHandler),
    Route(
        "/workspace/new",
        _post(
            "Create a workspace under a search root",
            m.CreateWorkspace,
            m.CreatedWorkspace,
            "new_workspace",
        ),
    ),
    Route(
        "/workspace/init-here",
        _post(
            "Make an existing directory a workspace",
            m.InitWorkspace,
            m.CreatedWorkspace,
            "init_workspace",
        ),
    ),
    Route(
        "/workspace/new-project",
        _post("Create a project in a workspace", m.CreateProject, m.CreatedProject, "new_project"),
    ),
    Route(
        "/fs/delete-dir",
        _post(
            "Delete a directory tree (confirmed, guarded)",
            m.DeletePath,
            m.Deleted,
            "delete_dir",
            status=200,
        ),
    ),
    Route(
        "/fs/delete-file",
        _post(
            "Delete one file (confirmed, guarded)",
            m.DeletePath,
            m.Deleted,
            "delete_file",
            status=200,
        ),
    ),
    Route(
        "/model/runs",
        _get(
            "Runs under an output_dir",
            m.OutputDirQuery,
            m.ListRuns,
            "runs",
            ("output_dir",),
            "runs",
        ),
    ),
    Route(
        "/model/checkpoints",
        _get(
            "Checkpoints under an output_dir",
            m.OutputDirQuery,
            m.ListCheckpoints,
            "checkpoints",
            ("output_dir",),
            "checkpoints",
        ),
    ),
    Route(
        "/model/evaluations",
        _get(
            "Evaluations under an output_dir",
            m.OutputDirQuery,
            m.ListEvaluations,
            "evaluations",
            ("output_dir",),
            "evaluations",
        ),
    ),
    Route(
        "/run/summary",
        _get(
            "Statistics from a run's metrics log",
            m.RunQuery,
            m.DescribeRunSummary,
            "run_summary",
            ("run_dir",),
        ),
    ),
    Route(
        "/run/tty",
        _get(
            "The tail of a run's console log", m.RunQuery, m.DescribeRunTty, "run_tty", ("run_dir",)
        ),
    ),
]
