"""Process identity and the processes of a job, wherever they went.

A process is identified by PID plus create time, so a recycled PID is never
mistaken for it.

A job is more than its runner's process group: a child may ``setsid()`` or
``setpgid()`` out of it, or double-fork into a daemon that init adopts. Such a
process still runs on the job's GPUs, so ``job_processes`` finds all of them:
the runner and its descendants, the members of its session and group, every
process that carries the job's marks in its environment (every descendant
inherits them, also once the parent link is lost), and processes seen before.
``scan_jobs`` does that for several jobs in one pass over ``/proc``.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
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
    if not pid or pid < 0:
        return False
    stat = _stat(pid)
    if stat is None or stat[0] in _ENDED_STATES:
        return False
    return create_time is None or abs(_wall_time(stat[1]) - create_time) < _CREATE_TIME_SLACK


def create_time(pid: int) -> float | None:
    """When ``pid`` started, on the wall clock, as ``psutil.Process(pid).create_time()``
    says it (None: no such process).

    Read here at every job's start and watch, where psutil's answer took five
    reads of ``/proc`` (two of ``/proc/stat``, whose interrupt counts the kernel
    sums up at each read): this takes one, of ``/proc/<pid>/stat``.
    """
    stat = _stat(pid)
    return None if stat is None else _wall_time(stat[1])


_ENDED_STATES = frozenset({b"Z", b"X", b"x"})  # zombie, dead


def _stat(pid: int) -> tuple[bytes, int] | None:
    """(state, start time in clock ticks after boot) from ``/proc/<pid>/stat``."""
    try:
        # os.open and one read: a file object's are nine system calls, this three.
        fd = os.open(f"/proc/{pid}/stat", os.O_RDONLY | os.O_CLOEXEC)
    except (FileNotFoundError, ProcessLookupError):
        return None
    try:
        data = os.read(fd, 4096)  # a few hundred bytes, read whole at once
    except ProcessLookupError:  # it ended between the open and the read
        return None
    finally:
        os.close(fd)
    # The name, in parentheses, may hold spaces and parentheses: fields follow the last ")".
    fields = data[data.rfind(b")") + 2 :].split()
    return fields[0], int(fields[19])  # proc(5): state is field 3, starttime field 22


_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _wall_time(ticks: int) -> float:
    # psutil's arithmetic, to the bit: create times it gave are kept in the database.
    return float(ticks) / _CLOCK_TICKS + boot_time()


#: (wall clock minus boot-time clock when ``btime`` was read, ``btime``).
_boot: tuple[float, float] | None = None


def boot_time() -> float:
    """The boot time ``/proc/stat`` gives now (``btime``: what psutil adds to start ticks).

    The kernel writes it as whole seconds of the wall clock less the boot-time
    clock, which moves only when the wall clock is set (NTP slews both clocks
    alike). That difference is measured at each call and ``/proc/stat`` read
    again only when it moved, or when it was too near a whole second to tell.
    """
    global _boot
    offset = time.time() - time.clock_gettime(time.CLOCK_BOOTTIME)
    known = _boot
    if known is not None and abs(offset - known[0]) < _BOOT_SLACK:
        return known[1]
    with open("/proc/stat", "rb") as f:
        btime = next(float(line.split()[1]) for line in f if line.startswith(b"btime"))
    # Cached only when the offset is well inside the second the kernel wrote.
    after = time.time() - time.clock_gettime(time.CLOCK_BOOTTIME)
    inside = btime + 2 * _BOOT_SLACK <= min(offset, after) and max(offset, after) < (
        btime + 1 - 2 * _BOOT_SLACK
    )
    _boot = (after, btime) if inside and abs(after - offset) < _BOOT_SLACK else None
    return btime


_BOOT_SLACK = 0.001  # seconds: far above the microseconds between the two clock reads


@dataclass(frozen=True)
class JobScan:
    """What ``scan_jobs`` looks for of one job (``job_processes``' arguments)."""

    job_id: str
    token_file: Path
    leader: ProcessRef | None
    known: tuple[ProcessRef, ...] = ()


def job_processes(
    job_id: str, token_file: Path, leader: ProcessRef | None, known: Iterable[ProcessRef] = ()
) -> list[ProcessRef]:
    """Every live process of a job, wherever it went, ordered by PID.

    ``leader`` is the job's runner (it leads the job's session and group);
    ``token_file`` tells this server's job ``job_id`` from another server's
    job of the same id; ``known`` are processes of the job seen earlier,
    found again as long as they live even if they shed every other mark.
    """
    return scan_jobs([JobScan(job_id, token_file, leader, tuple(known))])[job_id]


def scan_jobs(jobs: Iterable[JobScan]) -> dict[str, list[ProcessRef]]:
    """``job_processes`` of several jobs in one pass over ``/proc``, by job id.

    The pass reads every process's environment, which is most of the cost
    (hundreds of processes on a shared machine): jobs that end together
    share one.
    """
    import psutil  # here, not at the top: server start need not pay for it (issue 19)

    me = os.getpid()
    wanted = list(jobs)
    found: dict[str, dict[int, ProcessRef]] = {j.job_id: {} for j in wanted}
    sessions: dict[int, str] = {}  # session / group id → job
    tokens: dict[str, str] = {}  # job id → its token file, resolved
    for job in wanted:
        tokens[job.job_id] = _real(str(job.token_file))
        leader = job.leader
        # Session and group ids name the runner's PID: trusted only while it lives
        # (then no other process can hold that PID); later the marks and ``known`` tell.
        if leader is None or not leader.alive():
            continue
        sessions[leader.pid] = job.job_id
        with contextlib.suppress(psutil.Error):
            root = psutil.Process(leader.pid)
            # Its real create time: what is remembered must not match a recycled PID.
            mine = found[job.job_id]
            mine[leader.pid] = ProcessRef(leader.pid, root.create_time())
            for child in root.children(recursive=True):
                with contextlib.suppress(psutil.Error):
                    if child.status() != psutil.STATUS_ZOMBIE:
                        mine[child.pid] = ProcessRef(child.pid, child.create_time())
    seen = {pid for procs in found.values() for pid in procs}
    # Straight from /proc, one read per process: this runs at every job's end,
    # and psutil's per-process objects cost several times more on a busy machine.
    for pid in _pids():
        if pid == me or pid in seen:
            continue  # ourselves, or seen already
        try:
            # Usually one job; two when a process in one job's session carries another's marks.
            owners = {_session_of(pid, sessions), _marked_for(pid, tokens)} - {None}
            if not owners:
                continue
            proc = psutil.Process(pid)
            if proc.status() != psutil.STATUS_ZOMBIE:
                ref = ProcessRef(pid, proc.create_time())
                for owner in owners:
                    found[str(owner)][pid] = ref
        except (OSError, psutil.Error):
            continue  # gone meanwhile, or another user's
    out: dict[str, list[ProcessRef]] = {}
    for job in wanted:
        mine = found[job.job_id]
        for ref in job.known:
            if ref.pid not in mine and ref.pid != me and ref.alive():
                mine[ref.pid] = ref
        out[job.job_id] = [mine[pid] for pid in sorted(mine)]
    return out


def _pids() -> list[int]:
    return [int(name) for name in os.listdir("/proc") if name.isdigit()]


_MARK = f"{JOB_ID_VAR}=".encode()


def _marked_for(pid: int, tokens: dict[str, str]) -> str | None:
    """The job of ``tokens`` whose marks ``pid`` carries, from its raw environment.

    Parsed only when a job id is there at all (most processes are not jobs').
    """
    with open(f"/proc/{pid}/environ", "rb") as f:
        raw = f.read()
    if _MARK not in raw:
        return None
    env = dict(
        item.decode(errors="surrogateescape").partition("=")[::2]
        for item in raw.split(b"\0")
        if item
    )
    job_id = env.get(JOB_ID_VAR)
    if job_id is None or job_id not in tokens:
        return None
    theirs = env.get(TOKEN_FILE_VAR)
    return job_id if theirs is None or _real(theirs) == tokens[job_id] else None


def _session_of(pid: int, sessions: dict[int, str]) -> str | None:
    if not sessions:
        return None
    return sessions.get(os.getsid(pid)) or sessions.get(os.getpgid(pid))


def _carries_marks(proc: psutil.Process, job_id: str, token_file: str) -> bool:
    env = proc.environ()
    if env.get(JOB_ID_VAR) != job_id:
        return False
    theirs = env.get(TOKEN_FILE_VAR)
    # Job ids are per state directory: the token file says which server's job it is.
    return theirs is None or _real(theirs) == token_file


def _real(path: str) -> str:
    return os.path.realpath(path)


def find_job_process(job_id: str, token_file: Path) -> tuple[int, float] | None:
    """The runner of ``job_id``: the session leader of a process carrying its marks.

    The runner itself carries no marks (it starts before it has a job), which
    tells it from a child of the job that made itself a session leader.
    """
    import psutil  # here, not at the top: server start need not pay for it (issue 19)

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
