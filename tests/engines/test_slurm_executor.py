"""The Slurm executor against a real one-node Slurm (4 fake GPUs), started once for the module.

First the executor's own contract (submit, log, exit status, pending reasons,
cancel and kill verified in squeue, re-attach by Slurm job id, the pool's
GPUs), then the whole runtime on it: a job queued through the jobs service
runs on Slurm, is killed, and survives a runtime restart.
"""

from __future__ import annotations

import asyncio
import json
import os
import stat
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from forgather_lab.errors import BadRequest
from forgather_lab.executors.base import ExecutorContext
from forgather_lab.executors.engines import annotate_engine
from forgather_lab.executors.slurm import SlurmExecutor
from forgather_lab.jobs.launcher import LaunchSpec
from forgather_lab.models.jobs import CreateJob, DescribeJob
from forgather_lab.runtime import Runtime
from forgather_lab.settings import ForgatherLabSettings

from .conftest import job_record, state_dir
from .slurm_cluster import SlurmCluster

pytestmark = pytest.mark.timeout(60)
POLL = 0.2


def executor_in(tmp: Path) -> SlurmExecutor:
    env = {k: os.environ[k] for k in ("PATH", "HOME") if k in os.environ}
    return SlurmExecutor(
        ExecutorContext(
            state_dir=state_dir(tmp),
            base_env=env,
            server_url="http://127.0.0.1:1/",
            options={"poll_interval": POLL},
        )
    )


