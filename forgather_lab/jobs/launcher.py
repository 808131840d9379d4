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
import marshal
import os
import secrets
import stat
import sys
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from ..store.db import ensure_private_dir
from .accounts import Account, RunAs
from .environment import base_environment
from .forkserver import ForkServer
from .processes import create_time

RUNNER = str(Path(__file__).with_name("runner.py"))


@dataclass(frozen=True)
class LaunchSpec:
    """What to run: argv, working directory, extra environment."""

    argv: list[str]
    cwd: str | None = None
    env: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Launched:
    """A started job process (our child until a server restart, unless ``own_child`` is False)."""

    pid: int
    create_time: float
    log_path: Path
    token_hash: str
    #: False for a runner the fork server forked: its child, which it reaps, not ours.
    own_child: bool = True


class _Runner(NamedTuple):
    """An idle runner waiting for its job on a pipe."""

    pid: int
    pipe: int  # the write end
    create_time: float
    own_child: bool = True  # False: the fork server's child (forkserver.py)


class Launcher:
    """Spawns jobs under ``<state_dir>/jobs/<id>/``.

    Idle runners are kept ready, so a dispatch hands one the job over a pipe
    instead of waiting for an interpreter to start: up to ``spares`` of them
    forked by the fork server (``ready``, after each dispatch, off the
    critical path), and the one ``prestart`` starts itself. Without one, a
    runner is forked for the job, or as a last resort started.
    """

    def __init__(
        self,
        state_dir: Path,
        server_url: str = "",
        base_env: Mapping[str, str] | None = None,
        run_as: RunAs | None = None,
        spares: int = 8,
    ) -> None:
        self.state_dir = state_dir
        # Idle ones take the next jobs at once, on the event loop (``spawn_ready``); a
        # burst beyond them gets runners forked on demand, in a thread (a fork-server
        # round trip, about a millisecond). Eight: a pass over an 8-card pool starts
        # up to eight, and an idle forked runner costs 0.4 MB of its own (USS) here.
        self.spares = spares
        self.jobs_dir = state_dir / "jobs"
        #: Whose account a job's command runs as (hub mode, as root); None: always ours.
        self.run_as = run_as
        if run_as is not None and run_as.status().active and self.state_dir.is_dir():
            # Opening the database made the state directory 0700 again: the owners'
            # jobs still running from before a restart must reach their directories.
            self._jobs_dir_ready()
        self.server_url = server_url
        # What every job (and its runner) starts from; the job's own env goes on top.
        self.base_env = dict(base_env if base_env is not None else base_environment(os.environ))
        self._spare: _Runner | None = None  # ``prestart``'s
        self._lock = threading.Lock()
        self._forkserver: ForkServer | None = None  # ``ready``: forks the spares
        self._forked: list[_Runner] = []  # its spares
        self._jobs_dir_made = False
        self._closed = False

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

    def spawn(
        self, job_id: str, spec: LaunchSpec, gpus: list[int], owner: str | None = None
    ) -> Launched:
        """Start the job (as ``owner``'s account when ``run_as`` says so).

        Raises OSError if it cannot be started at all, NoLocalAccount when its
        owner has no account to run as.
        """
        account = self.run_as.account_for(owner) if self.run_as is not None else None
        launched = self._hand_to_runner(job_id, spec, gpus, account, wait=True)
        assert launched is not None, "a runner is forked or started when none is idle"
        return launched

    def spawn_ready(self, job_id: str, spec: LaunchSpec, gpus: list[int]) -> Launched | None:
        """``spawn``, if an idle runner takes the job at once; None: call ``spawn``.

        Then nothing here blocks (a pipe write and a read of ``/proc``), so the
        event loop may call it, saving the hop to a thread and back at each
        dispatch. In a shared pool jobs always go to ``spawn``: finding the
        account a job runs as asks the system's user database.
        """
        if (self.run_as is not None and self.run_as.hub_mode) or not self._jobs_dir_made:
            return None
        return self._hand_to_runner(job_id, spec, gpus, None, wait=False)

    def _hand_to_runner(
        self, job_id: str, spec: LaunchSpec, gpus: list[int], account: Account | None, wait: bool
    ) -> Launched | None:
        """The job handed to a runner; without ``wait``, only to an idle one (else None)."""
        token = secrets.token_urlsafe(32)
        token_file = self.token_file(job_id)
        if account is None:
            # The runner makes the job's directory and token file (runner.py): here
            # only their parent, once, so a state directory that cannot hold jobs
            # still fails the start with the reason.
            if not self._jobs_dir_made:
                self._jobs_dir_ready()
                self._jobs_dir_made = True
            prepare = {
                "dir": str(self.job_dir(job_id)),
                "token_file": str(token_file),
                "token": token,
            }
        else:
            # The owner's: made here, where the service may hand them over (chown).
            self._jobs_dir_ready()
            ensure_private_dir(self.job_dir(job_id))
            self._open_to(job_id, account)
            _write_private(token_file, token, account)
            prepare = {}
        log_path = self.log_path(job_id)
        env = {
            **(self.base_env if account is None else _as_account(self.base_env, account)),
            **spec.env,
            # NVML and CUDA must agree on what index N means.
            "CUDA_DEVICE_ORDER": "PCI_BUS_ID",
            "CUDA_VISIBLE_DEVICES": ",".join(str(i) for i in gpus),
            "FORGATHER_LAB_JOB_ID": job_id,
            "FORGATHER_LAB_URL": self.server_url,
            "FORGATHER_LAB_TOKEN_FILE": str(token_file),
            "PYTHONUNBUFFERED": "1",
        }
        # NUL + marshal: what the runner reads without importing json (runner.py).
        message = b"\0" + marshal.dumps(
            {
                "argv": spec.argv,
                "env": env,
                "cwd": spec.cwd or (_home_of(account) if account is not None else None),
                "log": str(log_path),
                "exit_file": str(self.exit_file(job_id)),
                **prepare,
                # The runner forks, switches to this account, then execs the command.
                **({"user": account.runner_fields()} if account is not None else {}),
            }
        )
        if not wait and len(message) > _PIPE_ROOM:
            return None  # the write would wait for the runner to read: not on the loop
        while (runner := self._take_spare()) is not None:
            if _hand_over(runner, message):
                break
        else:
            if not wait:
                return None
            # None idle (a burst took them): fork one now, or start one if that fails.
            runner = self._fork_spare() or self._start_runner()
            if not _hand_over(runner, message):
                raise OSError("could not hand the job to a runner")
        # Read again now, not kept from when the spare was made: a spare may have
        # waited minutes, and the create time psutil gives (boot time as the wall
        # clock has it now, plus the start ticks) moves with a step of the clock
        # since. The watcher then took the live runner for a recycled PID and the
        # job for killed from outside (three such jobs in one CI run).
        create_time = _create_time(runner.pid) or runner.create_time
        return Launched(runner.pid, create_time, log_path, hash_token(token), runner.own_child)

    def _take_spare(self) -> _Runner | None:
        with self._lock:
            spare, self._spare = self._spare, None
            if spare is None and self._forked:
                spare = self._forked.pop(0)
            return spare

    def prestart(self) -> None:
        """Have an idle runner ready for the next dispatch (call off the event loop)."""
        with self._lock:
            if self._spare is not None:
                return
        runner = self._start_runner()
        if not self._offer_spare(runner):
            os.close(runner.pipe)  # lost a race: another one is ready; this one exits
            _reap(runner.pid)

    def low_on_spares(self) -> bool:
        """Whether half of the ``spares`` or more are taken (time for ``ready``)."""
        with self._lock:
            return len(self._forked) <= self.spares // 2

    def ready(self) -> None:
        """Have ``spares`` idle runners forked and waiting (call off the event loop).

        The fork server is started at the first call, and again only if it died.
        """
        forkserver = self._running_forkserver()
        while forkserver is not None:
            with self._lock:
                if len(self._forked) >= self.spares:
                    return
            runner = self._fork_spare(forkserver)
            if runner is None:
                return
            with self._lock:
                if not self._closed and len(self._forked) < self.spares:
                    self._forked.append(runner)
                    continue
            os.close(runner.pipe)  # more than needed meanwhile: that one exits
            return

    def _fork_spare(self, forkserver: ForkServer | None = None) -> _Runner | None:
        with self._lock:
            forkserver = forkserver or self._forkserver
        got = forkserver.spare() if forkserver is not None else None
        if got is None:
            return None
        return _Runner(got[0], got[1], _create_time(got[0]), own_child=False)

    def _running_forkserver(self) -> ForkServer | None:
        with self._lock:
            current = self._forkserver
            if self._closed or (current is not None and not current.closed):
                return current
        started = ForkServer.start([sys.executable, "-I", "-S", RUNNER, "--serve"], self.base_env)
        with self._lock:
            current = self._forkserver
            if self._closed or (current is not None and not current.closed):
                lost = True  # closed, or another call started one meanwhile
            else:
                lost, self._forkserver, current = False, started, started
        if lost:
            started.close()
        return current

    def _jobs_dir_ready(self) -> None:
        """The jobs directory: 0700, or 0711 with the state directory while jobs switch users.

        0711 lets an owner's job enter its own directory, not list the others;
        it never goes back to 0700 while jobs switch (an unowned job's dispatch
        would lock every running owner's job out of its directory).
        """
        if self.run_as is None or not self.run_as.status().active:
            ensure_private_dir(self.jobs_dir)
            return
        self.jobs_dir.mkdir(parents=True, exist_ok=True, mode=0o711)
        for directory in (self.state_dir, self.jobs_dir):
            if stat.S_IMODE(directory.stat().st_mode) != 0o711:
                directory.chmod(0o711)

    def _open_to(self, job_id: str, account: Account) -> None:
        """Make the job's directory ``account``'s (0700), with what was put there for it.

        Its job writes announcements and outputs there; what is already there
        (a previous attempt's log, a token copy) was meant for it. Links and
        hard-linked files are skipped: the owner may have made them.
        """
        job_dir = self.job_dir(job_id)
        os.chown(job_dir, account.uid, account.gid, follow_symlinks=False)
        with os.scandir(job_dir) as entries:
            for entry in entries:
                st = entry.stat(follow_symlinks=False)
                if stat.S_ISREG(st.st_mode) and st.st_nlink == 1 and st.st_uid != account.uid:
                    os.chown(entry.path, account.uid, account.gid, follow_symlinks=False)

    def _offer_spare(self, runner: _Runner) -> bool:
        with self._lock:
            if self._spare is None:
                self._spare = runner
                return True
            return False

    def close(self) -> None:
        """Let the idle runners go (each exits when its pipe closes)."""
        with self._lock:
            self._closed = True
            spare, self._spare = self._spare, None
            forked, self._forked = self._forked, []
            forkserver, self._forkserver = self._forkserver, None
        if spare is not None:
            os.close(spare.pipe)
            _reap(spare.pid)
        for runner in forked:
            os.close(runner.pipe)  # the fork server's children: it (or init) reaps them
        if forkserver is not None:
            forkserver.close()

    def _start_runner(self) -> _Runner:
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
        return _Runner(pid, write_end, _create_time(pid))


