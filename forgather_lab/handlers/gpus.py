"""GPUs: telemetry, policy, kill, and a live stream."""

from __future__ import annotations

import asyncio
import json

from jupyter_server.auth.decorator import authorized
from tornado import web
from tornado.websocket import WebSocketClosedError

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

STREAM_INTERVAL = 2.0


class GpusHandler(ForgatherHandler):
    @operation(
        "Every GPU: telemetry, policy, reservation, processes mapped to jobs", response=ListGpus
    )
    @web.authenticated
    @authorized
    async def get(self) -> None:
        self.reply(await self.runtime.describe_gpus())


class GpuPoliciesHandler(ForgatherHandler):
    @operation("Per-GPU runtime policies", response=ListGpuPolicies)
    @web.authenticated
    @authorized
    async def get(self) -> None:
        policies = await self.runtime.gpus.policies()
        self.reply({"policies": {str(i): p.to_dict() for i, p in sorted(policies.items())}})


class GpuPolicyHandler(ForgatherHandler):
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
        policy = await self.runtime.gpus.set_policy(int(index), body.disabled, body.min_priority)
        self.reply(policy.to_dict())


class GpuKillHandler(ForgatherHandler):
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
    async def get(self) -> None:
        if not self.is_upgrade():
            self.set_status(400)
            self.finish({"message": "This endpoint is a WebSocket; GET /gpus for a snapshot"})
            return
        await self.upgrade()

    async def stream(self) -> None:
        sub = self.runtime.bus.subscribe({"gpu_policy_changed", "job_status_changed"})
        try:
            while True:
                await self.write_message(json.dumps(await self.runtime.describe_gpus()))
                await sub.get(timeout=STREAM_INTERVAL)
                await asyncio.sleep(0.05)  # coalesce bursts of changes
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