async def until(check: Callable[[], Awaitable[bool]], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if await check():
            return
        await asyncio.sleep(0.1)
    raise AssertionError("timed out")


def squeue_state(slurm: SlurmCluster, slurm_id: str) -> str | None:
    for job in json.loads(slurm.run("squeue", "--json"))["jobs"]:
        if str(job["job_id"]) == slurm_id:
            return str(job["job_state"])
    return None


def running(slurm: SlurmCluster, slurm_id: str) -> bool:
    return squeue_state(slurm, slurm_id) == "RUNNING"


def blocker(slurm: SlurmCluster) -> str:
    """Another user's job holding all four GPUs, running."""
    out = "--output=/dev/null"  # not slurm-<id>.out in the directory the suite runs from
    slurm_id = slurm.run("sbatch", "--parsable", out, "--gres=gpu:4", "--wrap", "sleep 60").strip()
    deadline = time.monotonic() + 20
    while not running(slurm, slurm_id):
        assert time.monotonic() < deadline, "the blocking job never started"
        time.sleep(0.1)
    return slurm_id


def with_pid(job: DescribeJob, pid: int) -> DescribeJob:
    return job.model_copy(update={"pid": pid, "status": "running"})


def test_a_job_runs_on_slurm_with_its_env_log_and_exit_status(
    slurm: SlurmCluster, tmp_path: Path
) -> None:
    workdir = tmp_path / "work"
    workdir.mkdir()
    script = (
        "echo CVD=$CUDA_VISIBLE_DEVICES; echo SECRET=$MY_SECRET; echo JOB=$FORGATHER_LAB_JOB_ID; "
        "echo URL=$FORGATHER_LAB_URL; echo DIR=$(pwd); echo SERVER_ENV=${SERVER_ONLY:-none}; exit 3"
    )
    spec = LaunchSpec(["bash", "-c", script], cwd=str(workdir), env={"MY_SECRET": "s3cr3t"})

    async def run() -> tuple[Any, ...]:
        executor = executor_in(tmp_path)
        await executor.start()
        try:
            os.environ["SERVER_ONLY"] = "leaked"  # sbatch runs with it; the job must not see it
            record = job_record("slurm-a", priority=-5, requested_gpus=2, gpus=[0, 1])
            submitted = await executor.submit("slurm-a", spec, [0, 1], job=record)
            ended = asyncio.Event()
            executor.watch(with_pid(record, submitted.pid), ended.set, own_child=True)
            shown = scontrol_job(slurm, submitted.external_id or "")
            await asyncio.wait_for(ended.wait(), 20)
            code = await executor.exit_code("slurm-a")
            state = executor.engine_job("slurm-a")
            return submitted, shown, code, state, executor.log_path("slurm-a").read_text()
        finally:
            os.environ.pop("SERVER_ONLY", None)
            await executor.close()

    submitted, shown, code, state, log = asyncio.run(run())
    assert submitted.external_id
    assert submitted.external_id.isdigit()
    assert submitted.pid == int(submitted.external_id)  # the stand-in the jobs service keys on
    assert code == 3
    assert state.node == slurm.host
    assert "CVD=0,1" in log  # Slurm picked two of the node's four GPUs
    assert "SECRET=s3cr3t" in log
    assert "JOB=slurm-a" in log
    assert "URL=http://127.0.0.1:1/" in log
    assert f"DIR={tmp_path / 'work'}" in log
    assert "SERVER_ENV=none" in log  # --export=NONE: only the job's explicit environment
    # Nothing secret reaches Slurm's record of the job, and the env file is private.
    assert "s3cr3t" not in shown
    assert "Nice=5" in shown  # priority -5 → --nice=5
    assert "JobName=forgather-slurm-a" in shown
    env_file = tmp_path / "state" / "jobs" / "slurm-a" / "slurm.env"
    assert stat.S_IMODE(env_file.stat().st_mode) == 0o600
    engine = json.loads((tmp_path / "state" / "jobs" / "slurm-a" / "engine.json").read_text())
    assert engine == {"executor": "slurm", "external_id": submitted.external_id}


def scontrol_job(slurm: SlurmCluster, slurm_id: str) -> str:
    return slurm.run("scontrol", "show", "job", slurm_id)


def test_pending_reason_then_run_then_cancel_verified(slurm: SlurmCluster, tmp_path: Path) -> None:
    held = blocker(slurm)
    spec = LaunchSpec(["bash", "-c", "echo started; exec sleep 30"])

    async def run() -> dict[str, Any]:
        executor = executor_in(tmp_path)
        await executor.start()
        seen: dict[str, Any] = {}
        try:
            record = job_record("slurm-b")
            submitted = await executor.submit("slurm-b", spec, [0], job=record)
            record = with_pid(record, submitted.pid)
            ended = asyncio.Event()
            executor.watch(record, ended.set, own_child=True)

            async def pending() -> bool:
                state = executor.engine_job("slurm-b")
                return (
                    state is not None
                    and state.phase == "pending"
                    and "Resources" in (state.reason or "")
                )

            await until(pending)
            seen["pending"] = annotate_engine(executor, [record])[0]
            # A pending job is cancelled outright.
            other = job_record("slurm-c", requested_gpus=4, gpus=[0, 1, 2, 3])
            sub_c = await executor.submit("slurm-c", spec, [0, 1, 2, 3], job=other)
            other = with_pid(other, sub_c.pid)
            await until(lambda: _phase(executor, "slurm-c", "pending"))
            seen["cancel_pending"] = await executor.signal(other, force=False)
            async with asyncio.timeout(10):
                await executor.wait_gone(other)
            seen["c_state"] = squeue_state(slurm, sub_c.external_id or "")
            # Free the node: the pending job starts.
            slurm.run("scancel", held)
            await until(lambda: _phase(executor, "slurm-b", "running"))
            seen["running"] = annotate_engine(executor, [record])[0]
            assert await executor.is_alive(record)
            log = executor.log_path("slurm-b")

            async def started() -> bool:
                return "started" in log.read_text()

            await until(started)  # the command runs (not only its allocation)
            seen["signal"] = await executor.signal(record, force=False)
            async with asyncio.timeout(10):
                await executor.wait_gone(record)
            await asyncio.wait_for(ended.wait(), 10)
            seen["lingering"] = await executor.lingering(record)
            seen["code"] = await executor.exit_code("slurm-b")
            seen["b_state"] = squeue_state(slurm, submitted.external_id or "")
            return seen
        finally:
            await executor.close()

    try:
        seen = asyncio.run(run())
    finally:
        slurm.run("scancel", held)
    pending = seen["pending"]
    assert pending.pending_reason.startswith("Slurm: Resources"), pending.pending_reason
    assert pending.executor == "slurm"
    assert pending.external_id
    assert seen["cancel_pending"] == "CANCEL"  # it never ran: cancelled, no signal
    assert seen["c_state"] in (None, "CANCELLED")
    assert seen["running"].node == slurm.host
    assert seen["running"].pending_reason is None
    assert seen["signal"] == "SIGTERM"
    assert seen["lingering"] == []
    assert seen["code"] == -15  # the wrapper outlived the TERM and recorded it
    assert seen["b_state"] not in ("RUNNING", "PENDING", "COMPLETING")


async def _phase(executor: SlurmExecutor, job_id: str, phase: str) -> bool:
    await executor.poll()
    state = executor.engine_job(job_id)
    return state is not None and state.phase == phase


def test_a_restarted_executor_reattaches_by_slurm_job_id(
    slurm: SlurmCluster, tmp_path: Path
) -> None:
    async def first() -> tuple[DescribeJob, str]:
        executor = executor_in(tmp_path)
        await executor.start()
        try:
            record = job_record("slurm-d")
            submitted = await executor.submit("slurm-d", LaunchSpec(["sleep", "30"]), [0])
            await until(lambda: _phase(executor, "slurm-d", "running"))
            return with_pid(record, submitted.pid), submitted.external_id or ""
        finally:
            await executor.close()  # the server goes; the Slurm job runs on

    async def second(record: DescribeJob) -> tuple[Any, ...]:
        executor = executor_in(tmp_path)  # a fresh process knows nothing in memory
        await executor.start()
        try:
            found = await executor.find(record.model_copy(update={"pid": None}))
            alive = await executor.is_alive(record)
            ended = asyncio.Event()
            executor.watch(record, ended.set, own_child=False)
            sent = await executor.signal(record, force=True)
            await asyncio.wait_for(ended.wait(), 15)
            return found, alive, sent, await executor.exit_code("slurm-d")
        finally:
            await executor.close()

    record, slurm_id = asyncio.run(first())
    assert running(slurm, slurm_id)
    found, alive, sent, code = asyncio.run(second(record))
    assert found is not None
    assert found.external_id == slurm_id
    assert found.pid == int(slurm_id)
    assert alive
    assert sent == "SIGKILL"
    assert code == -9
    assert squeue_state(slurm, slurm_id) not in ("RUNNING", "PENDING", "COMPLETING")


def test_executor_params_override_the_servers_slurm_settings_per_job(
    slurm: SlurmCluster, tmp_path: Path
) -> None:
    env = {k: os.environ[k] for k in ("PATH", "HOME") if k in os.environ}
    options = {
        "poll_interval": POLL,
        "slurm_time": "00:10:00",
        "slurm_extra_args": ["--comment=server-wide"],
    }
    executor = SlurmExecutor(
        ExecutorContext(state_dir=state_dir(tmp_path), base_env=env, options=options)
    )
    own = {"partition": "debug", "time": "00:05:00", "extra_args": "--comment='from the job'"}
    spec = LaunchSpec(["sleep", "30"])

    async def run() -> tuple[Any, ...]:
        mine = job_record("slurm-p", params={"executor_params": own}, requested_gpus=0, gpus=[])
        plain = job_record("slurm-q", requested_gpus=0, gpus=[])
        bad = job_record("slurm-r", params={"executor_params": {"partition": "nope"}})
        a = await executor.submit("slurm-p", spec, [], job=mine)
        b = await executor.submit("slurm-q", spec, [], job=plain)
        try:
            await executor.submit("slurm-r", spec, [0], job=bad)
        except OSError as e:
            refused = str(e)
        else:
            refused = ""
        return a.external_id, b.external_id, refused

    ids: tuple[Any, ...] = ()
    try:
        ids = asyncio.run(run())
        mine, plain = scontrol_job(slurm, ids[0]), scontrol_job(slurm, ids[1])
    finally:
        for slurm_id in ids[:2]:
            slurm.run("scancel", slurm_id)
    assert "TimeLimit=00:05:00" in mine  # the job's time over the server's
    assert "Partition=debug" in mine
    assert "Comment=from the job" in mine  # its extra_args after the server's: it wins
    assert "TimeLimit=00:10:00" in plain  # the server's settings for a job without its own
    assert "Comment=server-wide" in plain
    assert "sbatch" in ids[2]
    assert "partition" in ids[2].lower()  # Slurm's own word on the refused partition


def test_executor_params_slurm_cannot_honour_are_refused_before_queueing(
    slurm: SlurmCluster, tmp_path: Path
) -> None:
    async def run() -> tuple[list[str], DescribeJob]:
        runtime = Runtime(settings_for(tmp_path), root_dir=tmp_path)
        await runtime.start(server_url="http://127.0.0.1:1/")
        refused = []
        try:
            for params in (
                {"partiton": "a100"},  # a typo: not silently ignored
                {"extra_args": "--output=/tmp/elsewhere.log"},  # the server's log would be empty
                {"extra_args": "-Jother"},  # re-attach finds jobs by their name
                {"extra_args": "--comment 'unbalanced"},
            ):
                request = command_job(["true"]).model_copy(update={"executor_params": params})
                try:
                    await runtime.jobs.enqueue(request)
                except BadRequest as e:
                    refused.append(e.message)
            ok = command_job(["true"]).model_copy(update={"executor_params": {"time": "1"}})
            taken = await runtime.jobs.enqueue(ok)  # what Slurm takes is queued
            queued = await runtime.jobs.list_jobs(None, 10, 0)
            assert queued[1] == 1
            # ... and reaches sbatch from the stored job (REST -> queue -> dispatch -> Slurm).
            ended = await job_until(runtime, taken.id, {"done", "failed"})
        finally:
            await runtime.stop()
        return refused, ended

    refused, ended = asyncio.run(run())
    assert ended.status == "done", ended
    assert "TimeLimit=00:01:00" in scontrol_job(slurm, ended.external_id or "")
    assert len(refused) == 4, refused
    assert "partiton" in refused[0]
    assert "partition, account, qos, time, extra_args" in refused[0]
    assert "--output is set by the server" in refused[1]
    assert "-Jother is set by the server" in refused[2]
    assert "extra_args" in refused[3]


def test_the_pool_is_the_partitions_nodes_and_gpus(slurm: SlurmCluster, tmp_path: Path) -> None:
    executor = executor_in(tmp_path)
    idle = executor.refresh_pool()
    held = blocker(slurm)
    try:
        executor._pool_at = 0.0  # past the cache
        busy = executor.refresh_pool()
    finally:
        slurm.run("scancel", held)
    assert idle is not None
    assert busy is not None
    assert [(n.name, n.gpus) for n in idle] == [(slurm.host, 4)]
    assert busy[0].gpus_used == 4
    wrong = SlurmExecutor(
        ExecutorContext(state_dir=state_dir(tmp_path), options={"slurm_partition": "nope"})
    )
    assert wrong.refresh_pool() == []


# -- the whole runtime on Slurm ---------------------------------------------------------


def settings_for(tmp: Path) -> ForgatherLabSettings:
    return ForgatherLabSettings(
        state_dir=str(tmp / "runtime-state"),
        executor="slurm",
        engine_poll_interval=POLL,
        seed_examples=False,
        kill_timeout=3.0,
    )


async def job_until(runtime: Runtime, job_id: str, statuses: set[str]) -> DescribeJob:
    deadline = time.monotonic() + 25
    job = await runtime.jobs.get(job_id)
    while job.status not in statuses:
        assert time.monotonic() < deadline, f"job stayed {job.status}: {job}"
        await asyncio.sleep(0.1)
        job = await runtime.jobs.get(job_id)
    return job


def command_job(argv: list[str]) -> CreateJob:
    return CreateJob(job_type="command", job_params={"argv": argv}, requested_gpus=1)


@pytest.mark.timeout(120)  # two runtimes start and stop: slow on busy cores
def test_the_runtime_runs_kills_and_reattaches_slurm_jobs(
    slurm: SlurmCluster, tmp_path: Path
) -> None:
    settings = settings_for(tmp_path)

    async def first() -> tuple[Any, ...]:
        runtime = Runtime(settings, root_dir=tmp_path)
        await runtime.start(server_url="http://127.0.0.1:1/")
        try:
            pool = await runtime.gpus.describe_pool()
            quick = await runtime.jobs.enqueue(
                command_job([sys.executable, "-c", "print('hello from slurm')"])
            )
            done = await job_until(runtime, quick.id, {"done", "failed"})
            log = Path(done.log_path or "").read_text()
            doomed = await runtime.jobs.enqueue(command_job(["sleep", "30"]))
            await job_until(runtime, doomed.id, {"running"})
            executor = runtime.executor
            assert isinstance(executor, SlurmExecutor)
            await until(lambda: _phase(executor, doomed.id, "running"))
            shown = await runtime.jobs.get(doomed.id)
            killed = await runtime.jobs.kill(doomed.id, force=False)
            survivor = await runtime.jobs.enqueue(command_job(["sleep", "4"]))
            await job_until(runtime, survivor.id, {"running"})
            return pool, done, log, shown, killed, survivor.id
        finally:
            await runtime.stop()  # the survivor keeps running on Slurm

    async def second(job_id: str) -> tuple[set[str], DescribeJob]:
        runtime = Runtime(settings, root_dir=tmp_path)
        await runtime.start(server_url="http://127.0.0.1:1/")  # re-attaches by Slurm job id
        try:
            watched = set(runtime.jobs.watched)
            return watched, await job_until(runtime, job_id, {"done", "failed", "aborted"})
        finally:
            await runtime.stop()

    pool, done, log, shown, killed, survivor = asyncio.run(first())
    assert pool.backend == "slurm"
    assert [g.name for g in pool.gpus] == [f"{slurm.host}: gpu {i}" for i in range(4)]
    assert done.status == "done", done
    assert "hello from slurm" in log
    assert shown.executor == "slurm"
    assert shown.external_id
    assert shown.node == slurm.host
    assert killed.exited
    assert killed.signal == "SIGTERM"
    assert killed.job.status == "aborted", killed.job
    assert squeue_state(slurm, shown.external_id) not in ("RUNNING", "PENDING")
    watched, after = asyncio.run(second(survivor))
    assert survivor in watched  # found running on Slurm after the restart, not failed as lost
    assert after.status == "done", after


@pytest.mark.timeout(120)  # two runtimes start and stop: slow on busy cores
def test_a_job_slurm_holds_is_starting_with_slurms_reason_until_it_runs(
    slurm: SlurmCluster, tmp_path: Path
) -> None:
    """Pending in Slurm: ``starting``, Slurm's reason, no time limit ticking; then it runs."""
    settings = settings_for(tmp_path)
    held = blocker(slurm)
    job = CreateJob(
        job_type="command",
        # Long enough to be seen running by a 0.1 s poll, well within its limit.
        job_params={"argv": ["bash", "-c", "echo ran; sleep 1"]},
        requested_gpus=1,
        time_limit=3.0,  # counted from hand-over it would fail the job while Slurm holds it
    )

    async def first() -> tuple[Any, ...]:
        runtime = Runtime(settings, root_dir=tmp_path)
        await runtime.start(server_url="http://127.0.0.1:1/")
        try:
            queued = await runtime.jobs.enqueue(job)
            deadline = time.monotonic() + 20
            while True:
                waiting = await runtime.jobs.get(queued.id)
                if "Resources" in (waiting.pending_reason or ""):
                    break
                assert time.monotonic() < deadline, waiting
                await asyncio.sleep(0.1)
            await asyncio.sleep(max(0.0, queued.created_at + 3.5 - time.time()))  # past the limit
            later = await runtime.jobs.get(queued.id)
            listed, _ = await runtime.jobs.list_jobs(["starting"], 10, 0)
            return waiting, later, listed
        finally:
            await runtime.stop()  # Slurm keeps the job pending

    async def second(job_id: str) -> tuple[Any, ...]:
        runtime = Runtime(settings, root_dir=tmp_path)
        await runtime.start(server_url="http://127.0.0.1:1/")  # re-attaches the pending job
        try:
            watched = set(runtime.jobs.watched)
            reattached = await runtime.jobs.get(job_id)
            await asyncio.to_thread(slurm.run, "scancel", held)  # the node frees: Slurm runs it
            running = await job_until(runtime, job_id, {"running", "done", "failed"})
            ended = await job_until(runtime, job_id, {"done", "failed", "aborted"})
            return watched, reattached, running, ended, await runtime.jobs.history(job_id)
        finally:
            await runtime.stop()

    try:
        waiting, later, listed = asyncio.run(first())
        watched, reattached, running, ended, history = asyncio.run(second(waiting.id))
    finally:
        slurm.run("scancel", held)
    assert waiting.status == "starting", waiting
    assert waiting.pending_reason.startswith("Slurm: Resources"), waiting.pending_reason
    assert waiting.executor == "slurm"
    assert waiting.external_id
    assert waiting.started_at is None
    assert later.status == "starting", later  # the time limit does not count while pending
    assert later.error is None
    assert [j.id for j in listed] == [waiting.id]
    assert waiting.id in watched  # found pending on Slurm after the restart, not failed
    assert reattached.status == "starting", reattached
    assert reattached.pending_reason
    assert reattached.pending_reason.startswith("Slurm: ")
    assert running.status == "running", running
    assert running.started_at is not None
    assert running.pending_reason is None
    assert running.node == slurm.host
    assert ended.status == "done", ended  # the limit counts from running: it ends well within
    assert ended.node == slurm.host  # recorded, not only while the engine reports it
    assert ended.external_id == waiting.external_id
    steps = [(t.status, t.reason or "") for t in history.transitions]
    handed = [i for i, (s, r) in enumerate(steps) if s == "starting" and r.startswith("handed")]
    started = [i for i, (s, r) in enumerate(steps) if s == "running"]
    assert handed
    assert started
    assert handed[0] < started[0]
    assert steps[started[0]][1] == f"slurm started it on {slurm.host}"
    assert Path(ended.log_path or "").read_text().count("ran") == 1


def test_a_job_that_runs_and_ends_between_two_polls_still_ran(
    slurm: SlurmCluster, tmp_path: Path
) -> None:
    """Slurm started and finished it unseen: the record says it ran, then how it ended."""
    settings = ForgatherLabSettings(
        state_dir=str(tmp_path / "runtime-state"),
        executor="slurm",
        engine_poll_interval=4.0,  # the next poll comes after the job has ended
        seed_examples=False,
    )
    held = blocker(slurm)

    async def run() -> tuple[Any, ...]:
        runtime = Runtime(settings, root_dir=tmp_path)
        await runtime.start(server_url="http://127.0.0.1:1/")
        try:
            queued = await runtime.jobs.enqueue(command_job(["echo", "quick"]))

            async def handed_over() -> bool:
                return (await runtime.jobs.get(queued.id)).external_id is not None

            await until(handed_over)  # and polled once: Slurm holds it
            await asyncio.to_thread(slurm.run, "scancel", held)  # runs now, ends in a second
            ended = await job_until(runtime, queued.id, {"done", "failed"})
            return ended, await runtime.jobs.history(queued.id)
        finally:
            await runtime.stop()

    try:
        ended, history = asyncio.run(run())
    finally:
        slurm.run("scancel", held)
    steps = [(t.status, t.reason or "") for t in history.transitions]
    assert ended.status == "done", (ended, steps)
    assert ended.started_at is not None
    assert [s for s, _ in steps][-2:] == ["running", "done"], steps
    assert any(r.startswith("ran and ended between two polls") for _, r in steps), steps
