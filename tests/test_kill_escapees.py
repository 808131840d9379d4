"""Kill and force-kill reach children that left the job's process group or session.

Each job here starts a real escapee: a child that calls ``os.setsid()``, one
that calls ``os.setpgid(0, 0)``, a double-fork daemon, and one that ignores
SIGTERM in a new session. Signalling only the runner's process group misses
every one of them; the GPU pool has one card, and a second 1-GPU job, queued
behind, checks when it starts whether the escapee is still alive: it must not
be, or the card was handed over while the first job still ran on it.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psutil
import pytest
from jobs_helpers import wait_for, wait_until
from server_process import ServerProcess

PY = sys.executable
MARK = "FORGATHER_TEST_ESCAPEE"  # in every job's env here: what the cleanup kills by

# argv: variant, pid file, release file, "stay" (the command runs on) or "exit".
JOB = """
import os, signal, sys, time
variant, pid_file, release, mode = sys.argv[1:5]

def escapee():
    if variant == "stubborn":
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
    with open(pid_file + ".tmp", "w") as f:
        f.write(str(os.getpid()))
    os.replace(pid_file + ".tmp", pid_file)
    while not os.path.exists(release):
        time.sleep(0.05)
    os._exit(0)

child = os.fork()
if child == 0:
    if variant == "setpgid":
        os.setpgid(0, 0)
    else:
        os.setsid()
    if variant == "daemon" and os.fork() > 0:
        os._exit(0)  # the intermediate exits: init adopts the grandchild
    escapee()
if variant == "daemon":
    os.waitpid(child, 0)
print("ready", flush=True)
if mode == "stay":
    time.sleep(600)
"""

# Runs on the card once it is free: was the escapee (pid, create time) still alive?
CHECK = """
import sys, psutil
pid, created = int(sys.argv[1]), float(sys.argv[2])
try:
    p = psutil.Process(pid)
    alive = p.status() != psutil.STATUS_ZOMBIE and abs(p.create_time() - created) < 0.05
except psutil.NoSuchProcess:
    alive = False
print(f"ESCAPEE_ALIVE={alive}", flush=True)
"""

VARIANTS = ["setsid", "setpgid", "daemon", "stubborn"]


@pytest.fixture
def forgather_config(state_dir: Path) -> dict[str, Any]:
    return {
        "state_dir": str(state_dir),
        "gpu_backend": "simulated",
        "simulated_gpus": 1,
        "kill_timeout": 2.0,
    }


@pytest.fixture
def mark() -> Iterator[str]:
    """A value tagging this test's job processes; every one still alive is killed after."""
    value = uuid.uuid4().hex
    yield value
    kill_marked(value)


def kill_marked(value: str) -> None:
    for proc in psutil.process_iter(["pid"]):
        with contextlib.suppress(psutil.Error):
            if proc.environ().get(MARK) == value:
                proc.kill()


class Escapee:
    """The job's escaped child, by identity."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.create_time = psutil.Process(pid).create_time()

    def alive(self) -> bool:
        try:
            p = psutil.Process(self.pid)
            return p.status() != psutil.STATUS_ZOMBIE and p.create_time() == self.create_time
        except psutil.NoSuchProcess:
            return False


def job_body(
    variant: str, tmp_path: Path, mark: str, mode: str = "stay", gpus: int = 1
) -> dict[str, Any]:
    argv = [PY, "-c", JOB, variant, str(tmp_path / "escapee.pid"), str(tmp_path / "release"), mode]
    return {
        "job_type": "command",
        "name": "escaper",
        "job_params": {"argv": argv, "env": {MARK: mark}},
        "requested_gpus": gpus,
    }


def check_body(escapee: Escapee, mark: str, gpus: int = 1) -> dict[str, Any]:
    argv = [PY, "-c", CHECK, str(escapee.pid), repr(escapee.create_time)]
    return {
        "job_type": "command",
        "name": "next on the card",
        "job_params": {"argv": argv, "env": {MARK: mark}},
        "requested_gpus": gpus,
    }


async def start_escaper(
    api: Any, variant: str, tmp_path: Path, mark: str, mode: str = "stay"
) -> tuple[dict[str, Any], Escapee]:
    status, job = await api(
        "queue", method="POST", json_body=job_body(variant, tmp_path, mark, mode)
    )
    assert status == 201, job
    running = await wait_for(api, job["id"], {"running"})
    pid_file = tmp_path / "escapee.pid"
    await wait_until(_exists(pid_file), timeout=20)
    escapee = Escapee(int(pid_file.read_text()))
    assert_escaped(variant, escapee.pid, running["pid"])
    return running, escapee


def _exists(path: Path) -> Any:
    async def check() -> bool:
        return path.exists()

    return check


def assert_escaped(variant: str, pid: int, runner: int) -> None:
    """The escapee really left: signalling the runner's group would not reach it."""
    assert os.getpgid(pid) != runner
    if variant == "setpgid":
        assert os.getsid(pid) == runner  # left the group, stayed in the session
    else:
        assert os.getsid(pid) != runner
    if variant in {"setsid", "stubborn"}:
        assert os.getsid(pid) == pid
    if variant == "daemon":
        # Its parent exited: the runner, the job's subreaper, adopted it (init would
        # have without one; the marks find it then, see the runner-killed test).
        parent = psutil.Process(pid).ppid()
        with contextlib.suppress(psutil.NoSuchProcess):  # a runner already gone adopts none
            if psutil.Process(runner).status() != psutil.STATUS_ZOMBIE:
                assert parent == runner  # read while the runner lived


