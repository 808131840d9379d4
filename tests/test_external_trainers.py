"""Trainers started outside the queue: a real process registers through the reporter.

The scripts run with ``subprocess`` (not through the queue), find the
server through the discovery environment (``FORGATHER_LAB_URL`` /
``FORGATHER_LAB_TOKEN``), register, report, take commands, and end.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from jobs_helpers import wait_for
from test_reporter import wait_status

TRAINER = """
import sys, time
from forgather_lab import reporter
rep = reporter.connect(name=sys.argv[1])
print("enabled", rep.enabled, flush=True)
rep.stage("Training")
step, total = 0, 100000
while step < total:
    step += 1
    if step == int(sys.argv[2]):
        raise ValueError("boom at step %d" % step)
    for cmd in rep.report(step, total, loss=1.0 / step, lr=0.01):
        print("command", cmd, flush=True)
        if cmd in ("save", "stop", "save-stop"):
            rep.checkpoint(f"/tmp/ext-ckpt-{step}", step)
        if cmd in ("stop", "save-stop", "abort"):
            rep.close()
            sys.exit(0)
    time.sleep(0.01)
"""


@pytest.fixture
def trainer(
    tmp_path: Path, jp_http_port: int, jp_base_url: str, jp_auth_header: dict[str, str]
) -> Iterator[Any]:
    """``start(name, fail_at=0)`` runs the trainer as a plain child of the test."""
    script = tmp_path / "ext_train.py"
    script.write_text(TRAINER)
    env = {k: v for k, v in os.environ.items() if not k.startswith("FORGATHER_LAB_")}
    env.update(
        FORGATHER_LAB_URL=f"http://127.0.0.1:{jp_http_port}{jp_base_url}",
        FORGATHER_LAB_TOKEN=jp_auth_header["Authorization"].split(" ", 1)[1],
        FORGATHER_LAB_REGISTER="1",
        PYTHONUNBUFFERED="1",
    )
    procs: list[subprocess.Popen[bytes]] = []

    def start(name: str, fail_at: int = 0) -> subprocess.Popen[bytes]:
        log = (tmp_path / f"{name}.log").open("wb")
        proc = subprocess.Popen(
            [sys.executable, str(script), name, str(fail_at)],
            env=env,
            cwd=tmp_path,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        procs.append(proc)
        return proc

    yield start
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
        proc.wait()


async def registered(api: Any, pid: int, timeout: float = 20.0) -> dict[str, Any]:
    """The external job of process ``pid``, once it appears in ``GET /jobs``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        code, listing = await api("jobs")
        assert code == 200, listing
        for job in listing["jobs"]:
            if job["job_type"] == "external" and job["pid"] == pid:
                return dict(job)
        await asyncio.sleep(0.1)
    raise AssertionError(f"process {pid} never registered")


async def test_external_trainer_registers_reports_obeys_and_ends_done(
    api: Any, trainer: Any
) -> None:
    proc = trainer("ext-ok")
    job = await registered(api, proc.pid)
    job_id = job["id"]
    assert job["status"] == "running"
    assert job["name"] == "ext-ok"
    assert job["gpus"] == []  # shown in params, never reserved
    assert "ext_train.py" in " ".join(job["params"]["argv"])
    assert job["pid_create_time"] is not None

    status = await wait_status(api, job_id, lambda s: s["has_reporter"] and (s["step"] or 0) > 3)
    assert status["stage"] == "Training"
    assert status["loss"] is not None
    assert status["lr"] == 0.01
    code, metrics = await api("jobs", job_id, "metrics", params={"names": "loss"})
    assert code == 200
    assert len(metrics["series"]["loss"]) >= 3

    # Remove stale leaves a running trainer alone.
    code, cleaned = await api("jobs", "external", "cleanup", method="POST")
    assert code == 200
    assert job_id not in cleaned["removed_ids"]

    code, save = await api("jobs", job_id, "control", "save", method="POST")
    assert code == 200, save
    status = await wait_status(api, job_id, lambda s: s["last_checkpoint"] is not None)
    assert status["last_checkpoint"]["path"].startswith("/tmp/ext-ckpt-")

    code, stop = await api("jobs", job_id, "control", "stop", method="POST")
    assert code == 200, stop
    ended = await wait_for(api, job_id, {"done", "failed", "aborted"}, timeout=10)
    assert ended["status"] == "done", ended
    assert await asyncio.to_thread(proc.wait, 10) == 0
    _, history = await api("jobs", job_id, "history")
    reasons = [t["reason"] for t in history["transitions"]]
    assert reasons[0].startswith(f"registered: pid {proc.pid}")
    assert reasons[-1] == "the trainer ended: done"


async def test_killed_trainer_is_marked_failed_then_removed_as_stale(
    api: Any, trainer: Any
) -> None:
    proc = trainer("ext-killed")
    job = await registered(api, proc.pid)
    await wait_status(api, job["id"], lambda s: s["has_reporter"])
    proc.kill()
    proc.wait()
    started = time.monotonic()
    ended = await wait_for(api, job["id"], {"done", "failed", "aborted"}, timeout=5)
    assert time.monotonic() - started < 5
    assert ended["status"] == "failed"
    assert f"process {proc.pid} is gone" in ended["error"]
    # Its token is spent: a straggler cannot report into the ended record.
    code, cleaned = await api("jobs", "external", "cleanup", method="POST")
    assert code == 200
    assert job["id"] in cleaned["removed_ids"]
    code, _ = await api("jobs", job["id"])
    assert code == 404


