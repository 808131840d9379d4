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
import logging
from dataclasses import replace
from typing import Protocol, runtime_checkable

from ..errors import Forbidden, ForgatherError, NotFound
from ..inference.supervisor import EndpointSupervisor
from ..jobs.kinds import JobKind
from ..jobs.service import JobsService
from ..models.jobs import CreateJob, DescribeJob, JobStatus
from ..models.services import (
    DeleteServiceResult,
    DescribeService,
    ListServiceKinds,
    ListServices,
    ServiceKind,
    ServiceSource,
    UpsertService,
)
from ..store import Database
from .declarations import ConfiguredServices, Declared, from_settings, remove, store, stored
from .forms import ServiceForm, builtin_forms, form_schema
from .signature import signature

log = logging.getLogger("forgather_lab.services")

LIVE = [JobStatus.QUEUED.value, JobStatus.STARTING.value, JobStatus.RUNNING.value]


@runtime_checkable
class ServiceDefaults(Protocol):
    """A job kind that asks for GPUs when it runs as a service (inference: one)."""

    service_gpus: int


class ServicesService:
    """List, upsert, delete, enable / disable, reconcile."""

    def __init__(
        self,
        db: Database,
        jobs: JobsService,
        configured: ConfiguredServices | None = None,
        endpoints: EndpointSupervisor | None = None,
        forms: list[ServiceForm] | None = None,
    ) -> None:
        self.db = db
        self.jobs = jobs
        self.configured: ConfiguredServices = configured or {}
        self.endpoints = endpoints  # for the base URL of a running service
        # The launch dialogs (GET /services/kinds); only kinds this server runs are listed.
        self.forms = builtin_forms() if forms is None else list(forms)
        self._lock = asyncio.Lock()
        self._errors: dict[tuple[str, str], str] = {}

    # -- the declarations ------------------------------------------------------

    def _from_settings(self) -> dict[tuple[str, str], Declared]:
        return from_settings(self.configured)

    async def _merged(self) -> list[Declared]:
        merged = self._from_settings()
        for declared in await self.db.run(stored):
            source: ServiceSource = "settings" if declared.key in merged else "user"
            merged[declared.key] = replace(declared, source=source)
        return [merged[k] for k in sorted(merged)]

    def kinds(self) -> ListServiceKinds:
        """``GET /services/kinds``: a launch dialog per service kind this server runs."""
        known = set(self.jobs.kinds.names())
        return ListServiceKinds(
            kinds=[
                ServiceKind(
                    type=form.type,
                    label=form.label,
                    schema_=form_schema(form),
                    requested_gpus=self._gpus(Declared(form.type, "", True, 0, None)),
                )
                for form in self.forms
                if form.type in known
            ]
        )

    def _gpus(self, svc: Declared) -> int:
        if svc.requested_gpus is not None:
            return svc.requested_gpus
        kind = self.jobs.kinds.get(svc.type)
        default = kind.service_gpus if isinstance(kind, ServiceDefaults) else 0
        if not default:
            default = kind.default_gpus(svc.args)
        return min(default, self.jobs.max_gpus)  # CPU-only servers still serve

    def _request(self, svc: Declared) -> CreateJob:
        return CreateJob(
            job_type=svc.type,
            job_params=svc.args,
            requested_gpus=self._gpus(svc),
            priority=svc.priority,
            name=f"service {svc.type}/{svc.name}",
        )

    async def _signature(self, svc: Declared) -> str:
        kind: JobKind = self.jobs.kinds.get(svc.type)
        params = await asyncio.to_thread(kind.prepare, self._request(svc), self.jobs.resolver)
        return signature(kind.name, params)

    async def _live(self) -> dict[str, DescribeJob]:
        jobs, _ = await self.jobs.list_jobs(LIVE, 1000, 0)
        live: dict[str, DescribeJob] = {}
        for job in reversed(jobs):  # oldest first, so the newest wins a tie
            live[signature(job.job_type, job.params)] = job
        return live

    async def _describe(self, svc: Declared, live: dict[str, DescribeJob]) -> DescribeService:
        """The API record of a declaration: the one place a service is mapped to the wire."""
        message = self._errors.get(svc.key)
        try:
            sig = await self._signature(svc)
        except ForgatherError as e:
            sig, message = "", e.message
        job = live.get(sig) if sig else None
        base_url = None
        if job is not None and self.endpoints is not None:
            endpoint = await self.endpoints.get(job.id)
            base_url = endpoint.base_url if endpoint is not None else None
        return DescribeService(
            type=svc.type,
            name=svc.name,
            enabled=svc.enabled,
            args=svc.args,
            priority=svc.priority,
            requested_gpus=self._gpus(svc),
            source=svc.source,
            signature=sig,
            running=job is not None and job.status == JobStatus.RUNNING,
            job_id=job.id if job is not None else None,
            status=job.status if job is not None else None,
            base_url=base_url,
            message=message,
        )

    # -- queries ---------------------------------------------------------------

    async def list_services(self) -> ListServices:
        """Every service with its signature and the job running it, if any."""
        live = await self._live()
        return ListServices(services=[await self._describe(s, live) for s in await self._merged()])

    async def get(self, type_: str, name: str) -> DescribeService:
        """One service; 404 if neither settings nor the table declare it."""
        for svc in await self._merged():
            if svc.key == (type_, name):
                return await self._describe(svc, await self._live())
        raise NotFound(f"No service {type_}/{name}")

    # -- changes ---------------------------------------------------------------

    async def upsert(self, request: UpsertService) -> DescribeService:
        """Validate (through the job kind), store, and start it now if enabled."""
        svc = Declared(
            type=request.type,
            name=request.name,
            enabled=request.enabled,
            priority=request.priority,
            requested_gpus=request.requested_gpus,
            args=request.args,
        )
        new_signature = await self._signature(svc)  # 400 on a bad type or args, before storing
        try:
            previous: DescribeService | None = await self.get(request.type, request.name)
        except NotFound:
            previous = None
        await self.db.run(lambda c: store(c, svc))
        self._errors.pop(svc.key, None)
        changed = previous is not None and (
            not request.enabled or previous.signature != new_signature
        )
        if previous is not None and previous.job_id and changed:
            await self._stop(previous.job_id)  # changed or disabled: takes effect now
        if request.enabled:
            await self.reconcile()
        return await self.get(request.type, request.name)

    async def set_enabled(self, type_: str, name: str, enabled: bool) -> DescribeService:
        """Toggle; enabling starts it now, disabling stops its job."""
        current = await self.get(type_, name)
        svc = Declared(
            type=type_,
            name=name,
            enabled=enabled,
            priority=current.priority,
            requested_gpus=current.requested_gpus,
            args=current.args,
        )
        await self.db.run(lambda c: store(c, svc, only_enabled=True))
        if enabled:
            await self.reconcile()
        elif current.job_id:
            await self._stop(current.job_id)
        return await self.get(type_, name)

    async def delete(self, type_: str, name: str) -> DeleteServiceResult:
        """Stop its job and remove the entry (a settings entry cannot be removed here)."""
        current = await self.get(type_, name)
        deleted = await self.db.run(lambda c: remove(c, type_, name))
        if not deleted:
            raise Forbidden(
                f"Service {type_}/{name} is declared in ForgatherLab.services; remove it there, "
                "or disable it here"
            )
        stopped = None
        if current.job_id and (type_, name) not in self._from_settings():
            stopped = await self._stop(current.job_id)
        return DeleteServiceResult(deleted=True, stopped_job_id=stopped)

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
                if not svc.enabled:
                    continue
                try:
                    if await self._signature(svc) in live:
                        continue
                    job = await self.jobs.enqueue(self._request(svc))
                except ForgatherError as e:
                    self._errors[svc.key] = e.message
                    log.warning("service %s/%s not started: %s", *svc.key, e.message)
                    continue
                self._errors.pop(svc.key, None)
                started.append(job.id)
        return started