def job_pids(job_id: str) -> set[int]:
    """Live processes carrying the job's id (every process of the job inherits it)."""
    found = set()
    for proc in psutil.process_iter(["pid", "status"]):
        with contextlib.suppress(psutil.Error):
            if (
                proc.info["status"] != psutil.STATUS_ZOMBIE
                and proc.environ().get("FORGATHER_LAB_JOB_ID") == job_id
            ):
                found.add(proc.pid)
    return found


async def assert_holds_the_card(api: Any, job_id: str, queued_id: str) -> None:
    status, gpus = await api("gpus")
    assert status == 200
    assert gpus["gpus"][0]["reserved_by"] == job_id
    _, queued = await api("jobs", queued_id)
    assert queued["status"] == "queued", queued


async def assert_next_saw_it_gone(api: Any, next_id: str) -> None:
    done = await wait_for(api, next_id, {"done", "failed"}, timeout=30)
    assert done["status"] == "done", done
    _, text = await api("jobs", next_id, "tty")
    assert "ESCAPEE_ALIVE=False" in text, text


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("action", ["kill", "force-kill"])
async def test_kill_reaches_escaped_children_and_holds_the_gpu_until_they_are_gone(
    api: Any, tmp_path: Path, mark: str, variant: str, action: str
) -> None:
    job, escapee = await start_escaper(api, variant, tmp_path, mark)
    _, nxt = await api("queue", method="POST", json_body=check_body(escapee, mark))
    await asyncio.sleep(0.3)  # a dispatch pass has had its chance
    await assert_holds_the_card(api, job["id"], nxt["id"])

    status, result = await api("jobs", job["id"], "control", action, method="POST")
    assert status == 200, result
    assert result["signal"] == ("SIGKILL" if action == "force-kill" else "SIGTERM")
    if variant == "stubborn" and action == "kill":
        # It ignores SIGTERM: said so, the job still runs and keeps its card.
        assert result["exited"] is False
        assert escapee.pid in result["lingering"]
        assert set(result["lingering"]) <= job_pids(job["id"]) | {job["pid"]}
        assert result["job"]["status"] == "running"
        assert "still alive" in result["job"]["error"]
        assert str(escapee.pid) in result["job"]["error"]
        assert escapee.alive()
        await assert_holds_the_card(api, job["id"], nxt["id"])
        status, result = await api("jobs", job["id"], "control", "force-kill", method="POST")
        assert status == 200, result
        assert result["signal"] == "SIGKILL"
    assert result["exited"] is True, result
    assert result["lingering"] == []
    assert result["job"]["status"] == "aborted"
    assert not escapee.alive()
    assert job_pids(job["id"]) == set()
    await assert_next_saw_it_gone(api, nxt["id"])


@pytest.mark.parametrize("variant", ["daemon", "stubborn"])
async def test_a_job_whose_command_exits_keeps_its_gpu_while_its_daemon_lives(
    api: Any, tmp_path: Path, mark: str, variant: str
) -> None:
    job, escapee = await start_escaper(api, variant, tmp_path, mark, mode="exit")
    _, nxt = await api("queue", method="POST", json_body=check_body(escapee, mark))
    # The command and its runner end; the daemon runs on: the job is not over.
    await wait_until(_gone(job["pid"]), timeout=20)
    note = await _error_of(api, job["id"])
    assert "ended (code 0) but left" in note
    assert str(escapee.pid) in note
    _, still = await api("jobs", job["id"])
    assert still["status"] == "running"
    assert escapee.alive()
    await assert_holds_the_card(api, job["id"], nxt["id"])

    (tmp_path / "release").touch()  # the daemon ends on its own
    done = await wait_for(api, job["id"], {"done", "failed", "aborted"})
    assert (done["status"], done["exit_code"]) == ("done", 0), done
    assert not escapee.alive()
    await assert_next_saw_it_gone(api, nxt["id"])


