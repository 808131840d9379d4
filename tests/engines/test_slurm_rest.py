"""The Slurm executor through slurmrestd (JWT) against a real one-node Slurm, once per module.

slurmctld accepts JWTs signed with a 0600 key, slurmrestd listens on a free
loopback port, the executor reads its token from a 0600 file: submit, run,
log and exit status, the pending reason while a blocker holds the GPUs, cancel
verified in squeue, re-attach by Slurm job id, the pool, and the refusals (a
token file others can read, an unreachable slurmrestd, options it cannot take).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import stat
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from forgather_lab.errors import BadRequest
from forgather_lab.executors.base import ExecutorContext
from forgather_lab.executors.engines import annotate_engine
from forgather_lab.executors.slurm_rest import SlurmRestExecutor, extra_properties, time_minutes
from forgather_lab.jobs.launcher import LaunchSpec
from forgather_lab.models.jobs import CreateJob
from forgather_lab.runtime import Runtime
from forgather_lab.settings import ForgatherLabSettings

from .conftest import _unavailable, job_record, state_dir
from .slurm_cluster import SlurmCluster, missing_binaries
from .slurm_rest_cluster import SlurmRest, jwt_conf, missing_rest, write_jwt_key
from .test_slurm_executor import (
    POLL,
    _phase,
    blocker,
    job_until,
    scontrol_job,
    squeue_state,
    until,
    with_pid,
)

pytestmark = pytest.mark.timeout(120)


@pytest.fixture(scope="module")
def rest() -> Iterator[SlurmRest]:
    """Slurm with a JWT key, and slurmrestd in front of it; SLURM_CONF set meanwhile."""
    missing = missing_binaries() + missing_rest()
    if missing:
        _unavailable(f"Slurm's REST daemon ({', '.join(missing)})")
    # slurmrestd drops root for an unprivileged user, who must read slurm.conf.
    root = Path(tempfile.mkdtemp(prefix="fl-slurmrest-"))
    root.chmod(0o755)
    cluster = SlurmCluster(root, extra_conf=jwt_conf(write_jwt_key(root / "jwt")))
    daemon = SlurmRest(cluster)
    before = os.environ.get("SLURM_CONF")
    try:
        cluster.start()
        os.environ["SLURM_CONF"] = str(cluster.conf)
        daemon.start()
        yield daemon
    finally:
        daemon.stop()
        cluster.stop()
        shutil.rmtree(root, ignore_errors=True)
        if before is None:
            os.environ.pop("SLURM_CONF", None)
        else:
            os.environ["SLURM_CONF"] = before


def token_file(rest: SlurmRest, tmp: Path) -> Path:
    """The token as ``scontrol token > file`` leaves it (``SLURM_JWT=...``), 0600."""
    path = tmp / "slurm.jwt"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(f"SLURM_JWT={rest.token()}\n")
    return path


def executor_for(rest: SlurmRest, tmp: Path, **options: Any) -> SlurmRestExecutor:
    env = {k: os.environ[k] for k in ("PATH", "HOME") if k in os.environ}
    options = {
        "poll_interval": POLL,
        "slurm_rest_url": rest.url,
        "slurm_rest_token_file": str(token_file(rest, tmp)),
        "slurm_rest_user": rest.user,
        **options,
    }
    context = ExecutorContext(
        state_dir=state_dir(tmp), base_env=env, server_url="http://127.0.0.1:1/", options=options
    )
    return SlurmRestExecutor(context)


def test_a_job_runs_through_slurmrestd_with_its_env_log_and_exit_status(
    rest: SlurmRest, tmp_path: Path
) -> None:
    script = "echo SECRET=$MY_SECRET; echo JOB=$FORGATHER_LAB_JOB_ID; echo oops >&2; exit 3"
    spec = LaunchSpec(["bash", "-c", script], cwd=str(tmp_path), env={"MY_SECRET": "s3cr3t"})
    executor = executor_for(
        rest, tmp_path, slurm_time="00:05:00", slurm_extra_args=["--comment=server-wide"]
    )

    async def run() -> tuple[Any, ...]:
        await executor.start()
        try:
            record = job_record("rest-a", priority=-5, requested_gpus=2, gpus=[0, 1])
            submitted = await executor.submit("rest-a", spec, [0, 1], job=record)
            shown = scontrol_job(rest.cluster, submitted.external_id or "")
            ended = asyncio.Event()
            executor.watch(with_pid(record, submitted.pid), ended.set, own_child=True)
            await asyncio.wait_for(ended.wait(), 20)
            code = await executor.exit_code("rest-a")
            return submitted, shown, code, executor.engine_job("rest-a")
        finally:
            await executor.close()

    submitted, shown, code, state = asyncio.run(run())
    log = executor.log_path("rest-a").read_text()
    assert submitted.external_id
    assert submitted.external_id.isdigit()
    assert code == 3
    assert state.node == rest.cluster.host
    assert "SECRET=s3cr3t" in log  # the job's env, from its 0600 file
    assert "JOB=rest-a" in log
    assert "oops" in log  # stderr in the same log
    assert "s3cr3t" not in shown  # nothing secret reached Slurm's record of the job
    assert "Nice=5" in shown
    assert "JobName=forgather-rest-a" in shown
    assert "TimeLimit=00:05:00" in shown
    assert "Comment=server-wide" in shown
    assert "gres:gpu:2" in shown or "gpu:2" in shown
    token = Path(executor.token_path).read_text().strip().split("=", 1)[1]
    assert token not in shown
    assert token not in log
    env_file = tmp_path / "state" / "jobs" / "rest-a" / "slurm.env"
    assert stat.S_IMODE(env_file.stat().st_mode) == 0o600


def test_pending_reason_then_cancel_verified_through_slurmrestd(
    rest: SlurmRest, tmp_path: Path
) -> None:
    held = blocker(rest.cluster)
    spec = LaunchSpec(["bash", "-c", "echo started; exec sleep 30"])
    executor = executor_for(rest, tmp_path)

    async def run() -> dict[str, Any]:
        await executor.start()
        seen: dict[str, Any] = {}
        try:
            record = job_record("rest-b")
            submitted = await executor.submit("rest-b", spec, [0], job=record)
            record = with_pid(record, submitted.pid)
            ended = asyncio.Event()
            executor.watch(record, ended.set, own_child=True)

            async def pending() -> bool:
                state = executor.engine_job("rest-b")
                return state is not None and "Resources" in (state.reason or "")

            await until(pending)
            seen["pending"] = annotate_engine(executor, [record])[0]
            other = job_record("rest-c")
            sub_c = await executor.submit("rest-c", spec, [0], job=other)
            other = with_pid(other, sub_c.pid)
            await until(lambda: _phase(executor, "rest-c", "pending"))
            seen["cancel_pending"] = await executor.signal(other, force=False)
            async with asyncio.timeout(10):
                await executor.wait_gone(other)
            seen["c_state"] = squeue_state(rest.cluster, sub_c.external_id or "")
            rest.cluster.run("scancel", held)
            await until(lambda: _phase(executor, "rest-b", "running"))

            async def started() -> bool:
                return "started" in executor.log_path("rest-b").read_text()

            await until(started)
            seen["signal"] = await executor.signal(record, force=False)
            async with asyncio.timeout(10):
                await executor.wait_gone(record)
            await asyncio.wait_for(ended.wait(), 10)
            seen["code"] = await executor.exit_code("rest-b")
            seen["b_state"] = squeue_state(rest.cluster, submitted.external_id or "")
            return seen
        finally:
            await executor.close()

    try:
        seen = asyncio.run(run())
    finally:
        rest.cluster.run("scancel", held)
    assert seen["pending"].pending_reason.startswith("Slurm: Resources")
    assert seen["pending"].executor == "slurm"
    assert seen["cancel_pending"] == "CANCEL"
    assert seen["c_state"] in (None, "CANCELLED")
    assert seen["signal"] == "SIGTERM"
    assert seen["code"] == -15  # the wrapper outlived Slurm's TERM and recorded it
    assert seen["b_state"] not in ("RUNNING", "PENDING", "COMPLETING")


def test_a_restarted_executor_reattaches_through_slurmrestd(
    rest: SlurmRest, tmp_path: Path
) -> None:
    async def first() -> tuple[Any, str]:
        executor = executor_for(rest, tmp_path)
        await executor.start()
        try:
            submitted = await executor.submit("rest-d", LaunchSpec(["sleep", "30"]), [0])
            await until(lambda: _phase(executor, "rest-d", "running"))
            return with_pid(job_record("rest-d"), submitted.pid), submitted.external_id or ""
        finally:
            await executor.close()

    async def second(record: Any) -> tuple[Any, ...]:
        executor = executor_for(rest, tmp_path)
        (tmp_path / "state" / "jobs" / "rest-d" / "engine.json").unlink()  # found by name
        await executor.start()
        try:
            found = await executor.find(record.model_copy(update={"pid": None}))
            alive = await executor.is_alive(record)
            ended = asyncio.Event()
            executor.watch(record, ended.set, own_child=False)
            sent = await executor.signal(record, force=True)
            await asyncio.wait_for(ended.wait(), 15)
            return found, alive, sent, await executor.exit_code("rest-d")
        finally:
            await executor.close()

    record, slurm_id = asyncio.run(first())
    assert squeue_state(rest.cluster, slurm_id) == "RUNNING"
    found, alive, sent, code = asyncio.run(second(record))
    assert found is not None
    assert found.external_id == slurm_id
    assert alive
    assert sent == "SIGKILL"
    assert code in (-9, -15)  # Slurm's cancel: TERM, KILL after KillWait
    assert squeue_state(rest.cluster, slurm_id) not in ("RUNNING", "PENDING", "COMPLETING")


def test_the_pool_through_slurmrestd(rest: SlurmRest, tmp_path: Path) -> None:
    executor = executor_for(rest, tmp_path)
    idle = executor.refresh_pool()
    held = blocker(rest.cluster)
    try:
        executor._pool_at = 0.0
        busy = executor.refresh_pool()
    finally:
        rest.cluster.run("scancel", held)
    assert [(n.name, n.gpus) for n in idle or []] == [(rest.cluster.host, 4)]
    assert busy is not None
    assert busy[0].gpus_used == 4
    wrong = executor_for(rest, tmp_path, slurm_partition="nope")
    assert wrong.refresh_pool() == []


def test_refusals_are_clear_and_lose_no_job(
    rest: SlurmRest, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    executor = executor_for(rest, tmp_path)
    executor.token_path.chmod(0o644)
    with pytest.raises(OSError, match=r"open to group or others \(mode 0644\): chmod 600"):
        asyncio.run(executor.squeue())
    executor.token_path.chmod(0o640)

    async def start() -> None:
        await executor.start()
        await executor.close()

    with caplog.at_level("WARNING", logger="forgather_lab.executors"):
        asyncio.run(start())  # said at start, in the server's log
    assert "(mode 0640): chmod 600 it" in caplog.text
    assert executor.pool() == []  # nothing read with it
    executor.token_path.chmod(0o600)
    executor.token_path.write_text("not-a-token")
    with pytest.raises(OSError, match=r"GET /jobs: .*token in slurm_rest_token_file valid"):
        asyncio.run(executor.squeue())
    executor.token_path.write_text("")
    with pytest.raises(OSError, match="is empty"):
        asyncio.run(executor.squeue())
    with pytest.raises(ValueError, match="slurm_rest_token_file"):
        executor_for(rest, tmp_path, slurm_rest_token_file="")
    with pytest.raises(ValueError, match="--output cannot be sent through slurmrestd"):
        executor_for(rest, tmp_path, slurm_extra_args=["--output=/tmp/x"])
    bad = CreateJob(
        job_type="command",
        job_params={"argv": ["true"]},
        executor_params={"extra_args": "--gpus-per-task=1"},
    )
    with pytest.raises(BadRequest, match="cannot be sent through slurmrestd"):
        asyncio.run(executor.check_request(bad))

    # slurmrestd away: the poll fails clearly and the job is still known when it is back.
    (tmp_path / "b").mkdir()
    good = executor_for(rest, tmp_path / "b")

    async def run() -> tuple[Any, ...]:
        good.url = "http://127.0.0.1:9"  # nothing listens there
        try:
            await good.submit("rest-f", LaunchSpec(["true"]), [0])
        except OSError as e:
            refused = str(e)
        else:
            refused = ""
        good.url = rest.url
        nowhere = job_record("rest-h", params={"executor_params": {"partition": "nope"}})
        try:
            await good.submit("rest-h", LaunchSpec(["true"]), [0], job=nowhere)
        except OSError as e:
            no_partition = str(e)
        else:
            no_partition = ""
        submitted = await good.submit("rest-e", LaunchSpec(["sleep", "30"]), [0])
        good.url = "http://127.0.0.1:9"
        try:
            await good.poll()
        except OSError as e:
            away = str(e)
        else:
            away = ""
        kept = good.engine_job("rest-e")
        good.url = rest.url
        await until(lambda: _phase(good, "rest-e", "running"))
        await good.signal(with_pid(job_record("rest-e"), submitted.pid), force=True)
        return refused, no_partition, away, kept

    refused, no_partition, away, kept = asyncio.run(run())
    assert "slurmrestd POST /job/submit" in no_partition
    assert "partition" in no_partition.lower()  # Slurm's own word on it
    assert "slurmrestd at http://127.0.0.1:9 is unreachable" in refused
    assert "slurmrestd at http://127.0.0.1:9 is unreachable" in away
    assert kept is not None
    assert kept.phase == "pending"  # as last seen, not lost


def test_a_submission_whose_answer_is_lost_is_found_by_name(
    rest: SlurmRest, tmp_path: Path
) -> None:
    """slurmrestd took the job but its answer never came: the job is ours, not a failure."""
    executor = executor_for(rest, tmp_path)
    upstream_port = rest.port

    async def run() -> tuple[Any, ...]:
        dropped: list[bytes] = []

        async def relay(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            up_r, up_w = await asyncio.open_connection("127.0.0.1", upstream_port)
            request = await reader.readuntil(b"\r\n\r\n")
            length = [h for h in request.split(b"\r\n") if h.lower().startswith(b"content-length")]
            body = await reader.readexactly(int(length[0].split(b":")[1])) if length else b""
            up_w.write(request + body)
            await up_w.drain()
            answer = await up_r.read(65536)
            up_w.close()
            if request.startswith(b"POST") and not dropped:
                dropped.append(answer)  # Slurm took it; the client never hears so
            else:
                writer.write(answer)
                await writer.drain()
            writer.close()

        server = await asyncio.start_server(relay, "127.0.0.1", 0)
        executor.url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
        try:
            submitted = await executor.submit("rest-g", LaunchSpec(["sleep", "30"]), [0])
            executor.url = rest.url
            await until(lambda: _phase(executor, "rest-g", "running"))
            await executor.signal(with_pid(job_record("rest-g"), submitted.pid), force=True)
            return submitted, dropped
        finally:
            server.close()

    submitted, dropped = asyncio.run(run())
    assert dropped
    assert b'"job_id"' in dropped[0]
    assert submitted.external_id
    assert f'"job_id": {submitted.external_id}'.encode() in dropped[0].replace(b"\t", b" ")


def test_slurm_time_and_extra_args_as_job_properties() -> None:
    assert time_minutes("90") == 90
    assert time_minutes("00:05:00") == 5
    assert time_minutes("1:30") == 2  # minutes:seconds, rounded up
    assert time_minutes("1-02") == 26 * 60
    assert time_minutes("2-00:00:30") == 2 * 1440 + 1
    with pytest.raises(ValueError, match="not a Slurm time"):
        time_minutes("soon")
    assert extra_properties(["--comment", "a b", "--mem=4000", "--exclusive"]) == {
        "comment": "a b",
        "memory_per_node": 4000,
        "exclusive": "true",
    }
    with pytest.raises(ValueError, match="a number is needed"):
        extra_properties(["--mem=4G"])


def test_the_runtime_runs_a_job_through_slurmrestd(rest: SlurmRest, tmp_path: Path) -> None:
    settings = ForgatherLabSettings(
        state_dir=str(tmp_path / "runtime-state"),
        executor="slurm",
        slurm_rest_url=rest.url,
        slurm_rest_token_file=str(token_file(rest, tmp_path)),
        slurm_rest_user=rest.user,
        engine_poll_interval=POLL,
        seed_examples=False,
    )

    async def run() -> tuple[Any, ...]:
        runtime = Runtime(settings, root_dir=tmp_path)
        await runtime.start(server_url="http://127.0.0.1:1/")
        try:
            assert isinstance(runtime.executor, SlurmRestExecutor)
            pool = await runtime.gpus.describe_pool()
            request = CreateJob(
                job_type="command",
                job_params={"argv": [sys.executable, "-c", "print('hello from slurmrestd')"]},
                requested_gpus=1,
            )
            queued = await runtime.jobs.enqueue(request)
            return pool, await job_until(runtime, queued.id, {"done", "failed"})
        finally:
            await runtime.stop()

    pool, done = asyncio.run(run())
    assert pool.backend == "slurm"
    assert len(pool.gpus) == 4
    assert done.status == "done", done
    assert done.executor == "slurm"
    assert done.external_id
    assert "hello from slurmrestd" in Path(done.log_path or "").read_text()


def test_settings_refuse_a_url_with_credentials() -> None:
    from traitlets import TraitError

    with pytest.raises(TraitError, match="no credentials"):
        ForgatherLabSettings(slurm_rest_url="http://user:tok@127.0.0.1:6820")
    with pytest.raises(TraitError, match="http"):
        ForgatherLabSettings(slurm_rest_url="unix:/run/slurmrestd.sock")
