"""The runner fork server: spare runners forked, not started; it failing costs no job."""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

import psutil

from forgather_lab.jobs.launcher import Launcher, LaunchSpec
from forgather_lab.jobs.processes import is_same_process


def wait_exit_file(launcher: Launcher, job_id: str, timeout: float = 20) -> str:
    path = launcher.exit_file(job_id)
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert time.monotonic() < deadline, "the runner recorded no exit"
        time.sleep(0.02)
    return path.read_text()


def test_spares_are_forked_and_take_jobs(tmp_path: Path) -> None:
    launcher = Launcher(tmp_path, spares=2)
    try:
        launcher.ready()
        assert launcher._forkserver is not None
        server = launcher._forkserver.pid
        spares = [r.pid for r in launcher._forked]
        assert len(spares) == 2
        # Forked by the fork server (not started by us), each in a session of its own.
        assert all(psutil.Process(pid).ppid() == server for pid in spares)
        deadline = time.monotonic() + 10  # each takes its session first thing after the fork
        while not all(os.getsid(pid) == pid for pid in spares):
            assert time.monotonic() < deadline, "a spare runner has no session of its own"
            time.sleep(0.01)
        launched = [
            launcher.spawn(f"j{i}", LaunchSpec([sys.executable, "-c", f"print({i})"]), [])
            for i in range(3)  # the third is forked on demand
        ]
        assert [x.pid for x in launched[:2]] == spares
        assert not any(x.own_child for x in launched)
        assert all(x.create_time > 0 for x in launched)  # read when forked, while alive
        for i in range(3):
            assert wait_exit_file(launcher, f"j{i}") == "0\n"
            assert launcher.log_path(f"j{i}").read_text() == f"{i}\n"
    finally:
        launcher.close()


def test_a_dead_fork_server_costs_no_job_and_is_restarted(tmp_path: Path) -> None:
    launcher = Launcher(tmp_path, spares=1)
    try:
        launcher.ready()
        assert launcher._forkserver is not None
        first = launcher._forkserver.pid
        os.kill(first, signal.SIGKILL)
        spare = launcher._forked[0]
        os.kill(spare.pid, signal.SIGKILL)  # and the spare it forked
        deadline = time.monotonic() + 10
        while is_same_process(spare.pid, None):  # a kill lands a moment after it is sent
            assert time.monotonic() < deadline, "the spare outlived SIGKILL"
            time.sleep(0.01)
        launched = launcher.spawn(
            "a1", LaunchSpec([sys.executable, "-c", "raise SystemExit(3)"]), []
        )
        assert launched.pid not in (first, spare.pid)
        assert wait_exit_file(launcher, "a1") == "3\n"
        if launched.own_child:
            os.waitpid(launched.pid, 0)
        launcher.ready()
        assert launcher._forkserver is not None
        assert launcher._forkserver.pid != first
        assert launcher._forked
    finally:
        launcher.close()


def test_close_lets_the_fork_server_and_its_spares_go(tmp_path: Path) -> None:
    launcher = Launcher(tmp_path, spares=2)
    launcher.ready()
    assert launcher._forkserver is not None
    pids = [launcher._forkserver.pid, *(r.pid for r in launcher._forked)]
    launcher.close()
    deadline = time.monotonic() + 10
    while any(is_same_process(pid, None) for pid in pids):
        assert time.monotonic() < deadline, "an idle runner outlived close()"
        time.sleep(0.02)
