"""Job lifecycle with real child processes on simulated GPUs."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

import psutil
import pytest
from jobs_helpers import command, wait_for


@pytest.fixture
def forgather_config(state_dir: Path) -> dict[str, Any]:
    # A short SIGTERM grace keeps the SIGTERM-ignoring test quick.
    return {
        "state_dir": str(state_dir),
        "gpu_backend": "simulated",
        "simulated_gpus": 4,
        "kill_timeout": 3.0,
    }


async def test_command_job_runs_to_done_with_its_output(api: Any) -> None:
    status, job = await api(
        "queue", method="POST", json_body=command("print('hello from the job')", name="hello")
    )
    assert status == 201
    assert job["status"] == "queued"
    assert job["name"] == "hello"
    for field in (
        "id",
        "job_type",
        "priority",
        "requested_gpus",
        "gpus",
        "pid",
        "exit_code",
        "error",
        "created_at",
        "started_at",
        "ended_at",
    ):
        assert field in job
    done = await wait_for(api, job["id"], {"done", "failed"})
    assert done["status"] == "done", done
    assert done["exit_code"] == 0
    assert done["started_at"] >= done["created_at"]
    assert done["ended_at"] >= done["started_at"]
    status, text = await api("jobs", job["id"], "tty")
    assert status == 200
    assert "hello from the job" in text


async def test_failing_job_records_exit_code_and_reason(api: Any) -> None:
    _, job = await api("queue", method="POST", json_body=command("import sys; sys.exit(3)"))
    done = await wait_for(api, job["id"], {"done", "failed"})
    assert done["status"] == "failed"
    assert done["exit_code"] == 3
    assert "code 3" in done["error"]


async def test_missing_executable_fails_clearly(api: Any) -> None:
    body = {"job_type": "command", "job_params": {"argv": ["/no/such/program"]}}
    _, job = await api("queue", method="POST", json_body=body)
    done = await wait_for(api, job["id"], {"done", "failed"})
    assert done["status"] == "failed"
    assert done["exit_code"] == 127
    _, text = await api("jobs", job["id"], "tty")
    assert "/no/such/program" in text


async def test_env_cwd_and_cuda_visible_devices(api: Any, tmp_path: Path) -> None:
    code = (
        "import os; print('CVD=' + os.environ['CUDA_VISIBLE_DEVICES']); "
        "print('CWD=' + os.getcwd()); print('X=' + os.environ['X']); "
        "print('TOKEN_IN_ENV=' + str('FORGATHER_LAB_TOKEN' in os.environ)); "
        "print('MODE=' + oct(os.stat(os.environ['FORGATHER_LAB_TOKEN_FILE']).st_mode & 0o777))"
    )
    _, job = await api(
        "queue", method="POST", json_body=command(code, gpus=2, cwd=str(tmp_path), env={"X": "42"})
    )
    done = await wait_for(api, job["id"], {"done", "failed"})
    assert done["status"] == "done", done
    assert len(done["gpus"]) == 2
    _, text = await api("jobs", job["id"], "tty")
    assert f"CVD={done['gpus'][0]},{done['gpus'][1]}" in text
    assert f"CWD={tmp_path}" in text
    assert "X=42" in text
    assert "TOKEN_IN_ENV=False" in text
    assert "MODE=0o600" in text


async def test_job_runs_in_its_own_session(api: Any) -> None:
    _, job = await api("queue", method="POST", json_body=command("import time; time.sleep(30)"))
    running = await wait_for(api, job["id"], {"running"})
    pid = running["pid"]
    assert os.getsid(pid) == pid  # session leader: survives the server, killable as a group
    assert psutil.Process(pid).create_time() == running["pid_create_time"]
    status, result = await api("jobs", job["id"], "control", "kill", method="POST")
    assert status == 200, result
    assert result["signal"] == "SIGTERM"
    assert result["exited"] is True
    assert result["job"]["status"] == "aborted"


async def test_kill_of_a_job_ignoring_sigterm_reports_it_then_force_kill(api: Any) -> None:
    code = (
        "import signal, time, sys; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
        "print('ready', flush=True); time.sleep(60)"
    )
    _, job = await api("queue", method="POST", json_body=command(code))
    running = await wait_for(api, job["id"], {"running"})
    # Wait for the handler to be installed before signalling (slow on a loaded machine).
    text = ""
    for _ in range(600):
        _, text = await api("jobs", job["id"], "tty")
        text = text or ""  # an empty log is an empty body
        if "ready" in text:
            break
        await asyncio.sleep(0.05)
    assert "ready" in text
    status, result = await api("jobs", job["id"], "control", "kill", method="POST")
    assert status == 200
    assert result["exited"] is False
    assert result["lingering"], result
    assert result["job"]["status"] == "running"
    assert "still alive" in result["job"]["error"]
    status, result = await api("jobs", job["id"], "control", "force-kill", method="POST")
    assert status == 200
    assert result["signal"] == "SIGKILL"
    assert result["exited"] is True
    assert result["job"]["status"] == "aborted"
    assert (
        not psutil.pid_exists(running["pid"])
        or psutil.Process(running["pid"]).status() == psutil.STATUS_ZOMBIE
    )


async def test_cancel_queued_and_abort_running(api: Any) -> None:
    await api("queue", "scheduler", method="POST", json_body={"enabled": False})
    _, queued = await api("queue", method="POST", json_body=command("print(1)"))
    status, listed = await api("queue")
    assert [j["id"] for j in listed["jobs"]] == [queued["id"]]
    status, cancelled = await api("queue", queued["id"], method="DELETE")
    assert status == 200
    assert cancelled["status"] == "cancelled"
    status, again = await api("queue", queued["id"], method="DELETE")
    assert status == 409
    assert "cancelled" in again["message"]
    await api("queue", "scheduler", method="POST", json_body={"enabled": True})
    _, job = await api("queue", method="POST", json_body=command("import time; time.sleep(30)"))
    await wait_for(api, job["id"], {"running"})
    status, aborted = await api("queue", job["id"], method="DELETE")
    assert status == 200
    assert aborted["status"] == "aborted"


async def test_a_job_deleted_while_its_provenance_is_captured_leaves_no_directory(
    api: Any, state_dir: Path, tmp_path: Path
) -> None:
    # A job's own interpreter is asked for its packages: this one answers slowly, so
    # the captures of the jobs that start meanwhile wait in line and run after those
    # jobs ended. The delete waits for its job's; before, a late capture made the
    # deleted job's directory again (seen in CI).
    python = tmp_path / "bin" / "python3"
    python.parent.mkdir()
    python.write_text(
        "#!/bin/sh\n"
        'case "$2" in *metadata*) /bin/sleep 1.5; '
        """echo '{"python": "3.0", "executable": "slow", "packages": []}';; esac\n"""
    )
    python.chmod(0o755)
    body = {"job_type": "command", "job_params": {"argv": [str(python), "-c", "pass"]}}
    _, slow = await api("queue", method="POST", json_body=body)
    await wait_for(api, slow["id"], {"done"})  # its capture has begun, and takes 1.5 s
    _, job = await api("queue", method="POST", json_body=command("pass"))
    await wait_for(api, job["id"], {"done"})
    status, _ = await api("jobs", job["id"], method="DELETE")
    assert status == 204
    job_dir = state_dir / "jobs" / job["id"]
    assert not job_dir.exists()
    await asyncio.sleep(2.0)  # what a capture left running would have written by now
    assert not job_dir.exists()


async def test_delete_cleanup_and_gc(api: Any, state_dir: Path) -> None:
    _, a = await api("queue", method="POST", json_body=command("print('a')"))
    _, b = await api("queue", method="POST", json_body=command("import time; time.sleep(30)"))
    await wait_for(api, a["id"], {"done"})
    await wait_for(api, b["id"], {"running"})
    status, body = await api("jobs", b["id"], method="DELETE")
    assert status == 409
    assert "only finished jobs" in body["message"]
    status, _ = await api("jobs", a["id"], method="DELETE")
    assert status == 204
    assert (await api("jobs", a["id"]))[0] == 404
    assert not (state_dir / "jobs" / a["id"]).exists()
    _, c = await api("queue", method="POST", json_body=command("print('c')"))
    await wait_for(api, c["id"], {"done"})
    status, cleaned = await api("jobs", "cleanup", method="POST")
    assert status == 200
    assert cleaned["removed_ids"] == [c["id"]]
    orphan = state_dir / "jobs" / "deadbeef"
    orphan.mkdir()
    (orphan / "output.log").write_text("left behind")
    status, gc = await api("jobs", "gc", method="POST")
    assert gc["removed_ids"] == ["deadbeef"]
    assert not orphan.exists()
    assert (state_dir / "jobs" / b["id"]).exists()
    await api("jobs", b["id"], "control", "force-kill", method="POST")


async def test_jobs_list_filters_and_pages(api: Any) -> None:
    ids = []
    for i in range(5):
        _, job = await api("queue", method="POST", json_body=command(f"print({i})"))
        ids.append(job["id"])
    for job_id in ids:
        await wait_for(api, job_id, {"done"})
    status, page = await api("jobs", params={"status": "done", "limit": 2, "offset": 1})
    assert status == 200
    assert page["total"] == 5
    assert [j["id"] for j in page["jobs"]] == ids[::-1][1:3]
    status, body = await api("jobs", params={"status": "finished"})
    assert status == 400
    assert "finished" in body["message"]
