"""Trainers started outside the queue: registration, their end, liveness, stale removal.

A process that runs ``forgather_lab.reporter`` outside a queued job (a Lab
terminal, a notebook) finds the server by discovery and registers with its
pid (``POST /jobs/external``, Jupyter's auth). It becomes a job record of
type ``external``, ``running`` from the start: never queued, never
dispatched, holding no GPUs (its ``CUDA_VISIBLE_DEVICES`` is shown in its
params, not reserved). It gets a callback token back and from then on
reports and receives commands exactly as a queued job's reporter does.

How it ends:

- its reporter closes (``POST /jobs/external/{id}/end``, job token): ``done``,
  or ``failed`` with the unhandled exception, or ``aborted`` on Ctrl-C;
- its process goes without saying so (SIGKILL, a crash in C, a kill from
  the Lab): ``failed``, "process N is gone", found by one periodic check of
  every running external job (pid + create time, so a recycled pid is not
  taken for it), which also runs at start: records survive a restart.

"Remove stale" deletes the records of ended external jobs.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import logging
import os
import secrets
import shutil
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import BadRequest, Conflict, Forbidden, NotFound
from ..events import EventBus
from ..jobs import repository as jobs_repo
from ..jobs.history import record
from ..jobs.kinds import ConfigResolver, JobKind
from ..jobs.launcher import LaunchSpec, hash_token
from ..jobs.model import ACTIVE, TERMINAL, DescribeJob, JobStatus
from ..jobs.watch import is_same_process
from ..models.external import EXTERNAL, EndExternal, ExternalRegistration, RegisterExternal
from ..models.jobs import CreateJob
from ..store import Database
from ..store.db import transaction
from ..tasks import wait_set

log = logging.getLogger("forgather_lab.control")

CHECK_INTERVAL = 1.0  # seconds between liveness checks while an external job runs
_ENDINGS = {"done": JobStatus.DONE, "failed": JobStatus.FAILED, "aborted": JobStatus.ABORTED}
_TERMINAL_SQL = ",".join(f"'{s.value}'" for s in TERMINAL)


class ExternalKind(JobKind):
    """The kind of a registered trainer: known (so its record reads), never queued."""

    name = EXTERNAL

    def prepare(self, request: CreateJob, resolver: ConfigResolver | None) -> dict[str, Any]:
        raise BadRequest(
            "external jobs register themselves: run the trainer with forgather_lab.reporter "
            "outside the queue (a terminal, a notebook) and it appears in the Jobs list",
            reason="external_not_queueable",
        )

    def launch_spec(self, params: dict[str, Any], gpus: list[int]) -> LaunchSpec:
        """What runs (for provenance): the command line the server read at registration."""
        return LaunchSpec(argv=list(params.get("argv") or []), cwd=params.get("cwd"), env={})


@dataclass(frozen=True)
class _Process:
    """What the server reads about a registering process."""

    create_time: float
    argv: list[str]
    cwd: str | None


class ExternalTrainers:
    """Registers external trainers, records their end, and notices when their process goes."""

    def __init__(
        self,
        db: Database,
        bus: EventBus,
        job_dir: Callable[[str], Path],
        interval: float = CHECK_INTERVAL,
    ) -> None:
        self.db = db
        self.bus = bus
        self.job_dir = job_dir
        self.interval = interval
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    # -- registration ---------------------------------------------------------

    async def register(self, request: RegisterExternal) -> ExternalRegistration:
        """Record a running trainer's process as a job; 400/403 for a process it cannot be."""
        proc = await asyncio.to_thread(_inspect, request.pid)
        name = request.name or _default_name(proc.argv, request.pid)
        params: dict[str, Any] = {
            "pid": request.pid,
            "argv": proc.argv,
            "cwd": proc.cwd,
            "cuda_visible_devices": request.cuda_visible_devices,
            "python": request.python,
        }
        token = secrets.token_urlsafe(32)
        job_id, replaced = await self.db.run(
            lambda c: _insert(c, name, params, proc.create_time, hash_token(token))
        )
        for old in replaced:
            await self._publish(old, JobStatus.RUNNING)
        job = await self._publish(job_id, JobStatus.STARTING)
        assert job is not None, "a job just inserted exists"
        self._wake.set()
        return ExternalRegistration(job=job, token=token)

    async def end(self, job_id: str, ending: EndExternal) -> DescribeJob:
        """The trainer's own word on how it ended (its reporter closing; token checked)."""
        job = await self._get(job_id)
        if job.job_type != EXTERNAL:
            raise Conflict(f"Job {job_id} is a {job.job_type} job: its end is its process's exit")
        status = _ENDINGS[ending.outcome]
        error = ending.error if status != JobStatus.DONE else None
        if status == JobStatus.ABORTED and not error:
            error = "interrupted"
        reason = f"the trainer ended: {ending.outcome}" + (f" ({error})" if error else "")
        if await self.db.run(
            lambda c: jobs_repo.finish(c, job_id, status, ending.exit_code, error, reason=reason)
        ):
            await self._publish(job_id, JobStatus.RUNNING)
        return await self._get(job_id)

    async def cleanup(self) -> list[str]:
        """Delete every ended external job (and its directory, if it has one)."""
        ids = await self.db.run(_ended_ids)
        await self.db.run(lambda c: jobs_repo.delete(c, ids))
        for job_id in ids:
            await asyncio.to_thread(shutil.rmtree, self.job_dir(job_id), True)
        if ids:
            self.bus.publish("jobs_cleaned", job_ids=ids)
        return ids

    # -- liveness ---------------------------------------------------------------

    async def check(self) -> list[str]:
        """Mark every running external job whose process is gone as failed; their ids."""
        running = await self.db.run(_running)
        gone = []
        for job in running:
            if not await asyncio.to_thread(is_same_process, job.pid, job.pid_create_time):
                gone.append(job)
        ended = []
        for job in gone:
            error = (
                f"process {job.pid} is gone: it ended without closing its reporter "
                "(killed, or it crashed before Python could say so)"
            )
            if await self.db.run(functools.partial(_fail, job_id=job.id, error=error)):
                await self._publish(job.id, JobStatus.RUNNING)
                ended.append(job.id)
        return ended

    def start(self) -> None:
        """Start the liveness checks (on the running loop); the first runs at once."""
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="forgather-external-trainers")

    async def _run(self) -> None:
        while True:
            try:
                left = await self.check()
                watching = bool(left) or bool(await self.db.run(_running))
            except Exception:  # a bad pass must not end the checks; the next one retries
                log.exception("external trainer liveness check failed")
                watching = True
            self._wake.clear()
            # Nothing to watch: sleep until a trainer registers (no poll while idle).
            timeout = self.interval if watching else None
            await wait_set(self._wake, timeout)

    async def close(self) -> None:
        """Stop the checks (the records stay; the next start checks them again)."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    # -- helpers --------------------------------------------------------------

    async def _get(self, job_id: str) -> DescribeJob:
        job = await self.db.run(lambda c: jobs_repo.get(c, job_id))
        if job is None:
            raise NotFound(f"No job {job_id!r}")
        return job

    async def _publish(self, job_id: str, previous: JobStatus) -> DescribeJob | None:
        job = await self.db.run(lambda c: jobs_repo.get(c, job_id))
        if job is not None:
            self.bus.publish(
                "job_status_changed",
                job_id=job_id,
                status=job.status.value,
                previous=previous.value,
                job=job.model_dump(mode="json"),
            )
            self.bus.publish("queue_changed")
        return job


def _inspect(pid: int) -> _Process:
    """The process behind ``pid``, if this server may track it (sync: psutil)."""
    import psutil  # here, not at the top: server start need not pay for it (issue 19)

    if pid == os.getpid():
        raise BadRequest("pid is the Jupyter server's own process, not a trainer")
    try:
        proc = psutil.Process(pid)
        with proc.oneshot():
            if proc.status() == psutil.STATUS_ZOMBIE:
                raise BadRequest(f"process {pid} has already ended")
            if proc.uids().real != os.getuid():
                raise Forbidden(f"process {pid} belongs to another user")
            create_time = proc.create_time()
            argv = proc.cmdline()
            try:
                cwd: str | None = proc.cwd()
            except psutil.AccessDenied:
                cwd = None
    except psutil.NoSuchProcess:
        raise BadRequest(f"no process {pid} runs on this machine") from None
    except psutil.AccessDenied:
        raise Forbidden(f"process {pid} cannot be inspected by the server") from None
    return _Process(create_time, [a[:4096] for a in argv[:256]], cwd)


def _default_name(argv: list[str], pid: int) -> str:
    """``train.py`` for ``python train.py --x``; ``python -m pkg`` as ``pkg``."""
    args = argv[1:] if argv and os.path.basename(argv[0]).startswith("python") else argv
    if len(args) >= 2 and args[0] == "-m":
        return args[1][:200]
    for arg in args:
        if not arg.startswith("-"):
            return os.path.basename(arg)[:200] or f"pid {pid}"
    return f"pid {pid}"


def _insert(
    conn: sqlite3.Connection,
    name: str,
    params: dict[str, Any],
    create_time: float,
    token_hash: str,
) -> tuple[str, list[str]]:
    """Insert the running record; first end older records of the same process.

    The INSERT is written here because the repository only creates queued
    jobs, and a queued external job could be picked up by a dispatch pass.
    """
    pid = params["pid"]
    job_id = jobs_repo.new_job_id()
    while jobs_repo.get(conn, job_id) is not None:
        job_id = jobs_repo.new_job_id()
    # A notebook kernel that connects again: its earlier record cannot run on.
    note = f"the process registered again, as job {job_id}"
    replaced = [
        old
        for old in _same_process(conn, pid, create_time)
        if jobs_repo.finish(conn, old, JobStatus.ABORTED, error=note)
    ]
    now = time.time()
    with transaction(conn):
        conn.execute(
            "INSERT INTO jobs (id, name, job_type, status, requested_gpus, params, pid, "
            "pid_create_time, token_hash, created_at, queued_at, started_at) "
            "VALUES (?, ?, ?, 'running', 0, ?, ?, ?, ?, ?, ?, ?)",
            (job_id, name, EXTERNAL, json.dumps(params), pid, create_time, token_hash, *[now] * 3),
        )
        record(conn, job_id, f"registered: pid {pid}, started outside the queue", now)
    return job_id, replaced


def _same_process(conn: sqlite3.Connection, pid: int, create_time: float) -> list[str]:
    rows = conn.execute(
        "SELECT id, pid_create_time FROM jobs WHERE job_type = ? AND pid = ? "
        "AND status IN ('starting', 'running')",
        (EXTERNAL, pid),
    ).fetchall()
    return [r[0] for r in rows if r[1] is not None and abs(r[1] - create_time) < 0.05]


def _fail(conn: sqlite3.Connection, job_id: str, error: str) -> bool:
    return jobs_repo.finish(conn, job_id, JobStatus.FAILED, None, error)


def _running(conn: sqlite3.Connection) -> list[DescribeJob]:
    return [j for j in jobs_repo.active(conn) if j.job_type == EXTERNAL and j.status in ACTIVE]


def _ended_ids(conn: sqlite3.Connection) -> list[str]:
    rows = conn.execute(
        f"SELECT id FROM jobs WHERE job_type = ? AND status IN ({_TERMINAL_SQL}) ORDER BY seq",
        (EXTERNAL,),
    )
    return [r[0] for r in rows]


__all__ = ["CHECK_INTERVAL", "ExternalKind", "ExternalTrainers"]
