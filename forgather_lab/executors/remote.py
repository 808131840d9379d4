"""What Slurm and Ray executors share: one poll for every job, watches, waits, re-attach.

An engine runs the job on another machine; the server learns how it goes by
asking the engine, once per poll for all the jobs it knows (never one call per
job), and tells the jobs service through the same ``watch`` / ``exit_code`` /
``lingering`` contract as local processes. Identity is the engine's id of the
job (``external_id``), kept in ``<job_dir>/engine.json`` as soon as the engine
answers the submission, so a server restart finds the job again by it.

The jobs service still keys running jobs by a PID; a remote job's ``pid`` is a
positive stand-in derived from its external id (``stand_in_pid``), never a
process of this machine. Executors do not signal it locally.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import zlib
from abc import abstractmethod
from collections.abc import Callable
from pathlib import Path

from ..jobs.launcher import LaunchSpec, hash_token
from ..models.jobs import DescribeJob
from ..proxy.upstream import host_key
from ..store.db import ensure_private_dir
from ..tasks import wait_set
from .base import EngineJob, Executor, ExecutorContext, Submitted
from .nodes import NodeAllowList, first_node

log = logging.getLogger("forgather_lab.executors")

ENGINE_FILE = "engine.json"
#: ``engine_bind_host``'s default: a job's server listens on the node's own address.
NODE = "node"
#: How often ``wait_gone`` asks the engine while a job is going.
GONE_POLL = 0.25


def stand_in_pid(external_id: str) -> int:
    """A positive number for the job record's ``pid`` (digits as they are, else a hash)."""
    if external_id.isdigit() and 0 < int(external_id) < 2**31:
        return int(external_id)
    return (zlib.crc32(external_id.encode()) & 0x7FFFFFFF) or 1


def write_private(path: Path, data: bytes) -> None:
    """Write ``data`` to a 0600 file, atomically (a reader never sees half of it)."""
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


