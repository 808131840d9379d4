"""Readiness of long-running jobs (inference servers, TensorBoard) and where they answer.

The jobs service owns the processes (own session, SIGTERM to the group then
SIGKILL on kill, re-attach after a restart). This supervisor owns what comes
after the spawn: it waits for the child to announce the port it bound
(``endpoint.json`` in the job directory), then polls the health URL with
backoff until it answers 200 (a 503 "loading" is not ready), and records the
base URL and state per job in ``job_endpoints``. The proxy looks upstream
tokens up from these records; the Lab lists running servers from them.

What the proxy needs on every request (who listens at an origin, its owner,
its token) is kept in memory by origin (``upstream_at``), so a streamed reply
does not wait on the database thread and a file read before its first byte.
The bus is the invalidation: any change of an endpoint, any status change of
an inference job, any deletion empties it, synchronously in the publish, so
no request after a job ends is handed the token of the port it released.
Only while the supervisor listens to the bus is anything kept.

Every probe is a task of the supervisor's ``TaskSet``: ``stop()`` stops
listening to the bus first, then cancels and awaits them.

Where the server reaches a job (``hosts``, the executor): a local job at the
loopback address it announced, and nowhere else; a job on Slurm or Ray at
the port it announced on the node the engine says runs it, which must be one
of the engine's nodes (``Executor.serves_from``). An upstream anywhere else
is refused (the endpoint fails with the reason), so the proxies built on
these records cannot be pointed at an arbitrary host.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from ..errors import Forbidden
from ..events import Event, EventBus
from ..executors.base import Executor
from ..models.inference import DescribeEndpoint, EndpointState, ListEndpoints
from ..models.jobs import ACTIVE, JobStatus
from ..proxy.inference import is_loopback
from ..proxy.upstream import NoCookieJar, with_host
from ..store import Database
from ..tasks import TaskSet
from .endpoint import Announcement, read_endpoint, read_upstream_token

log = logging.getLogger("forgather_lab.inference")

SUPERVISED = frozenset({"inference", "tensorboard", "docs"})
# The same-origin route of each sandboxed web app (inference has its own proxy).
APP_ROUTES = {"tensorboard": "tb", "docs": "docsite"}


@dataclass(frozen=True)
class Endpoint:
    """A supervised job and where it answers (a ``job_endpoints`` row joined with its job)."""

    job_id: str
    job_type: str
    name: str
    status: JobStatus
    state: EndpointState
    base_url: str | None
    model: str | None
    message: str | None

    @property
    def ready(self) -> bool:
        """It answers its health URL and has a base URL."""
        return self.state == EndpointState.READY and self.base_url is not None

    def describe(self, api_root: str) -> DescribeEndpoint:
        """The API record; ``api_root`` is the server's ``.../forgather/api`` path."""
        proxy_url = None
        if self.state == EndpointState.READY:
            route = APP_ROUTES.get(self.job_type)
            proxy_url = f"{api_root}/{route}/{self.job_id}/" if route else f"{api_root}/inference"
        return DescribeEndpoint(
            job_id=self.job_id,
            job_type=self.job_type,
            name=self.name,
            status=self.status,
            state=self.state,
            base_url=self.base_url,
            proxy_url=proxy_url,
            model=self.model,
            message=self.message,
        )


@dataclass(frozen=True)
class UpstreamJobs:
    """The ready inference jobs listening at one origin (newest first) and the token to send.

    More than one job at an origin is a stale record (a port handed on); each
    of them must be the caller's. The token is the newest one's.
    """

    owners: tuple[tuple[str, str | None], ...] = ()  # (job id, owner)
    token: str | None = field(default=None, repr=False)


NO_JOB = UpstreamJobs()
# Origins kept at most: each distinct ?base= a client names would otherwise add one for good.
MAX_KEPT_ORIGINS = 256
# What empties the kept origins (job_status_changed only for the job types looked up).
_FORGETS = frozenset({"endpoint_changed", "job_deleted", "jobs_cleaned"})


