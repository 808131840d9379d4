"""The local executor: jobs as processes of this machine, each in its own session.

Spawning goes through the one launcher (``jobs/launcher.py``, a pre-started
runner per dispatch), exits are noticed through pidfds (``jobs/watch.py``),
the runner records the exit status in a file so a job that ends while the
server is down still says how, and identity is PID plus create time.

The processes of a job are more than the runner's process group: children
that ``setsid()``, ``setpgid()`` or double-fork away are found by the marks
the launcher puts in every job's environment (``watch.job_processes``), and
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

from ..jobs.launcher import Launcher, LaunchSpec
from ..jobs.watch import (
    ExitWatcher,
    ProcessRef,
    find_job_process,
    is_same_process,
    job_processes,
    signal_processes,
    wait_for_exits,
)
from ..models.jobs import DescribeJob
from .base import Executor, ExecutorContext, Submitted

log = logging.getLogger("forgather_lab.executors")


class LocalExecutor(Executor):
    """Runs jobs on this machine (the default ``executor_class``)."""

    name = "local"

    def __init__(self, context: ExecutorContext) -> None:
        super().__init__(context)
        self.launcher = Launcher(context.state_dir, context.server_url, context.base_env)
        self.watcher = ExitWatcher()
        self._ready_next: asyncio.Future[None] | None = None
        # Processes of each job seen by a scan, by PID (found again while they live).
        self._seen: dict[str, dict[int, ProcessRef]] = {}
        self._seen_lock = threading.Lock()

    async def submit(
        self, job_id: str, spec: LaunchSpec, gpus: list[int], job: DescribeJob | None = None
    ) -> Submitted:
        # The callback URL is final only once the server listens (port 0).
        self.launcher.server_url = self.context.server_url
        launched = await asyncio.to_thread(self.launcher.spawn, job_id, spec, gpus)
        return Submitted(launched.pid, launched.create_time, launched.log_path, launched.token_hash)

    def watch(self, job: DescribeJob, on_exit: Callable[[], None], own_child: bool) -> None:
        assert job.pid is not None, "a watched job has a process"
        self.watcher.watch(job.pid, job.pid_create_time, on_exit, own_child)

    async def exit_code(self, job_id: str) -> int | None:
        return await asyncio.to_thread(_read_exit_code, self.launcher.exit_file(job_id))

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
        procs = await asyncio.to_thread(self._scan, job)
        await asyncio.to_thread(signal_processes, _runner(job), procs, sig)
        return sig.name

    async def lingering(self, job: DescribeJob) -> list[int]:
        return [p.pid for p in await asyncio.to_thread(self._scan, job)]

    async def wait_gone(self, job: DescribeJob) -> None:
        # Rescan after each round: a survivor may have forked meanwhile.
        while procs := await asyncio.to_thread(self._scan, job):
            if not await wait_for_exits(procs):
                await asyncio.sleep(0.05)  # all ended between the scan and the pidfds

    def _scan(self, job: DescribeJob) -> list[ProcessRef]:
        with self._seen_lock:
            known = dict(self._seen.get(job.id, {}))
        procs = job_processes(
            job.id, self.launcher.token_file(job.id), _runner(job), known.values()
        )
        with self._seen_lock:
            # Keep what a concurrent scan added meanwhile; drop what this one found gone.
            now = {pid: ref for pid, ref in self._seen.get(job.id, {}).items() if pid not in known}
            now.update((p.pid, p) for p in procs)
            if now:
                self._seen[job.id] = now
            else:
                self._seen.pop(job.id, None)
        return procs

    async def start(self) -> None:
        self.ready_next()

    def ready_next(self) -> None:
        if self._ready_next is not None and not self._ready_next.done():
            return
        future = asyncio.get_running_loop().run_in_executor(None, self.launcher.prestart)
        future.add_done_callback(_log_failure)
        self._ready_next = future

    async def close(self) -> None:
        if self._ready_next is not None:
            # A runner being started must finish starting before it can be let go.
            with contextlib.suppress(Exception):
                await self._ready_next
        self.watcher.close()
        self.launcher.close()


def _runner(job: DescribeJob) -> ProcessRef | None:
    return ProcessRef(job.pid, job.pid_create_time) if job.pid else None


def _read_exit_code(path: os.PathLike[str]) -> int | None:
    try:
        with open(path) as f:
            return int(f.read().strip())
    except (FileNotFoundError, ValueError):
        return None


def _log_failure(future: asyncio.Future[None]) -> None:
    if not future.cancelled() and future.exception() is not None:
        log.error("could not pre-start a job runner", exc_info=future.exception())