async def test_force_kill_stops_what_a_finished_command_left_behind(
    api: Any, tmp_path: Path, mark: str
) -> None:
    job, escapee = await start_escaper(api, "stubborn", tmp_path, mark, mode="exit")
    await wait_until(_gone(job["pid"]), timeout=20)
    await _error_of(api, job["id"])
    status, result = await api("jobs", job["id"], "control", "kill", method="POST")
    assert status == 200
    assert (result["exited"], result["lingering"]) == (False, [escapee.pid])
    status, result = await api("jobs", job["id"], "control", "force-kill", method="POST")
    assert (result["exited"], result["lingering"]) == (True, [])
    assert result["job"]["status"] == "aborted"
    assert not escapee.alive()
    _, gpus = await api("gpus")
    assert gpus["gpus"][0]["reserved_by"] is None


async def test_a_runner_killed_from_outside_takes_the_rest_of_its_job_with_it(
    api: Any, tmp_path: Path, mark: str
) -> None:
    job, escapee = await start_escaper(api, "stubborn", tmp_path, mark)
    _, nxt = await api("queue", method="POST", json_body=check_body(escapee, mark))
    os.kill(job["pid"], signal.SIGKILL)  # the PID the job shows, not its group
    note = await _error_of(api, job["id"])
    assert "killed from outside" in note
    assert str(escapee.pid) in note
    _, still = await api("jobs", job["id"])
    assert still["status"] == "running"
    assert escapee.alive()  # ignores the SIGTERM; SIGKILL follows after kill_timeout
    await assert_holds_the_card(api, job["id"], nxt["id"])
    ended = await wait_for(api, job["id"], {"done", "failed", "aborted"})
    assert ended["status"] == "failed", ended
    assert "SIGKILL" in ended["error"]
    assert not escapee.alive()
    assert job_pids(job["id"]) == set()
    await assert_next_saw_it_gone(api, nxt["id"])


def _gone(pid: int) -> Any:
    async def check() -> bool:
        try:
            return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
        except psutil.NoSuchProcess:
            return True

    return check


async def _error_of(api: Any, job_id: str) -> str:
    """The job's recorded error, once there is one."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        _, job = await api("jobs", job_id)
        if job["error"]:
            return str(job["error"])
        await asyncio.sleep(0.05)
    raise AssertionError(f"no error recorded on {job_id}")


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    srv = ServerProcess(tmp_path / "srv")  # 4 simulated cards: the jobs here take all 4
    yield srv
    srv.stop()
    srv.kill_jobs()


@pytest.mark.timeout(180)
def test_after_a_restart_what_is_left_of_a_job_whose_runner_died_holds_the_gpu_until_stopped(
    server: ServerProcess, tmp_path: Path, mark: str
) -> None:
    server.start()
    job = server.post("queue", json=job_body("stubborn", tmp_path, mark, gpus=4)).json()
    running = server.wait_job(job["id"], {"running"})
    pid_file = tmp_path / "escapee.pid"
    deadline = time.monotonic() + 20
    while not pid_file.exists():
        assert time.monotonic() < deadline
        time.sleep(0.05)
    escapee = Escapee(int(pid_file.read_text()))

    server.kill9()
    os.killpg(running["pid"], signal.SIGKILL)  # the runner's whole group dies hard
    deadline = time.monotonic() + 10
    while psutil.pid_exists(running["pid"]):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert escapee.alive()  # in its own session: the group kill missed it

    # Re-attached by its marks: the job is still on its cards while the
    # server stops what is left of it (SIGTERM, ignored; SIGKILL after 6 s).
    server.start("--ForgatherLab.kill_timeout=6")
    after = server.get("jobs", job["id"]).json()
    assert after["status"] == "running", after
    assert "killed from outside" in after["error"]
    assert str(escapee.pid) in after["error"]
    cards = server.get("gpus").json()["gpus"]
    assert [card["reserved_by"] for card in cards] == [job["id"]] * 4
    nxt = server.post("queue", json=check_body(escapee, mark, gpus=4)).json()
    time.sleep(0.5)
    assert server.get("jobs", nxt["id"]).json()["status"] == "queued"
    assert escapee.alive()

    gone = server.wait_job(job["id"], {"done", "failed", "aborted"}, timeout=30)
    assert gone["status"] == "failed", gone
    assert "left no exit status" in gone["error"]
    assert not escapee.alive()
    done = server.wait_job(nxt["id"], {"done", "failed"})
    assert done["status"] == "done", done
    assert "ESCAPEE_ALIVE=False" in server.get("jobs", nxt["id"], "tty").text