class EndpointSupervisor:
    """Probes supervised jobs after they start; answers where they listen."""

    def __init__(
        self,
        db: Database,
        bus: EventBus,
        job_dir: Callable[[str], Path],
        ready_timeout: float = 900.0,
        hosts: Executor | None = None,
    ) -> None:
        self.db = db
        self.hosts = hosts
        self.bus = bus
        self.job_dir = job_dir
        self.ready_timeout = ready_timeout
        self._tasks = TaskSet("endpoints")
        self._probes: dict[str, asyncio.Task[None]] = {}
        self._unlisten: Callable[[], None] | None = None
        self._client: httpx.AsyncClient | None = None
        self._upstreams: dict[tuple[str, str, int], UpstreamJobs] = {}
        # Bumped by every invalidation: a look-up that started before one is not kept.
        self._generation = 0

    # -- life cycle -----------------------------------------------------------

    async def start(self) -> None:
        """Listen for job starts and probe every supervised job already running."""
        self._tasks = TaskSet("endpoints")  # a stopped supervisor can start again
        self._unlisten = self.bus.listen(self._on_event)
        for job_id in await self.db.run(_active_supervised):
            self._probe(job_id)

    async def stop(self) -> None:
        """Cancel probes (the jobs keep running; a restart probes them again)."""
        if self._unlisten is not None:
            self._unlisten()
            self._unlisten = None
        self._forget_upstreams()  # nothing tells a stopped supervisor what changes
        await self._tasks.close()
        self._probes.clear()
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    def _on_event(self, event: Event) -> None:
        if event.type in _FORGETS:
            self._forget_upstreams()
            return
        if event.type != "job_status_changed":
            return
        job = event.data.get("job") or {}
        if job.get("job_type", "inference") == "inference":
            # Before anything else reacts: the job's port may be free from now on.
            self._forget_upstreams()
        if job.get("job_type") not in SUPERVISED:
            return
        job_id = str(event.data["job_id"])
        status = event.data.get("status")
        if status == JobStatus.RUNNING:
            self._probe(job_id)
        elif status not in ACTIVE and status != JobStatus.QUEUED:
            self._tasks.spawn(self._record(job_id, EndpointState.STOPPED), name=f"end {job_id}")

    def _probe(self, job_id: str) -> None:
        running = self._probes.get(job_id)
        if running is not None and not running.done():
            return
        task = self._tasks.spawn(self._wait_ready(job_id), name=f"probe {job_id}")
        self._probes[job_id] = task
        task.add_done_callback(lambda t: self._forget(job_id, t))

    def _forget(self, job_id: str, task: asyncio.Task[None]) -> None:
        if self._probes.get(job_id) is task:
            del self._probes[job_id]

    # -- readiness -------------------------------------------------------------

    async def _wait_ready(self, job_id: str) -> None:
        await self._record(job_id, EndpointState.STARTING)
        directory = self.job_dir(job_id)
        deadline = time.monotonic() + self.ready_timeout
        delay = 0.05
        last = "the server has not announced its port yet"
        while time.monotonic() < deadline:
            status = await self.db.run(lambda c: _job_status(c, job_id))
            if status not in ACTIVE:
                await self._record(job_id, EndpointState.STOPPED)
                return
            endpoint = await asyncio.to_thread(read_endpoint, directory)
            if endpoint is not None:
                try:
                    endpoint = self.place(job_id, endpoint)
                except Forbidden as e:
                    await self._record(job_id, EndpointState.FAILED, message=e.message)
                    return
                if endpoint is None:
                    last = "the engine has not said which node runs it yet"
            if endpoint is not None:
                ok, last = await self._healthy(endpoint.health or endpoint.url)
                if ok:
                    await self._record(
                        job_id, EndpointState.READY, endpoint.url, endpoint.health, endpoint.model
                    )
                    return
            await asyncio.sleep(delay)
            delay = min(delay * 1.6, 2.0)  # fast at first, gentle on a slow model load
        await self._record(
            job_id,
            EndpointState.FAILED,
            message=f"not ready after {self.ready_timeout:g}s: {last}",
        )

    def place(self, job_id: str, announced: Announcement) -> Announcement | None:
        """Where the server reaches what the job announced; None: its node is not known yet.

        A job on an engine is reached at its node (the announced port and path
        kept); Forbidden if that, or a local job's announced host, is not an
        upstream the proxies may reach (``upstream_allowed``).
        """
        if self.hosts is not None and self.hosts.remote:
            node = self.hosts.service_host(job_id)
            if node is None:
                return None
            health = with_host(announced.health, node) if announced.health else None
            announced = Announcement(with_host(announced.url, node), health, announced.model)
        host = urlsplit(announced.url).hostname or ""
        if not self.upstream_allowed(host):
            raise Forbidden(
                f"the job's server is at {host}, which is neither a loopback address nor a "
                "node of the job engine; the proxy will not reach it"
            )
        return announced

    def upstream_allowed(self, host: str) -> bool:
        """Loopback, or a node of the engine the executor hands jobs to (never another host)."""
        return is_loopback(host) or (self.hosts is not None and self.hosts.serves_from(host))

    def _http(self) -> httpx.AsyncClient:
        # Made at the first probe, not at start: a client costs the server's
        # start its TLS context (the loop answers no request meanwhile).
        if self._client is None:
            # Health probes hit every job's server: none may plant a cookie for the next.
            self._client = httpx.AsyncClient(
                timeout=httpx.Timeout(3.0), trust_env=False, cookies=NoCookieJar()
            )
        return self._client

    async def _healthy(self, url: str) -> tuple[bool, str]:
        try:
            response = await self._http().get(url)
        except httpx.HTTPError as e:
            return False, f"health check failed: {e}"
        if response.status_code == 200:
            return True, "ok"
        return False, f"health answered {response.status_code}"

    async def _record(
        self,
        job_id: str,
        state: EndpointState,
        base_url: str | None = None,
        health_url: str | None = None,
        model: str | None = None,
        message: str | None = None,
    ) -> None:
        def write(conn: sqlite3.Connection) -> None:
            if state == EndpointState.STOPPED:
                conn.execute(
                    "UPDATE job_endpoints SET state = ?, updated_at = ? WHERE job_id = ?",
                    (state.value, time.time(), job_id),
                )
                return
            conn.execute(
                "INSERT INTO job_endpoints (job_id, state, base_url, health_url, model, message, "
                "updated_at) SELECT ?, ?, ?, ?, ?, ?, ? WHERE EXISTS "
                "(SELECT 1 FROM jobs WHERE id = ?) ON CONFLICT (job_id) DO UPDATE SET "
                "state = excluded.state, base_url = excluded.base_url, "
                "health_url = excluded.health_url, model = excluded.model, "
                "message = excluded.message, updated_at = excluded.updated_at",
                (job_id, state.value, base_url, health_url, model, message, time.time(), job_id),
            )

        await self.db.run(write)
        self.bus.publish("endpoint_changed", job_id=job_id, state=state.value, base_url=base_url)

    # -- queries ----------------------------------------------------------------

    async def list_endpoints(self, job_types: set[str] | None = None) -> list[Endpoint]:
        """Active supervised jobs with their endpoint state (newest first)."""
        rows = await self.db.run(_listing)
        return [r for r in rows if job_types is None or r.job_type in job_types]

    async def describe_endpoints(self, api_root: str) -> ListEndpoints:
        """``GET /inference/servers``: every active one, with its same-origin proxy path."""
        return ListEndpoints(servers=[e.describe(api_root) for e in await self.list_endpoints()])

    async def get(self, job_id: str) -> Endpoint | None:
        """One job's endpoint record joined with its job, or None."""
        rows = await self.db.run(lambda c: _listing(c, job_id))
        return rows[0] if rows else None

    async def token_for(self, base: str) -> str | None:
        """The upstream token of the ready job listening at ``base``'s origin, if any."""
        return (await self.upstream_at(base)).token

    async def upstream_at(self, base: str) -> UpstreamJobs:
        """The ready inference jobs at ``base``'s origin with their owners, and the token.

        Kept by origin until the bus says an endpoint or an inference job
        changed (see the module's docstring); one database trip and one file
        read when not kept.
        """
        try:
            origin = _origin(base)
        except ValueError:  # a bad port: no job listens there
            return NO_JOB
        kept = self._upstreams.get(origin)
        if kept is not None:
            return kept
        generation = self._generation
        rows = await self.db.run(_ready_inference)
        owners = tuple((job_id, owner) for job_id, owner, url in rows if _at(url, origin))
        token = None
        if owners:
            token = await asyncio.to_thread(read_upstream_token, self.job_dir(owners[0][0]))
        found = UpstreamJobs(owners, token) if owners else NO_JOB
        # Not kept: a change came while we read (the rows may predate it), nothing
        # listens for changes, or a ready job's token file is not there (yet).
        if (
            generation == self._generation
            and self._unlisten is not None
            and (token is not None or not owners)
        ):
            if len(self._upstreams) >= MAX_KEPT_ORIGINS:
                self._upstreams.clear()
            self._upstreams[origin] = found
        return found

    def _forget_upstreams(self) -> None:
        self._upstreams.clear()
        self._generation += 1


