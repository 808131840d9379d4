"""The launcher: a pre-started runner takes the job; a dead one is replaced."""

from __future__ import annotations

import os
import shutil
import signal
import sys
import time
from pathlib import Path

import psutil
import pytest

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
    assert wait_exit_file(launcher, "a1") == "0\n"
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
    assert wait_exit_file(launcher, "b2") == "4\n"
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
    assert wait_exit_file(launcher, "c3") == "127\n"
    os.waitpid(launched.pid, 0)
    assert "gone" in launcher.log_path("c3").read_text()


def test_the_runner_makes_the_job_directory_and_token_private(tmp_path: Path) -> None:
    # The runner, not the server, makes both (runner.py): the job must see its own
    # token in a 0600 file of a 0700 directory, and a retry gets a new one in place.
    from forgather_lab.jobs.launcher import hash_token

    launcher = Launcher(tmp_path)
    read_token = "import os; print(open(os.environ['FORGATHER_LAB_TOKEN_FILE']).read())"
    first = launcher.spawn("d4", LaunchSpec([sys.executable, "-c", read_token]), [])
    assert wait_exit_file(launcher, "d4") == "0\n"
    job_dir = launcher.job_dir("d4")
    assert job_dir.stat().st_mode & 0o777 == 0o700
    token_file = launcher.token_file("d4")
    assert token_file.stat().st_mode & 0o777 == 0o600
    token = token_file.read_text()
    assert hash_token(token) == first.token_hash
    assert launcher.log_path("d4").read_text() == token + "\n"
    # A retry: the directory is there (opened up meanwhile), the token and exit
    # files are links planted in it. The directory is made private again, the
    # links replaced by new files (the runner creates in place only where nothing is).
    job_dir.chmod(0o755)
    planted = tmp_path / "planted"
    planted.write_text("not yours")
    exit_file = launcher.exit_file("d4")
    for name in (token_file, exit_file):
        name.unlink()
        name.symlink_to(planted)
    os.waitpid(first.pid, 0)
    second = launcher.spawn("d4", LaunchSpec(["true"]), [])
    os.waitpid(second.pid, 0)
    assert not exit_file.is_symlink()
    assert exit_file.read_text() == "0\n"
    assert job_dir.stat().st_mode & 0o777 == 0o700
    assert not token_file.is_symlink()
    assert hash_token(token_file.read_text()) == second.token_hash != first.token_hash
    assert planted.read_text() == "not yours"
    launcher.close()


