"""The launcher: a pre-started runner takes the job; a dead one is replaced."""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

import psutil

from forgather_lab.jobs.launcher import Launcher, LaunchSpec


def wait_exit_file(launcher: Launcher, job_id: str, timeout: float = 20) -> str:
    path = launcher.exit_file(job_id)
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert time.monotonic() < deadline, "the runner recorded no exit"
        time.sleep(0.02)
    return path.read_text()


def test_prestarted_runner_takes_the_job(tmp_path: Path) -> None:
    launcher = Launcher(tmp_path)
    launcher.prestart()
    assert launcher._spare is not None
    spare_pid = launcher._spare[0]
    launched = launcher.spawn("a1", LaunchSpec([sys.executable, "-c", "print('hi')"]), [])
    assert launched.pid == spare_pid
    assert launcher._spare is None
    assert wait_exit_file(launcher, "a1") == "0"
    os.waitpid(launched.pid, 0)
    assert launcher.log_path("a1").read_text() == "hi\n"
    launcher.close()


def test_a_dead_spare_is_replaced(tmp_path: Path) -> None:
    launcher = Launcher(tmp_path)
    launcher.prestart()
    assert launcher._spare is not None
    spare_pid = launcher._spare[0]
    os.kill(spare_pid, signal.SIGKILL)
    os.waitpid(spare_pid, 0)
    launched = launcher.spawn("b2", LaunchSpec([sys.executable, "-c", "raise SystemExit(4)"]), [])
    assert launched.pid != spare_pid
    assert wait_exit_file(launcher, "b2") == "4"
    os.waitpid(launched.pid, 0)
    launcher.close()


def test_close_lets_the_idle_runner_go(tmp_path: Path) -> None:
    launcher = Launcher(tmp_path)
    launcher.prestart()
    assert launcher._spare is not None
    pid = launcher._spare[0]
    launcher.close()
    assert not psutil.pid_exists(pid)


def test_a_missing_working_directory_is_recorded_as_127(tmp_path: Path) -> None:
    launcher = Launcher(tmp_path)
    spec = LaunchSpec(["true"], cwd=str(tmp_path / "gone"))
    launched = launcher.spawn("c3", spec, [])
    assert wait_exit_file(launcher, "c3") == "127"
    os.waitpid(launched.pid, 0)
    assert "gone" in launcher.log_path("c3").read_text()
