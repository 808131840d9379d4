"""The local executor: jobs as processes of this machine, each in its own session.

Spawning goes through the one launcher (``jobs/launcher.py``: a runner per
dispatch, forked by a fork server started once), exits are noticed through
pidfds (``jobs/watch.py``), the runner records the exit status in a file so
a job that ends while the server is down still says how, and identity is
PID plus create time.

The processes of a job are more than the runner's process group: children
that ``setsid()``, ``setpgid()`` or double-fork away are found by the marks
the launcher puts in every job's environment (``watch.scan_jobs``), and
every process seen once is remembered while it lives, so a kill reaches
them all and the GPUs are not given back while one runs.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import threading
from collections.abc import Callable

from .. import jobfiles
from ..jobs.launcher import Launcher, LaunchSpec
from ..jobs.watch import (
    ExitWatcher,
    JobScan,
    ProcessRef,
    find_job_process,
    is_same_process,
    scan_jobs,
    signal_processes,
    wait_for_exits,
)
from ..models.jobs import DescribeJob
from ..tasks import ThreadBatches
from .base import Executor, ExecutorContext, Submitted

log = logging.getLogger("forgather_lab.executors")


class LocalExecutor(Executor):
    """Runs jobs on this machine (the default ``executor_class``)."""

    name = "local"

    def __init__(self, context: ExecutorContext) -> None:
        super().__init__(context)
        self.launcher = Launcher(
            context.state_dir, context.server_url, context.base_env, context.run_as
        )
        self.watcher = ExitWatcher()
        self._ready_next: asyncio.Future[None] | None = None
        # Runners the fork server forked: its children, not ours (watched with the identity check).
        self._forked: set[int] = set()
        # Jobs end in bursts (a drain ends several at once): the scans of their
        # processes go to a thread together, in one pass over /proc.
        self._scans = ThreadBatches(self._scan_many, "forgather-process-scans")
        # Processes of each job seen by a scan, by PID (found again while they live).
        self._seen: dict[str, dict[int, ProcessRef]] = {}
        self._seen_lock = threading.Lock()

    async def submit(
        self, job_id: str, spec: LaunchSpec, gpus: list[int], job: DescribeJob | None = None
    ) -> Submitted:
        # The callback URL is final only once the server listens (port 0).
        self.launcher.server_url = self.context.server_url
        owner = job.owner if job is not None else None  # whose account it runs as (hub mode)
        launched = self.launcher.spawn_ready(job_id, spec, gpus)
        if launched is None:
            launched = await asyncio.to_thread(self.launcher.spawn, job_id, spec, gpus, owner)
        if not launched.own_child:
            self._forked.add(launched.pid)
        return Submitted(launched.pid, launched.create_time, launched.log_path, launched.token_hash)

    def watch(self, job: DescribeJob, on_exit: Callable[[], None], own_child: bool) -> None:
        assert job.pid is not None, "a watched job has a process"
        if job.pid in self._forked:
            # Not ours to reap, so its PID is pinned only by the pidfd: check who it is.
            self._forked.discard(job.pid)
            own_child = False
        self.watcher.watch(job.pid, job.pid_create_time, on_exit, own_child)

    async def exit_code(self, job_id: str) -> int | None:
        # Read on the loop: a few bytes of a local file (opened without blocking,
        # jobfiles) cost less than the hand-off to a thread and back, once per job.
        return _read_exit_file(self.launcher.exit_file(job_id))[0]

    async def left_nothing(self, job: DescribeJob) -> bool:
        # The runner, the command's subreaper, wrote its status on a line of its own.
        if not _read_exit_file(self.launcher.exit_file(job.id))[1]:
            return False
        with self._seen_lock:
            self._seen.pop(job.id, None)  # no later scan would find them gone
        return True

    async def is_alive(self, job: DescribeJob) -> bool:
        return await asyncio.to_thread(is_same_process, job.pid, job.pid_create_time)

    async def find(self, job: DescribeJob) -> Submitted | None:
        token_file = self.launcher.token_file(job.id)
        found = await asyncio.to_thread(find_job_process, job.id, token_file)
        if found is None:
            return None
        pid, create_time = found
        return Submitted(pid, create_time, self.log_path(job.id), None)

    async def signal(self, job: DescribeJob, force: bool) -> str:
        sig = signal.SIGKILL if force else signal.SIGTERM
        # The snapshot is taken before signalling: a process that loses its
        # parent in the kill (a daemon's intermediate dies first) is known already.
        procs = await self._scan_soon(job)
        await asyncio.to_thread(signal_processes, _runner(job), procs, sig)
        return sig.name

    async def lingering(self, job: DescribeJob) -> list[int]:
        return [p.pid for p in await self._scan_soon(job)]

    async def wait_gone(self, job: DescribeJob) -> None:
        # Rescan after each round: a survivor may have forked meanwhile.
        while procs := await self._scan_soon(job):
            if not await wait_for_exits(procs):
                await asyncio.sleep(0.05)  # all ended between the scan and the pidfds

    async def _scan_soon(self, job: DescribeJob) -> list[ProcessRef]:
        """The processes of ``job`` from a scan that starts after this call.

        Scans asked for while one runs are made together by the next, in one
        pass over ``/proc``.
        """
        return await self._scans(job)

    def _scan_many(self, jobs: list[DescribeJob]) -> list[list[ProcessRef]]:
        unique = list({job.id: job for job in jobs}.values())
        with self._seen_lock:
            known = {job.id: dict(self._seen.get(job.id, {})) for job in unique}
        procs = scan_jobs(
            JobScan(
                job.id,
                self.launcher.token_file(job.id),
                _runner(job),
                tuple(known[job.id].values()),
            )
            for job in unique
        )
        with self._seen_lock:
            for job in unique:
                # Keep what a concurrent scan added meanwhile; drop what this one found gone.
                was = known[job.id]
                now = {p: ref for p, ref in self._seen.get(job.id, {}).items() if p not in was}
                now.update((p.pid, p) for p in procs[job.id])
                if now:
                    self._seen[job.id] = now
                else:
                    self._seen.pop(job.id, None)
        return [procs[job.id] for job in jobs]

    async def start(self) -> None:
        self.ready_next()

    def ready_next(self) -> None:
        if self._ready_next is not None and not self._ready_next.done():
            return
        if self._ready_next is not None and not self.launcher.low_on_spares():
            return  # refilled in one hop to a thread once half are taken, not after each
        future = asyncio.get_running_loop().run_in_executor(None, self.launcher.ready)
        future.add_done_callback(_log_failure)
        self._ready_next = future

    async def close(self) -> None:
        if self._ready_next is not None:
            # A runner being started must finish starting before it can be let go.
            with contextlib.suppress(Exception):
                await self._ready_next
        await self._scans.close()
        self.watcher.close()
        self.launcher.close()


def _runner(job: DescribeJob) -> ProcessRef | None:
    return ProcessRef(job.pid, job.pid_create_time) if job.pid else None


def _read_exit_file(path: os.PathLike[str]) -> tuple[int | None, bool]:
    """The status a runner recorded (None: none) and whether it saw nothing of the job left."""
    try:
        # The job's owner may own its directory: a link there is no exit code, and
        # nothing past the few bytes a status takes is read (this runs on the loop).
        fd = jobfiles.open_regular(path)
    except FileNotFoundError:
        return None, False
    try:
        raw = os.read(fd, 32)
        # runner.py: the status on a line of its own. Believed only from a runner of
        # ours: a job's owner may write in its directory, and a daemon of its job
        # left running must not lose the card it holds to someone else's job.
        alone = raw.endswith(b"\n") and os.fstat(fd).st_uid == os.geteuid()
        return int(raw.strip()), alone
    except ValueError:
        return None, False
    finally:
        os.close(fd)


def _log_failure(future: asyncio.Future[None]) -> None:
    if not future.cancelled() and future.exception() is not None:
        log.error("could not pre-start a job runner", exc_info=future.exception())
