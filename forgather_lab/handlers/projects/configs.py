"""A config's source, template graph, meta, output dir, dynamic args and overrides."""

from __future__ import annotations

from jupyter_server.auth.decorator import authorized
from tornado import web

from ...models import projects as m
from ..base import Route, operation
from ._base import PATH_ERRORS, ProjectsHandlerBase


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


ROUTES = [
    Route("/config/raw", ConfigRawHandler),
    Route("/config/pp", ConfigPpHandler),
    Route("/config/trefs", ConfigTrefsHandler),
    Route("/config/templates", ConfigTemplatesHandler),
    Route("/config/meta", ConfigMetaHandler),
    Route("/config/output-dir", ConfigOutputDirHandler),
    Route("/config/dynamic-args", ConfigDynamicArgsHandler),
    Route("/config/overrides", OverridesHandler),
]