class RemoteExecutor(Executor):
    """Base of executors whose jobs run on an engine; subclasses talk to the engine."""

    remote = True

    def __init__(self, context: ExecutorContext) -> None:
        super().__init__(context)
        self.poll_interval = float(context.options.get("poll_interval", 2.0))
        self._states: dict[str, EngineJob] = {}  # by our job id, from the last poll
        self._ids: dict[str, str] = {}  # our job id → external id
        self._watchers: dict[str, Callable[[], None]] = {}
        self._force_killed: set[str] = set()  # we sent SIGKILL: how it ended, if none says
        self._gpus: dict[str, int] = {}  # GPUs each job handed over asked for
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._poll_lock = asyncio.Lock()
        self._nodes = NodeAllowList(context.options.get("engine_nodes") or ())

    # -- what a subclass provides ---------------------------------------------

    @abstractmethod
    async def engine_submit(
        self, job_id: str, spec: LaunchSpec, env: dict[str, str], gpus: int
    ) -> str:
        """Hand the job to the engine; its id there. Raise OSError / ValueError on refusal."""

    @abstractmethod
    async def engine_poll(self, external_ids: dict[str, str]) -> dict[str, EngineJob]:
        """One call to the engine: the state of every job in ``{job id: external id}``.

        A job the engine no longer knows is left out.
        """

    @abstractmethod
    async def engine_stop(self, external_id: str, force: bool, state: EngineJob | None) -> str:
        """Ask the engine to stop the job (force: at once); the signal's name."""

    async def engine_find(self, job_id: str) -> str | None:
        """After a restart with no ``engine.json``: the job's external id, if the engine has it."""
        return None

    # -- files ------------------------------------------------------------------

    def engine_file(self, job_id: str) -> Path:
        """The job's external id (and executor), written when the engine accepted it."""
        return self.job_dir(job_id) / ENGINE_FILE

    def exit_file(self, job_id: str) -> Path:
        """Where the job's wrapper records its exit status (a filesystem both see)."""
        return self.job_dir(job_id) / "exit_code"

    def token_file(self, job_id: str) -> Path:
        return self.job_dir(job_id) / "token"

    def job_env(self, job_id: str, spec: LaunchSpec) -> tuple[dict[str, str], str]:
        """The job's explicit environment and its callback token's hash (token in a 0600 file)."""
        import secrets

        ensure_private_dir(self.jobs_dir)
        ensure_private_dir(self.job_dir(job_id))
        token = secrets.token_urlsafe(32)
        write_private(self.token_file(job_id), token.encode())
        env = {
            **self.context.base_env,
            **spec.env,
            "FORGATHER_LAB_JOB_ID": job_id,
            "FORGATHER_LAB_URL": self.context.callback_url,
            "FORGATHER_LAB_TOKEN_FILE": str(self.token_file(job_id)),
            "FORGATHER_LAB_EXECUTOR": self.name,
            # A job's own server (inference, TensorBoard) must be reachable from the server.
            "FORGATHER_LAB_BIND_HOST": str(self.context.options.get("engine_bind_host") or NODE),
            "PYTHONUNBUFFERED": "1",
        }
        # The engine picks the cards and sets CUDA_VISIBLE_DEVICES itself.
        env.pop("CUDA_VISIBLE_DEVICES", None)
        return env, hash_token(token)

    def _remember(self, job_id: str, external_id: str) -> None:
        self._ids[job_id] = external_id
        record = {"executor": self.name, "external_id": external_id}
        write_private(self.engine_file(job_id), json.dumps(record).encode())

    def _recall(self, job_id: str) -> str | None:
        if job_id in self._ids:
            return self._ids[job_id]
        try:
            record = json.loads(self.engine_file(job_id).read_text())
        except (OSError, ValueError):
            return None
        external = record.get("external_id") if isinstance(record, dict) else None
        if isinstance(external, str) and record.get("executor") == self.name:
            self._ids[job_id] = external
            return external
        return None

    # -- the Executor contract ----------------------------------------------------

    async def submit(
        self, job_id: str, spec: LaunchSpec, gpus: list[int], job: DescribeJob | None = None
    ) -> Submitted:
        env, token_hash = await asyncio.to_thread(self.job_env, job_id, spec)
        await asyncio.to_thread(self.exit_file(job_id).unlink, True)
        self._gpus[job_id] = len(gpus)
        external = await self.engine_submit(job_id, spec, env, len(gpus))
        await asyncio.to_thread(self._remember, job_id, external)
        said = f"{self.name.capitalize()}: submitted"
        self._states[job_id] = EngineJob(external, "SUBMITTED", "pending", said)
        self._force_killed.discard(job_id)
        self._wake.set()
        return Submitted(
            stand_in_pid(external), None, self.log_path(job_id), token_hash, external_id=external
        )

    def watch(self, job: DescribeJob, on_exit: Callable[[], None], own_child: bool) -> None:
        self._watchers[job.id] = on_exit
        self._wake.set()

    async def exit_code(self, job_id: str) -> int | None:
        code = await asyncio.to_thread(_read_int, self.exit_file(job_id))
        if code is not None:
            return code
        state = self._states.get(job_id)
        if state is not None and state.phase == "ended" and state.exit_code is not None:
            return state.exit_code
        return -9 if job_id in self._force_killed else None

    async def is_alive(self, job: DescribeJob) -> bool:
        state = await self.poll_one(job.id)
        return state is not None and state.phase != "ended"

    async def find(self, job: DescribeJob) -> Submitted | None:
        external = await asyncio.to_thread(self._recall, job.id)
        if external is None:
            external = await self.engine_find(job.id)
            if external is None:
                return None
            await asyncio.to_thread(self._remember, job.id, external)
        return Submitted(
            stand_in_pid(external), None, self.log_path(job.id), None, external_id=external
        )

    async def signal(self, job: DescribeJob, force: bool) -> str:
        external = await asyncio.to_thread(self._recall, job.id)
        if external is None:
            return "none"
        if force:
            self._force_killed.add(job.id)
        return await self.engine_stop(external, force, self._states.get(job.id))

    async def lingering(self, job: DescribeJob) -> list[int]:
        state = await self.poll_one(job.id)
        if state is None or state.phase == "ended":
            return []
        return [stand_in_pid(state.external_id)]

    async def wait_gone(self, job: DescribeJob) -> None:
        # The engine has no pidfd to wait on: its answer is polled (bounded by the caller).
        while await self.lingering(job):  # noqa: ASYNC110 - nothing local to wait on
            await asyncio.sleep(GONE_POLL)

    def engine_job(self, job_id: str) -> EngineJob | None:
        return self._states.get(job_id)

    def service_host(self, job_id: str) -> str | None:
        state = self._states.get(job_id)
        return first_node(state.node) if state is not None and state.node else None

    def serves_from(self, host: str) -> bool:
        if host in self._nodes:
            return True
        # A node the engine allocated to one of our running jobs (a partition beyond the pool's).
        running = (first_node(s.node or "") for s in self._states.values() if s.phase == "running")
        return host_key(host) in {host_key(n) for n in running if n}

    def refresh_nodes(self) -> None:
        """Re-read the pool's node names into the proxies' allow-list (blocking: resolves)."""
        self._nodes.refresh(n.name for n in self.pool() or [])

    def handed_over(self, phase: str | None = None) -> dict[str, int]:
        """GPUs of each job handed to the engine and not seen ended (or in ``phase``)."""
        return {
            j: self._gpus.get(j, 0)
            for j, state in self._states.items()
            if state.phase != "ended" and (phase is None or state.phase == phase)
        }

    async def start(self) -> None:
        if self._task is None:
            await asyncio.to_thread(self.refresh_nodes)
            self._task = asyncio.create_task(self._run(), name=f"forgather-{self.name}-poll")

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        self._watchers.clear()

    # -- polling --------------------------------------------------------------------

    async def poll_one(self, job_id: str) -> EngineJob | None:
        """The job's state from a fresh poll (which refreshes every job's)."""
        external = await asyncio.to_thread(self._recall, job_id)
        if external is None:
            return None
        await self.poll({job_id: external})
        return self._states.get(job_id)

    async def poll(self, extra: dict[str, str] | None = None) -> None:
        """Ask the engine once about every job known (plus ``extra``); tell who changed."""
        async with self._poll_lock:
            # Watched jobs, and any handed over whose end was not seen yet.
            ids = {
                j: e
                for j, e in self._ids.items()
                if j in self._watchers or getattr(self._states.get(j), "phase", "") != "ended"
            }
            ids.update(extra or {})
            if not ids:
                return
            found = await self.engine_poll(ids)
            changed = []
            for job_id, external in ids.items():
                before = self._states.get(job_id)
                now = found.get(job_id)
                if now is None:
                    # Gone from the engine's view: it ended (how: its exit file says).
                    code = await asyncio.to_thread(_read_int, self.exit_file(job_id))
                    node = before.node if before is not None else None
                    now = EngineJob(external, "GONE", "ended", None, node, code)
                self._states[job_id] = now
                if before != now:
                    changed.append(job_id)
            ended = [j for j in self._watchers if self._states.get(j, None) is not None]
            ended = [j for j in ended if self._states[j].phase == "ended"]
        for job_id in changed:
            self.changed(job_id)
        for job_id in ended:
            await self.before_exit(job_id)
            on_exit = self._watchers.pop(job_id, None)
            if on_exit is not None:
                on_exit()

    async def _run(self) -> None:
        while True:
            await wait_set(self._wake, self.poll_interval)
            self._wake.clear()
            try:
                await self.poll()
                await self.after_poll()
                await asyncio.to_thread(self.refresh_nodes)
            except asyncio.CancelledError:
                raise
            except Exception:  # the engine may be away for a while; the next poll retries
                log.warning("%s: could not poll the engine", self.name, exc_info=True)

    async def before_exit(self, job_id: str) -> None:
        """A watched job ended: finish what is owed to it before the service is told."""

    async def after_poll(self) -> None:
        """Run after each poll (a subclass refreshes its pool view or streams logs)."""


def _read_int(path: Path) -> int | None:
    try:
        return int(path.read_text().strip())
    except (OSError, ValueError):
        return None