def _origin(url: str) -> tuple[str, str, int]:
    """(scheme, host, port) with localhost spelled as 127.0.0.1, for matching."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if host == "localhost":
        host = "127.0.0.1"
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return parts.scheme, host, port


def _at(url: str, origin: tuple[str, str, int]) -> bool:
    try:
        return _origin(url) == origin
    except ValueError:  # a recorded URL with a bad port is nobody's origin
        return False


def _ready_inference(conn: sqlite3.Connection) -> list[tuple[str, str | None, str]]:
    """(job id, owner, base URL) of every ready inference job, newest first.

    Ready as ``_listing`` says it: an active job whose endpoint is ready at a URL.
    """
    rows = conn.execute(
        "SELECT j.id, j.owner, e.base_url FROM jobs j JOIN job_endpoints e ON e.job_id = j.id "
        "WHERE j.status IN (?, ?) AND j.job_type = 'inference' AND e.state = ? "
        "AND e.base_url IS NOT NULL ORDER BY j.seq DESC",
        (JobStatus.STARTING.value, JobStatus.RUNNING.value, EndpointState.READY.value),
    ).fetchall()
    return [(str(r[0]), r[1], str(r[2])) for r in rows]


def _job_status(conn: sqlite3.Connection, job_id: str) -> JobStatus | None:
    row = conn.execute("SELECT status FROM jobs WHERE id = ?", (job_id,)).fetchone()
    return None if row is None else JobStatus(row[0])


def _active_supervised(conn: sqlite3.Connection) -> list[str]:
    marks = ",".join("?" * len(SUPERVISED))
    rows = conn.execute(
        f"SELECT id FROM jobs WHERE status = ? AND job_type IN ({marks})",
        (JobStatus.RUNNING.value, *SUPERVISED),
    ).fetchall()
    return [str(r[0]) for r in rows]


def _listing(conn: sqlite3.Connection, job_id: str | None = None) -> list[Endpoint]:
    marks = ",".join("?" * len(SUPERVISED))
    args: tuple[str, ...]
    if job_id:
        where, args = "j.id = ?", (job_id,)
    else:
        where, args = "j.status IN (?, ?)", (JobStatus.STARTING.value, JobStatus.RUNNING.value)
    rows = conn.execute(
        "SELECT j.id, j.job_type, j.name, j.status, e.state, e.base_url, e.model, e.message "
        f"FROM jobs j LEFT JOIN job_endpoints e ON e.job_id = j.id WHERE {where} "
        f"AND j.job_type IN ({marks}) ORDER BY j.seq DESC",
        (*args, *SUPERVISED),
    ).fetchall()
    out = []
    for r in rows:
        status = JobStatus(r[3])
        state = EndpointState(r[4] or EndpointState.STARTING)
        if status not in ACTIVE:
            state = EndpointState.STOPPED
        out.append(
            Endpoint(
                job_id=r[0],
                job_type=r[1],
                name=r[2],
                status=status,
                state=state,
                base_url=r[5] if state != EndpointState.STOPPED else None,
                model=r[6],
                message=r[7],
            )
        )
    return out
