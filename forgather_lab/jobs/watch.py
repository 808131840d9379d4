"""Process identity and exit watching, without polling.

A job is identified by PID plus process create time, so a recycled PID is
never mistaken for the job. Exits are noticed through a pidfd (readable
when the process ends) registered with the event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Callable

import psutil

# Create times are floats from /proc with jiffy resolution; allow for rounding.
_CREATE_TIME_SLACK = 0.05


def is_same_process(pid: int | None, create_time: float | None) -> bool:
    """Whether ``pid`` is alive (not a zombie) and is the process created at ``create_time``."""
    if not pid:
        return False
    try:
        proc = psutil.Process(pid)
        if proc.status() == psutil.STATUS_ZOMBIE:
            return False
        return create_time is None or abs(proc.create_time() - create_time) < _CREATE_TIME_SLACK
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return False


def group_members(pgid: int) -> list[int]:
    """Live (non-zombie) processes in a process group."""
    members = []
    for proc in psutil.process_iter(["pid", "status"]):
        try:
            if proc.info["status"] != psutil.STATUS_ZOMBIE and os.getpgid(proc.pid) == pgid:
                members.append(proc.pid)
        except (ProcessLookupError, PermissionError, psutil.Error):
            continue
    return members


def find_job_process(job_id: str) -> tuple[int, float] | None:
    """The runner of ``job_id``: the session leader of a process carrying its id.

    The command carries ``FORGATHER_LAB_JOB_ID`` in its environment; the
    runner that leads its session (and records its exit) is what we watch.
    """
    for proc in psutil.process_iter(["pid"]):
        try:
            if proc.environ().get("FORGATHER_LAB_JOB_ID") != job_id:
                continue
            leader = psutil.Process(os.getsid(proc.pid))
            return leader.pid, leader.create_time()
        except (ProcessLookupError, PermissionError, psutil.Error):
            continue
    return None


class ExitWatcher:
    """Calls back once when a watched process ends."""

    def __init__(self) -> None:
        self._fds: dict[int, int] = {}

    def watch(
        self,
        pid: int,
        create_time: float | None,
        on_exit: Callable[[], None],
        own_child: bool = False,
    ) -> None:
        """Call ``on_exit`` (on the loop) when ``pid`` ends; at once if it already has.

        ``own_child``: this server spawned it and must reap it (after a restart
        the job is init's child and init reaps it).
        """
        loop = asyncio.get_running_loop()
        try:
            fd = os.pidfd_open(pid)
        except OSError:
            if own_child:
                _reap(pid)
            loop.call_soon(on_exit)
            return
        # The pidfd pins the PID; only now is the identity check race-free.
        if not own_child and not is_same_process(pid, create_time):
            os.close(fd)
            loop.call_soon(on_exit)
            return

        def ready() -> None:
            loop.remove_reader(fd)
            os.close(fd)
            self._fds.pop(pid, None)
            if own_child:
                _reap(pid)
            on_exit()

        self._fds[pid] = fd
        loop.add_reader(fd, ready)

    def close(self) -> None:
        """Stop watching everything (the processes keep running)."""
        with contextlib.suppress(RuntimeError):
            loop = asyncio.get_running_loop()
            for fd in self._fds.values():
                loop.remove_reader(fd)
        for fd in self._fds.values():
            with contextlib.suppress(OSError):
                os.close(fd)
        self._fds.clear()


def _reap(pid: int) -> None:
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, 0)