async def test_unhandled_exception_fails_the_job_with_it(api: Any, trainer: Any) -> None:
    proc = trainer("ext-crash", fail_at=30)
    job = await registered(api, proc.pid)
    assert await asyncio.to_thread(proc.wait, 20) != 0
    ended = await wait_for(api, job["id"], {"done", "failed", "aborted"}, timeout=10)
    assert ended["status"] == "failed", ended
    assert ended["error"] == "ValueError: boom at step 30"


async def test_external_jobs_cannot_be_queued(api: Any) -> None:
    code, body = await api("queue", method="POST", json_body={"job_type": "external"})
    assert code == 400
    assert "external jobs register themselves" in body["message"]
    code, listing = await api("jobs")
    assert listing["total"] == 0  # nothing was created


async def test_registration_refuses_what_is_not_a_trainer(api: Any) -> None:
    gone = await asyncio.create_subprocess_exec(sys.executable, "-c", "pass")
    await gone.wait()
    code, body = await api("jobs", "external", method="POST", json_body={"pid": gone.pid})
    assert code == 400
    assert f"no process {gone.pid}" in body["message"]
    code, body = await api("jobs", "external", method="POST", json_body={"pid": os.getpid()})
    assert code == 400
    assert "server's own process" in body["message"]
    if os.getuid() != 0:
        code, body = await api("jobs", "external", method="POST", json_body={"pid": 1})
        assert code == 403, body
    code, body = await api("jobs", "external", method="POST", json_body={"pid": -3})
    assert code == 400
    code, listing = await api("jobs")
    assert listing["total"] == 0


async def test_end_takes_only_the_jobs_own_token(api: Any) -> None:
    sleeper = await asyncio.create_subprocess_exec(
        sys.executable, "-c", "import time; time.sleep(60)"
    )
    try:
        code, reg = await api(
            "jobs", "external", method="POST", json_body={"pid": sleeper.pid, "name": "s"}
        )
        assert code == 201, reg
        job_id, token = reg["job"]["id"], reg["token"]
        end = ("jobs", "external", job_id, "end")
        body = {"outcome": "done"}
        code, _ = await api(*end, method="POST", json_body=body, headers={"Authorization": ""})
        assert code in (401, 403)
        wrong = {"Authorization": "Bearer not-the-token"}
        code, _ = await api(*end, method="POST", json_body=body, headers=wrong)
        assert code == 403
        right = {"Authorization": f"Bearer {token}"}
        code, bad = await api(*end, method="POST", json_body={"outcome": "x"}, headers=right)
        assert code == 400, bad
        code, job = await api(*end, method="POST", json_body=body, headers=right)
        assert code == 200
        assert job["status"] == "done"
        code, _ = await api(*end, method="POST", json_body=body, headers=right)
        assert code == 409  # ended: the token no longer opens anything
    finally:
        sleeper.kill()
        await sleeper.wait()


@pytest.mark.timeout(120)
def test_external_records_survive_a_restart_and_are_checked_again(tmp_path: Path) -> None:
    from server_process import ServerProcess

    srv = ServerProcess(tmp_path)
    sleepers = [
        subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"]) for _ in range(2)
    ]
    try:
        srv.start()
        lives, dies = (
            srv.post("jobs", "external", json={"pid": p.pid}).json()["job"] for p in sleepers
        )
        srv.kill9()
        sleepers[1].kill()
        sleepers[1].wait()
        srv.start()
        # Checked at start, before anything else: the one that went meanwhile has ended.
        gone = srv.get("jobs", dies["id"]).json()
        assert gone["status"] == "failed", gone
        assert f"process {sleepers[1].pid} is gone" in gone["error"]
        assert srv.get("jobs", lives["id"]).json()["status"] == "running"
        sleepers[0].kill()
        sleepers[0].wait()
        assert srv.wait_job(lives["id"], {"failed", "done"}, timeout=10)["status"] == "failed"
        removed = srv.post("jobs", "external", "cleanup").json()["removed_ids"]
        assert sorted(removed) == sorted([lives["id"], dies["id"]])
    finally:
        for p in sleepers:
            p.kill()
            p.wait()
        srv.stop()


def test_discovery_registers_only_under_a_server_unless_asked(tmp_path: Path) -> None:
    import json

    from forgather_lab import reporter

    def server_file(name: str, pid: int, url: str) -> None:
        info = {"url": url, "token": "t-" + name, "pid": pid, "root_dir": str(tmp_path)}
        (tmp_path / f"jpserver-{name}.json").write_text(json.dumps(info))

    env = {"JUPYTER_RUNTIME_DIR": str(tmp_path)}
    server_file("other", os.getpid(), "http://127.0.0.1:1/")  # alive, not an ancestor
    assert reporter.discover(env, anywhere=False) is None
    assert reporter.discover(env, anywhere=True) == ("http://127.0.0.1:1/", "t-other")
    server_file("parent", os.getppid(), "http://127.0.0.1:2/")  # e.g. a Lab terminal's server
    assert reporter.discover(env, anywhere=False) == ("http://127.0.0.1:2/", "t-parent")
    # An explicit environment (a test, an embedding) never registers unless asked.
    assert not reporter.connect(env=env).enabled
