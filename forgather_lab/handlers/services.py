"""Auto-start services: ``/forgather/api/services``."""

from __future__ import annotations

from jupyter_server.auth.decorator import authorized
from tornado import web

from ..models.services import (
    DeleteServiceResult,
    DescribeService,
    ListServiceKinds,
    ListServices,
    SetServiceEnabled,
    UpsertService,
)
from .base import ForgatherHandler, Route, operation


class ServicesHandler(ForgatherHandler):
    admin_only = frozenset({"POST"})
    admin_action = "manage services"

    @operation("Configured services with their running state", response=ListServices)
    @web.authenticated
    @authorized
    async def get(self) -> None:
        self.reply(await self.runtime.services.list_services())

    @operation(
        "Create or replace a service; an enabled one starts now",
        body=UpsertService,
        response=DescribeService,
    )
    @web.authenticated
    @authorized
    async def post(self) -> None:
        self.reply(await self.runtime.services.upsert(self.parse_body(UpsertService)))


class ServiceKindsHandler(ForgatherHandler):
    @operation(
        "The service kinds the Lab has a launch dialog for, each with its parameters' JSON Schema",
        response=ListServiceKinds,
    )
    @web.authenticated
    @authorized
    async def get(self) -> None:
        self.reply(self.runtime.services.kinds())


class ServiceHandler(ForgatherHandler):
    admin_only = frozenset({"DELETE"})
    admin_action = "manage services"

    @operation("One service", response=DescribeService, errors={404: "no such service"})
    @web.authenticated
    @authorized
    async def get(self, type: str, name: str) -> None:
        self.reply(await self.runtime.services.get(type, name))

    @operation(
        "Stop its job and delete the service",
        response=DeleteServiceResult,
        errors={403: "declared in settings", 404: "no such service"},
    )
    @web.authenticated
    @authorized
    async def delete(self, type: str, name: str) -> None:
        self.reply(await self.runtime.services.delete(type, name))


class ServiceEnabledHandler(ForgatherHandler):
    admin_only = frozenset({"POST"})
    admin_action = "manage services"

    @operation(
        "Enable (start now) or disable (stop now) a service",
        body=SetServiceEnabled,
        response=DescribeService,
        errors={404: "no such service"},
    )
    @web.authenticated
    @authorized
    async def post(self, type: str, name: str) -> None:
        enabled = self.parse_body(SetServiceEnabled).enabled
        self.reply(await self.runtime.services.set_enabled(type, name, enabled))


ROUTES = [
    Route("/services", ServicesHandler),
    Route("/services/kinds", ServiceKindsHandler),
    Route("/services/{type}/{name}", ServiceHandler),
    Route("/services/{type}/{name}/enabled", ServiceEnabledHandler),
]
