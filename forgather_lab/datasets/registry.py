"""The registry of dataset servers: running ``dataset_server`` jobs and user-added ones.

It is the allow-list of the dataset proxy (``datasets.proxy``): only a
server listed here is ever reached, by id or by a URL under its base. It
also gives jobs queued with ``dataset_source`` their server: an enqueue
check refuses a source that is not registered, and at launch the job gets
``FORGATHER_DATASET_SERVER`` (the server's URL) and
``FORGATHER_DATASET_SERVER_TOKEN_FILE`` (a 0600 copy of its token in the
job's own directory). The launch hook is synchronous, so what it needs is
kept in memory: the user servers (loaded at start, updated on add and
delete) and the running dataset_server jobs (followed on the event bus).
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import BadRequest, Conflict, NotFound, Unavailable
from ..events import Event, EventBus
from ..inference.endpoint import read_endpoint, write_private
from ..jobs import repository as jobs_repo
from ..models.datasets import (
    CreateDatasetServer,
    DeleteDatasetServerResult,
    DescribeDatasetServer,
    ListDatasetServers,
)
from ..models.jobs import CreateJob, DescribeJob, JobStatus
from ..store import Database
from ..store.db import ensure_private_dir
from . import records
from .probe import Prober
from .protocol import TOKEN_FILE as SERVER_TOKEN_FILE
from .protocol import TOKEN_FILE_ENV, URL_ENV

log = logging.getLogger("forgather_lab.datasets")

KIND = "dataset_server"
JOB_TOKEN_COPY = "dataset_server_token"  # noqa: S105 (a file name)
LIVE = frozenset({JobStatus.QUEUED, JobStatus.STARTING, JobStatus.RUNNING})


@dataclass(frozen=True)
class Target:
    """A registered server as the proxy and the launch hook need it."""

    id: str
    label: str
    url: str | None  # None: a job that has not announced its port yet
    token_file: Path | None
    source: str
    job_id: str | None = None


class DatasetRegistry:
    """List, add, delete; resolve for the proxy; the enqueue check and launch env for jobs."""

    def __init__(
        self,
        db: Database,
        bus: EventBus,
        job_dir: Callable[[str], Path],
        state_dir: Path,
        loopback_only: Callable[[], bool],
    ) -> None:
        self.db = db
        self.bus = bus
        self.job_dir = job_dir
        self.state_dir = state_dir
        self.loopback_only = loopback_only
        self.prober = Prober()
        self._lock = threading.Lock()  # the launch hook runs off the loop's tasks' order
        self._users: dict[str, records.UserServer] = {}
        self._jobs: dict[str, str] = {}  # live dataset_server job id -> label
        self._unlisten: Callable[[], None] | None = None

    # -- life cycle -------------------------------------------------------------

    async def start(self) -> None:
        """Load the user servers and the live dataset_server jobs; follow job changes."""
        self._unlisten = self.bus.listen(self._on_event)
        users = await self.db.run(records.all_servers)
        jobs = await self.db.run(lambda c: [*jobs_repo.queued(c), *jobs_repo.active(c)])
        with self._lock:
            self._users = {u.id: u for u in users}
            self._jobs = {j.id: _job_label(j) for j in jobs if j.job_type == KIND}

    async def stop(self) -> None:
        """Stop following the bus; close the probing client."""
        if self._unlisten is not None:
            self._unlisten()
            self._unlisten = None
        await self.prober.close()

    def _on_event(self, event: Event) -> None:
        if event.type == "job_deleted":
            with self._lock:
                self._jobs.pop(str(event.data.get("job_id")), None)
            return
        if event.type not in ("job_queued", "job_status_changed"):
            return
        job = event.data.get("job") or {}
        if job.get("job_type") != KIND:
            return
        job_id, status = str(event.data["job_id"]), job.get("status")
        with self._lock:
            if status in LIVE:
                params = job.get("params") or {}
                self._jobs[job_id] = _label(params, str(job.get("name") or ""), job_id)
            else:
                self._jobs.pop(job_id, None)

    # -- what is registered -------------------------------------------------------

    def _targets(self) -> list[Target]:
        """Every registered server (job ones newest first, then user ones), from memory."""
        with self._lock:
            jobs = sorted(self._jobs.items(), reverse=True)
            users = list(self._users.values())
        out = [self._job_target(job_id, label) for job_id, label in jobs]
        for u in users:
            token = records.token_path(self.state_dir, u.id) if u.has_token else None
            out.append(Target(u.id, u.label, u.url, token, "user"))
        return out

    def _job_target(self, job_id: str, label: str) -> Target:
        directory = self.job_dir(job_id)
        announced = read_endpoint(directory)
        url = announced.url if announced is not None else None
        return Target(job_id, label, url, directory / SERVER_TOKEN_FILE, "job", job_id)

    def target(self, server_id: str) -> Target | None:
        """The registered server ``server_id``, or None (sync: reads two small files)."""
        with self._lock:
            label = self._jobs.get(server_id)
            user = self._users.get(server_id)
        if label is not None:
            return self._job_target(server_id, label)
        if user is not None:
            token = records.token_path(self.state_dir, user.id) if user.has_token else None
            return Target(user.id, user.label, user.url, token, "user")
        return None

    async def targets(self) -> list[Target]:
        """Every registered server (file reads off the loop)."""
        return await asyncio.to_thread(self._targets)

    async def list(self, api_root: str) -> ListDatasetServers:
        """``GET /dataset-servers``: each server, probed now (concurrently, short timeouts)."""
        targets = await self.targets()
        described = await asyncio.gather(*(self.describe(t, api_root) for t in targets))
        return ListDatasetServers(servers=list(described))

    async def describe(self, t: Target, api_root: str) -> DescribeDatasetServer:
        """One server with its live status and datasets."""
        token = await asyncio.to_thread(_read, t.token_file)
        status, names, message = await self.prober.probe(t.url, token)
        return DescribeDatasetServer(
            id=t.id,
            label=t.label,
            url=t.url or "",
            status=status,
            datasets=names,
            source="job" if t.source == "job" else "user",
            job_id=t.job_id,
            has_token=t.token_file is not None,
            proxy_url=f"{api_root}/dataset-servers/{t.id}/proxy/",
            message=message,
        )

    # -- user servers ---------------------------------------------------------------

    async def add(self, request: CreateDatasetServer, api_root: str) -> DescribeDatasetServer:
        """Register a server by URL (400 / 403 / 409 store nothing)."""
        label = request.label.strip()
        if records.has_control(request.label) or not label:
            raise BadRequest(
                "label: a label cannot be blank or contain CR, LF or control characters"
            )
        url = records.check_url(request.url, self.loopback_only())
        token = request.auth_token.strip() if request.auth_token else None
        if token is not None and records.has_control(token):
            raise BadRequest("auth_token: a token cannot contain CR, LF or control characters")
        server = records.new_server(f"ds-{secrets.token_hex(4)}", label, url, bool(token))
        if token:
            await asyncio.to_thread(records.write_token, self.state_dir, server.id, token)
        if not await self.db.run(lambda c: records.insert(c, server)):
            await asyncio.to_thread(_unlink, records.token_path(self.state_dir, server.id))
            raise Conflict(f"{url} is already registered")
        with self._lock:
            self._users[server.id] = server
        self.bus.publish("dataset_servers_changed", id=server.id, change="added")
        target = self.target(server.id)
        assert target is not None
        return await self.describe(target, api_root)

    async def delete(self, server_id: str) -> DeleteDatasetServerResult:
        """Unregister a user server (a job's server goes away when its job ends: 409)."""
        with self._lock:
            is_job = server_id in self._jobs
        if is_job:
            raise Conflict(f"{server_id} is a dataset_server job; stop the job to remove it")
        if not await self.db.run(lambda c: records.delete(c, server_id)):
            raise NotFound(f"No dataset server {server_id!r}")
        with self._lock:
            self._users.pop(server_id, None)
        await asyncio.to_thread(_unlink, records.token_path(self.state_dir, server_id))
        self.bus.publish("dataset_servers_changed", id=server_id, change="deleted")
        return DeleteDatasetServerResult(id=server_id, deleted=True)

    # -- jobs that read a server ----------------------------------------------------------

    async def check_enqueue(self, request: CreateJob) -> None:
        """The jobs service's enqueue check: ``dataset_source`` must name a registered server."""
        source = request.dataset_source
        if source is not None and self.target(source) is None:
            raise BadRequest(
                f"dataset_source: no registered dataset server {source!r} "
                "(GET /forgather/api/dataset-servers lists them)"
            )

    def launch_env(self, job: DescribeJob) -> dict[str, str]:
        """The jobs service's launch hook: the server's URL and a 0600 copy of its token."""
        source = job.params.get("dataset_source")
        if not source:
            return {}
        target = self.target(str(source))
        if target is None:
            raise Unavailable(f"dataset server {source!r} is no longer registered")
        if target.url is None:
            raise Unavailable(f"dataset server {source!r} has not started listening yet")
        env = {URL_ENV: target.url}
        token = _read(target.token_file)
        if token is not None:
            copy = ensure_private_dir(self.job_dir(job.id)) / JOB_TOKEN_COPY
            write_private(copy, token)
            env[TOKEN_FILE_ENV] = str(copy)
        return env


def _job_label(job: DescribeJob) -> str:
    return _label(job.params, job.name, job.id)


def _label(params: dict[str, Any], name: str, job_id: str) -> str:
    """The job's label, its own name, or (for the default ``dataset_server: ``) what it serves."""
    if params.get("label"):
        return str(params["label"])
    if name and name != KIND and not name.startswith(f"{KIND}:"):
        return name
    paths = [Path(str(p)).name for p in params.get("paths") or []]
    return ", ".join(paths)[:200] or f"dataset server {job_id}"


def _read(path: Path | None) -> str | None:
    return None if path is None else records.read_token(path)


def _unlink(path: Path) -> None:
    path.unlink(missing_ok=True)
