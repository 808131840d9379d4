"""Health and the API's own description."""

from __future__ import annotations

from jupyter_server.auth.decorator import authorized
from tornado import web

from ..models import DescribeHealth
from .base import ForgatherHandler, Route, operation


class HealthHandler(ForgatherHandler):
    requires_ready = False  # health must answer, and say why, when degraded

    @operation(
        "Health of the extension (503 with a message when degraded)",
        response=DescribeHealth,
        errors={503: "state database unusable"},
    )
    @web.authenticated
    @authorized
    async def get(self) -> None:
        health = await self.runtime.describe_health()
        self.reply(health, status=200 if health.status == "ok" else 503)


class OpenAPIHandler(ForgatherHandler):
    requires_ready = False

    @operation("This OpenAPI 3 document")
    @web.authenticated
    @authorized
    async def get(self) -> None:
        from .openapi import openapi_document

        self.reply(openapi_document())


ROUTES = [
    Route("/health", HealthHandler),
    Route("/openapi.json", OpenAPIHandler),
]
