"""Preemption that checkpoints first, with real processes on simulated GPUs.

Driven directly through the runtime's ``Preemptor`` (what the dispatcher
calls), end to end through the planner (a high-priority job on a full pool
of preemptible ones), and across a ``kill -9`` of the server in the middle of
a preemption. The example char LM trainer resumes from its checkpoint.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psutil
import pytest
from jobs_helpers import wait_for
from server_process import ServerProcess
from stop_helpers import reasons, sleeper_job, trainer_job, until

REASON = "preempted for job test (priority 50)"
EXAMPLE = Path(__file__).parent.parent / "forgather_lab/examples/workspace/tiny_char_lm"


@pytest.fixture
def forgather_config(state_dir: Path) -> dict[str, Any]:
    return {
        "state_dir": str(state_dir),
        "gpu_backend": "simulated",
        "simulated_gpus": 4,
        "kill_timeout": 2.0,
        "stop_grace": 3.0,
    }


def _runtime(jp_serverapp: Any) -> Any:
    return jp_serverapp.web_app.settings["forgather_runtime"]


async def _reporting(api: Any, job_id: str, min_step: int = 5) -> dict[str, Any]:
    async def check() -> dict[str, Any] | None:
        _, trainer = await api("jobs", job_id, "status")
        return trainer if trainer["has_reporter"] and (trainer["step"] or 0) >= min_step else None

    return await until(check)


async def test_a_preempted_trainer_saves_is_requeued_and_resumes(
    api: Any, jp_serverapp: Any, tmp_path: Path
) -> None:
    ckpt = tmp_path / "ckpt"
    body = trainer_job(ckpt, preemptible=True, requested_gpus=1, env={"MAX_STEPS": "150"})
    _, job = await api("queue", method="POST", json_body=body)
    job_id = job["id"]
    await wait_for(api, job_id, {"running"})
    await _reporting(api, job_id)
    preemptor = _runtime(jp_serverapp).preemptor
    await preemptor.preempt(job_id, REASON)
    await preemptor.preempt(job_id, REASON)  # the dispatcher may ask again: nothing more happens
    assert job_id in preemptor.preempting()

    done = await wait_for(api, job_id, {"done", "failed", "aborted", "cancelled"}, timeout=40)
    assert (done["status"], done["attempt"]) == ("done", 2), done
    saved = int(ckpt.read_text())
    _, log = await api("jobs", job_id, "tty")
    starts = [line for line in log.splitlines() if line.startswith("start ")]
    assert starts == ["start attempt=1 resume=0 step=0", f"start attempt=2 resume=1 step={saved}"]
    assert "finished at step 150" in log
    _, history = await api("jobs", job_id, "history")
    assert reasons(history, "running").count(f"stopping to requeue: {REASON}") == 1
    assert reasons(history, "queued") == ["submitted", f"{REASON}: saved and stopped"]
    assert [t["attempt"] for t in history["transitions"] if t["status"] == "running"][-1] == 2
    assert preemptor.preempting() == set()


async def test_a_preempted_job_without_reporter_gets_sigterm_and_runs_again(
    api: Any, jp_serverapp: Any
) -> None:
    code = (
        "import os, signal, sys, time\n"
        "if os.environ.get('FORGATHER_LAB_RESUME') == '1':\n"
        "    print('resumed attempt', os.environ['FORGATHER_LAB_ATTEMPT'], flush=True)\n"
        "    sys.exit(0)\n"
        "def stop(*_):\n"
        "    print('got SIGTERM', flush=True)\n"
        "    sys.exit(0)\n"
        "signal.signal(signal.SIGTERM, stop)\n"
        "print('first attempt', flush=True)\n"
        "time.sleep(120)\n"
    )
    _, job = await api("queue", method="POST", json_body=sleeper_job(code, preemptible=True))
    job_id = job["id"]
    await wait_for(api, job_id, {"running"})

    async def says_first() -> bool:
        return "first attempt" in ((await api("jobs", job_id, "tty"))[1] or "")

    await until(says_first)
    await _runtime(jp_serverapp).preemptor.preempt(job_id, REASON)
    done = await wait_for(api, job_id, {"done", "failed", "aborted"}, timeout=30)
    assert (done["status"], done["attempt"]) == ("done", 2), done
    _, log = await api("jobs", job_id, "tty")
    assert "got SIGTERM" in log
    assert "resumed attempt 2" in log
    _, history = await api("jobs", job_id, "history")
    assert f"{REASON}: no reporter: SIGTERM, then SIGKILL after 3s grace" in reasons(
        history, "queued"
    )


async def test_a_job_that_ignores_save_stop_is_killed_after_the_grace_time_and_requeued(
    api: Any, jp_serverapp: Any, tmp_path: Path
) -> None:
    body = trainer_job(tmp_path / "ckpt", preemptible=True, env={"IGNORE_STOP": "1"})
    _, job = await api("queue", method="POST", json_body=body)
    job_id = job["id"]
    await wait_for(api, job_id, {"running"})
    await _reporting(api, job_id)
    started = time.monotonic()
    await _runtime(jp_serverapp).preemptor.preempt(job_id, REASON)

    async def second_attempt() -> dict[str, Any] | None:
        _, record = await api("jobs", job_id)
        return record if record["attempt"] == 2 else None

    requeued = await until(second_attempt, timeout=30)
    assert time.monotonic() - started >= 3  # the grace time was given
    assert requeued["status"] in {"queued", "starting", "running"}
    _, history = await api("jobs", job_id, "history")
    queued = reasons(history, "queued")
    assert queued[-1] == f"{REASON}: killed after 3s grace (it acknowledged but had not exited)"
    await api("queue", job_id, method="DELETE")
    await wait_for(api, job_id, {"aborted", "cancelled"})


async def test_jobs_that_are_not_preemptible_or_not_running_are_left_alone(
    api: Any, jp_serverapp: Any
) -> None:
    preemptor = _runtime(jp_serverapp).preemptor
    _, job = await api("queue", method="POST", json_body=sleeper_job())
    await wait_for(api, job["id"], {"running"})
    await preemptor.preempt(job["id"], REASON)
    await preemptor.preempt("nosuchjob", REASON)
    _, record = await api("jobs", job["id"])
    assert (record["status"], record["attempt"]) == ("running", 1)
    _, history = await api("jobs", job["id"], "history")
    assert not [r for r in reasons(history) if "stopping" in r]
    await api("queue", job["id"], method="DELETE")
    ended = await wait_for(api, job["id"], {"aborted"})
    await preemptor.preempt(ended["id"], REASON)  # ended: nothing to do
    assert (await api("jobs", job["id"]))[1]["status"] == "aborted"


# -- end to end, and across kill -9 ---------------------------------------------------------------


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    srv = ServerProcess(
        tmp_path,
        "--ForgatherLab.preemption_min_priority=10",
        "--ForgatherLab.stop_grace=60",
        "--ForgatherLab.kill_timeout=2",
    )
    yield srv
    srv.stop()
    srv.kill_jobs()


def _saved(server: ServerProcess, job_id: str) -> bool:
    return "saved at step" in server.get("jobs", job_id, "tty").text


def _wait(predicate: Any, timeout: float = 30.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("condition not met in time")


@pytest.mark.timeout(240)
def test_kill9_in_the_middle_of_a_preemption_requeues_each_victim_exactly_once(
    server: ServerProcess, tmp_path: Path
) -> None:
    """Two victims acknowledged save-stop and are saving when the server dies.

    One finishes saving while no server runs (re-attach finds it gone: the
    planned end requeues it), the other after the restart (the resumed stop
    sees it go). Both come back as attempt 2 with RESUME=1, once each, after
    the job that preempted them.
    """
    server.start()
    victims = {}
    for name in ("a", "b"):
        body = trainer_job(
            tmp_path / f"ckpt-{name}",
            name=name,
            preemptible=True,
            requested_gpus=2,  # the two of them fill the 4 simulated GPUs
            env={"EXIT_GATE": str(tmp_path / f"gate-{name}"), "MAX_STEPS": "300"},
        )
        victims[name] = server.post("queue", json=body).json()["id"]
    for job_id in victims.values():
        server.wait_job(job_id, {"running"})
    marker = tmp_path / "big-ran"
    big = sleeper_job(f"open({str(marker)!r}, 'a').write('x')", priority=50, requested_gpus=4)
    big_id = server.post("queue", json=big).json()["id"]
    for job_id in victims.values():  # the planner preempted both; they saved and wait
        _wait(lambda j=job_id: _saved(server, j))
    assert server.get("jobs", big_id).json()["status"] == "queued"

    server.kill9()
    (tmp_path / "gate-b").touch()  # b exits while no server watches it
    _wait(lambda: not _alive(tmp_path / "ckpt-b"), timeout=20)
    server.start()
    a = server.get("jobs", victims["a"]).json()
    assert (a["status"], a["attempt"]) == ("running", 1)  # still saving: the stop resumes
    (tmp_path / "gate-a").touch()

    assert server.wait_job(big_id, {"done", "failed"}, timeout=60)["status"] == "done"
    assert marker.read_text() == "x"
    for name, job_id in victims.items():
        ended = server.wait_job(job_id, {"done", "failed", "aborted"}, timeout=60)
        assert (ended["status"], ended["attempt"]) == ("done", 2), (name, ended)
        saved = int((tmp_path / f"ckpt-{name}").read_text())
        log = server.get("jobs", job_id, "tty", params={"max_bytes": 10_000_000}).text
        starts = [line for line in log.splitlines() if line.startswith("start ")]
        assert starts == [
            "start attempt=1 resume=0 step=0",
            f"start attempt=2 resume=1 step={saved}",
        ], (name, log)
        history = server.get("jobs", job_id, "history").json()
        requeued = [r for r in reasons(history, "queued") if r.startswith("preempted for job")]
        assert len(requeued) == 1, (name, history)
        assert big_id in requeued[0]


def _alive(ckpt: Path) -> bool:
    """Whether a trainer writing ``ckpt`` still runs (found by its environment)."""
    for proc in psutil.process_iter(["environ"]):
        try:
            if (proc.info["environ"] or {}).get("CKPT") == str(ckpt):
                return True
        except psutil.Error:
            continue
    return False


# -- the example trainer ----------------------------------------------------------------------


@pytest.mark.timeout(240)
def test_the_char_lm_trainer_resumes_its_own_latest_checkpoint(tmp_path: Path) -> None:
    out = tmp_path / "out"

    def train(max_steps: int, **env: str) -> str:
        argv = [sys.executable, "train.py", "--data", "data/sonnets.txt"]
        argv += ["--output-dir", str(out), "--max-steps", str(max_steps), "--save-every", "4"]
        argv += ["--eval-every", "1000", "--log-every", "2", "--d-model", "16", "--layers", "1"]
        run = subprocess.run(
            argv,
            cwd=EXAMPLE,
            env={**os.environ, "FORGATHER_LAB_JOB_ID": "job1", **env},
            capture_output=True,
            text=True,
            timeout=200,
        )
        assert run.returncode == 0, run.stderr
        return run.stdout

    first = train(8)
    assert "step 8/8" in first
    ckpts = out / "checkpoints"
    assert json.loads((ckpts / "checkpoint-4/meta.json").read_text())["job_id"] == "job1"
    # As if it had been stopped after step 4: its newest checkpoint goes, and another
    # job of the family (same output_dir) has saved a newer one meanwhile.
    shutil.rmtree(ckpts / "checkpoint-8")
    shutil.copytree(ckpts / "checkpoint-4", ckpts / "checkpoint-6")
    meta = ckpts / "checkpoint-6/meta.json"
    meta.write_text(json.dumps({**json.loads(meta.read_text()), "job_id": "job2", "step": 6}))
    resumed = train(8, FORGATHER_LAB_RESUME="1", FORGATHER_LAB_ATTEMPT="2")
    assert "attempt 2: resuming from checkpoint-4" in resumed
    steps = [line for line in resumed.splitlines() if line.startswith("step ")]
    assert steps[0].startswith("step 6/8")
    assert steps[-1].startswith("step 8/8")
    # The same losses as the uninterrupted run: optimizer and data order came back too.
    assert [s for s in first.splitlines() if s.startswith("step 8/8")] == [
        s for s in resumed.splitlines() if s.startswith("step 8/8")
    ]
