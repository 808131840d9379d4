"""The Ray executor: jobs through the Ray Job Submission REST API at ``ray_address``.

No ``ray`` import in the server: ``httpx`` talks to the dashboard's job API
(``POST /api/jobs/``, ``GET /api/jobs/`` once per poll for every job,
``POST /api/jobs/{id}/stop``, ``GET /api/jobs/{id}/logs``) and reads the
cluster's GPUs from ``GET /api/cluster_status`` and ``GET /nodes?view=summary``
(plus ``GET /api/v0/actors``: a Ray job's supervisor actor asks for its GPUs
the moment it is submitted, seconds before the usage report shows them).

Ray Jobs has no queue, priorities or quotas: our queue keeps them, and the
dispatcher admits a job only while Ray reports enough free GPUs
(``engine_free_gpus``) and fewer than ``ray_max_running`` jobs are handed over.
The job's submission id is our job id (``<id>-<attempt>`` for a retry, since
Ray keeps ids), its environment is ``runtime_env.env_vars`` (nothing secret in
it: the callback token is a path to a 0600 file), its GPUs
``entrypoint_num_gpus``. Ray's log of the job is copied into ours as it grows,
so follow, progress and GC work unchanged.
"""

from __future__ import annotations

import asyncio
import os
import shlex
import time
from pathlib import Path
from typing import Any

import httpx

from ..jobs.launcher import LaunchSpec
from ..models.jobs import DescribeJob
from .base import EngineJob, ExecutorContext, PoolNode, Submitted
from .remote import RemoteExecutor, write_private

TIMEOUT = httpx.Timeout(10.0, connect=3.0)
POOL_TTL = 2.0
OFFSET_FILE = "ray_log_offset"
PHASES = {"PENDING": "pending", "RUNNING": "running"}  # STOPPED, SUCCEEDED, FAILED: ended
ACTORS_QUERY = {"detail": "true", "limit": "10000"}


def entrypoint(spec: LaunchSpec) -> str:
    """The shell line Ray runs (argv quoted; ``exec`` so Ray's stop reaches the command)."""
    command = f"exec {shlex.join(spec.argv)}"
    return f"cd {shlex.quote(spec.cwd)} && {command}" if spec.cwd else command


def engine_job(job: dict[str, Any], nodes: dict[str, str]) -> EngineJob:
    """One ``GET /api/jobs/`` entry as the engine's word on it."""
    status = str(job.get("status") or "")
    phase = PHASES.get(status, "ended")
    code = job.get("driver_exit_code")
    node_id = job.get("driver_node_id")
    return EngineJob(
        external_id=str(job.get("submission_id")),
        state=status,
        phase=phase,
        reason=f"Ray: {job.get('message') or 'pending'}" if phase == "pending" else None,
        node=nodes.get(str(node_id), str(node_id)) if node_id else None,
        exit_code=int(code) if isinstance(code, int) and phase == "ended" else None,
    )


