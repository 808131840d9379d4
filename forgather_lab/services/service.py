"""Declared services, and the pass that keeps the enabled ones running.

Services come from two places: ``ForgatherLab.services`` (settings, read-only
here) and the ``services`` table (created from the Lab or the API). A stored
entry with a settings entry's type and name overrides it (that is how a
settings service is toggled); deleting that override restores the settings one.

``reconcile`` queues every enabled service whose signature matches no queued
or active job. It runs at start (after re-attach, so surviving jobs count),
and at once after an upsert or enable; disabling or deleting cancels the
matching job. One lock serialises passes so two can never queue twice.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import Any

from ..errors import BadRequest, Forbidden, ForgatherError, NotFound
from ..models.jobs import CreateJob
from ..models.services import UpsertService
from ..store import Database
from .signature import signature

log = logging.getLogger("forgather_lab.services")

LIVE = ["queued", "starting", "running"]


class ServicesService:
    """List, upsert, delete, enable / disable, reconcile."""

    def __init__(
        self,
        db: Database,
        jobs: Any,
        configured: dict[str, dict[str, dict[str, Any]]] | None = None,
        endpoints: Any = None,
    ) -> None:
        self.db = db
        self.jobs = jobs  # JobsService
        self.configured = configured or {}
        self.endpoints = endpoints  # EndpointSupervisor, for base URLs
        self._lock = asyncio.Lock()
        self._errors: dict[tuple[str, str], str] = {}

    # -- the declarations ------------------------------------------------------

    def _from_settings(self) -> dict[tuple[str, str], dict[str, Any]]:
        out = {}
        for type_, entries in self.configured.items():
            for name, entry in (entries or {}).items():
                entry = dict(entry or {})
                out[(type_, name)] = {
                    "type": type_,
                    "name": name,
                    "enabled": bool(entry.pop("enabled", False)),
                    "priority": int(entry.pop("priority", 0)),
                    "requested_gpus": entry.pop("requested_gpus", None),
                    "args": entry,
                    "source": "settings",
                }
        return out

    async def _merged(self) -> list[dict[str, Any]]:
        merged = self._from_settings()
        rows = await self.db.run(
            lambda c: c.execute(
                "SELECT type, name, enabled, args, priority, requested_gpus FROM services"
            ).fetchall()
        )
        for r in rows:
            key = (r[0], r[1])
            merged[key] = {
                "type": r[0],
                "name": r[1],
                "enabled": bool(r[2]),
                "args": json.loads(r[3]),
                "priority": r[4],
                "requested_gpus": r[5],
                "source": "settings" if key in merged else "user",
            }
        return [merged[k] for k in sorted(merged)]

    def _gpus(self, svc: dict[str, Any]) -> int:
        if svc["requested_gpus"] is not None:
            return int(svc["requested_gpus"])
        kind = self.jobs.kinds.get(svc["type"])
        default = int(getattr(kind, "service_gpus", 0))
        if not default and hasattr(kind, "default_gpus"):
            default = int(kind.default_gpus(svc["args"]))
        return min(default, int(self.jobs.max_gpus))  # CPU-only servers still serve

    def _request(self, svc: dict[str, Any]) -> CreateJob:
        return CreateJob(
            job_type=svc["type"],
            job_params=svc["args"],
            requested_gpus=self._gpus(svc),
            priority=svc["priority"],
            name=f"service {svc['type']}/{svc['name']}",
        )

    async def _signature(self, svc: dict[str, Any]) -> str:
        kind = self.jobs.kinds.get(svc["type"])
        params = await asyncio.to_thread(kind.prepare, self._request(svc), self.jobs.resolver)
        return signature(kind.name, params)

    async def _live(self) -> dict[str, dict[str, Any]]:
        jobs, _ = await self.jobs.list(LIVE, 1000, 0)
        live: dict[str, dict[str, Any]] = {}
        for job in reversed(jobs):  # oldest first, so the newest wins a tie
            live[signature(job["job_type"], job["params"])] = job
        return live

    # -- queries ---------------------------------------------------------------

    async def list(self) -> list[dict[str, Any]]:
        """Every service with its signature and the job running it, if any."""
        live = await self._live()
        out = []
        for svc in await self._merged():
            message = self._errors.get((svc["type"], svc["name"]))
            try:
                sig = await self._signature(svc)
            except ForgatherError as e:
                sig, message = "", e.message
            job = live.get(sig) if sig else None
            base_url = None
            if job is not None and self.endpoints is not None:
                endpoint = await self.endpoints.get(job["id"])
                base_url = endpoint and endpoint.get("base_url")
            out.append(
                {
                    **svc,
                    "requested_gpus": self._gpus(svc),
                    "signature": sig,
                    "running": bool(job and job["status"] == "running"),
                    "job_id": job and job["id"],
                    "status": job and job["status"],
                    "base_url": base_url,
                    "message": message,
                }
            )
        return out

    async def get(self, type_: str, name: str) -> dict[str, Any]:
        for svc in await self.list():
            if svc["type"] == type_ and svc["name"] == name:
                return svc
        raise NotFound(f"No service {type_}/{name}")

    # -- changes ---------------------------------------------------------------

    async def upsert(self, request: UpsertService) -> dict[str, Any]:
        """Validate (through the job kind), store, and start it now if enabled."""
        svc = {**request.model_dump(), "source": "user"}
        new_signature = await self._signature(svc)  # 400 on a bad type or args, before storing
        try:
            previous: dict[str, Any] | None = await self.get(request.type, request.name)
        except NotFound:
            previous = None
        await self.db.run(
            lambda c: c.execute(
                "INSERT INTO services (type, name, enabled, args, priority, requested_gpus, "
                "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (type, name) DO UPDATE "
                "SET enabled = excluded.enabled, args = excluded.args, "
                "priority = excluded.priority, requested_gpus = excluded.requested_gpus, "
                "updated_at = excluded.updated_at",
                (
                    request.type,
                    request.name,
                    int(request.enabled),
                    json.dumps(request.args),
                    request.priority,
                    request.requested_gpus,
                    time.time(),
                ),
            )
        )
        self._errors.pop((request.type, request.name), None)
        changed = previous is not None and (
            not request.enabled or previous["signature"] != new_signature
        )
        if previous is not None and previous["job_id"] and changed:
            await self._stop(previous["job_id"])  # changed or disabled: takes effect now
        if request.enabled:
            await self.reconcile()
        return await self.get(request.type, request.name)

    async def set_enabled(self, type_: str, name: str, enabled: bool) -> dict[str, Any]:
        """Toggle; enabling starts it now, disabling stops its job."""
        current = await self.get(type_, name)
        await self.db.run(
            lambda c: c.execute(
                "INSERT INTO services (type, name, enabled, args, priority, requested_gpus, "
                "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (type, name) DO UPDATE "
                "SET enabled = excluded.enabled, updated_at = excluded.updated_at",
                (
                    type_,
                    name,
                    int(enabled),
                    json.dumps(current["args"]),
                    current["priority"],
                    current["requested_gpus"],
                    time.time(),
                ),
            )
        )
        if enabled:
            await self.reconcile()
        elif current["job_id"]:
            await self._stop(current["job_id"])
        return await self.get(type_, name)

    async def delete(self, type_: str, name: str) -> dict[str, Any]:
        """Stop its job and remove the entry (a settings entry cannot be removed here)."""
        current = await self.get(type_, name)
        deleted = await self.db.run(
            lambda c: (
                c.execute(
                    "DELETE FROM services WHERE type = ? AND name = ?", (type_, name)
                ).rowcount
            )
        )
        if not deleted:
            raise Forbidden(
                f"Service {type_}/{name} is declared in ForgatherLab.services; remove it there, "
                "or disable it here"
            )
        stopped = None
        if current["job_id"] and (type_, name) not in self._from_settings():
            stopped = await self._stop(current["job_id"])
        return {"deleted": True, "stopped_job_id": stopped}

    async def _stop(self, job_id: str) -> str | None:
        try:
            await self.jobs.cancel(job_id)
        except ForgatherError as e:  # it ended meanwhile
            log.info("service job %s: %s", job_id, e.message)
            return None
        return job_id

    async def reconcile(self) -> list[str]:
        """Queue every enabled service with no live job; returns the new job ids."""
        started: list[str] = []
        async with self._lock:
            live = await self._live()
            for svc in await self._merged():
                if not svc["enabled"]:
                    continue
                key = (svc["type"], svc["name"])
                try:
                    if await self._signature(svc) in live:
                        continue
                    job = await self.jobs.enqueue(self._request(svc))
                except (ForgatherError, BadRequest) as e:
                    self._errors[key] = e.message
                    log.warning("service %s/%s not started: %s", *key, e.message)
                    continue
                self._errors.pop(key, None)
                started.append(job["id"])
        return started
