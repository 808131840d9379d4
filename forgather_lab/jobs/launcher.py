"""The one place that spawns job processes.

Every job runs in its own session (so it survives a server restart and can be
signalled as a group), with an explicit environment (``environment.py``: an
allow-list, never the server's secrets), stdout and stderr
appended to its log file, and its callback token in a 0600 file named by an
environment variable, never in argv.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
import sys
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from ..store.db import ensure_private_dir
from .environment import base_environment

RUNNER = str(Path(__file__).with_name("runner.py"))


@dataclass(frozen=True)
class LaunchSpec:
    """What to run: argv, working directory, extra environment."""

    argv: list[str]
    cwd: str | None = None
    env: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Launched:
    """A started job process (our child until a server restart)."""

    pid: int
    create_time: float
    log_path: Path
    token_hash: str


class Launcher:
    """Spawns jobs under ``<state_dir>/jobs/<id>/``.

    One runner is kept started and idle (``prestart``), so a dispatch hands
    it the job over a pipe instead of waiting for an interpreter to start;
    the next one is started after each dispatch, off the critical path.
    """

    def __init__(
        self, state_dir: Path, server_url: str = "", base_env: Mapping[str, str] | None = None
    ) -> None:
        self.jobs_dir = state_dir / "jobs"
        self.server_url = server_url
        # What every job (and its runner) starts from; the job's own env goes on top.
        self.base_env = dict(base_env if base_env is not None else base_environment(os.environ))
        self._spare: tuple[int, int, float] | None = None  # pid, pipe fd, create time
        self._lock = threading.Lock()

    def job_dir(self, job_id: str) -> Path:
        """Where a job's log, exit file and token live."""
        return self.jobs_dir / job_id

    def log_path(self, job_id: str) -> Path:
        return self.job_dir(job_id) / "output.log"

    def exit_file(self, job_id: str) -> Path:
        return self.job_dir(job_id) / "exit_code"

    def token_file(self, job_id: str) -> Path:
        """The job's callback token; its path in a process's environment marks it as the job's."""
        return self.job_dir(job_id) / "token"

    def spawn(self, job_id: str, spec: LaunchSpec, gpus: list[int]) -> Launched:
        """Start the job; raises OSError if it cannot be started at all."""
        ensure_private_dir(self.jobs_dir)
        ensure_private_dir(self.job_dir(job_id))
        token = secrets.token_urlsafe(32)
        token_file = self.token_file(job_id)
        _write_private(token_file, token)
        log_path = self.log_path(job_id)
        env = {
            **self.base_env,
            **spec.env,
            # NVML and CUDA must agree on what index N means.
            "CUDA_DEVICE_ORDER": "PCI_BUS_ID",
            "CUDA_VISIBLE_DEVICES": ",".join(str(i) for i in gpus),
            "FORGATHER_LAB_JOB_ID": job_id,
            "FORGATHER_LAB_URL": self.server_url,
            "FORGATHER_LAB_TOKEN_FILE": str(token_file),
            "PYTHONUNBUFFERED": "1",
        }
        message = json.dumps(
            {
                "argv": spec.argv,
                "env": env,
                "cwd": spec.cwd,
                "log": str(log_path),
                "exit_file": str(self.exit_file(job_id)),
            }
        ).encode()
        with self._lock:
            spare, self._spare = self._spare, None
        for runner in (spare, None):
            pid, pipe, create_time = runner or self._start_runner()
            try:
                _write_all(pipe, message)
            except BrokenPipeError:  # the idle runner died; start a fresh one
                _reap(pid)
                continue
            finally:
                os.close(pipe)
            return Launched(pid, create_time, log_path, hash_token(token))
        raise OSError("could not hand the job to a runner")

    def prestart(self) -> None:
        """Have an idle runner ready for the next dispatch (call off the event loop)."""
        with self._lock:
            if self._spare is not None:
                return
        runner = self._start_runner()
        if not self._offer_spare(runner):
            os.close(runner[1])  # lost a race: another one is ready; this one exits
            _reap(runner[0])

    def _offer_spare(self, runner: tuple[int, int, float]) -> bool:
        with self._lock:
            if self._spare is None:
                self._spare = runner
                return True
            return False

    def close(self) -> None:
        """Let the idle runner go (it exits when its pipe closes)."""
        with self._lock:
            spare, self._spare = self._spare, None
        if spare is not None:
            os.close(spare[1])
            _reap(spare[0])

    def _start_runner(self) -> tuple[int, int, float]:
        read_end, write_end = os.pipe()
        try:
            # posix_spawn (vfork + exec) is much cheaper than fork from a big
            # server; the new session makes the job its own process group.
            # Our fds are non-inheritable (PEP 446), so only 0-2 reach it.
            pid = os.posix_spawn(
                sys.executable,
                [sys.executable, "-I", "-S", RUNNER],
                # The runner is the job's parent: its environment is readable by
                # the job (/proc/<ppid>/environ), so it gets no more than the job.
                self.base_env,
                file_actions=[
                    (os.POSIX_SPAWN_DUP2, read_end, 0),
                    (os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0),
                    (os.POSIX_SPAWN_OPEN, 2, os.devnull, os.O_WRONLY, 0),
                ],
                setsid=True,
            )
        except OSError:
            os.close(write_end)
            raise
        finally:
            os.close(read_end)
        try:
            create_time = psutil.Process(pid).create_time()
        except psutil.NoSuchProcess:
            create_time = 0.0  # already gone; the exit watcher records how it ended
        return pid, write_end, create_time


def hash_token(token: str) -> str:
    """What the database keeps of a job token."""
    return hashlib.sha256(token.encode()).hexdigest()


def _write_private(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _reap(pid: int) -> None:
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, 0)
