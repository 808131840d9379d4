"""The GPU pool as the rest of the server sees it: telemetry joined with
policy, exclusions, reservations and process → job attribution."""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import Awaitable, Callable

from ..errors import BadRequest, NotFound
from ..events import EventBus
from ..models.gpus import (
    DescribeGpu,
    DescribeGpuPolicy,
    DescribeGpuProcess,
    KillGpuResult,
    ListGpuPolicies,
    ListGpus,
)
from ..models.jobs import DescribeJob
from ..store import Database
from . import policy as policy_store
from .backend import GpuBackend
from .policy import GpuPolicy

ActiveJobs = Callable[[], Awaitable[list[DescribeJob]]]


class GpuService:
    """Reads the backend, owns the per-GPU policy."""

    def __init__(
        self,
        db: Database,
        bus: EventBus,
        backend: GpuBackend,
        excluded: set[int],
        active_jobs: ActiveJobs,
    ) -> None:
        self.db = db
        self.bus = bus
        self.backend = backend
        self.excluded = excluded
        self._active_jobs = active_jobs
        #: (job id, GPU index) pairs already warned about, so a job is told once per card.
        self._over_declared: set[tuple[str, int]] = set()

    @property
    def usable_count(self) -> int:
        """Cards the scheduler may ever use (not excluded at start)."""
        return self.backend.count() - len(self.excluded)

    def _check_index(self, index: int) -> None:
        if not 0 <= index < self.backend.count():
            raise NotFound(f"No GPU {index}; this server has {self.backend.count()}")

    async def policies(self) -> dict[int, GpuPolicy]:
        """Every stored policy by GPU index."""
        return await self.db.run(policy_store.load_all)

    async def list_policies(self) -> ListGpuPolicies:
        """The stored policies as the API lists them."""
        policies = await self.policies()
        return ListGpuPolicies(policies={str(i): _policy(p) for i, p in sorted(policies.items())})

    async def set_policy(
        self, index: int, disabled: bool | None, min_priority: int | None
    ) -> DescribeGpuPolicy:
        """Change one card's policy; the scheduler reconsiders the queue at once."""
        self._check_index(index)
        new = await self.db.run(lambda c: policy_store.upsert(c, index, disabled, min_priority))
        self.bus.publish(
            "gpu_policy_changed", index=index, disabled=new.disabled, min_priority=new.min_priority
        )
        return _policy(new)

    async def describe_pool(self) -> ListGpus:
        """Every card: telemetry, policy, reservation and processes mapped to jobs."""
        # Side by side: under load each hand-off to the database thread or a worker
        # waits its turn, and one after another the waits add up (issue 19).
        active, cards, policies = await asyncio.gather(
            self._active_jobs(), asyncio.to_thread(self.backend.snapshot), self.policies()
        )
        by_session = {job.pid: job.id for job in active if job.pid}
        holder = {i: job.id for job in active for i in job.gpus}
        out = []
        for card in cards:
            pol = policies.get(card.index, GpuPolicy())
            out.append(
                DescribeGpu(
                    index=card.index,
                    name=card.name,
                    uuid=card.uuid,
                    memory_total=card.memory_total,
                    memory_used=card.memory_used,
                    utilization=card.utilization,
                    temperature=card.temperature,
                    power=card.power,
                    simulated=card.simulated,
                    processes=[
                        DescribeGpuProcess(
                            pid=p.pid,
                            job_id=_job_of(by_session, p.pid),
                            used_memory=p.used_memory,
                            kind=p.kind,
                        )
                        for p in card.processes
                    ],
                    excluded=card.index in self.excluded,
                    disabled=pol.disabled,
                    min_priority=pol.min_priority,
                    reserved_by=holder.get(card.index),
                )
            )
        self._warn_over_declared(out, active)
        return ListGpus(gpus=out, backend=self.backend.name, simulated=self.backend.simulated)

    def _warn_over_declared(self, cards: list[DescribeGpu], active: list[DescribeJob]) -> None:
        """Publish ``gpu_memory_exceeded`` when a job's processes use more than it declared.

        Only real telemetry counts (simulated cards invent their usage). Jobs
        sharing a card were packed on their declarations: one that takes more
        can starve its neighbours, so its owner should hear about it.
        """
        live = {(job.id, i) for job in active for i in job.gpus}
        self._over_declared &= live
        for job in active:
            if job.gpu_memory is None:
                continue
            for card in cards:
                if card.simulated or card.index not in job.gpus:
                    continue
                used = sum(p.used_memory or 0 for p in card.processes if p.job_id == job.id)
                key = (job.id, card.index)
                if used <= job.gpu_memory * 2**20 or key in self._over_declared:
                    continue
                self._over_declared.add(key)
                self.bus.publish(
                    "gpu_memory_exceeded",
                    job_id=job.id,
                    gpu=card.index,
                    declared_mib=job.gpu_memory,
                    used_mib=used // 2**20,
                    message=(
                        f"job {job.id} uses {used // 2**20} MiB on GPU {card.index} but "
                        f"declared {job.gpu_memory} MiB (gpu_memory): jobs sharing the card "
                        "may run out of memory"
                    ),
                )

    async def kill_processes(self, index: int, confirmed: bool) -> KillGpuResult:
        """SIGKILL every compute process on a card (never graphics: that is the desktop)."""
        self._check_index(index)
        if not confirmed:
            raise BadRequest('Killing every process on a GPU needs "confirmed": true')
        cards = await asyncio.to_thread(self.backend.snapshot)
        pids = [p.pid for p in cards[index].processes if p.kind == "compute"]
        killed, failed = [], []
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)
            except (ProcessLookupError, PermissionError):
                failed.append(pid)
        return KillGpuResult(pids=pids, killed=killed, failed=failed)


def _policy(p: GpuPolicy) -> DescribeGpuPolicy:
    return DescribeGpuPolicy(disabled=p.disabled, min_priority=p.min_priority)


def _job_of(by_session: dict[int, str], pid: int) -> str | None:
    # A job's processes share the session its runner leads (start_new_session).
    try:
        return by_session.get(os.getsid(pid))
    except (ProcessLookupError, PermissionError):
        return None
