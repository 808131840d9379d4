"""The GPU backend contract and the factory that resolves ``gpu_backend``."""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from ..errors import StateError

if TYPE_CHECKING:
    from ..models.jobs import DescribeJob
    from ..settings import ForgatherLabSettings

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


class GpuBackend(ABC):
    """What the scheduler and the GPU endpoints need from a backend.

    ``ForgatherLab.gpu_backend_class`` takes any subclass; the runtime builds
    it with ``from_settings`` and tells it when jobs start and end on its cards.
    """

    name: str  # "nvml" | "simulated" | "none" | ...
    simulated: bool = False

    @classmethod
    def from_settings(cls, settings: ForgatherLabSettings) -> GpuBackend:
        """Build the backend from the settings (raise StateError if it cannot open)."""
        return cls()

    @abstractmethod
    def count(self) -> int:
        """How many cards there are (excluded ones included)."""

    @abstractmethod
    def snapshot(self) -> list[GpuInfo]:
        """Telemetry of every card, ordered by index."""

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release the driver."""

    def job_started(self, job: DescribeJob) -> None:  # noqa: B027 - optional hook
        """A job's process runs on ``job.gpus`` (real drivers see that for themselves)."""

    def job_ended(self, job: DescribeJob) -> None:  # noqa: B027 - optional hook
        """A job's process has ended."""


class NoGpus(GpuBackend):
    """The backend when no driver answers and simulation is off."""

    name = "none"

    def count(self) -> int:
        return 0

    def snapshot(self) -> list[GpuInfo]:
        return []


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


def backend_from_settings(settings: ForgatherLabSettings) -> GpuBackend:
    """The backend ``gpu_backend_class`` or, when that is unset, ``gpu_backend`` names."""
    cls: type[GpuBackend] | None = settings.gpu_backend_class
    if cls is not None:
        return cls.from_settings(settings)
    return make_backend(settings.gpu_backend, settings.simulated_gpus)
