"""Health and the API's own description."""

from __future__ import annotations

import json

from jupyter_server.auth.decorator import authorized
from tornado import web

from ..models import DescribeHealth
from .base import ForgatherHandler, Route, operation


class HealthHandler(ForgatherHandler):
    requires_ready = False  # health must answer, and say why, when degraded

    @operation(
        "Health of the extension (503 with a message when degraded)",
        response=DescribeHealth,
        also={503: "degraded: the state database is unusable (message says why)"},
    )
    @web.authenticated
    @authorized
    async def get(self) -> None:
        health = await self.runtime.describe_health()
        caller = self.caller
        health = health.model_copy(
            update={"mode": self.runtime.settings.mode, "user": caller.name, "admin": caller.admin}
        )
        self.reply(health, status=200 if health.status == "ok" else 503)


class OpenAPIHandler(ForgatherHandler):
    requires_ready = False

    @operation("This OpenAPI 3 document", content_type="application/json")
    @web.authenticated
    @authorized
    async def get(self) -> None:
        # Imported here: the document is generated from the route table, which imports us.
        from .openapi import openapi_document

        # The one reply that is not a model: the document describes the models.
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(openapi_document()))


ROUTES = [
    Route("/health", HealthHandler),
    Route("/openapi.json", OpenAPIHandler),
]
