"""The dispatcher: runs placement when something changed, and acts on it.

It wakes on events (a job queued or ended, a GPU policy changed, the
scheduler resumed) plus a slow safety tick, never on a fast poll. Each pass
reads the queue and the reservations, calls ``place`` and starts what it chose.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from ..events import Event, EventBus
from ..models.jobs import DescribeJob
from .placement import GpuSlot, Placement, QueueItem, place

log = logging.getLogger("forgather_lab.scheduler")

WAKE_ON = {"job_queued", "job_status_changed", "gpu_policy_changed", "scheduler_changed"}

# (queued jobs, GPU slots) for one pass, read in one go from the store.
Snapshot = Callable[[], Awaitable[tuple[list[DescribeJob], list[GpuSlot]]]]
Starter = Callable[[DescribeJob, list[int]], Awaitable[None]]


class Dispatcher:
    """Owns the dispatch loop; ``enabled`` pauses it without losing the queue."""

    def __init__(
        self,
        bus: EventBus,
        snapshot: Snapshot,
        start_job: Starter,
        enabled: bool = True,
        tick: float = 30.0,
    ) -> None:
        self.bus = bus
        self.enabled = enabled
        self.tick = tick
        self._snapshot = snapshot
        self._start_job = start_job
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._unlisten: Callable[[], None] | None = None
        self.passes = 0

    def start(self) -> None:
        """Begin dispatching (on the running loop)."""
        if self._task is not None:
            return
        self._unlisten = self.bus.listen(self._on_event)
        self._task = asyncio.create_task(self._run(), name="forgather-dispatcher")
        self.wake()

    async def stop(self) -> None:
        """Stop dispatching; running jobs are not touched."""
        if self._unlisten:
            self._unlisten()
            self._unlisten = None
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    def wake(self) -> None:
        """Ask for a pass as soon as possible."""
        self._wake.set()

    def _on_event(self, event: Event) -> None:
        if event.type in WAKE_ON:
            self._wake.set()

    async def _run(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.tick)
            self._wake.clear()
            if not self.enabled:
                continue
            try:
                await self.dispatch_once()
            except asyncio.CancelledError:
                raise
            except Exception:  # a bad pass must not kill the loop; the next one retries
                log.exception("dispatch pass failed")

    async def dispatch_once(self) -> list[Placement]:
        """One placement pass; returns what it started."""
        self.passes += 1
        queued, slots = await self._snapshot()
        if not queued:
            return []
        items = [QueueItem(j.id, j.priority, j.requested_gpus, seq) for seq, j in enumerate(queued)]
        by_id = {j.id: j for j in queued}
        decisions = place(items, slots)
        for decision in decisions:
            await self._start_job(by_id[decision.job_id], list(decision.gpus))
        return decisions
