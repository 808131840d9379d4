"""Readiness of long-running jobs (inference servers, TensorBoard) and where they answer.

The jobs service owns the processes (own session, SIGTERM to the group then
SIGKILL on kill, re-attach after a restart). This supervisor owns what comes
after the spawn: it waits for the child to announce the port it bound
(``endpoint.json`` in the job directory), then polls the health URL with
backoff until it answers 200 (a 503 "loading" is not ready), and records the
base URL and state per job in ``job_endpoints``. The proxy looks upstream
tokens up from these records; the Lab lists running servers from them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from ..events import Event, EventBus
from ..store import Database
from .endpoint import read_endpoint, read_upstream_token

log = logging.getLogger("forgather_lab.inference")

SUPERVISED = frozenset({"inference", "tensorboard"})
ACTIVE = ("starting", "running")


class EndpointSupervisor:
    """Probes supervised jobs after they start; answers where they listen."""

    def __init__(
        self,
        db: Database,
        bus: EventBus,
        job_dir: Any,
        ready_timeout: float = 900.0,
    ) -> None:
        self.db = db
        self.bus = bus
        self.job_dir = job_dir  # callable: job id -> Path
        self.ready_timeout = ready_timeout
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._unlisten: Any = None
        self._client: httpx.AsyncClient | None = None

    # -- life cycle -----------------------------------------------------------

    async def start(self) -> None:
        """Listen for job starts and probe every supervised job already running."""
        self._client = httpx.AsyncClient(timeout=httpx.Timeout(3.0), trust_env=False)
        self._unlisten = self.bus.listen(self._on_event)
        for job_id in await self.db.run(_active_supervised):
            self._probe(job_id)

    async def stop(self) -> None:
        """Cancel probes (the jobs keep running; a restart probes them again)."""
        if self._unlisten is not None:
            self._unlisten()
            self._unlisten = None
        for task in list(self._tasks.values()):
            task.cancel()
        for task in list(self._tasks.values()):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    def _on_event(self, event: Event) -> None:
        if event.type != "job_status_changed":
            return
        job = event.data.get("job") or {}
        if job.get("job_type") not in SUPERVISED:
            return
        status = event.data.get("status")
        if status == "running":
            self._probe(event.data["job_id"])
        elif status not in ACTIVE and status != "queued":
            task = asyncio.ensure_future(self._record(event.data["job_id"], "stopped"))
            task.add_done_callback(_log_failure)

    def _probe(self, job_id: str) -> None:
        if job_id in self._tasks and not self._tasks[job_id].done():
            return
        task = asyncio.ensure_future(self._wait_ready(job_id))
        task.add_done_callback(_log_failure)
        task.add_done_callback(lambda _: self._tasks.pop(job_id, None))
        self._tasks[job_id] = task

    # -- readiness -------------------------------------------------------------

    async def _wait_ready(self, job_id: str) -> None:
        await self._record(job_id, "starting")
        directory = Path(self.job_dir(job_id))
        deadline = time.monotonic() + self.ready_timeout
        delay = 0.05
        last = "the server has not announced its port yet"
        while time.monotonic() < deadline:
            status = await self.db.run(lambda c: _job_status(c, job_id))
            if status not in ACTIVE:
                await self._record(job_id, "stopped")
                return
            endpoint = await asyncio.to_thread(read_endpoint, directory)
            if endpoint is not None:
                ok, last = await self._healthy(str(endpoint.get("health") or endpoint["url"]))
                if ok:
                    await self._record(
                        job_id,
                        "ready",
                        endpoint["url"],
                        endpoint.get("health"),
                        endpoint.get("model"),
                    )
                    return
            await asyncio.sleep(delay)
            delay = min(delay * 1.6, 2.0)  # fast at first, gentle on a slow model load
        await self._record(
            job_id, "failed", message=f"not ready after {self.ready_timeout:g}s: {last}"
        )

    async def _healthy(self, url: str) -> tuple[bool, str]:
        assert self._client is not None
        try:
            response = await self._client.get(url)
        except httpx.HTTPError as e:
            return False, f"health check failed: {e}"
        if response.status_code == 200:
            return True, "ok"
        return False, f"health answered {response.status_code}"

    async def _record(
        self,
        job_id: str,
        state: str,
        base_url: str | None = None,
        health_url: str | None = None,
        model: str | None = None,
        message: str | None = None,
    ) -> None:
        def write(conn: Any) -> None:
            if state == "stopped":
                conn.execute(
                    "UPDATE job_endpoints SET state = 'stopped', updated_at = ? WHERE job_id = ?",
                    (time.time(), job_id),
                )
                return
            conn.execute(
                "INSERT INTO job_endpoints (job_id, state, base_url, health_url, model, message, "
                "updated_at) SELECT ?, ?, ?, ?, ?, ?, ? WHERE EXISTS "
                "(SELECT 1 FROM jobs WHERE id = ?) ON CONFLICT (job_id) DO UPDATE SET "
                "state = excluded.state, base_url = excluded.base_url, "
                "health_url = excluded.health_url, model = excluded.model, "
                "message = excluded.message, updated_at = excluded.updated_at",
                (job_id, state, base_url, health_url, model, message, time.time(), job_id),
            )

        await self.db.run(write)
        self.bus.publish("endpoint_changed", job_id=job_id, state=state, base_url=base_url)

    # -- queries ----------------------------------------------------------------

    async def list(self, job_types: set[str] | None = None) -> list[dict[str, Any]]:
        """Active supervised jobs with their endpoint state (newest first)."""
        rows = await self.db.run(_listing)
        return [r for r in rows if job_types is None or r["job_type"] in job_types]

    async def get(self, job_id: str) -> dict[str, Any] | None:
        """One job's endpoint record joined with its job, or None."""
        for row in await self.db.run(lambda c: _listing(c, job_id)):
            return row
        return None

    async def token_for(self, base: str) -> str | None:
        """The upstream token of the ready job listening at ``base``'s origin, if any."""
        origin = _origin(base)
        for row in await self.list({"inference"}):
            if row["state"] == "ready" and row["base_url"] and _origin(row["base_url"]) == origin:
                return await asyncio.to_thread(
                    read_upstream_token, Path(self.job_dir(row["job_id"]))
                )
        return None


