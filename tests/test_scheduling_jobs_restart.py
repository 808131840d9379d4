"""Scheduling state survives ``kill -9`` of the server: attempts, retries, dependencies, history.

A real server process (``server_process.py``) with simulated GPUs, killed
with SIGKILL and started again on the same state directory.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from server_process import ServerProcess

pytestmark = pytest.mark.timeout(180)

# First run: fails (after ``sys.argv[2]`` seconds); later runs: sleep ``sys.argv[3]`` seconds.
SECOND_TIME_LUCKY = """\
import pathlib, sys, time
counter = pathlib.Path(sys.argv[1])
first = not counter.exists()
counter.write_text("ran")
time.sleep(float(sys.argv[2] if first else sys.argv[3]))
sys.exit(1 if first else 0)
"""


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    srv = ServerProcess(tmp_path)
    yield srv
    srv.stop()
    srv.kill_jobs()


def command(code: str, *args: str, **fields: Any) -> dict[str, Any]:
    argv = [sys.executable, "-c", code, *args]
    return {"job_type": "command", "job_params": {"argv": argv}, **fields}


def lucky(counter: Path, fail_after: float, then_sleep: float, **fields: Any) -> dict[str, Any]:
    return command(SECOND_TIME_LUCKY, str(counter), str(fail_after), str(then_sleep), **fields)


def transitions(server: ServerProcess, job_id: str) -> list[tuple[str, int, str | None]]:
    reply = server.get("jobs", job_id, "history")
    assert reply.status_code == 200, reply.text
    return [(t["status"], t["attempt"], t["reason"]) for t in reply.json()["transitions"]]


def wait_attempt(server: ServerProcess, job_id: str, attempt: int, status: str) -> dict[str, Any]:
    deadline = time.monotonic() + 30
    job: dict[str, Any] = {}
    while time.monotonic() < deadline:
        job = server.get("jobs", job_id).json()
        if (job["attempt"], job["status"]) == (attempt, status):
            return job
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} never reached attempt {attempt} {status}: {job}")


def test_attempts_dependencies_and_history_survive_kill_9(
    server: ServerProcess, tmp_path: Path
) -> None:
    server.start()
    retried = server.post(
        "queue", json=lucky(tmp_path / "retried", 0, 120, max_retries=2, requested_gpus=1)
    ).json()
    running = wait_attempt(server, retried["id"], 2, "running")
    blocker = server.post("queue", json=command("import time; time.sleep(120)")).json()
    server.wait_job(blocker["id"], {"running"})
    waiting = server.post(
        "queue", json=command("print('after')", depends_on=[blocker["id"]], name="waiting")
    ).json()
    before = {j: transitions(server, j) for j in (retried["id"], waiting["id"])}

    server.kill9()
    server.start()

    after = server.get("jobs", retried["id"]).json()
    assert (after["status"], after["attempt"], after["pid"]) == ("running", 2, running["pid"])
    assert after["max_retries"] == 2
    assert transitions(server, retried["id"]) == before[retried["id"]]
    assert ("queued", 2, "retry 1 of 2 after: exited with code 1") in before[retried["id"]]
    still = server.get("jobs", waiting["id"]).json()
    assert (still["status"], still["depends_on"]) == ("queued", [blocker["id"]])
    assert transitions(server, waiting["id"]) == before[waiting["id"]]

    # The dependency still gates after the restart: it starts only once the blocker is done.
    time.sleep(0.5)
    assert server.get("jobs", waiting["id"]).json()["status"] == "queued"
    server.post("jobs", blocker["id"], "control", "kill")  # aborted, not done
    cancelled = server.wait_job(waiting["id"], {"cancelled", "done"})
    assert cancelled["status"] == "cancelled"
    assert blocker["id"] in cancelled["error"]
    server.post("jobs", retried["id"], "control", "kill")
    server.wait_job(retried["id"], {"aborted"})


def test_a_job_that_fails_while_the_server_is_down_is_retried_at_restart(
    server: ServerProcess, tmp_path: Path
) -> None:
    server.start()
    job = server.post("queue", json=lucky(tmp_path / "down", 1.5, 0, max_retries=1)).json()
    server.wait_job(job["id"], {"running"})
    server.kill9()
    time.sleep(2.5)  # its first attempt fails while no server watches it

    server.start()
    done = server.wait_job(job["id"], {"done", "failed"})
    assert (done["status"], done["attempt"]) == ("done", 2)
    steps = transitions(server, job["id"])
    assert ("queued", 2, "retry 1 of 1 after: exited with code 1") in steps
    assert steps[-1] == ("done", 2, None)
    # The second attempt's status is its own, not the first one's exit file read again.
    assert done["exit_code"] == 0