#: What a pipe holds before a write waits (Linux's default pipe buffer is 64 KiB).
_PIPE_ROOM = 60 * 1024


def _create_time(pid: int) -> float:
    found = create_time(pid)
    return 0.0 if found is None else found  # gone already: the exit watcher says how it ended


def hash_token(token: str) -> str:
    """What the database keeps of a job token."""
    return hashlib.sha256(token.encode()).hexdigest()


def _write_private(path: Path, text: str, account: Account | None = None) -> None:
    # A fresh file, never through a link: a job's directory may be its owner's.
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    with os.fdopen(fd, "w") as f:
        if account is not None:
            os.fchown(f.fileno(), account.uid, account.gid)
        f.write(text)


def _home_of(account: Account) -> str:
    # As login does: an account whose home is gone starts in /, not in the service's cwd.
    return account.home if os.path.isdir(account.home) else "/"


def _as_account(base: Mapping[str, str], account: Account) -> dict[str, str]:
    """The base environment as ``account``'s: its HOME / USER / LOGNAME / SHELL."""
    # XDG_RUNTIME_DIR is the service user's (/run/user/0), unusable by anyone else.
    env = {k: v for k, v in base.items() if k != "XDG_RUNTIME_DIR"}
    env.update(account.identity_env())
    return env


def _hand_over(runner: _Runner, message: bytes) -> bool:
    """Write the job to an idle runner; False if it died meanwhile."""
    try:
        _write_all(runner.pipe, message)
    except BrokenPipeError:
        if runner.own_child:
            _reap(runner.pid)
        return False
    finally:
        os.close(runner.pipe)
    return True


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _reap(pid: int) -> None:
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, 0)
