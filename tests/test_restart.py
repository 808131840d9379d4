"""Restarts and ``kill -9`` of a real server process: jobs survive, nothing is lost."""

from __future__ import annotations

import os
import signal
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from server_process import ServerProcess


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    srv = ServerProcess(tmp_path)
    yield srv
    srv.stop()
    srv.kill_jobs()  # leave no job behind, whatever the test did


def command(code: str, **extra: object) -> dict[str, object]:
    return {"job_type": "command", "job_params": {"argv": [sys.executable, "-c", code]}, **extra}


TICKER = (
    "import time\nfor i in range(600):\n    print(f'tick {i}', flush=True)\n    time.sleep(0.05)"
)


@pytest.mark.timeout(180)
def test_restart_reattaches_running_jobs_and_settles_the_rest(server: ServerProcess) -> None:
    server.start()
    long = server.post("queue", json=command(TICKER, requested_gpus=1)).json()
    short = server.post("queue", json=command("import time; time.sleep(1.5); print('bye')")).json()
    doomed = server.post("queue", json=command("import time; time.sleep(60)")).json()
    running = {j["id"]: server.wait_job(j["id"], {"running"}) for j in (long, short, doomed)}

    server.kill9()
    time.sleep(2.5)  # `short` ends while no server watches it
    os.killpg(running[doomed["id"]]["pid"], signal.SIGKILL)  # and this one dies hard
    log_file = server.state / "jobs" / long["id"] / "output.log"
    size_before = log_file.stat().st_size

    server.start()
    after = server.get("jobs", long["id"]).json()
    assert after["status"] == "running"
    assert after["pid"] == running[long["id"]]["pid"]
    done = server.get("jobs", short["id"]).json()
    assert (done["status"], done["exit_code"]) == ("done", 0)
    gone = server.get("jobs", doomed["id"]).json()
    assert gone["status"] == "failed"
    assert "left no exit status" in gone["error"]
    # The log kept growing, and the re-attached job still holds its GPU.
    time.sleep(0.5)
    assert len(server_log(server, long["id"]).encode()) > size_before
    gpus = server.get("gpus").json()["gpus"]
    assert gpus[after["gpus"][0]]["reserved_by"] == long["id"]
    # Controls work on a re-attached job, and its end is noticed without a parent.
    result = server.post("jobs", long["id"], "control", "kill").json()
    assert result["exited"] is True
    assert result["job"]["status"] == "aborted"


def server_log(server: ServerProcess, job_id: str) -> str:
    return server.get("jobs", job_id, "tty", params={"max_bytes": 10_000_000}).text


@pytest.mark.timeout(180)
def test_kill9_between_enqueue_and_dispatch_loses_nothing_runs_nothing_twice(
    server: ServerProcess, tmp_path: Path
) -> None:
    marker = tmp_path / "ran.txt"
    server.start("--ForgatherLab.scheduler_enabled=False")
    acknowledged = []
    for i in range(20):
        code = f"open({str(marker)!r}, 'a').write('{i}\\n')"
        reply = server.post("queue", json=command(code, name=f"n{i}"))
        assert reply.status_code == 201
        acknowledged.append(reply.json()["id"])
    server.kill9()

    server.start()
    for job_id in acknowledged:
        assert server.wait_job(job_id, {"done", "failed"})["status"] == "done"
    lines = marker.read_text().split()
    assert sorted(lines, key=int) == [str(i) for i in range(20)]  # each exactly once
    listed = server.get("jobs", params={"limit": 1000}).json()
    assert sorted(j["id"] for j in listed["jobs"]) == sorted(acknowledged)


@pytest.mark.timeout(120)
def test_scheduler_pause_survives_a_restart(server: ServerProcess) -> None:
    server.start()
    assert server.post("queue", "scheduler", json={"enabled": False}).status_code == 200
    server.stop()
    server.start()
    assert server.get("queue", "scheduler").json()["enabled"] is False
    job = server.post("queue", json=command("print(1)")).json()
    time.sleep(0.5)
    assert server.get("jobs", job["id"]).json()["status"] == "queued"
