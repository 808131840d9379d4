"""Generation presets: ``/forgather/api/generation-configs``."""

from __future__ import annotations

from jupyter_server.auth.decorator import authorized
from tornado import web

from ..models.inference import DeletePresetResult, DescribePreset, ListPresets, SavePreset
from .base import ForgatherHandler, Route, operation


class PresetsHandler(ForgatherHandler):
    @operation("Bundled and user generation presets", response=ListPresets)
    @web.authenticated
    @authorized
    async def get(self) -> None:
        self.reply(await self.runtime.presets.list_presets())


class PresetHandler(ForgatherHandler):
    @operation(
        "One preset (a user copy wins over a bundled one)",
        response=DescribePreset,
        errors={404: "no such preset"},
    )
    @web.authenticated
    @authorized
    async def get(self, name: str) -> None:
        self.reply(await self.runtime.presets.get(name))

    @operation(
        "Save a user preset (shadows a bundled one of that name); the body is the "
        'generation parameters, or {"params": {...}}',
        body=SavePreset,
        response=DescribePreset,
    )
    @web.authenticated
    @authorized
    async def put(self, name: str) -> None:
        self.reply(await self.runtime.presets.save(name, self.parse_body(SavePreset)))

    @operation(
        "Delete a user preset (a bundled one is read-only: 403)",
        response=DeletePresetResult,
        errors={403: "bundled presets are read-only", 404: "no such preset"},
    )
    @web.authenticated
    @authorized
    async def delete(self, name: str) -> None:
        self.reply(await self.runtime.presets.delete(name))


ROUTES = [
    Route("/generation-configs", PresetsHandler),
    Route("/generation-configs/{name}", PresetHandler),
]
