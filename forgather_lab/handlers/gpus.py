"""GPUs: telemetry, policy, kill, and a live stream."""

from __future__ import annotations

import json

from jupyter_server.auth.decorator import authorized
from tornado import web
from tornado.websocket import WebSocketClosedError

from ..gpus.sampler import SAMPLED
from ..models.gpus import (
    DescribeGpuPolicy,
    KillGpuProcesses,
    KillGpuResult,
    ListGpuPolicies,
    ListGpus,
    UpdateGpuPolicy,
)
from .base import ForgatherHandler, Route, operation
from .streams import StreamingHandler


class GpusHandler(ForgatherHandler):
    @operation(
        "Every GPU: telemetry, policy, reservation, processes mapped to jobs", response=ListGpus
    )
    @web.authenticated
    @authorized
    async def get(self) -> None:
        self.reply(await self.runtime.gpus.describe_pool())


class GpuPoliciesHandler(ForgatherHandler):
    @operation("Per-GPU runtime policies", response=ListGpuPolicies)
    @web.authenticated
    @authorized
    async def get(self) -> None:
        self.reply(await self.runtime.gpus.list_policies())


class GpuPolicyHandler(ForgatherHandler):
    admin_only = frozenset({"POST"})
    admin_action = "change GPU policy"

    @operation(
        "Disable / enable a GPU or set its min_priority gate; unset fields stay",
        body=UpdateGpuPolicy,
        response=DescribeGpuPolicy,
        errors={404: "no such GPU"},
    )
    @web.authenticated
    @authorized
    async def post(self, index: str) -> None:
        body = self.parse_body(UpdateGpuPolicy)
        self.reply(await self.runtime.gpus.set_policy(int(index), body.disabled, body.min_priority))


class GpuKillHandler(ForgatherHandler):
    admin_only = frozenset({"POST"})
    admin_action = "kill GPU processes"

    @operation(
        "SIGKILL every compute process on a GPU (needs confirmed: true)",
        body=KillGpuProcesses,
        response=KillGpuResult,
        errors={404: "no such GPU"},
    )
    @web.authenticated
    @authorized
    async def post(self, index: str) -> None:
        body = self.parse_body(KillGpuProcesses)
        self.reply(await self.runtime.gpus.kill_processes(int(index), body.confirmed))


class GpuStreamHandler(StreamingHandler):
    @operation("WebSocket: the GPU list every 2 s and on every policy change")
    @web.authenticated
    @authorized
    async def get(self) -> None:  # type: ignore[override]  # web.authenticated widens the return
        if not self.is_upgrade():
            self.set_status(400)
            self.finish({"message": "This endpoint is a WebSocket; GET /gpus for a snapshot"})
            return
        await self.upgrade()

    async def stream(self) -> None:
        # One sampler serves every viewer; this socket relays its samples.
        sampler = self.runtime.gpu_sampler
        sub = self.runtime.bus.subscribe({SAMPLED}, maxsize=2)
        try:
            with sampler.watch():
                if sampler.latest is not None:
                    await self.write_message(sampler.latest.model_dump_json())
                async for event in sub:
                    await self.write_message(json.dumps(event.data))
        except WebSocketClosedError:
            return
        finally:
            sub.close()


ROUTES = [
    Route("/gpus", GpusHandler),
    Route("/gpus/policy", GpuPoliciesHandler),
    Route("/gpus/stream", GpuStreamHandler),
    Route("/gpus/{index:int}/policy", GpuPolicyHandler),
    Route("/gpus/{index:int}/kill", GpuKillHandler),
]
