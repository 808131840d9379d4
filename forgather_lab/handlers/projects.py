"""Projects, configs, templates and outputs: thin handlers over ``ProjectsService``.

Each verb parses its query or body into a model, awaits one typed service call
off the event loop (``ProjectsService.run``) and replies with the model it
returns. Paths are checked by the service (``..`` is a 400, a path or symlink
leaving the search roots a 403).

Over 400 lines because it is the whole projects API table (30 routes of a few
lines each, their ``@operation`` docs included); the ROUTES list at the bottom
is the index. Handler class names are the OpenAPI operation ids.
"""

from __future__ import annotations

from jupyter_server.auth.decorator import authorized
from tornado import web

from ..models import projects as m
from ..projects import ProjectsService
from .base import ForgatherHandler, Route, operation

PATH_ERRORS = {404: "no such project, config or file", 403: "outside the search roots"}
CREATE_ERRORS = {**PATH_ERRORS, 409: "already exists"}


class ProjectsHandlerBase(ForgatherHandler):
    """Gives handlers the projects service."""

    @property
    def projects(self) -> ProjectsService:
        """The projects service of this server."""
        return self.runtime.projects


# -- roots and discovery -------------------------------------------------------------


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
        content_type="application/octet-stream",
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


# -- templates -------------------------------------------------------------------------


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


# -- configs ---------------------------------------------------------------------------


class ConfigRawHandler(ProjectsHandlerBase):
    @operation(
        "A config's source",
        query=m.ConfigQuery,
        response=m.DescribeConfigSource,
        errors=PATH_ERRORS,
    )
    @web.authenticated
    @authorized
    async def get(self) -> None:
        q = self.parse_query(m.ConfigQuery)
        self.reply(await self.projects.run(self.projects.configs.raw, q.project_dir, q.config))


class ConfigPpHandler(ProjectsHandlerBase):
    @operation(
        "The rendered YAML (overrides applied)",
        query=m.ConfigQuery,
        response=m.DescribeRenderedConfig,
        errors=PATH_ERRORS,
    )
    @web.authenticated
    @authorized
    async def get(self) -> None:
        q = self.parse_query(m.ConfigQuery)
        configs = self.projects.configs
        self.reply(await self.projects.run(configs.preprocessed, q.project_dir, q.config))


class ConfigTrefsHandler(ProjectsHandlerBase):
    @operation(
        "The template dependency graph (overrides applied)",
        query=m.TrefsQuery,
        response=m.DescribeTemplateGraph,
        errors=PATH_ERRORS,
    )
    @web.authenticated
    @authorized
    async def get(self) -> None:
        q = self.parse_query(m.TrefsQuery)
        configs = self.projects.configs
        self.reply(
            await self.projects.run(configs.template_graph, q.project_dir, q.config, q.format)
        )


class ConfigTemplatesHandler(ProjectsHandlerBase):
    @operation(
        "Templates the config consumed",
        query=m.ConfigQuery,
        response=m.ListConfigTemplates,
        errors=PATH_ERRORS,
    )
    @web.authenticated
    @authorized
    async def get(self) -> None:
        q = self.parse_query(m.ConfigQuery)
        configs = self.projects.configs
        self.reply(await self.projects.run(configs.templates, q.project_dir, q.config))


class ConfigMetaHandler(ProjectsHandlerBase):
    @operation(
        "config_name, config_description, config_class",
        query=m.ConfigQuery,
        response=m.DescribeConfigMeta,
        errors=PATH_ERRORS,
    )
    @web.authenticated
    @authorized
    async def get(self) -> None:
        q = self.parse_query(m.ConfigQuery)
        self.reply(await self.projects.run(self.projects.configs.meta, q.project_dir, q.config))


class ConfigOutputDirHandler(ProjectsHandlerBase):
    @operation(
        "Resolved output_dir and job (overrides applied)",
        query=m.ConfigQuery,
        response=m.DescribeOutputDir,
        errors=PATH_ERRORS,
    )
    @web.authenticated
    @authorized
    async def get(self) -> None:
        q = self.parse_query(m.ConfigQuery)
        configs = self.projects.configs
        self.reply(await self.projects.run(configs.output_dir, q.project_dir, q.config))


