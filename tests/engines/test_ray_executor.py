"""The Ray executor against a real local Ray head (4 declared GPUs), started once.

Ray Jobs has no queue: the runtime hands a job over only while Ray reports
its GPUs free, so a job the cluster cannot take waits in our queue, where
priorities hold. Logs are copied from Ray into the job's log as they grow;
stop goes through Ray's stop API and is verified there; a fresh executor
re-attaches by submission id.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from forgather_lab.executors.base import ExecutorContext
from forgather_lab.executors.ray import RayExecutor
from forgather_lab.jobs.launcher import LaunchSpec
from forgather_lab.models.jobs import CreateJob, DescribeJob
from forgather_lab.runtime import Runtime
from forgather_lab.settings import ForgatherLabSettings

from .conftest import job_record, state_dir
from .ray_cluster import RayHead

pytestmark = pytest.mark.timeout(240)  # the first test also waits for the head
POLL = 0.3


def executor_for(head: RayHead, tmp: Path, poll: float = POLL) -> RayExecutor:
    env = {k: os.environ[k] for k in ("PATH", "HOME") if k in os.environ}
    return RayExecutor(
        ExecutorContext(
            state_dir=state_dir(tmp),
            base_env=env,
            server_url="http://127.0.0.1:1/",
            options={"poll_interval": poll, "ray_address": head.address, "ray_max_running": 4},
        )
    )


async def until(check: Callable[[], Awaitable[bool]], timeout: float = 45.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if await check():
            return
        await asyncio.sleep(0.2)
    raise AssertionError("timed out")


def ray_status(head: RayHead, submission_id: str) -> str | None:
    answer = httpx.get(f"{head.address}/api/jobs/{submission_id}", timeout=5)
    return None if answer.status_code == 404 else str(answer.json()["status"])


def ray_logs(head: RayHead, submission_id: str) -> str:
    answer = httpx.get(f"{head.address}/api/jobs/{submission_id}/logs", timeout=5)
    return str(answer.json().get("logs") or "")


def test_logs_stream_stop_is_verified_and_a_new_executor_reattaches(
    ray_head: RayHead, tmp_path: Path
) -> None:
    spec = LaunchSpec(
        ["bash", "-c", "echo hello from ray $MY_VAR CVD=$CUDA_VISIBLE_DEVICES; sleep 60"],
        env={"MY_VAR": "v1"},
    )

    async def first() -> DescribeJob:
        # Its own loop polls rarely here, so that the copies below are the ones that copy.
        executor = executor_for(ray_head, tmp_path, poll=3600)
        await executor.start()
        try:
            record = job_record("ray-a")
            submitted = await executor.submit("ray-a", spec, [0], job=record)
            assert submitted.external_id == "ray-a"  # our job id is the submission id
            log = executor.log_path("ray-a")

            async def logged_by_ray() -> bool:
                return "hello from ray" in await asyncio.to_thread(ray_logs, ray_head, "ray-a")

            await until(logged_by_ray)
            # Copies that overlap (the poll loop's, a watcher's, a caller's) copy it once.
            await asyncio.gather(*(executor.copy_log("ray-a") for _ in range(50)))
            assert log.read_text().count("hello from ray v1") == 1  # copied while it runs
            return record.model_copy(update={"pid": submitted.pid, "status": "running"})
        finally:
            await executor.close()  # the server goes; the Ray job runs on

    async def second(record: DescribeJob) -> tuple[Any, ...]:
        executor = executor_for(ray_head, tmp_path)
        await executor.start()
        try:
            found = await executor.find(record.model_copy(update={"pid": None}))
            alive = await executor.is_alive(record)
            ended = asyncio.Event()
            executor.watch(record, ended.set, own_child=False)
            sent = await executor.signal(record, force=False)
            async with asyncio.timeout(30):
                await executor.wait_gone(record)
            await asyncio.wait_for(ended.wait(), 10)
            return found, alive, sent, await executor.lingering(record)
        finally:
            await executor.close()

    record = asyncio.run(first())
    assert ray_status(ray_head, "ray-a") == "RUNNING"
    found, alive, sent, lingering = asyncio.run(second(record))
    assert found is not None
    assert found.external_id == "ray-a"
    assert alive
    assert sent == "SIGTERM"
    assert lingering == []
    assert ray_status(ray_head, "ray-a") == "STOPPED"
    log = (tmp_path / "state" / "jobs" / "ray-a" / "output.log").read_text()
    assert log.count("hello from ray v1") == 1  # copied once, also across the restart
    assert "CVD=" in log
    assert "CVD= " not in log  # Ray gave the job a GPU


def stop_foreign(head: RayHead) -> None:
    httpx.post(f"{head.address}/api/jobs/foreign/stop", timeout=10).raise_for_status()


def test_admission_waits_for_free_ray_gpus_and_keeps_priorities(
    ray_head: RayHead, tmp_path: Path
) -> None:
    # Another user's Ray job holds three of the four GPUs.
    foreign = httpx.post(
        f"{ray_head.address}/api/jobs/",
        json={"entrypoint": "sleep 120", "entrypoint_num_gpus": 3, "submission_id": "foreign"},
        timeout=10,
    )
    foreign.raise_for_status()
    settings = ForgatherLabSettings(
        state_dir=str(tmp_path / "runtime-state"),
        executor="ray",
        ray_address=ray_head.address,
        engine_poll_interval=POLL,
        dispatch_safety_tick=1.0,
        seed_examples=False,
    )

    def job(priority: int, word: str) -> CreateJob:
        argv = ["bash", "-c", f"echo {word}; sleep 1"]
        return CreateJob(
            job_type="command", job_params={"argv": argv}, requested_gpus=3, priority=priority
        )

    async def run() -> tuple[Any, ...]:
        runtime = Runtime(settings, root_dir=tmp_path)
        await runtime.start(server_url="http://127.0.0.1:1/")
        try:

            async def foreign_runs() -> bool:
                return ray_status(ray_head, "foreign") == "RUNNING"

            await until(foreign_runs)
            low = await runtime.jobs.enqueue(job(0, "low"))
            high = await runtime.jobs.enqueue(job(10, "high"))
            await asyncio.sleep(3 * POLL + 1.5)  # several polls and dispatch passes
            waiting = [await runtime.jobs.get(j.id) for j in (low, high)]
            handed = [ray_status(ray_head, j.id) for j in (low, high)]
            pool = await runtime.gpus.describe_pool()
            await asyncio.to_thread(stop_foreign, ray_head)
            deadline = time.monotonic() + 90
            while True:
                done = [await runtime.jobs.get(j.id) for j in (low, high)]
                if all(j.status in ("done", "failed") for j in done):
                    break
                assert time.monotonic() < deadline, done
                await asyncio.sleep(0.3)
            return waiting, handed, pool, done, await runtime.jobs.history(high.id)
        finally:
            await runtime.stop()

    waiting, handed, pool, (low, high), history = asyncio.run(run())
    # While Ray had one GPU free, neither 3-GPU job was handed over: both wait with us.
    assert [j.status for j in waiting] == ["queued", "queued"]
    assert handed == [None, None]
    assert pool.backend == "ray"
    assert len(pool.gpus) == 4
    # Once Ray freed its GPUs, the higher priority ran first, the other after it ended.
    assert high.status == "done", high
    assert low.status == "done", low
    assert high.started_at is not None
    assert low.started_at is not None
    assert high.ended_at is not None
    assert high.started_at < low.started_at
    assert low.started_at >= high.ended_at - 0.5
    assert "high" in Path(high.log_path or "").read_text()
    # Handed to Ray it was starting (Ray's PENDING) until Ray ran it; then running.
    steps = [(t.status, t.reason or "") for t in history.transitions]
    assert ("starting", f"handed to ray as job {high.id}") in steps, steps
    ran = [r for s, r in steps if s == "running"]
    assert ran, steps
    assert ran[0].startswith("ray started it")
    assert high.external_id == high.id
    assert high.executor == "ray"
    assert high.node
    assert high.node != "local"
