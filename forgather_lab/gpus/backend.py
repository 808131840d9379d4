"""The GPU backend contract and the factory that resolves ``gpu_backend``."""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

from ..errors import StateError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class GpuProcess:
    """A process holding a context on a GPU."""

    pid: int
    used_memory: int | None = None
    kind: str = "compute"  # compute | graphics


@dataclass(frozen=True)
class GpuInfo:
    """One card's telemetry at one instant. Memory in bytes, power in watts."""

    index: int
    name: str
    uuid: str
    memory_total: int
    memory_used: int
    utilization: int | None
    temperature: int | None
    power: float | None
    processes: list[GpuProcess] = field(default_factory=list)
    simulated: bool = False

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return asdict(self)


class GpuBackend(Protocol):
    """What the scheduler and the GPU endpoints need from a backend."""

    name: str  # "nvml" | "simulated" | "none"
    simulated: bool

    def count(self) -> int:
        """How many cards there are (excluded ones included)."""
        ...

    def snapshot(self) -> list[GpuInfo]:
        """Telemetry of every card, ordered by index."""
        ...

    def close(self) -> None:
        """Release the driver."""
        ...


class NoGpus:
    """The backend when no driver answers and simulation is off."""

    name = "none"
    simulated = False

    def count(self) -> int:
        return 0

    def snapshot(self) -> list[GpuInfo]:
        return []

    def close(self) -> None:
        pass


def make_backend(kind: str, simulated_gpus: int) -> GpuBackend:
    """Resolve the ``gpu_backend`` setting into a backend.

    ``auto`` tries NVML and falls back to no GPUs (not to simulated ones, so a
    dashboard never shows invented numbers unless asked to); ``nvml`` insists.
    """
    if kind == "simulated":
        from .simulated import SimulatedBackend

        return SimulatedBackend(simulated_gpus)
    from .nvml import NvmlBackend, NvmlUnavailable

    try:
        return NvmlBackend()
    except NvmlUnavailable as e:
        if kind == "nvml":
            raise StateError(f"gpu_backend is 'nvml' but NVML is unavailable: {e}") from e
        log.info("No NVIDIA driver answered (%s); reporting no GPUs", e)
        return NoGpus()