class ConfigDynamicArgsHandler(ProjectsHandlerBase):
    @operation(
        "The dynamic-args form schema and values",
        query=m.ConfigQuery,
        response=m.DescribeDynamicArgs,
        errors=PATH_ERRORS,
    )
    @web.authenticated
    @authorized
    async def get(self) -> None:
        q = self.parse_query(m.ConfigQuery)
        configs = self.projects.configs
        self.reply(await self.projects.run(configs.dynamic_args, q.project_dir, q.config))


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
        configs = self.projects.configs
        self.reply(await self.projects.run(configs.overrides, q.project_dir, q.config))

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
        configs = self.projects.configs
        self.reply(
            await self.projects.run(configs.set_overrides, b.project_dir, b.config, b.values)
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
        configs = self.projects.configs
        self.reply(await self.projects.run(configs.clear_overrides, q.project_dir, q.config))


# -- workspace operations ----------------------------------------------------------------


class NewWorkspaceHandler(ProjectsHandlerBase):
    @operation(
        "Create a workspace under a search root",
        body=m.CreateWorkspace,
        response=m.CreatedWorkspace,
        status=201,
        errors=CREATE_ERRORS,
    )
    @web.authenticated
    @authorized
    async def post(self) -> None:
        b = self.parse_body(m.CreateWorkspace)
        created = await self.projects.run(
            self.projects.workspace.create_workspace,
            b.parent_dir,
            b.name,
            b.description,
            b.workspace_dir_name,
        )
        self.reply(created, status=201)


class InitWorkspaceHandler(ProjectsHandlerBase):
    @operation(
        "Make an existing directory a workspace",
        body=m.InitWorkspace,
        response=m.CreatedWorkspace,
        status=201,
        errors=CREATE_ERRORS,
    )
    @web.authenticated
    @authorized
    async def post(self) -> None:
        b = self.parse_body(m.InitWorkspace)
        created = await self.projects.run(
            self.projects.workspace.init_workspace, b.workspace_dir, b.name, b.description
        )
        self.reply(created, status=201)


class NewProjectHandler(ProjectsHandlerBase):
    @operation(
        "Create a project in a workspace",
        body=m.CreateProject,
        response=m.CreatedProject,
        status=201,
        errors=CREATE_ERRORS,
    )
    @web.authenticated
    @authorized
    async def post(self) -> None:
        b = self.parse_body(m.CreateProject)
        created = await self.projects.run(
            self.projects.workspace.create_project,
            b.workspace_dir,
            b.name,
            b.description,
            b.config_prefix,
            b.default_config,
            b.project_dir_name,
        )
        self.reply(created, status=201)


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


class DeleteDirHandler(ProjectsHandlerBase):
    @operation(
        "Delete a directory tree (confirmed, guarded)",
        body=m.DeletePath,
        response=m.Deleted,
        errors=CREATE_ERRORS,
    )
    @web.authenticated
    @authorized
    async def post(self) -> None:
        b = self.parse_body(m.DeletePath)
        workspace = self.projects.workspace
        self.reply(await self.projects.run(workspace.delete_dir, b.path, b.confirmed))


class DeleteFileHandler(ProjectsHandlerBase):
    @operation(
        "Delete one file (confirmed, guarded)",
        body=m.DeletePath,
        response=m.Deleted,
        errors=CREATE_ERRORS,
    )
    @web.authenticated
    @authorized
    async def post(self) -> None:
        b = self.parse_body(m.DeletePath)
        workspace = self.projects.workspace
        self.reply(await self.projects.run(workspace.delete_file, b.path, b.confirmed))


# -- outputs -----------------------------------------------------------------------------


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
    Route("/search-roots", SearchRootsHandler),
    Route("/projects", ProjectsHandler),
    Route("/project", ProjectDetailHandler),
    Route("/project/readme", ReadmeHandler),
    Route("/project/asset", AssetHandler),
    Route("/project/templates", ListTemplatesHandler),
    Route("/project/template-paths", TemplatePathsHandler),
    Route("/project/new-template", NewTemplateHandler),
    Route("/project/models", ProjectModelsHandler),
    Route("/config/raw", ConfigRawHandler),
    Route("/config/pp", ConfigPpHandler),
    Route("/config/trefs", ConfigTrefsHandler),
    Route("/config/templates", ConfigTemplatesHandler),
    Route("/config/meta", ConfigMetaHandler),
    Route("/config/output-dir", ConfigOutputDirHandler),
    Route("/config/dynamic-args", ConfigDynamicArgsHandler),
    Route("/config/overrides", OverridesHandler),
    Route("/template/source", TemplateSourceHandler),
    Route("/workspace/new", NewWorkspaceHandler),
    Route("/workspace/init-here", InitWorkspaceHandler),
    Route("/workspace/new-project", NewProjectHandler),
    Route("/fs/delete-dir", DeleteDirHandler),
    Route("/fs/delete-file", DeleteFileHandler),
    Route("/model/runs", RunsHandler),
    Route("/model/checkpoints", CheckpointsHandler),
    Route("/model/evaluations", EvaluationsHandler),
    Route("/run/summary", RunSummaryHandler),
    Route("/run/tty", RunTtyHandler),
]
