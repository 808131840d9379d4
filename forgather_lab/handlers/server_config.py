"""The Jupyter server's config file: where it is (created from a template), its text."""

from __future__ import annotations

import asyncio

from jupyter_server.auth.decorator import authorized
from tornado import web

from ..models.external import DescribeServerConfig, ServerConfigContent, UpdateServerConfig
from .base import ForgatherHandler, Route, operation


class ServerConfigHandler(ForgatherHandler):
    @operation(
        "Where jupyter_server_config.py is; created with a commented template of every "
        "ForgatherLab setting if missing (never overwritten)",
        response=DescribeServerConfig,
    )
    @web.authenticated
    @authorized
    async def post(self) -> None:
        self.reply(await asyncio.to_thread(self.runtime.server_config.ensure))


class ServerConfigContentHandler(ForgatherHandler):
    @operation(
        "The config file's text",
        response=ServerConfigContent,
        errors={400: "too big", 404: "not created yet"},
    )
    @web.authenticated
    @authorized
    async def get(self) -> None:
        self.reply(await asyncio.to_thread(self.runtime.server_config.read))

    @operation(
        "Replace the config file's text (UTF-8 text, at most 1 MiB; read at the next restart)",
        body=UpdateServerConfig,
        response=DescribeServerConfig,
        errors={400: "not text, or too big"},
    )
    @web.authenticated
    @authorized
    async def put(self) -> None:
        body = self.parse_body(UpdateServerConfig)
        self.reply(await asyncio.to_thread(self.runtime.server_config.write, body.content))


ROUTES = [
    Route("/server-config", ServerConfigHandler),
    Route("/server-config/content", ServerConfigContentHandler),
]
