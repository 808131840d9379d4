"""Simulated GPUs for demos, tests and CPU-only machines.

Telemetry is made up but plausible, and every payload says
``simulated: true``. Processes are attributed the way NVML would: the
scheduler tells the backend which PIDs it placed on which cards.
"""

from __future__ import annotations

import math
import time
from typing import TYPE_CHECKING

from .backend import GpuBackend, GpuInfo, GpuProcess

if TYPE_CHECKING:
    from ..models.jobs import DescribeJob
    from ..settings import ForgatherLabSettings

_GIB = 1024**3


class SimulatedBackend(GpuBackend):
    """N fake cards named "Simulated GPU"."""

    name = "simulated"
    simulated = True

    def __init__(self, count: int) -> None:
        self._count = count
        self._pids: dict[int, set[int]] = {i: set() for i in range(count)}
        self._t0 = time.monotonic()

    @classmethod
    def from_settings(cls, settings: ForgatherLabSettings) -> SimulatedBackend:
        return cls(settings.simulated_gpus)

    def count(self) -> int:
        return self._count

    def job_started(self, job: DescribeJob) -> None:
        if job.pid:
            for index in job.gpus:
                self.attach(index, job.pid)

    def job_ended(self, job: DescribeJob) -> None:
        if job.pid:
            self.detach(job.pid)

    def attach(self, index: int, pid: int) -> None:
        """Record that ``pid`` runs on card ``index`` (what NVML would report)."""
        self._pids.setdefault(index, set()).add(pid)

    def detach(self, pid: int) -> None:
        """Forget ``pid`` on every card."""
        for pids in self._pids.values():
            pids.discard(pid)

    def snapshot(self) -> list[GpuInfo]:
        t = time.monotonic() - self._t0
        cards = []
        for i in range(self._count):
            pids = sorted(self._pids.get(i, ()))
            busy = bool(pids)
            # A slow wobble so a live chart visibly moves.
            wobble = 0.5 + 0.5 * math.sin(t / 3 + i)
            util = int(70 + 25 * wobble) if busy else 0
            used = (6 + int(8 * wobble)) * _GIB if busy else 256 * 1024**2
            cards.append(
                GpuInfo(
                    index=i,
                    name="Simulated GPU",
                    uuid=f"GPU-simulated-{i:04d}",
                    memory_total=24 * _GIB,
                    memory_used=used,
                    utilization=util,
                    temperature=int(35 + util * 0.4),
                    power=round(30 + util * 2.5, 1),
                    processes=[GpuProcess(pid=p, used_memory=used) for p in pids],
                    simulated=True,
                )
            )
        return cards
