"""Scheduling, the jobs side, with jobs that run: retries, attempts, failures, dependencies.

Real processes on simulated GPUs through a real Jupyter server.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from jobs_helpers import command, wait_for

from forgather_lab.jobs.service import PlannedEnd

SLEEP = "import time; time.sleep(60)"

# Fails on its first two runs, succeeds on the third; says what it was told each time.
FLAKY = """\
import os, pathlib, sys
counter = pathlib.Path(sys.argv[1])
runs = int(counter.read_text()) + 1 if counter.exists() else 1
counter.write_text(str(runs))
attempt = os.environ.get("FORGATHER_LAB_ATTEMPT")
resume = os.environ.get("FORGATHER_LAB_RESUME")
print(f"run={runs} attempt={attempt} resume={resume}", flush=True)
sys.exit(0 if runs >= 3 else 1)
"""


def flaky(counter: Path, **fields: Any) -> dict[str, Any]:
    body = command(FLAKY, **fields.pop("params", {}))
    body["job_params"]["argv"].append(str(counter))
    return {**body, **fields}


async def history(api: Any, job_id: str) -> list[dict[str, Any]]:
    status, reply = await api("jobs", job_id, "history")
    assert status == 200, reply
    return list(reply["transitions"])


async def test_a_failing_job_is_retried_with_the_same_id_until_it_succeeds(
    api: Any, tmp_path: Path
) -> None:
    counter = tmp_path / "runs"
    _, job = await api("queue", method="POST", json_body=flaky(counter, max_retries=2))
    done = await wait_for(api, job["id"], {"done", "failed"}, timeout=30)
    assert done["status"] == "done", done
    assert done["attempt"] == 3
    assert done["error"] is None
    assert counter.read_text() == "3"
    _, log = await api("jobs", job["id"], "tty")
    # Every attempt is told which one it is; every one after the first to resume.
    assert "run=1 attempt=1 resume=None" in log
    assert "run=2 attempt=2 resume=1" in log
    assert "run=3 attempt=3 resume=1" in log
    assert "--- forgather-lab: attempt 2 (retry 1 of 2 after: exited with code 1) ---" in log
    steps = [(t["status"], t["attempt"]) for t in await history(api, job["id"])]
    assert steps == [
        ("queued", 1),
        ("starting", 1),
        ("running", 1),
        ("queued", 2),
        ("starting", 2),
        ("running", 2),
        ("queued", 3),
        ("starting", 3),
        ("running", 3),
        ("done", 3),
    ]
    reasons = [t["reason"] for t in await history(api, job["id"]) if t["status"] == "queued"]
    assert reasons[1:] == [
        "retry 1 of 2 after: exited with code 1",
        "retry 2 of 2 after: exited with code 1",
    ]


async def test_a_job_out_of_retries_fails_with_its_last_error(api: Any, tmp_path: Path) -> None:
    counter = tmp_path / "runs"
    _, job = await api("queue", method="POST", json_body=flaky(counter, max_retries=1))
    failed = await wait_for(api, job["id"], {"done", "failed"}, timeout=30)
    assert failed["status"] == "failed"
    assert (failed["attempt"], failed["exit_code"]) == (2, 1)
    assert failed["error"] == "exited with code 1"
    assert counter.read_text() == "2"


async def test_without_retries_a_failure_is_final(api: Any) -> None:
    _, job = await api("queue", method="POST", json_body=command("raise SystemExit(4)"))
    failed = await wait_for(api, job["id"], {"failed"})
    assert (failed["attempt"], failed["error"]) == (1, "exited with code 4")
    _, log = await api("jobs", job["id"], "tty")
    assert "forgather-lab: attempt" not in (log or "")


async def test_a_job_stopped_by_the_user_is_not_retried(api: Any) -> None:
    _, job = await api("queue", method="POST", json_body={**command(SLEEP), "max_retries": 3})
    await wait_for(api, job["id"], {"running"})
    status, killed = await api("jobs", job["id"], "control", "kill", method="POST")
    assert status == 200, killed
    ended = await wait_for(api, job["id"], {"aborted", "failed", "done"})
    assert (ended["status"], ended["attempt"]) == ("aborted", 1)
    await asyncio.sleep(0.3)  # no requeue comes later either
    assert (await api("jobs", job["id"]))[1]["status"] == "aborted"


async def test_a_missing_module_is_named_in_the_error(api: Any) -> None:
    code = "raise ModuleNotFoundError(\"No module named 'tensorboard'\")"
    _, job = await api("queue", method="POST", json_body=command(code))
    failed = await wait_for(api, job["id"], {"failed"})
    assert failed["error"] == (
        "exited with code 1: the job needs the Python module 'tensorboard', which is not "
        "installed: pip install 'forgather-lab[tensorboard]'"
    )


async def test_the_first_attempt_is_told_its_number_and_not_to_resume(api: Any) -> None:
    code = (
        "import os; e = os.environ; print(e['FORGATHER_LAB_ATTEMPT'], 'FORGATHER_LAB_RESUME' in e)"
    )
    _, job = await api("queue", method="POST", json_body=command(code))
    await wait_for(api, job["id"], {"done"})
    _, log = await api("jobs", job["id"], "tty")
    assert log.strip() == "1 False"


async def test_a_dependency_chain_runs_in_order(api: Any, tmp_path: Path) -> None:
    trace = tmp_path / "trace"
    step = "import sys, time; time.sleep(0.3); open(sys.argv[1], 'a').write(sys.argv[2])"

    def link(name: str, after: list[str]) -> dict[str, Any]:
        body = command(step)
        body["job_params"]["argv"] += [str(trace), name]
        return {**body, "name": name, "depends_on": after}

    _, c_first = await api("queue", method="POST", json_body=link("a", []))
    _, b = await api("queue", method="POST", json_body=link("b", [c_first["id"]]))
    _, c = await api("queue", method="POST", json_body=link("c", [b["id"]]))
    last = await wait_for(api, c["id"], {"done", "failed", "cancelled"}, timeout=30)
    assert last["status"] == "done", last
    assert trace.read_text() == "abc"
    a_done, b_done = (await api("jobs", c_first["id"]))[1], (await api("jobs", b["id"]))[1]
    assert a_done["ended_at"] <= b_done["started_at"]
    assert b_done["ended_at"] <= last["started_at"]


async def test_a_failed_dependency_cancels_the_dependent_naming_it(api: Any) -> None:
    _, first = await api(
        "queue",
        method="POST",
        json_body=command("import time; time.sleep(0.5); raise SystemExit(2)"),
    )
    _, second = await api(
        "queue", method="POST", json_body={**command("print('never')"), "depends_on": [first["id"]]}
    )
    cancelled = await wait_for(api, second["id"], {"cancelled", "done", "failed"}, timeout=20)
    assert cancelled["status"] == "cancelled", cancelled
    assert first["id"] in cancelled["error"]
    assert cancelled["started_at"] is None
    steps = [(t["status"], t["reason"]) for t in await history(api, second["id"])]
    assert steps[-1] == ("cancelled", cancelled["error"])


async def test_a_planned_end_overrides_the_exit_status(
    api: Any, jp_serverapp: Any, tmp_path: Path
) -> None:
    """The hook preemption and time limits use: how a stop by the server is recorded."""
    jobs = jp_serverapp.web_app.settings["forgather_runtime"].jobs
    body = {**command(SLEEP), "max_retries": 1}
    _, job = await api("queue", method="POST", json_body=body)
    await wait_for(api, job["id"], {"running"})
    # Preempted: back on the queue, same id, next attempt, no retry spent.
    jobs.plan_end(job["id"], PlannedEnd("preempted for job x", requeue=True))
    await api("jobs", job["id"], "control", "kill", method="POST")
    again = await wait_attempt(api, job["id"], 2, "running")
    assert again["id"] == job["id"]
    # A time limit: a failure, so the retry left is spent on it.
    jobs.plan_end(job["id"], PlannedEnd("time limit of 60s reached"))
    await api("jobs", job["id"], "control", "kill", method="POST")
    third = await wait_attempt(api, job["id"], 3, "running")
    jobs.plan_end(job["id"], PlannedEnd("time limit of 60s reached"))
    await api("jobs", job["id"], "control", "kill", method="POST")
    failed = await wait_for(api, job["id"], {"failed"})
    assert (failed["attempt"], failed["error"]) == (3, "time limit of 60s reached")
    assert third["pid"] != again["pid"]
    queued = [(t["attempt"], t["reason"]) for t in await history(api, job["id"])]
    assert (2, "preempted for job x") in queued
    assert (3, "retry 1 of 1 after: time limit of 60s reached") in queued


async def wait_attempt(api: Any, job_id: str, attempt: int, status: str) -> dict[str, Any]:
    for _ in range(400):
        _, job = await api("jobs", job_id)
        if (job["attempt"], job["status"]) == (attempt, status):
            return dict(job)
        await asyncio.sleep(0.05)
    raise AssertionError(f"job {job_id} never reached attempt {attempt} {status}: {job}")