def _origin(url: str) -> tuple[str, str, int]:
    """(scheme, host, port) with localhost spelled as 127.0.0.1, for matching."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if host == "localhost":
        host = "127.0.0.1"
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return parts.scheme, host, port


def _job_status(conn: Any, job_id: str) -> str | None:
    row = conn.execute("SELECT status FROM jobs WHERE id = ?", (job_id,)).fetchone()
    return None if row is None else str(row[0])


def _active_supervised(conn: Any) -> list[str]:
    marks = ",".join("?" * len(SUPERVISED))
    rows = conn.execute(
        f"SELECT id FROM jobs WHERE status = 'running' AND job_type IN ({marks})",
        tuple(SUPERVISED),
    ).fetchall()
    return [r[0] for r in rows]


def _listing(conn: Any, job_id: str | None = None) -> list[dict[str, Any]]:
    marks = ",".join("?" * len(SUPERVISED))
    where = "j.id = ?" if job_id else "j.status IN ('starting', 'running')"
    args: tuple[Any, ...] = (job_id,) if job_id else ()
    rows = conn.execute(
        "SELECT j.id, j.job_type, j.name, j.status, e.state, e.base_url, e.model, e.message "
        f"FROM jobs j LEFT JOIN job_endpoints e ON e.job_id = j.id WHERE {where} "
        f"AND j.job_type IN ({marks}) ORDER BY j.seq DESC",
        (*args, *SUPERVISED),
    ).fetchall()
    out = []
    for r in rows:
        state = r[4] or "starting"
        if r[3] not in ACTIVE:
            state = "stopped"
        out.append(
            {
                "job_id": r[0],
                "job_type": r[1],
                "name": r[2],
                "status": r[3],
                "state": state,
                "base_url": r[5] if state != "stopped" else None,
                "model": r[6],
                "message": r[7],
            }
        )
    return out


def _log_failure(task: asyncio.Future[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("endpoint supervision failed", exc_info=task.exception())