class RayExecutor(RemoteExecutor):
    """Runs jobs as Ray jobs (``ForgatherLab.executor = 'ray'``)."""

    name = "ray"

    def __init__(self, context: ExecutorContext) -> None:
        super().__init__(context)
        self.address = str(context.options.get("ray_address") or "http://127.0.0.1:8265")
        self.max_running = int(context.options.get("ray_max_running") or 16)
        self._client: httpx.AsyncClient | None = None
        self._pool: list[PoolNode] = []
        self._pool_at = 0.0
        self._free: int | None = None
        self._total = self._reported = 0  # GPUs in Ray's usage report: all, in use
        # GPUs Ray's live or pending actors ask for (every Ray job's supervisor among them).
        self._claimed_gpus = 0
        self._node_names: dict[str, str] = {}
        self._log_offsets: dict[str, int] = {}
        # The poll loop, a watcher's end and a caller's own poll may copy at once; each copy
        # reads the offset, awaits Ray, appends and moves the offset, so they take turns.
        self._copying = asyncio.Lock()
        self._attempts: dict[str, int] = {}

    @property
    def client(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(base_url=self.address, timeout=TIMEOUT)
        return self._client

    async def _call(self, method: str, path: str, **kw: Any) -> Any:
        try:
            response = await self.client.request(method, path, **kw)
        except httpx.HTTPError as e:
            raise OSError(f"Ray at {self.address}: {e}") from e
        if response.status_code >= 400:
            raise OSError(f"Ray at {self.address}: {response.status_code} {response.text[:300]}")
        return response.json()

    # -- the engine -----------------------------------------------------------------------

    async def submit(
        self, job_id: str, spec: LaunchSpec, gpus: list[int], job: DescribeJob | None = None
    ) -> Submitted:
        self._attempts[job_id] = job.attempt if job is not None else 1
        return await super().submit(job_id, spec, gpus, job)

    async def engine_submit(
        self, job_id: str, spec: LaunchSpec, env: dict[str, str], gpus: int
    ) -> str:
        attempt = self._attempts.pop(job_id, 1)
        submission = job_id if attempt <= 1 else f"{job_id}-{attempt}"
        body = {
            "entrypoint": entrypoint(spec),
            "submission_id": submission,
            "entrypoint_num_gpus": gpus,
            "entrypoint_num_cpus": 0,  # GPUs are what is scheduled; CPUs would serialise jobs
            "runtime_env": {"env_vars": env},
            "metadata": {"forgather_job_id": job_id},
        }
        answer = await self._call("POST", "/api/jobs/", json=body)
        self._log_offsets[job_id] = 0
        await asyncio.to_thread(_append, self.job_dir(job_id), self.log_path(job_id), b"", 0)
        return str(answer.get("submission_id") or submission)

    async def engine_poll(self, external_ids: dict[str, str]) -> dict[str, EngineJob]:
        listed = await self._call("GET", "/api/jobs/")
        by_id = {str(j.get("submission_id")): j for j in listed if isinstance(j, dict)}
        return {
            job_id: engine_job(by_id[external], self._node_names)
            for job_id, external in external_ids.items()
            if external in by_id
        }

    async def engine_find(self, job_id: str) -> str | None:
        try:
            found = await self._call("GET", f"/api/jobs/{job_id}")
        except OSError:
            return None
        return str(found["submission_id"]) if isinstance(found, dict) else None

    async def engine_stop(self, external_id: str, force: bool, state: EngineJob | None) -> str:
        # Ray's stop: SIGTERM to the entrypoint, SIGKILL after its own grace; no force.
        await self._call("POST", f"/api/jobs/{external_id}/stop")
        return "SIGTERM"

    # -- logs ---------------------------------------------------------------------------------

    async def copy_log(self, job_id: str) -> None:
        """Append what Ray logged of the job since the last copy to its log (ours stays the log)."""
        async with self._copying:
            await self._copy_log(job_id)

    async def _copy_log(self, job_id: str) -> None:
        external = self._ids.get(job_id)
        if external is None:
            return
        try:
            answer = await self._call("GET", f"/api/jobs/{external}/logs")
        except OSError:
            return
        text = str(answer.get("logs") or "").encode()
        if job_id not in self._log_offsets:
            self._log_offsets[job_id] = await asyncio.to_thread(_copied, self.job_dir(job_id))
        offset = self._log_offsets[job_id]
        if len(text) > offset:
            await asyncio.to_thread(
                _append, self.job_dir(job_id), self.log_path(job_id), text, offset
            )
            self._log_offsets[job_id] = len(text)

    async def before_exit(self, job_id: str) -> None:
        await self.copy_log(job_id)  # to the end, before the service reads how it ended

    async def after_poll(self) -> None:
        for job_id in self.handed_over():
            await self.copy_log(job_id)
        before = self._free
        self._pool_at = 0.0  # right after the jobs' states: admission reads both together
        await asyncio.to_thread(self.refresh_pool)
        if self._free != before and self.context.on_pool_change is not None:
            self.context.on_pool_change()

    # -- the pool and admission --------------------------------------------------------------

    def pool(self) -> list[PoolNode] | None:
        return self._pool

    def refresh_pool(self) -> list[PoolNode] | None:
        if time.monotonic() - self._pool_at < POOL_TTL:
            return self._pool
        try:
            with httpx.Client(base_url=self.address, timeout=TIMEOUT) as client:
                status = client.get("/api/cluster_status").json()
                nodes = client.get("/nodes", params={"view": "summary"}).json()
                actors = client.get("/api/v0/actors", params=ACTORS_QUERY).json()
        except (httpx.HTTPError, ValueError):
            self._free = 0  # Ray is away: admit nothing until it answers
            return self._pool
        usage = status.get("data", {}).get("clusterStatus", {}).get("loadMetricsReport", {})
        used, total = (usage.get("usage", {}).get("GPU") or [0.0, 0.0])[:2]
        pool, left = [], int(used)
        for summary in nodes.get("data", {}).get("summary", []):
            raylet = summary.get("raylet", {})
            if raylet.get("state", "ALIVE") != "ALIVE":
                continue
            name = str(summary.get("hostname") or raylet.get("nodeManagerAddress") or "")
            self._node_names[str(raylet.get("nodeId"))] = name
            gpus = int(raylet.get("resourcesTotal", {}).get("GPU", 0))
            # Ray reports used GPUs for the cluster, not per node: filled node by node.
            taken = min(gpus, left)
            left -= taken
            pool.append(PoolNode(name, gpus, taken, "alive"))
        self._pool = pool
        self._total, self._reported = int(total), int(used)
        self._claimed_gpus = _claimed_gpus(actors)
        self._free = max(0, self._total - max(self._reported, self._claimed_gpus))
        self._pool_at = time.monotonic()
        return self._pool

    def engine_free_gpus(self) -> int | None:
        if len(self.handed_over()) >= self.max_running:
            return 0
        if self._free is None or self._free == 0:
            return 0
        # Ray's usage report lags by seconds and leaves out what waits: jobs we
        # handed over that have not started, and anyone's actors still pending,
        # hold their GPUs as far as admission is concerned.
        waiting = sum(self.handed_over("pending").values())
        used = max(self._reported + waiting, self._claimed_gpus)
        return max(0, self._total - used)

    async def start(self) -> None:
        await asyncio.to_thread(self.refresh_pool)
        await super().start()

    async def close(self) -> None:
        await super().close()
        if self._client is not None:
            await self._client.aclose()
            self._client = None


def _claimed_gpus(answer: Any) -> int:
    """GPUs the actors of a ``GET /api/v0/actors`` answer hold or wait for (not the dead)."""
    result = answer.get("data", {}).get("result", {}).get("result", []) if answer else []
    return int(
        sum(
            float((actor.get("required_resources") or {}).get("GPU", 0))
            for actor in result
            if isinstance(actor, dict) and actor.get("state") != "DEAD"
        )
    )


def _append(job_dir: Path, log: Path, text: bytes, offset: int) -> None:
    """Append Ray's log past ``offset``; remember how far it was copied (for a restart)."""
    fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(fd, "ab") as f:
        f.write(text[offset:])
    write_private(job_dir / OFFSET_FILE, str(len(text)).encode())


def _copied(job_dir: Path) -> int:
    """How much of Ray's log of the job is in ours already."""
    try:
        return int((job_dir / OFFSET_FILE).read_text())
    except (OSError, ValueError):
        return 0
