"""Time limits with real processes: save-stop first when the job has a reporter, then kill."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from jobs_helpers import wait_for
from server_process import ServerProcess
from stop_helpers import reasons, sleeper_job, trainer_job, until

from forgather_lab.control.limits import describe_limit


@pytest.fixture
def forgather_config(state_dir: Path) -> dict[str, Any]:
    return {
        "state_dir": str(state_dir),
        "gpu_backend": "simulated",
        "simulated_gpus": 4,
        "kill_timeout": 2.0,
        "stop_grace": 2.0,
    }


async def test_a_reporting_job_past_its_limit_saves_stops_and_fails(
    api: Any, tmp_path: Path
) -> None:
    ckpt = tmp_path / "ckpt"
    _, job = await api("queue", method="POST", json_body=trainer_job(ckpt, time_limit=2))
    assert job["time_limit"] == 2
    ended = await wait_for(api, job["id"], {"done", "failed", "aborted"}, timeout=30)
    assert ended["status"] == "failed", ended
    assert ended["error"] == "time limit of 2s reached: saved and stopped"
    assert ended["exit_code"] == 0  # it stopped itself; the limit decides the status
    assert ended["ended_at"] - ended["started_at"] >= 2
    assert ended["ended_at"] - ended["started_at"] < 2 + 2 + 3  # well before any kill
    assert int(ckpt.read_text()) > 0
    _, log = await api("jobs", job["id"], "tty")
    assert "saved at step" in log
    _, trainer = await api("jobs", job["id"], "status")
    sent = [c for c in trainer["commands"] if c["command"] == "save-stop"]
    assert len(sent) == 1
    assert sent[0]["acknowledged_at"] is not None
    _, history = await api("jobs", job["id"], "history")
    assert "stopping: time limit of 2s reached" in reasons(history, "running")
    assert reasons(history)[-1] == ended["error"]


async def test_a_job_without_reporter_is_killed_at_its_limit(api: Any) -> None:
    _, job = await api("queue", method="POST", json_body=sleeper_job(time_limit=1.5))
    ended = await wait_for(api, job["id"], {"done", "failed", "aborted"}, timeout=30)
    assert ended["status"] == "failed", ended
    assert ended["error"] == "time limit of 1.5s reached: killed (no reporter to save first)"
    assert 1.5 <= ended["ended_at"] - ended["started_at"] < 1.5 + 4
    _, trainer = await api("jobs", job["id"], "status")
    assert trainer["commands"] == []  # nobody to ask: no command queued


async def test_a_trainer_that_ignores_save_stop_is_killed_after_the_grace_time(
    api: Any, tmp_path: Path
) -> None:
    body = trainer_job(tmp_path / "ckpt", time_limit=1, env={"IGNORE_STOP": "1"})
    _, job = await api("queue", method="POST", json_body=body)
    ended = await wait_for(api, job["id"], {"done", "failed", "aborted"}, timeout=30)
    assert ended["status"] == "failed", ended
    assert ended["error"] == (
        "time limit of 1s reached: killed after 2s grace (it acknowledged but had not exited)"
    )
    assert ended["ended_at"] - ended["started_at"] >= 1 + 2
    _, log = await api("jobs", job["id"], "tty")
    assert "ignoring save-stop" in log


async def test_jobs_within_their_limit_are_untouched(api: Any, tmp_path: Path) -> None:
    body = trainer_job(tmp_path / "ckpt", time_limit=60, env={"MAX_STEPS": "20"})
    _, job = await api("queue", method="POST", json_body=body)
    ended = await wait_for(api, job["id"], {"done", "failed", "aborted"}, timeout=30)
    assert (ended["status"], ended["error"]) == ("done", None)
    _, history = await api("jobs", job["id"], "history")
    assert not [r for r in reasons(history) if "time limit" in r]


async def test_one_sleeper_arms_every_limit(api: Any, jp_serverapp: Any) -> None:
    limits = jp_serverapp.web_app.settings["forgather_runtime"].time_limits
    ids = []
    for seconds in (30, 20, 40):
        _, job = await api("queue", method="POST", json_body=sleeper_job(time_limit=seconds))
        ids.append(job["id"])
    for job_id in ids:
        await wait_for(api, job_id, {"running"})
    armed = await until(
        lambda: _armed(limits, ids), timeout=10
    )  # the deadline is the record's started_at + time_limit
    for job_id, seconds in zip(ids, (30, 20, 40), strict=True):
        _, job = await api("jobs", job_id)
        assert armed[job_id] == pytest.approx(job["started_at"] + seconds)
    assert limits._task is not None
    assert not limits._task.done()
    for job_id in ids:
        await api("queue", job_id, method="DELETE")
        await wait_for(api, job_id, {"aborted"})
    assert all(limits.deadline(i) is None for i in ids)  # disarmed when they ended


async def _armed(limits: Any, ids: list[str]) -> dict[str, float] | None:
    found = {i: limits.deadline(i) for i in ids}
    return found if all(v is not None for v in found.values()) else None


def test_limits_are_described_as_the_user_gave_them() -> None:
    assert describe_limit(30) == "30s"
    assert describe_limit(1.5) == "1.5s"


@pytest.mark.timeout(120)
def test_limits_are_enforced_across_a_kill9_of_the_server(tmp_path: Path) -> None:
    # Without a reporter: the restarted test server listens on a new port, so a
    # trainer could not call back to it (a real server keeps its port).
    server = ServerProcess(tmp_path, "--ForgatherLab.kill_timeout=2")
    try:
        server.start()
        job_id = server.post("queue", json=sleeper_job(time_limit=6)).json()["id"]
        started = server.wait_job(job_id, {"running"})["started_at"]
        server.kill9()
        server.start()  # re-armed from the record: started_at + time_limit
        ended = server.wait_job(job_id, {"done", "failed", "aborted"}, timeout=60)
        assert (ended["status"], ended["error"]) == (
            "failed",
            "time limit of 6s reached: killed (no reporter to save first)",
        )
        assert ended["started_at"] == started
        assert ended["ended_at"] - started >= 6
    finally:
        server.stop()
        server.kill_jobs()
