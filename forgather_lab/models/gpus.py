"""GPUs and their policy on the wire."""

from __future__ import annotations

from pydantic import Field

from .base import ApiModel, Model


class DescribeGpuProcess(Model):
    pid: int
    job_id: str | None
    used_memory: int | None = None
    kind: str = "compute"


class DescribeGpu(Model):
    """One card: telemetry, policy and who runs on it."""

    index: int
    name: str
    uuid: str
    memory_total: int
    memory_used: int
    utilization: int | None
    temperature: int | None
    power: float | None
    processes: list[DescribeGpuProcess]
    excluded: bool
    disabled: bool
    min_priority: int
    reserved_by: str | None = Field(None, description="the job holding this card")
    simulated: bool


class ListGpus(Model):
    gpus: list[DescribeGpu]
    backend: str
    simulated: bool


class DescribeGpuPolicy(Model):
    disabled: bool
    min_priority: int


class ListGpuPolicies(Model):
    """Policies by GPU index (as a string key, JSON objects have string keys)."""

    policies: dict[str, DescribeGpuPolicy]


class UpdateGpuPolicy(ApiModel):
    """``POST /gpus/{index}/policy``: fields left out are left alone."""

    disabled: bool | None = None
    min_priority: int | None = Field(None, ge=-1000, le=1000)


class KillGpuProcesses(ApiModel):
    """``POST /gpus/{index}/kill``: must say ``confirmed: true``."""

    confirmed: bool


class KillGpuResult(Model):
    pids: list[int]
    killed: list[int]
    failed: list[int]
