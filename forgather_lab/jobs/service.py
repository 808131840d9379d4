"""The jobs service: enqueue, lifecycle, exits, kills, cleanup. No HTTP here.

Every status change is written to the database first and published on the
event bus second, so what a client is told has always been made durable.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import shutil
import signal
from pathlib import Path
from typing import Any

from ..errors import BadRequest, Conflict, NotFound
from ..events import EventBus
from ..models.jobs import CreateJob
from ..store import Database
from . import repository as repo
from .kinds import ConfigResolver, kind_of
from .launcher import Launcher
from .logs import read_tail
from .model import ACTIVE, TERMINAL, JobStatus
from .watch import ExitWatcher, find_job_process, group_members, is_same_process

log = logging.getLogger("forgather_lab.jobs")

SQLITE_MAX_INT = 2**63 - 1  # a bigger OFFSET is an OverflowError in sqlite3, not a page


class JobsService:
    """Owns job records and job processes."""

    def __init__(
        self,
        db: Database,
        bus: EventBus,
        launcher: Launcher,
        max_gpus: int,
        kill_timeout: float = 10.0,
        resolver: ConfigResolver | None = None,
    ) -> None:
        self.db = db
        self.bus = bus
        self.launcher = launcher
        self.max_gpus = max_gpus
        self.kill_timeout = kill_timeout
        self.resolver = resolver
        self.watcher = ExitWatcher()
        self._exited: dict[str, asyncio.Event] = {}
        self._killing: set[str] = set()
        self.on_started: list[Any] = []  # callbacks(job, launched) e.g. GPU attribution
        self.on_ended: list[Any] = []  # callbacks(job)

    @property
    def watched(self) -> set[str]:
        """Ids of jobs whose process is being watched (running now)."""
        return set(self._exited)

    # -- the queue ------------------------------------------------------------

    async def enqueue(self, request: CreateJob) -> dict[str, Any]:
        """Validate and queue a job; it is durable when this returns."""
        kind = kind_of(request.job_type)
        params = await asyncio.to_thread(kind.prepare, request, self.resolver)
        requested = request.requested_gpus
        if requested is None:
            default_gpus = getattr(kind, "default_gpus", None)
            requested = default_gpus(params) if default_gpus else 0
        if requested > self.max_gpus:
            raise BadRequest(
                f"requested_gpus is {requested} but this server has "
                f"{self.max_gpus} usable GPU{'s' if self.max_gpus != 1 else ''}"
            )
        name = request.name or _default_name(request, params)
        job = await self.db.run(
            lambda c: repo.insert(
                c,
                name=name,
                job_type=kind.name,
                priority=request.priority,
                requested_gpus=requested,
                params=params,
            )
        )
        self.bus.publish("job_queued", job_id=job["id"], job=job)
        self.bus.publish("queue_changed")
        return job

    async def queue(self) -> list[dict[str, Any]]:
        """Queued jobs in dispatch order."""
        return await self.db.run(repo.queued)

    async def cancel(self, job_id: str) -> dict[str, Any]:
        """Cancel a queued job, or abort (kill) it if it already runs."""
        job = await self.get(job_id)
        if job["status"] == JobStatus.QUEUED:
            if await self.db.run(
                lambda c: repo.finish(
                    c, job_id, JobStatus.CANCELLED, only_from=frozenset({JobStatus.QUEUED})
                )
            ):
                await self._changed(job_id, JobStatus.QUEUED)
                return await self.get(job_id)
            job = await self.get(job_id)  # it was dispatched meanwhile
        if job["status"] in {s.value for s in ACTIVE}:
            return (await self.kill(job_id, force=False))["job"]
        raise Conflict(f"Job {job_id} is already {job['status']}")

    # -- records --------------------------------------------------------------

    async def get(self, job_id: str) -> dict[str, Any]:
        job = await self.db.run(lambda c: repo.get(c, job_id))
        if job is None:
            raise NotFound(f"No job {job_id!r}")
        return job

    async def list(
        self, statuses: list[str] | None, limit: int, offset: int
    ) -> tuple[list[dict[str, Any]], int]:
        known = {s.value for s in JobStatus}
        unknown = [s for s in statuses or [] if s not in known]
        if unknown:
            raise BadRequest(
                f"Unknown status {unknown[0]!r}; expected one of "
                f"{', '.join(s.value for s in JobStatus)}"
            )
        if offset > SQLITE_MAX_INT:
            raise BadRequest(f"offset {offset} is past any possible job")
        return await self.db.run(lambda c: repo.list_jobs(c, statuses, limit, offset))

    async def delete(self, job_id: str) -> None:
        """Delete a terminal job and its files."""
        job = await self.get(job_id)
        if job["status"] not in {s.value for s in TERMINAL}:
            raise Conflict(f"Job {job_id} is {job['status']}; only finished jobs can be deleted")
        await self.db.run(lambda c: repo.delete(c, [job_id]))
        await asyncio.to_thread(shutil.rmtree, self.launcher.job_dir(job_id), True)
        self.bus.publish("job_deleted", job_id=job_id)

    async def cleanup(self) -> list[str]:
        """Delete every terminal job and its files."""
        ids = await self.db.run(repo.terminal_ids)
        await self.db.run(lambda c: repo.delete(c, ids))
        for job_id in ids:
            await asyncio.to_thread(shutil.rmtree, self.launcher.job_dir(job_id), True)
        if ids:
            self.bus.publish("jobs_cleaned", job_ids=ids)
        return ids

    async def gc(self) -> list[str]:
        """Remove job directories whose job no longer exists."""
        known = await self.db.run(repo.all_ids)
        jobs_dir = self.launcher.jobs_dir

        def sweep() -> list[str]:
            if not jobs_dir.is_dir():
                return []
            orphans = [p for p in jobs_dir.iterdir() if p.is_dir() and p.name not in known]
            for p in orphans:
                shutil.rmtree(p, ignore_errors=True)
            return sorted(p.name for p in orphans)

        return await asyncio.to_thread(sweep)

    async def tail(self, job_id: str, max_bytes: int) -> tuple[bytes, int]:
        """The end of a job's log, capped."""
        await self.get(job_id)
        return await asyncio.to_thread(read_tail, self.launcher.log_path(job_id), max_bytes)

    def log_path(self, job_id: str) -> Path:
        return self.launcher.log_path(job_id)

    # -- starting -------------------------------------------------------------

    async def start_job(self, job: dict[str, Any], gpus: list[int]) -> None:
        """Claim a queued job for ``gpus`` and spawn it (called by the dispatcher)."""
        job_id = job["id"]
        if not await self.db.run(lambda c: repo.claim(c, job_id, gpus)):
            return  # cancelled meanwhile
        await self._changed(job_id, JobStatus.QUEUED)
        try:
            spec = kind_of(job["job_type"]).launch_spec(job["params"], gpus)
            launched = await asyncio.to_thread(self.launcher.spawn, job_id, spec, gpus)
        except (OSError, ValueError, KeyError) as e:
            reason = f"could not start: {e}"
            await self.db.run(lambda c: repo.finish(c, job_id, JobStatus.FAILED, error=reason))
            await self._changed(job_id, JobStatus.STARTING)
            return
        await self.db.run(
            lambda c: repo.mark_running(
                c,
                job_id,
                pid=launched.pid,
                create_time=launched.create_time,
                log_path=str(launched.log_path),
                token_hash=launched.token_hash,
            )
        )
        started = {**job, "gpus": gpus, "pid": launched.pid}
        for callback in self.on_started:
            callback(started, launched.pid)
        await self._changed(job_id, JobStatus.STARTING)
        self._watch(job_id, launched.pid, launched.create_time, own_child=True)
        self.prestart_runner()

    def prestart_runner(self) -> None:
        """Get the next runner ready in the background, off the dispatch path."""
        future = asyncio.get_running_loop().run_in_executor(None, self.launcher.prestart)
        future.add_done_callback(_log_failure)

    def _watch(
        self, job_id: str, pid: int, create_time: float | None, own_child: bool = False
    ) -> None:
        self._exited[job_id] = asyncio.Event()
        self.watcher.watch(pid, create_time, lambda: self._spawn_exit(job_id), own_child)

    def _spawn_exit(self, job_id: str) -> None:
        task = asyncio.ensure_future(self._on_exit(job_id))
        task.add_done_callback(_log_failure)

    async def _on_exit(self, job_id: str) -> None:
        code = await asyncio.to_thread(_read_exit_code, self.launcher.exit_file(job_id))
        job = await self.db.run(lambda c: repo.get(c, job_id))
        if job is None:
            return
        killed = job_id in self._killing
        status, error = _outcome(code, killed)
        if await self.db.run(lambda c: repo.finish(c, job_id, status, code, error)):
            for callback in self.on_ended:
                callback(job)
            await self._changed(job_id, JobStatus(job["status"]))
        self._killing.discard(job_id)
        self._exited.pop(job_id, asyncio.Event()).set()

    # -- stopping -------------------------------------------------------------

    async def kill(self, job_id: str, force: bool) -> dict[str, Any]:
        """SIGTERM (or SIGKILL) the job's process group and check that it went."""
        job = await self.get(job_id)
        if job["status"] not in {s.value for s in ACTIVE} or not job["pid"]:
            raise Conflict(f"Job {job_id} is {job['status']}, not running")
        pgid = job["pid"]
        if not is_same_process(pgid, job["pid_create_time"]):
            exited = self._exited.get(job_id)
            if exited is not None:
                await asyncio.wait_for(exited.wait(), self.kill_timeout)
            return {
                "job": await self.get(job_id),
                "signal": "none",
                "exited": True,
                "lingering": [],
            }
        sig = signal.SIGKILL if force else signal.SIGTERM
        self._killing.add(job_id)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pgid, sig)
        exited = self._exited.get(job_id)
        gone = False
        if exited is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(exited.wait(), self.kill_timeout if not force else 5.0)
                gone = True
        lingering = await asyncio.to_thread(group_members, pgid)
        if lingering:
            note = (
                f"{sig.name} sent to process group {pgid}; still alive after "
                f"{self.kill_timeout if not force else 5.0:g}s: pids "
                f"{', '.join(map(str, lingering))}"
            )
            await self.db.run(lambda c: repo.set_error(c, job_id, note))
            self.bus.publish("job_updated", job_id=job_id)
        return {
            "job": await self.get(job_id),
            "signal": sig.name,
            "exited": gone,
            "lingering": lingering,
        }

    # -- restart --------------------------------------------------------------

    async def reattach(self) -> dict[str, int]:
        """At start: watch every job still alive, settle the others. Returns counts."""
        counts = {"reattached": 0, "finished": 0, "failed": 0}
        for job in await self.db.run(repo.active):
            job_id, pid, ctime = job["id"], job["pid"], job["pid_create_time"]
            if not pid:
                found = await asyncio.to_thread(find_job_process, job_id)
                if found:
                    pid, ctime = found
                    await self.db.run(
                        lambda c, p=pid, t=ctime, j=job_id: repo.mark_running(
                            c,
                            j,
                            pid=p,
                            create_time=t,
                            log_path=str(self.launcher.log_path(j)),
                            token_hash=None,
                        )
                    )
            if pid and is_same_process(pid, ctime):
                self._watch(job_id, pid, ctime)
                for callback in self.on_started:
                    callback(job, pid)
                counts["reattached"] += 1
                continue
            code = await asyncio.to_thread(_read_exit_code, self.launcher.exit_file(job_id))
            if code is not None:
                status, error = _outcome(code, killed=False)
                counts["finished"] += 1
            elif pid:
                status = JobStatus.FAILED
                error = (
                    f"process {pid} is gone and left no exit status (it ended while "
                    "the server was down, or was killed with SIGKILL)"
                )
                counts["failed"] += 1
            else:
                status = JobStatus.FAILED
                error = "the server stopped while starting this job; it never ran"
                counts["failed"] += 1
            await self.db.run(
                lambda c, j=job_id, s=status, k=code, e=error: repo.finish(c, j, s, k, e)
            )
            await self._changed(job_id, JobStatus(job["status"]))
        return counts

    def close(self) -> None:
        """Stop watching (jobs keep running and are re-attached at next start)."""
        self.watcher.close()
        self.launcher.close()

    async def _changed(self, job_id: str, previous: JobStatus) -> None:
        job = await self.db.run(lambda c: repo.get(c, job_id))
        if job is not None:
            self.bus.publish(
                "job_status_changed",
                job_id=job_id,
                status=job["status"],
                previous=previous.value,
                job=job,
            )
            self.bus.publish("queue_changed")


def _read_exit_code(path: Path) -> int | None:
    try:
        return int(path.read_text().strip())
    except (FileNotFoundError, ValueError):
        return None


def _outcome(code: int | None, killed: bool) -> tuple[JobStatus, str | None]:
    if killed:
        return JobStatus.ABORTED, "stopped by request" + (
            f" (exit {_describe_code(code)})" if code is not None else " (SIGKILL)"
        )
    if code == 0:
        return JobStatus.DONE, None
    if code is None:
        return JobStatus.FAILED, "the job's processes were killed (SIGKILL) from outside"
    return JobStatus.FAILED, f"exited with {_describe_code(code)}"


def _describe_code(code: int) -> str:
    if code < 0:
        try:
            return f"signal {signal.Signals(-code).name}"
        except ValueError:
            return f"signal {-code}"
    return f"code {code}"


def _default_name(request: CreateJob, params: dict[str, Any]) -> str:
    if request.job_type == "command":
        return " ".join(Path(params["argv"][0]).name.split() + params["argv"][1:])[:80]
    return f"{request.job_type}: {params.get('config', '')}"[:80]


def _log_failure(task: asyncio.Future[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("job exit handling failed", exc_info=task.exception())