def test_a_job_directory_that_is_a_link_is_refused(tmp_path: Path) -> None:
    launcher = Launcher(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    launcher.jobs_dir.mkdir(parents=True)
    launcher.job_dir("e5").symlink_to(elsewhere)
    launched = launcher.spawn("e5", LaunchSpec(["true"]), [])
    os.waitpid(launched.pid, 0)
    assert list(elsewhere.iterdir()) == []  # no token, log or exit status written there


def test_a_jobs_directory_removed_under_the_launcher_is_made_again(tmp_path: Path) -> None:
    launcher = Launcher(tmp_path)
    first = launcher.spawn("f6", LaunchSpec(["true"]), [])
    assert wait_exit_file(launcher, "f6") == "0\n"
    os.waitpid(first.pid, 0)
    shutil.rmtree(launcher.jobs_dir)
    second = launcher.spawn("g7", LaunchSpec(["true"]), [])
    assert wait_exit_file(launcher, "g7") == "0\n"
    os.waitpid(second.pid, 0)
    assert launcher.jobs_dir.stat().st_mode & 0o777 == 0o700


def test_a_spare_is_known_by_its_create_time_when_it_takes_the_job(tmp_path: Path) -> None:
    # A spare waits, maybe minutes; a step of the wall clock meanwhile moves the create
    # time psutil gives every process. What the job is watched by is read at hand-over.
    from forgather_lab.jobs.processes import is_same_process

    launcher = Launcher(tmp_path)
    launcher.prestart()
    spare = launcher._spare
    assert spare is not None
    # As if the clock had stepped back an hour since the spare was made:
    launcher._spare = spare._replace(create_time=spare.create_time - 3600.0)
    launched = launcher.spawn("h8", LaunchSpec(["sleep", "1"]), [])
    assert launched.pid == spare.pid
    assert abs(launched.create_time - spare.create_time) < 0.05
    # The check the exit watcher makes as it starts watching: this very process.
    assert is_same_process(launched.pid, launched.create_time)
    assert not is_same_process(launched.pid, spare.create_time - 3600.0)
    assert wait_exit_file(launcher, "h8") == "0\n"
    os.waitpid(launched.pid, 0)
    launcher.close()


# The command forks a child that makes itself a session leader and forks again;
# that child exits at once, so the grandchild is an orphan. It writes who its
# parent is then, and lives until the release file appears (or for a moment).
ORPHAN = """
import os, sys, time
out, release = sys.argv[1:3]
if os.fork() == 0:
    os.setsid()
    if os.fork() > 0:
        os._exit(0)
    time.sleep(0.2)  # its parent has exited: it was re-parented
    with open(out + ".tmp", "w") as f:
        f.write(str(os.getppid()))
    os.replace(out + ".tmp", out)
    while release != "-" and not os.path.exists(release):
        time.sleep(0.02)
    os._exit(0)
while not os.path.exists(out):
    time.sleep(0.02)
if release == "-":
    time.sleep(0.3)  # the orphan has ended by now
"""


@pytest.mark.parametrize("forked", [False, True], ids=["started", "forked"])
def test_an_orphan_of_the_command_is_the_runner_s_and_a_clean_end_says_so(
    tmp_path: Path, forked: bool
) -> None:
    # The runner is the command's subreaper: the orphan comes to it (not to init),
    # it reaps it, and with nothing of the job left its status is a line of its own.
    # A runner the fork server forked calls the prctl the fork server found.
    launcher = Launcher(tmp_path)
    if forked:
        launcher.ready()
    out = tmp_path / "parent"
    spec = LaunchSpec([sys.executable, "-c", ORPHAN, str(out), "-"])
    launched = launcher.spawn("k1", spec, [])
    forkserver = launcher._forkserver
    assert (
        forkserver is not None and psutil.Process(launched.pid).ppid() == forkserver.pid
    ) is forked
    assert wait_exit_file(launcher, "k1") == "0\n"
    assert out.read_text() == str(launched.pid)
    if not forked:
        os.waitpid(launched.pid, 0)  # the fork server reaps its own
    launcher.close()


def test_a_command_that_leaves_a_process_running_does_not_say_nothing_was_left(
    tmp_path: Path,
) -> None:
    launcher = Launcher(tmp_path)
    out, release = tmp_path / "parent", tmp_path / "release"
    spec = LaunchSpec([sys.executable, "-c", ORPHAN, str(out), str(release)])
    launched = launcher.spawn("l2", spec, [])
    try:
        # A bare status: the server looks for what is left (the orphan, still running).
        assert wait_exit_file(launcher, "l2") == "0"
        assert out.read_text() == str(launched.pid)
    finally:
        release.touch()
    os.waitpid(launched.pid, 0)
    launcher.close()


def test_only_an_idle_runner_takes_a_job_on_the_spot(tmp_path: Path) -> None:
    # spawn_ready runs on the event loop: it hands the job to an idle runner or
    # says None (then spawn forks or starts one, in a thread), never blocking.
    launcher = Launcher(tmp_path)
    first = launcher.spawn("m0", LaunchSpec(["true"]), [])  # none idle: one started for it
    launcher.prestart()
    assert launcher._spare is not None
    spare_pid = launcher._spare.pid
    launched = launcher.spawn_ready("m1", LaunchSpec(["true"]), [])
    assert launched is not None
    assert launched.pid == spare_pid
    assert launcher.spawn_ready("m2", LaunchSpec(["true"]), []) is None
    assert not launcher.exit_file("m2").parent.exists()  # nothing of m2 was started
    for job_id, pid in (("m0", first.pid), ("m1", launched.pid)):
        assert wait_exit_file(launcher, job_id) == "0\n"
        os.waitpid(pid, 0)
    launcher.close()


def test_a_job_too_big_for_the_pipe_is_never_handed_over_on_the_spot(tmp_path: Path) -> None:
    # Its write would wait until the runner read it: spawn (a thread) takes such a job.
    launcher = Launcher(tmp_path)
    first = launcher.spawn("n0", LaunchSpec(["true"]), [])
    launcher.prestart()
    big = LaunchSpec(["true"], env={"BIG": "x" * (100 * 1024)})  # under exec's 128 KiB a string
    assert launcher.spawn_ready("n1", big, []) is None
    assert launcher._spare is not None  # still idle
    launched = launcher.spawn("n1", big, [])
    for job_id, pid in (("n0", first.pid), ("n1", launched.pid)):
        assert wait_exit_file(launcher, job_id) == "0\n"
        os.waitpid(pid, 0)
    launcher.close()
