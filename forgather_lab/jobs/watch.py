"""Process identity, the processes of a job, and exit watching without polling.

A process is identified by PID plus create time, so a recycled PID is never
mistaken for it. Exits are noticed through pidfds (readable when the process
ends) registered with the event loop.

A job is more than its runner's process group: a child may ``setsid()`` or
``setpgid()`` out of it, or double-fork into a daemon that init adopts. Such a
process still runs on the job's GPUs, so ``job_processes`` finds all of them:
the runner and its descendants, the members of its session and group, every
process that carries the job's marks in its environment (every descendant
inherits them, also once the parent link is lost), and processes seen before.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import psutil

# Create times are floats from /proc with jiffy resolution; allow for rounding.
_CREATE_TIME_SLACK = 0.05

# What the launcher puts in every job's environment (launcher.py).
JOB_ID_VAR = "FORGATHER_LAB_JOB_ID"
TOKEN_FILE_VAR = "FORGATHER_LAB_TOKEN_FILE"  # noqa: S105 - a variable name, not a secret


@dataclass(frozen=True)
class ProcessRef:
    """One process by identity: PID and create time (None: not known, PID only)."""

    pid: int
    create_time: float | None

    def alive(self) -> bool:
        """Whether this very process still runs (not a zombie, not a recycled PID)."""
        return is_same_process(self.pid, self.create_time)


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


def job_processes(
    job_id: str, token_file: Path, leader: ProcessRef | None, known: Iterable[ProcessRef] = ()
) -> list[ProcessRef]:
    """Every live process of a job, wherever it went, ordered by PID.

    ``leader`` is the job's runner (it leads the job's session and group);
    ``token_file`` tells this server's job ``job_id`` from another server's
    job of the same id; ``known`` are processes of the job seen earlier,
    found again as long as they live even if they shed every other mark.
    """
    me = os.getpid()
    found: dict[int, ProcessRef] = {}
    # Session and group ids name the runner's PID: trusted only while it lives
    # (then no other process can hold that PID); later the marks and ``known`` tell.
    session = leader.pid if leader is not None and leader.alive() else None
    if leader is not None and session is not None:
        with contextlib.suppress(psutil.Error):
            root = psutil.Process(leader.pid)
            # Its real create time: what is remembered must not match a recycled PID.
            found[leader.pid] = ProcessRef(leader.pid, root.create_time())
            for child in root.children(recursive=True):
                with contextlib.suppress(psutil.Error):
                    if child.status() != psutil.STATUS_ZOMBIE:
                        found[child.pid] = ProcessRef(child.pid, child.create_time())
    ours = _real(str(token_file))
    mark = f"{JOB_ID_VAR}={job_id}".encode()
    # Straight from /proc, one read per process: this runs at every job's end,
    # and psutil's per-process objects cost several times more on a busy machine.
    for pid in _pids():
        if pid == me or pid in found:
            continue  # ourselves, or seen already
        try:
            if not (_in_session(pid, session) or _marked(pid, mark, ours)):
                continue
            proc = psutil.Process(pid)
            if proc.status() != psutil.STATUS_ZOMBIE:
                found[pid] = ProcessRef(pid, proc.create_time())
        except (OSError, psutil.Error):
            continue  # gone meanwhile, or another user's
    for ref in known:
        if ref.pid not in found and ref.pid != me and ref.alive():
            found[ref.pid] = ref
    return [found[pid] for pid in sorted(found)]


def _pids() -> list[int]:
    return [int(name) for name in os.listdir("/proc") if name.isdigit()]


def _marked(pid: int, mark: bytes, token_file: str) -> bool:
    """``_carries_marks`` from the raw environment: parsed only when the job id is there."""
    with open(f"/proc/{pid}/environ", "rb") as f:
        raw = f.read()
    if not (raw.startswith(mark + b"\0") or b"\0" + mark + b"\0" in raw):
        return False
    env = dict(
        item.decode(errors="surrogateescape").partition("=")[::2]
        for item in raw.split(b"\0")
        if item
    )
    theirs = env.get(TOKEN_FILE_VAR)
    return theirs is None or _real(theirs) == token_file


def _in_session(pid: int, session: int | None) -> bool:
    return session is not None and (os.getsid(pid) == session or os.getpgid(pid) == session)


def _carries_marks(proc: psutil.Process, job_id: str, token_file: str) -> bool:
    env = proc.environ()
    if env.get(JOB_ID_VAR) != job_id:
        return False
    theirs = env.get(TOKEN_FILE_VAR)
    # Job ids are per state directory: the token file says which server's job it is.
    return theirs is None or _real(theirs) == token_file


def _real(path: str) -> str:
    return os.path.realpath(path)


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


def find_job_process(job_id: str, token_file: Path) -> tuple[int, float] | None:
    """The runner of ``job_id``: the session leader of a process carrying its marks.

    The runner itself carries no marks (it starts before it has a job), which
    tells it from a child of the job that made itself a session leader.
    """
    ours = _real(str(token_file))
    leaders: dict[int, float] = {}
    for proc in psutil.process_iter(["pid"]):
        try:
            if not _carries_marks(proc, job_id, ours):
                continue
            leader = psutil.Process(os.getsid(proc.pid))
            if leader.status() == psutil.STATUS_ZOMBIE or _carries_marks(leader, job_id, ours):
                continue
            leaders[leader.pid] = leader.create_time()
        except (OSError, psutil.Error):
            continue
    if not leaders:
        return None
    pid = min(leaders, key=lambda p: leaders[p])
    return pid, leaders[pid]


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
