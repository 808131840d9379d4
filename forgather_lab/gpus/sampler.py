"""One GPU sampler for every live viewer.

Each GPU WebSocket used to take its own NVML sample every two seconds, so
ten open Lab tabs meant ten samplers. Now viewers ``watch()`` this sampler;
while at least one does, it samples every ``interval`` seconds (and soon
after a policy change or a job starting or ending) and publishes the pool
as one ``gpus_sampled`` event on the bus. With no viewer it sleeps.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterator

from ..events import Event, EventBus
from ..models.gpus import ListGpus
from ..tasks import wait_set
from .service import GpuService

log = logging.getLogger("forgather_lab.gpus")

SAMPLED = "gpus_sampled"
RESAMPLE_ON = frozenset({"gpu_policy_changed", "job_status_changed"})
COALESCE = 0.05  # a burst of changes (a dispatch pass) becomes one sample


class GpuSampler:
    """Samples the pool while anyone watches; publishes ``gpus_sampled``."""

    def __init__(self, gpus: GpuService, bus: EventBus, interval: float = 2.0) -> None:
        self.gpus = gpus
        self.bus = bus
        self.interval = interval
        self.latest: ListGpus | None = None
        self._viewers = 0
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._unlisten = bus.listen(self._on_event)

    @contextlib.contextmanager
    def watch(self) -> Iterator[None]:
        """Keep the sampler running while the ``with`` block lasts."""
        self._viewers += 1
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(
                self._run(), name="forgather-gpu-sampler"
            )
        self._wake.set()
        try:
            yield
        finally:
            self._viewers -= 1

    def _on_event(self, event: Event) -> None:
        if event.type in RESAMPLE_ON and self._viewers:
            self._wake.set()

    async def _run(self) -> None:
        while self._viewers:
            try:
                self.latest = await self.gpus.describe_pool()
                self.bus.publish(SAMPLED, ephemeral=True, **self.latest.model_dump(mode="json"))
            except Exception:  # a failed sample must not end the stream; the next retries
                log.exception("GPU sample failed")
            self._wake.clear()
            await wait_set(self._wake, self.interval)
            await asyncio.sleep(COALESCE)

    async def close(self) -> None:
        """Stop sampling and listening."""
        self._unlisten()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
