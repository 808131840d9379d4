"""Exit watching without polling, and signalling a job's processes.

Exits are noticed through pidfds (readable when the process ends) registered
with the event loop; signals go through pidfds opened and checked first, so a
recycled PID is never signalled. Finding a job's processes, and what a
process is (PID plus create time), is ``processes.py``; its names are
re-exported here for the modules that import them from this one.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from collections.abc import Callable, Iterable, Iterator

from .processes import (
    JOB_ID_VAR,
    TOKEN_FILE_VAR,
    JobScan,
    ProcessRef,
    find_job_process,
    is_same_process,
    job_processes,
    scan_jobs,
)

__all__ = [
    "JOB_ID_VAR",
    "TOKEN_FILE_VAR",
    "ExitWatcher",
    "JobScan",
    "ProcessRef",
    "find_job_process",
    "is_same_process",
    "job_processes",
    "scan_jobs",
    "signal_processes",
    "wait_for_exits",
]


def signal_processes(leader: ProcessRef | None, procs: Iterable[ProcessRef], sig: int) -> None:
    """Send ``sig`` to the group ``leader`` leads, then to each of ``procs`` that left it.

    One ``killpg`` reaches every member of the group at once (also a child
    forked a moment ago); the ones that left the group are signalled one by
    one, each exactly once, through a pidfd opened and checked first, so a
    recycled PID is never signalled.
    """
    group: int | None = None
    if leader is not None:
        with _pinned(leader) as fd:
            if fd is not None:
                # The leader lives (checked through its pidfd): the group id is its own.
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(leader.pid, sig)
                group = leader.pid
    for ref in procs:
        with _pinned(ref) as fd:
            if fd is None:
                continue
            try:
                if group is not None and os.getpgid(ref.pid) == group:
                    continue  # the killpg reached it
                signal.pidfd_send_signal(fd, sig)
            except ProcessLookupError:
                continue


@contextlib.contextmanager
def _pinned(ref: ProcessRef) -> Iterator[int | None]:
    """A pidfd on ``ref`` if it is still that process, else None.

    Checked after opening: if the process the pidfd refers to still runs,
    ``/proc/<pid>`` is that process, so a matching create time proves it.
    """
    try:
        fd = os.pidfd_open(ref.pid)
    except OSError:
        yield None
        return
    try:
        yield fd if ref.alive() else None
    finally:
        os.close(fd)


async def wait_for_exits(procs: Iterable[ProcessRef]) -> int:
    """Return once every process in ``procs`` has ended (bound it with ``asyncio.timeout``).

    Returns how many were still running to wait for.
    """
    loop = asyncio.get_running_loop()
    fds: list[int] = []
    ends: list[asyncio.Future[None]] = []
    try:
        for ref in procs:
            try:
                fd = os.pidfd_open(ref.pid)
            except OSError:
                continue  # already gone
            fds.append(fd)
            if not ref.alive():  # checked once pinned: a zombie, or a recycled PID
                continue
            end: asyncio.Future[None] = loop.create_future()
            loop.add_reader(fd, _settle, end)
            ends.append(end)
        if ends:
            await asyncio.gather(*ends)
        return len(ends)
    finally:
        for fd in fds:
            loop.remove_reader(fd)
            os.close(fd)


def _settle(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


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
