"""NVIDIA telemetry through nvidia-ml-py (the ``pynvml`` module)."""

from __future__ import annotations

import contextlib
import threading
from typing import Any

from .backend import GpuBackend, GpuInfo, GpuProcess


class NvmlUnavailable(RuntimeError):
    """No NVIDIA driver or library answered."""


class NvmlBackend(GpuBackend):
    """Real cards, read through NVML. Fields a card cannot report are None."""

    name = "nvml"
    simulated = False

    def __init__(self) -> None:
        try:
            import pynvml
        except ImportError as e:  # pragma: no cover - a hard dependency
            raise NvmlUnavailable("nvidia-ml-py is not installed") from e
        try:
            pynvml.nvmlInit()
        except pynvml.NVMLError as e:
            raise NvmlUnavailable(str(e)) from e
        self._nvml: Any = pynvml
        self._lock = threading.Lock()
        self._count = int(pynvml.nvmlDeviceGetCount())

    def count(self) -> int:
        return self._count

    def snapshot(self) -> list[GpuInfo]:
        nv = self._nvml
        cards = []
        with self._lock:
            for i in range(self._count):
                h = nv.nvmlDeviceGetHandleByIndex(i)
                mem = nv.nvmlDeviceGetMemoryInfo(h)
                procs = [
                    GpuProcess(pid=p.pid, used_memory=_or_none(p.usedGpuMemory), kind=kind)
                    for kind, getter in (
                        ("compute", nv.nvmlDeviceGetComputeRunningProcesses),
                        ("graphics", nv.nvmlDeviceGetGraphicsRunningProcesses),
                    )
                    for p in _try(getter, h, default=[])
                ]
                util = _try(nv.nvmlDeviceGetUtilizationRates, h)
                power = _try(nv.nvmlDeviceGetPowerUsage, h)
                cards.append(
                    GpuInfo(
                        index=i,
                        name=_text(nv.nvmlDeviceGetName(h)),
                        uuid=_text(nv.nvmlDeviceGetUUID(h)),
                        memory_total=int(mem.total),
                        memory_used=int(mem.used),
                        utilization=None if util is None else int(util.gpu),
                        temperature=_try(nv.nvmlDeviceGetTemperature, h, nv.NVML_TEMPERATURE_GPU),
                        power=None if power is None else round(power / 1000, 1),
                        processes=procs,
                        simulated=False,
                    )
                )
        return cards

    def close(self) -> None:
        with contextlib.suppress(self._nvml.NVMLError):
            self._nvml.nvmlShutdown()


def _try(fn: Any, *args: Any, default: Any = None) -> Any:
    """Call an NVML getter; a card that does not support it gives ``default``."""
    try:
        return fn(*args)
    except Exception:  # NVMLError_NotSupported and friends
        return default


def _text(value: str | bytes) -> str:
    return value.decode() if isinstance(value, bytes) else value


def _or_none(value: int | None) -> int | None:
    # NVML reports "not available" as a huge sentinel on some drivers.
    return None if value is None or value >= 2**63 else int(value)
