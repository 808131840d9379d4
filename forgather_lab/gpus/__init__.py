"""GPU inventory: an NVML backend, a simulated one, and how to pick."""

from .backend import GpuBackend, GpuInfo, GpuProcess, backend_from_settings, make_backend

__all__ = ["GpuBackend", "GpuInfo", "GpuProcess", "backend_from_settings", "make_backend"]
